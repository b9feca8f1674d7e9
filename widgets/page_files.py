"""Writing an artifact to a file the user chose: the save dialog, the format, a careful write.

Every artifact saves as one `.html` page; a document (Markdown) artifact also as its `.md`
source or as an A4 `.pdf` of its page. The format follows the file name's suffix, else the
filter chosen in the dialog. The dialog opens in the folder last used for artifacts
(widgets/file_folders.py) and a saved file is confirmed with "Show in folder".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import translate
from app.private_files import write_private_file
from sandbox.printing import PrintError, PrintOptions, start_pdf
from widgets.file_folders import FileFolders, confirm_saved

HTML, MARKDOWN, PDF = "html", "md", "pdf"
# The writer the tab hands over: (format, path) -> whether it was written (or started).
Writer = Callable[[str, Path], object]


def save_formats(type_: str) -> list[str]:
    """The formats an artifact of this type can be saved in, the default first."""
    return [HTML, MARKDOWN, PDF] if type_ == "text/markdown" else [HTML]


def _filter(fmt: str) -> str:
    if fmt == MARKDOWN:
        return translate("PageFiles", "Markdown (*.md)")
    if fmt == PDF:
        return translate("PageFiles", "PDF document, A4 (*.pdf)")
    return translate("PageFiles", "Web page (*.html)")


def chosen_format(path: Path, name_filter: str, formats: list[str]) -> tuple[str, Path]:
    """The format for `path` (its suffix if one of `formats`, else the filter's), with suffix."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in formats:
        return suffix, path
    fmt = next((f for f in formats if _filter(f) == name_filter), formats[0])
    return fmt, path.with_name(f"{path.name}.{fmt}")


def ask_save_path(
    parent: QWidget, folders: FileFolders, suggested_name: str, type_: str, write: Writer
) -> None:
    """The "Save artifact" dialog (not modal to the loop); `write(format, path)` once chosen."""
    formats = save_formats(type_)
    title = translate("PageFiles", "Save artifact")

    def chosen(path: Path, name_filter: str) -> None:
        write(*chosen_format(path, name_filter, formats))

    folders.save_dialog(
        parent, "artifact", title, suggested_name, [_filter(f) for f in formats], chosen
    )


def write_page(parent: QWidget, path: Path, content: str | bytes) -> bool:
    """Write the file; a failure is one clear message (a box over `parent`), never silent; a
    success is confirmed on the status line with "Show in folder"."""
    try:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        tell_failure(parent, path, reason)
        return False
    confirm_saved(parent, path)
    return True


def tell_failure(parent: QWidget, path: Path, reason: str) -> None:
    """ "Could not save NAME: reason." in a box over `parent`."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        translate("PageFiles", "Could not save"),
        translate("PageFiles", "Could not save {name}: {reason}.").format(
            name=path.name, reason=reason
        ),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def write_pdf(parent: QWidget, view: QWebEngineView, path: Path) -> None:
    """Print the page on A4 (as the print dialog's default) and write it to `path`."""

    def done(result: bytes | PrintError) -> None:
        if isinstance(result, PrintError):
            tell_failure(parent, path, str(result).rstrip("."))
        else:
            write_page(parent, path, result)

    start_pdf(view, PrintOptions(), done)


def open_copy_in_browser(parent: QWidget, name: str, html: str) -> None:
    """Write the page to a new private file and hand it to the system browser."""
    try:
        path = write_private_file(name, html)
    except OSError as error:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            translate("PageFiles", "Could not open in the browser"),
            translate("PageFiles", "Could not write a temporary copy: {reason}.").format(
                reason=error.strerror or error
            ),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
