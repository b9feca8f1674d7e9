"""A row of toolbar widgets that moves what does not fit into its ⋯ menu instead of eliding.

Each widget in the row has a priority; when the row is narrower than all of them together, the
lowest priorities leave the row (hidden) and appear at the top of the ⋯ menu, built afresh each
time it opens. A widget the owner hides on purpose (a "Fix" with no errors) stays hidden either
way: the owner says what is *wanted* with `set_wanted`, the row decides what *fits*. Visible
widgets always get their full size (fixed size policy), so their labels are never squeezed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from app.i18n import translate


@dataclass
class _Item:
    widget: QWidget
    priority: int  # lower numbers stay in the row longer
    wanted: bool = True


class OverflowRow(QWidget):
    """Widgets left and right of a stretch, the ⋯ button last; what does not fit goes in ⋯."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.more_button = QToolButton(self)
        self.more_button.setText("⋯")
        self.more_button.setToolTip(translate("OverflowRow", "More"))
        self.more_button.setAutoRaise(True)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu = QMenu(self)
        self._menu.aboutToShow.connect(self._fill_menu)
        self.more_button.setMenu(self._menu)
        self._extra: list[tuple[str, Callable[[], object]]] = []
        self._items: list[_Item] = []
        self._fitting = False
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(8, 4, 8, 4)
        # The row's widgets never set its minimum: what does not fit leaves for the menu.
        self._row.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._stretch_at = 0

    # --- building ---------------------------------------------------------------------------

    def add_left(self, widget: QWidget, priority: int) -> None:
        """A widget on the left, after the ones added before."""
        self._row.insertWidget(self._stretch_at, widget)
        self._stretch_at += 1
        self._track(widget, priority)

    def add_right(self, widget: QWidget, priority: int) -> None:
        """A widget on the right, after the ones added before (the ⋯ button stays last)."""
        self._row.addWidget(widget)
        self._track(widget, priority)

    def finish(self) -> None:
        """Put the stretch and the ⋯ button in place once every widget is added."""
        self._row.insertStretch(self._stretch_at, 1)
        self._row.addWidget(self.more_button)
        self.more_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def _track(self, widget: QWidget, priority: int) -> None:
        # Never squeezed below its size hint: either it fits whole or it moves to ⋯.
        widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._items.append(_Item(widget, priority, wanted=not widget.isHidden()))

    def set_extra_entries(self, entries: list[tuple[str, Callable[[], object]]]) -> None:
        """The ⋯ menu's own entries (text, what it does), below whatever overflowed."""
        self._extra = list(entries)

    def set_wanted(self, widget: QWidget, wanted: bool) -> None:
        """Whether the owner wants this widget shown at all (the row decides if it fits)."""
        for item in self._items:
            if item.widget is widget:
                item.wanted = wanted
        self.fit()

    # --- fitting ----------------------------------------------------------------------------

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """Only the ⋯ button must fit: everything else can move into its menu."""
        margins = self._row.contentsMargins()
        more = self.more_button.sizeHint()
        width = margins.left() + more.width() + margins.right()
        return QSize(width, super().minimumSizeHint().height())

    def overflowed(self) -> list[QWidget]:
        """The wanted widgets that did not fit and are in the ⋯ menu now, in row order."""
        return [i.widget for i in self._items if i.wanted and i.widget.isHidden()]

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.fit()

    def event(self, event: QEvent) -> bool:
        """A child's size changed (a longer label): fit again."""
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self.fit()
        return handled

    def fit(self) -> None:
        """Show the wanted widgets that fit, by priority; hide the rest (they are in ⋯)."""
        if self._fitting:
            return
        self._fitting = True
        try:
            shown = {id(item) for item in self._fitting_items()}
            changed = False
            for item in self._items:
                if item.widget.isHidden() == (id(item) in shown):
                    item.widget.setVisible(id(item) in shown)
                    changed = True
            if changed:
                self._row.activate()  # lay the row out now, not after a frame of squeezed labels
        finally:
            self._fitting = False

    def _fitting_items(self) -> list[_Item]:
        margins = self._row.contentsMargins()
        spacing = max(self._row.spacing(), 0)
        room = self.width() - margins.left() - margins.right()
        room -= self.more_button.sizeHint().width()
        shown: list[_Item] = []
        for item in sorted(self._items, key=lambda i: i.priority):
            if not item.wanted:
                continue
            need = item.widget.sizeHint().width() + spacing
            if need > room:
                break  # strictly by priority: nothing less needed shows while this one cannot
            shown.append(item)
            room -= need
        return shown

    # --- the menu ---------------------------------------------------------------------------

    def _fill_menu(self) -> None:
        self._menu.clear()
        for widget in self.overflowed():
            self._add_entry(widget)
        if self.overflowed() and self._extra:
            self._menu.addSeparator()
        for text, slot in self._extra:
            action = QAction(text, self._menu)
            action.triggered.connect(slot)
            self._menu.addAction(action)

    def _add_entry(self, widget: QWidget) -> None:
        if isinstance(widget, QToolButton):
            action = QAction(widget.text(), self._menu)
            action.setToolTip(widget.toolTip())
            action.setCheckable(widget.isCheckable())
            action.setChecked(widget.isChecked())
            action.triggered.connect(lambda _checked=False, b=widget: b.click())
            self._menu.addAction(action)
        elif isinstance(widget, QComboBox):
            self._add_combo(widget)
        elif isinstance(widget, QLabel) and widget.text():
            info = QAction(widget.text(), self._menu)
            info.setEnabled(False)  # a status line, not something to do
            self._menu.addAction(info)

    def _add_combo(self, combo: QComboBox) -> None:
        title = combo.toolTip() or translate("OverflowRow", "Choose")
        sub = self._menu.addMenu(title)
        for index in range(combo.count()):
            action = QAction(combo.itemText(index), sub)
            action.setCheckable(True)
            action.setChecked(index == combo.currentIndex())
            action.triggered.connect(lambda _c=False, i=index, c=combo: _pick(c, i))
            sub.addAction(action)


def _pick(combo: QComboBox, index: int) -> None:
    """Choose an entry as the user would in the box (so `activated` fires)."""
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
