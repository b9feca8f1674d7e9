"""The floating find bar of the Code view: query, "n of m", previous, next, close."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from app.i18n import translate
from widgets.code_theme import FOREGROUND


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
        self.setStyleSheet(
            f"""
            #findBar {{ background: #ffffff; border: 1px solid #dcdbd4; border-radius: 8px; }}
            #findBar QLineEdit {{ border: 1px solid #e2e1db; border-radius: 6px;
                padding: 3px 6px; background: #fcfcfb; color: {FOREGROUND}; }}
            #findBar QLineEdit:focus {{ border-color: #c96f3b; }}
            #findBar QToolButton {{ border: none; border-radius: 5px; padding: 2px 6px;
                color: #55544e; }}
            #findBar QToolButton:hover {{ background: #efeeea; }}
            #findCount {{ color: #8a8a82; padding: 0 4px; }}
            #findCount[none="true"] {{ color: #b3261e; }}
            """
        )

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
