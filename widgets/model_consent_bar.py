"""The bar above an artifact that asks before its first model call (DESIGN.md §4.1).

It shows what the page wants to send, as plain text (a page chooses its prompt: it must never be
able to style or link the question), with Allow once, Always for this artifact, and Don't allow.
Several calls that arrive while it is shown share one answer. Closing the tab counts as no.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import translate

_PREVIEW_CHARS = 600


class ModelConsentBar(QFrame):
    """Asks whether an artifact may call the model; `ask()` resolves to once/always/deny."""

    # The user answered: "once", "always" or "deny".
    decided = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelConsent")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._future: asyncio.Future[str] | None = None
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.prompt.setObjectName("modelConsentPrompt")
        self.once = QPushButton(translate("ModelConsentBar", "Allow once"))
        self.always = QPushButton(translate("ModelConsentBar", "Always for this artifact"))
        self.deny = QPushButton(translate("ModelConsentBar", "Don't allow"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button, decision in ((self.deny, "deny"), (self.always, "always"), (self.once, "once")):
            button.clicked.connect(lambda _=False, d=decision: self._answer(d))
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addWidget(self.prompt)
        layout.addLayout(buttons)
        self.hide()

    def ask(self, prompt: str, reason: str) -> asyncio.Future[str]:
        """Show the question; the future resolves with the user's answer."""
        if self._future is not None and not self._future.done():
            return self._future  # one question at a time: later calls share its answer
        self._future = asyncio.get_running_loop().create_future()
        self.question.setText(
            translate(
                "ModelConsentBar",
                "{reason} Easel would send this to your current model, and the page gets the "
                "answer:",
            ).format(reason=reason)
        )
        shown = prompt if len(prompt) <= _PREVIEW_CHARS else prompt[:_PREVIEW_CHARS] + " …"
        self.prompt.setText(shown)
        self.show()
        self.once.setFocus()
        return self._future

    def cancel(self) -> None:
        """The artifact went away: whatever was asked is a no."""
        self._answer("deny")

    def _answer(self, decision: str) -> None:
        self.hide()
        future, self._future = self._future, None
        if future is not None and not future.done():
            future.set_result(decision)
        self.decided.emit(decision)
