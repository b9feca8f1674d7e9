"""Writing an artifact's page to a file the user chose: the save dialog and a careful write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.i18n import translate


def ask_save_path(parent: QWidget, suggested_name: str, chosen: Callable[[Path], object]) -> None:
    """The translate("PageFiles", "Save artifact") dialog (not modal to the loop); `chosen(path)` once the user picks."""
    dialog = QFileDialog(parent, translate("PageFiles", "Save artifact"), suggested_name)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(translate("PageFiles", "Web page (*.html)"))
    dialog.setDefaultSuffix("html")

    def finished(result: int) -> None:
        if result and dialog.selectedFiles():
            chosen(Path(dialog.selectedFiles()[0]))

    dialog.finished.connect(finished)
    dialog.open()


def write_page(parent: QWidget, path: Path, html: str) -> bool:
    """Write the page; a failure is one clear message (a box over `parent`), never silent."""
    try:
        path.write_text(html, "utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
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
        return False
    return True
