"""Links from untrusted text or pages leave for the system browser only after the user saw them.

A link is where data leaves: a page, or a model's reply talked into it by a prompt injection, can
pack a score, a secret or the conversation into `https://host/?q=…` under an innocent label. So
before `QDesktopServices.openUrl`, the full address is shown, with Cancel as the default.
Afterwards the user is told what happened: "Opened … in your browser" on the window's status
line, or, when the system has no program for web links, why it could not, with the address
put on the clipboard to paste by hand.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from app.i18n import translate

# How long "Opened … in your browser" stays on the status line.
OPENED_MESSAGE_MS = 8000


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
    box.accepted.connect(lambda: open_and_report(parent, url))
    box.open()
    return box


def open_and_report(parent: QWidget, url: QUrl) -> bool:
    """Hand `url` to the system browser and tell the user whether that worked."""
    shown = url.toDisplayString()
    if QDesktopServices.openUrl(url):
        window = parent.window()
        text = translate("Links", "Opened {address} in your browser.").format(address=shown)
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, OPENED_MESSAGE_MS)
        return True
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(url.toString())
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        translate("Links", "Could not open the link"),
        translate(
            "Links",
            "This system has no program set up to open web links, so the address was "
            "copied to the clipboard instead: paste it into your browser.",
        ),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("linkNotOpened")
    box.setInformativeText(shown)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return False
