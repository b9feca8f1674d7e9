"""The composer: where the user types. Enter sends, Shift+Enter is a new line, Stop stops.

The text stays in the box until the session says the message is stored, so a prompt is never
lost to a failed send. Send pressed while an attached file is still being read waits for it
(the tray says so); a file refused meanwhile, Esc, or another conversation calls it off.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QIcon, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.attachment_model import Attachment
from app.i18n import translate
from app.resources import asset
from widgets.attachment_tray import AttachmentTray, DropCatcher
from widgets.elided_label import ElidedLabel
from widgets.prompt_edit import PromptEdit


class Composer(QWidget):
    """Prompt box, Send/Stop button and the model it will talk to."""

    # The user asked to send this text (with the tray's files, which may stand alone).
    sendRequested = Signal(str)
    # The user asked to stop the reply that is streaming.
    stopRequested = Signal()
    # The user picked (or typed) another model for the next replies.
    modelChosen = Signal(str)
    # The user asked to fetch the provider's list of models again.
    modelsRefreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.edit = PromptEdit(self)
        self.edit.setObjectName("promptEdit")
        ask = translate(
            "Composer", "Ask for anything — “a breakout game”, “a one-page A4 itinerary”…"
        )
        keys = translate("Composer", "(Enter sends, Shift+Enter for a new line, Esc stops)")
        self.edit.set_placeholders([f"{ask}  {keys}", ask])
        self.button = QPushButton(translate("Composer", "Send"), self)
        self.button.setObjectName("sendButton")
        self.button.setDefault(True)
        self.model_label = ElidedLabel("", self)
        self.model_label.setObjectName("composerModel")
        self.model_combo = QComboBox(self)
        self.model_combo.setObjectName("modelCombo")
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # 14 characters, and a provider name that may be cut: the composer shares a small
        # screen with the artifact panel (the status line shows the provider in full too).
        self.model_label.setMinimumWidth(1)
        self.model_combo.setMinimumContentsLength(14)
        self.model_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model_combo.setToolTip(
            translate("Composer", "The model for the next replies (each reply shows its own)")
        )
        self.refresh_button = QToolButton(self)
        self.refresh_button.setText("↻")
        self.refresh_button.setToolTip(
            translate("Composer", "Fetch the provider's model list again")
        )
        self.think_button = QToolButton(self)
        self.think_button.setText(translate("Composer", "Extended thinking"))
        self.think_button.setCheckable(True)
        self.think_button.setToolTip(
            translate("Composer", "Let the model think before it answers (Anthropic)")
        )
        self.think_button.hide()
        self._streaming = False
        # Files to send: the paperclip, drops on the composer (and the window), pasted images.
        self.tray = AttachmentTray(self)
        self.attach_button = QToolButton(self)
        self.attach_button.setObjectName("attachButton")
        self._paint_attach_icon()
        self.attach_button.setText(translate("Composer", "Attach"))  # read by screen readers
        self.attach_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.attach_button.setToolTip(
            translate("Composer", "Attach files (or drop them here, or paste an image)")
        )
        self.attach_button.clicked.connect(self.tray.choose_files)
        self.drops = DropCatcher(self.tray)
        self.drops.watch(self)
        # Files dropped on the text box reach the tray through PromptEdit.insertFromMimeData,
        # as pasted ones do.
        self.edit.take_mime = self.tray.take_mime
        # Send pressed while a file is still being read waits for it (then sends, unless a
        # file was refused meanwhile): a message never goes without a file the user added.
        self._waiting_since: int | None = None  # tray.failures when Send was pressed
        self.tray.changed.connect(self._send_when_read)

        row = QHBoxLayout()
        row.addWidget(self.attach_button)
        row.addWidget(self.model_label)
        row.addWidget(self.model_combo)
        row.addWidget(self.refresh_button)
        row.addWidget(self.think_button)
        row.addStretch(1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 10)
        layout.addWidget(self.tray)
        layout.addWidget(self.edit)
        layout.addLayout(row)

        self.edit.submitted.connect(self._on_submit)
        self.edit.escaped.connect(self._on_escape)
        self.button.clicked.connect(self._on_button)
        self.model_combo.activated.connect(lambda _: self._on_model())
        self.model_combo.lineEdit().editingFinished.connect(self._on_model)
        self.refresh_button.clicked.connect(self.modelsRefreshRequested)

    def _paint_attach_icon(self) -> None:
        # A light paperclip on a dark palette (the theme changes it live: changeEvent). Set
        # when the palette's lightness changed sides only: every start sends a palette change.
        dark = self.palette().window().color().lightness() < 128
        if dark == getattr(self, "_attach_dark", None):
            return
        self._attach_dark = dark
        name = "paperclip-dark.svg" if dark else "paperclip.svg"
        self.attach_button.setIcon(QIcon(str(asset("icons", name))))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """The theme changed the palette: the paperclip follows."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "attach_button"):
            self._paint_attach_icon()

    def text(self) -> str:
        """What is typed now."""
        return self.edit.toPlainText()

    def clear(self) -> None:
        """Empty the box and its files (once the message is safely stored)."""
        self.edit.clear()
        self.tray.clear()

    def attachments(self) -> tuple[Attachment, ...]:
        """The files to send with the next message."""
        return self.tray.attachments()

    def set_text(self, text: str) -> None:
        """Put text back into the box (e.g. for editing a message), the cursor at its end,
        where the user goes on typing."""
        self.edit.setPlainText(text)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)

    def set_provider(self, text: str) -> None:
        """Show which provider the next message goes to."""
        self.model_label.set_full_text(text)

    def set_models(self, models: list[str], current: str) -> None:
        """The models to choose from, and the one chosen."""
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        self.model_combo.addItems(
            models if current in models or not current else [current, *models]
        )
        self.model_combo.setCurrentText(current)
        self.model_combo.blockSignals(False)
        self.tray.set_model(self.model())

    def model(self) -> str:
        """The model chosen now."""
        return self.model_combo.currentText().strip()

    def _on_model(self) -> None:
        self.tray.set_model(self.model())
        if self.model():
            self.modelChosen.emit(self.model())

    def set_streaming(self, streaming: bool) -> None:
        """Switch the button between Send and Stop."""
        self._streaming = streaming
        self.button.setText(
            translate("Composer", "Stop") if streaming else translate("Composer", "Send")
        )
        self.button.setProperty("stop", streaming)
        self.button.style().unpolish(self.button)
        self.button.style().polish(self.button)

    def call_off_send(self) -> None:
        """A Send still waiting for a file to be read will not go (Esc, another conversation)."""
        if self._waiting_since is not None:
            self._waiting_since = None
            self.tray.set_waiting(False)

    def focus(self) -> None:
        """Put the cursor in the box."""
        self.edit.setFocus()

    def _on_escape(self) -> None:
        if self._streaming:
            self.stopRequested.emit()
        else:
            self.call_off_send()

    def _on_submit(self) -> None:
        if not self._streaming:
            self._send()

    def _on_button(self) -> None:
        if self._streaming:
            self.stopRequested.emit()
        else:
            self._send()

    def _send(self) -> None:
        if self.tray.busy():
            if self._waiting_since is None:
                self._waiting_since = self.tray.failures
                self.tray.set_waiting(True)
            return
        text = self.text().strip()
        if text or self.attachments():
            self.sendRequested.emit(text)

    def _send_when_read(self) -> None:
        if self._waiting_since is None or self.tray.busy():
            return
        refused = self.tray.failures != self._waiting_since
        self._waiting_since = None
        self.tray.set_waiting(False)
        if not refused and not self._streaming:  # a refused file: its sentence shows, text stays
            self._send()
