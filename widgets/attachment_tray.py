"""The files about to be sent: chips above the prompt, and every way in (paperclip, drop, paste).

`AttachmentTray` reads each file with `app.attachments` on a worker thread (a big photo is
decoded and downscaled there, never on the loop), showing "name — reading…" meanwhile, then
shows it as a chip with its name and a × to remove it. A file that cannot be attached (too
big, unsupported, unreadable) is refused with the reader's sentence under the chips, before
anything is sent; so is an image for a model without vision, which is told the image was
attached but cannot see it (`app.vision`).

`DropCatcher` is the event filter that lets a widget take dropped files and pasted images
(the composer, its text box, the window); the text box asks `take_mime` before pasting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.attachment_model import Attachment, AttachmentError
from app.attachments import MAX_FILES, attachment_from_bytes, read_attachment
from app.i18n import translate


class AttachmentChip(QFrame):
    """One file: its name (plain text, never markup) and a button that removes it."""

    # The user asked to remove this file.
    removeRequested = Signal(object)

    def __init__(self, attachment: Attachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attachment = attachment
        self.setObjectName("attachmentChip")
        self.name = QLabel(self)
        self.name.setTextFormat(Qt.TextFormat.PlainText)  # a file name is never HTML
        self.name.setText(attachment.label())
        self.setToolTip(attachment.label())
        self.remove = QToolButton(self)
        self.remove.setObjectName("chipRemove")
        self.remove.setText("×")
        self.remove.setAutoRaise(True)
        self.remove.setToolTip(translate("AttachmentTray", "Remove this file"))
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 2, 2)
        row.setSpacing(2)
        row.addWidget(self.name)
        row.addWidget(self.remove)
        self.remove.clicked.connect(lambda: self.removeRequested.emit(self))


class AttachmentTray(QWidget):
    """The chips of the files to send with the next message, and what went wrong adding one."""

    # The files changed (one added or removed, or all sent).
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentTray")
        self._chips: list[AttachmentChip] = []
        self._model = ""
        self._error = ""
        self._reading = 0
        self._pending: list[QLabel] = []  # a "reading…" chip per file still being read
        self._waiting = False  # Send was pressed while a file was being read
        self.failures = 0  # files refused so far (a waiting Send is called off by a new one)
        # The chips scroll sideways: many files never make the composer (or window) wider.
        strip = QWidget()
        strip.setObjectName("attachmentStrip")
        self._row = QHBoxLayout(strip)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(6)
        self._row.addStretch(1)
        self.strip = QScrollArea(self)
        self.strip.setWidget(strip)
        self.strip.setWidgetResizable(True)
        self.strip.setFrameShape(QFrame.Shape.NoFrame)
        self.strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.message = QLabel(self)
        self.message.setObjectName("attachmentMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(self.strip)
        layout.addWidget(self.message)
        self._refresh()

    # -- what will be sent -----------------------------------------------------------------

    def attachments(self) -> tuple[Attachment, ...]:
        """The files to send, in the order they were added."""
        return tuple(chip.attachment for chip in self._chips)

    def busy(self) -> bool:
        """Whether a file is still being read."""
        return self._reading > 0

    def pending_labels(self) -> list[str]:
        """The "reading…" chips of the files still being read."""
        return [label.text() for label in self._pending]

    def set_waiting(self, waiting: bool) -> None:
        """Say (or stop saying) that the message goes as soon as the files are read."""
        self._waiting = waiting
        self._refresh()

    def clear(self) -> None:
        """Forget every file (the message carrying them is stored)."""
        for chip in self._chips:
            chip.deleteLater()
        self._chips = []
        self._error = ""
        self._refresh()
        self.changed.emit()

    def replace(self, attachments: tuple[Attachment, ...]) -> None:
        """Show these files instead of the ones there (a message being edited brings its own;
        leaving the edit brings back what was there before)."""
        for chip in self._chips:
            chip.deleteLater()
        self._chips = []
        self._error = ""
        for attachment in attachments:
            self._add(attachment)
        self._refresh()
        self.changed.emit()

    def set_model(self, model: str) -> None:
        """The model the next message goes to (whether it sees images)."""
        self._model = model
        self._refresh()

    # -- ways in -----------------------------------------------------------------------------

    def choose_files(self) -> None:
        """The paperclip: a file dialog that does not block the loop (PITFALLS: no exec())."""
        dialog = QFileDialog(self.window(), translate("AttachmentTray", "Attach files"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda names: self.add_paths([Path(n) for n in names]))
        dialog.open()

    def add_paths(self, paths: list[Path]) -> None:
        """Read files (off the GUI thread) and add a chip for each one that can be attached."""
        for path in paths:
            self._start(path.name, lambda path=path: read_attachment(path))

    def add_image(self, image: QImage, name: str = "pasted-image.png") -> None:
        """An image from the clipboard, as a PNG file."""
        data = _png(image)
        self._start(name, lambda: attachment_from_bytes(name, data))

    def take_mime(self, mime: QMimeData) -> bool:
        """Files or an image in a drop or a paste are attached; True if it held any."""
        files = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        if files:
            self.add_paths(files)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.add_image(image)
                return True
        return False

    # -- reading -----------------------------------------------------------------------------

    def _start(self, name: str, read: Callable[[], Attachment]) -> None:
        self._reading += 1
        # Shown at once, so a file that takes a while to read is seen to be on its way.
        pending = QLabel(self)
        pending.setObjectName("attachmentChip")
        pending.setTextFormat(Qt.TextFormat.PlainText)  # a file name is never HTML
        pending.setContentsMargins(8, 3, 8, 3)  # as a chip's name sits in its frame
        pending.setText(translate("AttachmentTray", "%1 — reading…").replace("%1", name))
        self._row.insertWidget(len(self._chips) + len(self._pending), pending)
        self._pending.append(pending)
        self._refresh()
        asyncio.ensure_future(self._read(pending, read))

    async def _read(self, pending: QLabel, read: Callable[[], Attachment]) -> None:
        try:
            attachment = await asyncio.get_running_loop().run_in_executor(None, read)
        except AttachmentError as error:
            self.failures += 1
            self._error = str(error)
        else:
            self._add(attachment)
        finally:
            self._reading -= 1
            self._pending.remove(pending)
            pending.deleteLater()
            self._refresh()
            self.changed.emit()

    def _add(self, attachment: Attachment) -> None:
        if len(self._chips) >= MAX_FILES:
            self._error = translate("AttachmentTray", "A message can carry at most %1 files.")
            self._error = self._error.replace("%1", str(MAX_FILES))
            return
        self._error = ""
        chip = AttachmentChip(attachment, self)
        chip.removeRequested.connect(self._remove)
        self._row.insertWidget(len(self._chips), chip)  # before the "reading…" chips
        self._chips.append(chip)

    def _remove(self, chip: AttachmentChip) -> None:
        if chip in self._chips:
            self._chips.remove(chip)
            chip.deleteLater()
            self._refresh()
            self.changed.emit()

    def _refresh(self) -> None:
        notes = [self._error] if self._error else []
        if self._waiting and self.busy():
            notes.append(translate("AttachmentTray", "Sending as soon as the files are read…"))
        images = [a.name for a in self.attachments() if a.kind == "image"]
        if images and self._model and not _supports_vision(self._model):
            note = translate(
                "AttachmentTray",
                "%1 cannot see images: it will be told that %2 was attached, but will not see it.",
            )
            notes.append(note.replace("%1", self._model).replace("%2", ", ".join(images)))
        self.message.setText("\n".join(notes))
        self.message.setVisible(bool(notes))
        shown = [*self._chips, *self._pending]
        self.strip.setVisible(bool(shown))
        if shown:
            chip = max(widget.sizeHint().height() for widget in shown)
            self.strip.setFixedHeight(chip + self.strip.horizontalScrollBar().sizeHint().height())
        self.setVisible(bool(shown or notes))


class DropCatcher(QObject):
    """An event filter: files dropped on the watched widgets go to the tray."""

    def __init__(self, tray: AttachmentTray) -> None:
        super().__init__(tray)
        self._tray = tray
        self._deep: set[int] = set()  # ids of widgets whose child widgets are watched too

    def watch(self, widget: QWidget, *, children: bool = False) -> None:
        """Take file drops on `widget` too; children: on its child widgets, now and later (a
        web view gets drops on the child its renderer paints into, which it makes itself)."""
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)
        if children:
            self._deep.add(id(widget))
            for child in widget.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            ):
                self.watch(child)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.ChildAdded and id(watched) in self._deep:
            child = event.child()  # type: ignore[attr-defined]
            if isinstance(child, QWidget):
                self.watch(child)
            return False
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDropEvent)
            if _has_files(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            if _has_files(event.mimeData()) and self._tray.take_mime(event.mimeData()):
                event.acceptProposedAction()
                return True
        return False


def _has_files(mime: QMimeData) -> bool:
    return any(url.isLocalFile() for url in mime.urls()) or mime.hasImage()


def _png(image: QImage) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(array.data())


def _supports_vision(model: str) -> bool:
    from app.vision import supports_vision  # with the providers: not needed by the first frame

    return supports_vision(model)
