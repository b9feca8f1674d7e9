"""The floating find bar of the Code view: query, "n of m", previous, next, close."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from app.i18n import translate
from widgets.code_theme import DARK, LIGHT, colours_for, repaint_on_scheme_change


class FindBar(QFrame):
    """A floating find bar: query, "n of m", previous, next, close."""

    # The query changed (live search).
    queryChanged = Signal(str)
    # Enter / the ↓ button: the next match; Shift+Enter / ↑: the previous one.
    nextRequested = Signal()
    previousRequested = Signal()
    # Esc or the × button.
    closed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.field = QLineEdit(self)
        self.field.setPlaceholderText(translate("FindBar", "Find"))
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(180)
        self.count = QLabel("", self)
        self.count.setObjectName("findCount")
        self.count.setMinimumWidth(64)
        self.previous_button = self._button(
            "↑", translate("FindBar", "Previous match (Shift+Enter)")
        )
        self.next_button = self._button("↓", translate("FindBar", "Next match (Enter)"))
        self.close_button = self._button("✕", translate("FindBar", "Close (Esc)"))
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 5, 5, 5)
        row.setSpacing(3)
        for widget in (
            self.field,
            self.count,
            self.previous_button,
            self.next_button,
            self.close_button,
        ):
            row.addWidget(widget)
        self.field.textChanged.connect(self.queryChanged)
        self.previous_button.clicked.connect(self.previousRequested)
        self.next_button.clicked.connect(self.nextRequested)
        self.close_button.clicked.connect(self.closed)
        self._dark = colours_for(QGuiApplication.palette()).dark
        self.setStyleSheet(_style(self._dark))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """The theme changed the application palette: the bar's colours follow."""
        super().changeEvent(event)
        if not hasattr(self, "_dark"):  # an event from the constructor
            return
        colours = repaint_on_scheme_change(event, DARK if self._dark else LIGHT)
        if colours is not None and colours.dark != self._dark:
            self._dark = colours.dark
            self.setStyleSheet(_style(self._dark))

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        """Esc closes; Shift+Enter goes back. No key reaches the editor below."""
        if event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # The line edit passes Enter on to us (after returnPressed, Shift or not).
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.previousRequested.emit()
            else:
                self.nextRequested.emit()
        event.accept()  # no key typed in the bar reaches the code below it

    def set_count(self, current: int, total: int, capped: bool) -> None:
        """Show "current of total" (translate("FindBar", "No results") when nothing matched)."""
        if total == 0:
            text = translate("FindBar", "No results") if self.field.text() else ""
        else:
            text = translate("FindBar", "{current} of {total}").format(
                current=current, total=f"{total}{'+' if capped else ''}"
            )
        self.count.setText(text)
        self.count.setProperty("none", total == 0)
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)


def _style(dark: bool) -> str:
    """The bar's style sheet in the light or dark theme."""
    c = DARK if dark else LIGHT
    frame, field_border, button, hover, count = (
        ("#262624", "#45443f", "#c9c7c0", "#32322f", "#a3a29c")
        if dark
        else ("#ffffff", "#e2e1db", "#55544e", "#efeeea", "#8a8a82")
    )
    return f"""
        #findBar {{ background: {frame}; border: 1px solid {c.gutter_border}; border-radius: 8px; }}
        #findBar QLineEdit {{ border: 1px solid {field_border}; border-radius: 6px;
            padding: 3px 6px; background: {c.background}; color: {c.foreground}; }}
        #findBar QLineEdit:focus {{ border-color: #c96f3b; }}
        #findBar QToolButton {{ border: none; border-radius: 5px; padding: 2px 6px;
            color: {button}; }}
        #findBar QToolButton:hover {{ background: {hover}; }}
        #findCount {{ color: {count}; padding: 0 4px; }}
        #findCount[none="true"] {{ color: {"#f28b82" if dark else "#b3261e"}; }}
        """
