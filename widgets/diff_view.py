"""Compare two versions of an artifact: unified or side by side, and restore an older one.

The rows come from `app.diffing`; `widgets.diff_lines` keeps the rows near a change (a fold line
counts the unchanged ones in between), so a one-line edit of a 30 KB game is one short hunk, and
`widgets.diff_pane` paints them, numbers and +/− marks in a gutter, in the theme's colours.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.diffing import Row, diff_stats, side_by_side
from app.i18n import translate
from app.store import ArtifactVersion
from widgets.code_theme import DARK, LIGHT, colours_for, repaint_on_scheme_change
from widgets.diff_lines import side_lines, unified_lines
from widgets.diff_pane import DiffPane
from widgets.version_labels import origin_label


class _Picker(QComboBox):
    """A combo box with a drawn chevron (style sheets drop the platform arrow)."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        """The box as styled, then a small chevron at the right."""
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor("#8a8a82"), 1.4)
        painter.setPen(pen)
        x, y = self.width() - 15, self.height() // 2 - 1
        painter.drawPolyline(
            [QPointF(x - 3.5, y - 1.5), QPointF(x, y + 2), QPointF(x + 3.5, y - 1.5)]
        )
        painter.end()


def _version_label(version: ArtifactVersion, newest: int) -> str:
    origin = origin_label(version.origin)
    when = time.strftime("%H:%M", time.localtime(version.created))
    latest = translate("DiffView", " · latest") if version.version == newest else ""
    return f"v{version.version} · {origin} · {when}{latest}"


class DiffView(QWidget):
    """Two version pickers, the diff between them, and "Restore" for the older one."""

    # The user asked to make this version (a number) the newest again.
    restoreRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffView")
        self.versions: list[ArtifactVersion] = []
        self.rows: list[Row] = []
        self._mode = "unified"
        self.unified = DiffPane(2, self)
        self.left_pane = DiffPane(1, self)
        self.right_pane = DiffPane(1, self)
        self.empty = QLabel("", self)
        self.empty.setObjectName("diffEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.unified)
        self.stack.addWidget(self._side_by_side())
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._toolbar())
        layout.addWidget(self.stack, 1)
        self._sync_scrolling()
        self._dark = colours_for(QGuiApplication.palette()).dark
        self.setStyleSheet(_DARK_STYLE if self._dark else _STYLE)

    def _side_by_side(self) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(1)  # the 1 px gap shows the background as a divider
        row.addWidget(self.left_pane)
        row.addWidget(self.right_pane)
        box.setObjectName("sideBySide")
        return box

    def _toolbar(self) -> QWidget:
        bar = QWidget(self)
        bar.setObjectName("diffToolbar")
        self.from_combo = _Picker(bar)
        self.to_combo = _Picker(bar)
        arrow = QLabel("→", bar)
        arrow.setObjectName("diffArrow")
        self.unified_button = self._mode_button(translate("DiffView", "Unified"), bar)
        self.side_button = self._mode_button(translate("DiffView", "Side by side"), bar)
        self.unified_button.setChecked(True)
        group = QButtonGroup(bar)
        group.addButton(self.unified_button)
        group.addButton(self.side_button)
        self.stats = QLabel("", bar)
        self.stats.setObjectName("diffStats")
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        self.restore_button = QPushButton(translate("DiffView", "Restore this version"), bar)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setCursor(Qt.CursorShape.PointingHandCursor)
        # Two rows (the versions compared; how, and Restore): on one row the bar demanded
        # ~770 px, which set the whole window's minimum width on a small screen.
        rows = QVBoxLayout(bar)
        rows.setContentsMargins(10, 6, 10, 6)
        rows.setSpacing(4)
        top, bottom = QHBoxLayout(), QHBoxLayout()
        for row in (top, bottom):
            row.setSpacing(6)
            rows.addLayout(row)
        for widget in (self.from_combo, arrow, self.to_combo):
            top.addWidget(widget)
        top.addStretch(1)
        for widget in (self.unified_button, self.side_button, self.stats):
            bottom.addWidget(widget)
        bottom.addStretch(1)
        bottom.addWidget(self.restore_button)
        self.from_combo.activated.connect(self._refresh)
        self.to_combo.activated.connect(self._refresh)
        self.unified_button.clicked.connect(lambda: self.set_mode("unified"))
        self.side_button.clicked.connect(lambda: self.set_mode("side"))
        self.restore_button.clicked.connect(self._restore)
        return bar

    def _mode_button(self, text: str, parent: QWidget) -> QToolButton:
        button = QToolButton(parent)
        button.setText(text)
        button.setCheckable(True)
        button.setObjectName("modeButton")
        return button

    def _sync_scrolling(self) -> None:
        for a, b in ((self.left_pane, self.right_pane), (self.right_pane, self.left_pane)):
            a.verticalScrollBar().valueChanged.connect(b.verticalScrollBar().setValue)
            a.horizontalScrollBar().valueChanged.connect(b.horizontalScrollBar().setValue)

    # -- API -----------------------------------------------------------------------------------

    def set_versions(self, versions: list[ArtifactVersion], left: int, right: int) -> None:
        """Offer `versions` (of one artifact) and compare version numbers `left` → `right`."""
        self.versions = sorted(versions, key=lambda v: v.version)
        newest = self.versions[-1].version if self.versions else 0
        for combo in (self.from_combo, self.to_combo):
            combo.clear()
            for version in self.versions:
                combo.addItem(_version_label(version, newest), version.version)
        self._select(self.from_combo, left, fallback=-2)
        self._select(self.to_combo, right, fallback=-1)
        self._refresh()

    def set_mode(self, mode: str) -> None:
        """ "unified" or "side" (side by side)."""
        if mode not in ("unified", "side"):
            raise ValueError(f"unknown diff mode {mode!r}: expected 'unified' or 'side'")
        self._mode = mode
        self.unified_button.setChecked(mode == "unified")
        self.side_button.setChecked(mode == "side")
        self._show_current()

    def mode(self) -> str:
        """The current mode: "unified" or "side"."""
        return self._mode

    def left_version(self) -> ArtifactVersion | None:
        """The version picked in "from"."""
        return self._picked(self.from_combo)

    def right_version(self) -> ArtifactVersion | None:
        """The version picked in "to"."""
        return self._picked(self.to_combo)

    def restore_target(self) -> int | None:
        """The version "Restore" would bring back: "from", unless it is the newest; then "to"."""
        newest = self.versions[-1].version if self.versions else None
        for version in (self.left_version(), self.right_version()):
            if version is not None and version.version != newest:
                return version.version
        return None

    # -- internals -----------------------------------------------------------------------------

    def _select(self, combo: QComboBox, number: int, *, fallback: int) -> None:
        index = combo.findData(number)
        if index < 0 and combo.count():
            index = max(0, combo.count() + fallback)
        combo.setCurrentIndex(index)

    def _picked(self, combo: QComboBox) -> ArtifactVersion | None:
        number = combo.currentData()
        return next((v for v in self.versions if v.version == number), None)

    def _refresh(self) -> None:
        old, new = self.left_version(), self.right_version()
        self.rows = side_by_side(old.content, new.content) if old and new else []
        added, removed = diff_stats(self.rows)
        changed = added or removed
        self.stats.setText(
            f"<span style='color:#2d7a2d'>+{added}</span>&nbsp;&nbsp;"
            f"<span style='color:#b3261e'>−{removed}</span>"
            if changed
            else ""
        )
        self.unified.show_lines(unified_lines(self.rows))
        left, right = side_lines(self.rows)
        self.left_pane.show_lines(left)
        self.right_pane.show_lines(right)
        self._update_restore()
        self._show_current()

    def has_differences(self) -> bool:
        """Whether the two picked versions differ line by line."""
        return any(row.kind != "same" for row in self.rows)

    def _show_current(self) -> None:
        old, new = self.left_version(), self.right_version()
        if old is None or new is None:
            self.empty.setText(translate("DiffView", "No versions to compare yet."))
            self.stack.setCurrentWidget(self.empty)
        elif not self.has_differences():
            if old.version == new.version:
                same = translate("DiffView", "v{old} and v{new} are the same version.")
            else:
                same = translate("DiffView", "v{old} and v{new} are identical.")
            detail = translate("DiffView", "<br>(only line endings differ)")
            detail = "" if old.content == new.content else detail
            title = translate("DiffView", "<b>No differences</b>")
            same = same.format(old=old.version, new=new.version)
            self.empty.setText(f"{title}<br><span style='color:#8a8a82'>{same}{detail}</span>")
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentIndex(0 if self._mode == "unified" else 1)

    def _update_restore(self) -> None:
        target = self.restore_target()
        self.restore_button.setEnabled(target is not None)
        if target is not None:
            text = translate("DiffView", "Restore v{version}").format(version=target)
            tip = translate("DiffView", "Make v{version} the newest version again")
            tip = tip.format(version=target)
        else:
            text = translate("DiffView", "Restore this version")
            tip = translate("DiffView", "This is the newest version")
        self.restore_button.setText(text)
        self.restore_button.setToolTip(tip)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """The theme changed the application palette: the toolbar's colours follow."""
        super().changeEvent(event)
        if not hasattr(self, "_dark"):  # an event from the constructor
            return
        colours = repaint_on_scheme_change(event, DARK if self._dark else LIGHT)
        if colours is not None and colours.dark != self._dark:
            self._dark = colours.dark
            self.setStyleSheet(_DARK_STYLE if self._dark else _STYLE)

    def _restore(self) -> None:
        target = self.restore_target()
        if target is not None:
            self.restoreRequested.emit(target)


_STYLE = """
#diffView { background: #fafaf8; }
#diffToolbar { background: #f6f6f4; border-bottom: 1px solid #e6e6e1; }
#diffToolbar QComboBox { padding: 3px 8px; border: 1px solid #dcdbd4; border-radius: 6px;
    background: #ffffff; color: #2b2b28; min-width: 150px; }
#diffToolbar QComboBox::drop-down { border: none; width: 22px; }
#diffToolbar QComboBox QAbstractItemView { border: 1px solid #dcdbd4; background: #ffffff;
    selection-background-color: #f2d9c8; selection-color: #2b2b28; outline: none; }
#diffArrow { color: #8a8a82; padding: 0 2px; }
#diffStats { padding-left: 8px; font-weight: 600; }
#modeButton { padding: 3px 10px; border-radius: 6px; border: 1px solid transparent;
    color: #55544e; }
#modeButton:checked { background: #e4e2da; color: #2b2b28; }
#modeButton:hover:!checked { background: #efeeea; }
#restoreButton { padding: 4px 12px; border-radius: 6px; border: 1px solid #c96f3b;
    color: #c96f3b; background: #ffffff; font-weight: 600; }
#restoreButton:hover { background: #fbf1ea; }
#restoreButton:disabled { border-color: #dcdbd4; color: #b3b1a9; }
#sideBySide { background: #e6e6e1; }
#diffEmpty { color: #2b2b28; font-size: 15px; background: #fbfbfa; }
"""
# The same parts in the dark theme (a widget's own style sheet outranks the application's).
_DARK_STYLE = """
#diffView { background: #232321; }
#diffToolbar { background: #292927; border-bottom: 1px solid #3a3a37; }
#diffToolbar QComboBox { padding: 3px 8px; border: 1px solid #45443f; border-radius: 6px;
    background: #1f1f1e; color: #ecebe7; min-width: 150px; }
#diffToolbar QComboBox::drop-down { border: none; width: 22px; }
#diffToolbar QComboBox QAbstractItemView { border: 1px solid #45443f; background: #1f1f1e;
    color: #ecebe7; selection-background-color: #5a3a26; selection-color: #ffffff; outline: none; }
#diffArrow { color: #a3a29c; padding: 0 2px; }
#diffStats { padding-left: 8px; font-weight: 600; }
#modeButton { padding: 3px 10px; border-radius: 6px; border: 1px solid transparent;
    color: #c9c7c0; }
#modeButton:checked { background: #3f3e3a; color: #ffffff; }
#modeButton:hover:!checked { background: #32322f; }
#restoreButton { padding: 4px 12px; border-radius: 6px; border: 1px solid #e08a62;
    color: #e08a62; background: #1f1f1e; font-weight: 600; }
#restoreButton:hover { background: #3d2a21; }
#restoreButton:disabled { border-color: #45443f; color: #6f6e68; }
#sideBySide { background: #3a3a37; }
#diffEmpty { color: #ecebe7; font-size: 15px; background: #1c1c1b; }
"""
