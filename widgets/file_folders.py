"""Save dialogs that open in the last folder used for that kind of file, and say what they saved.

Each kind of file ("export" for conversations, "artifact" for saved pages, "pdf" for printed
ones, "attachment" later) remembers its own folder in `Settings.last_folders`. A kind never used
yet, or whose folder is gone, starts in the user's Documents folder (else home): never the
process's working directory, which for a launcher is wherever it happened to start. A saved file
is confirmed on the window's status line with "Show in folder".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QWidget

from app.config import Settings
from app.i18n import translate

# How long the "Saved …" line stays on the status line.
SAVED_NOTICE_MS = 15_000


class FileFolders:
    """The last folder per kind of file, kept in the settings (saved with `save`)."""

    def __init__(self, settings: Settings, save: Callable[[], object] = lambda: None) -> None:
        self.settings = settings
        self._save = save

    def folder(self, kind: str) -> Path:
        """Where a dialog for this kind opens: the last folder used, else Documents or home."""
        last = self.settings.last_folders.get(kind)
        if last and Path(last).is_dir():
            return Path(last)
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        if documents and Path(documents).is_dir():
            return Path(documents)
        return Path.home()

    def remember(self, kind: str, path: Path) -> None:
        """A file of this kind was saved at `path`: its folder is where the next dialog opens."""
        folder = str(path.parent.resolve())
        if self.settings.last_folders.get(kind) != folder:
            self.settings.last_folders[kind] = folder
            self._save()

    def save_dialog(
        self,
        parent: QWidget,
        kind: str,
        title: str,
        name: str,
        filters: list[str],
        chosen: Callable[[Path, str], object],
    ) -> QFileDialog:
        """A save dialog (opened, not modal to the loop) in this kind's folder; `chosen(path,
        filter)` once the user picks, after the folder is remembered."""
        dialog = QFileDialog(parent, title, str(self.folder(kind) / name))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(filters)

        def finished(result: int) -> None:
            if result and dialog.selectedFiles():
                path = Path(dialog.selectedFiles()[0])
                self.remember(kind, path)
                chosen(path, dialog.selectedNameFilter())

        dialog.finished.connect(finished)
        dialog.open()
        return dialog


def confirm_saved(widget: QWidget, path: Path) -> QLabel | None:
    """ "Saved name · Show in folder" on the status line of the window holding `widget`."""
    window = widget.window()
    if not isinstance(window, QMainWindow):
        return None
    bar = window.statusBar()
    notice = bar.findChild(QLabel, "savedNotice")
    if notice is None:
        notice = QLabel(bar)
        notice.setObjectName("savedNotice")
        notice.setTextFormat(Qt.TextFormat.RichText)
        notice.setMinimumWidth(1)  # never the window's minimum width
        timer = QTimer(notice)
        timer.setObjectName("savedNoticeTimer")
        timer.setSingleShot(True)
        timer.timeout.connect(notice.hide)
        # The folder of the file saved last, read when the link is clicked.
        notice.linkActivated.connect(
            lambda _link, label=notice: show_in_folder(Path(label.property("folder")))
        )
        bar.addWidget(notice)
    notice.setProperty("folder", str(path.parent))
    saved = translate("SavedNotice", "Saved {name}").format(name=_escape(path.name))
    show = translate("SavedNotice", "Show in folder")
    notice.setText(f"{saved} · <a href='show'>{show}</a>")
    notice.setToolTip(str(path))
    notice.show()
    timer = notice.findChild(QTimer, "savedNoticeTimer")
    if timer is not None:
        timer.start(SAVED_NOTICE_MS)
    return notice


def show_in_folder(folder: Path) -> bool:
    """Open the folder in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
