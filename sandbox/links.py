"""Links from untrusted text or pages leave for the system browser only after the user saw them.

A link is where data leaves: a page, or a model's reply talked into it by a prompt injection, can
pack a score, a secret or the conversation into `https://host/?q=…` under an innocent label. So
before `QDesktopServices.openUrl`, the full address is shown, with Cancel as the default.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import translate


def confirm_and_open(parent: QWidget, url: QUrl, source: str | None = None) -> QMessageBox:
    """Ask (not modally) whether to open `url` in the browser; open it if the user agrees.
    `source` names what links there ("The reply"); the artifact by default."""
    source = source or translate("Links", "The artifact")
    box = QMessageBox(
        QMessageBox.Icon.Question,
        translate("Links", "Open link in your browser?"),
        translate("Links", "{source} links to this address. Open it in your web browser?").format(
            source=source
        ),
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(url.toString())
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.accepted.connect(lambda: QDesktopServices.openUrl(url))
    box.open()
    return box
