"""The Publish dialog: an artifact at a local URL, with a copy button, a QR code and a Stop list.

Publishing is one click (the caller passes the self-contained page to `publish`). The page is
reachable from this computer only until the user ticks "Let other devices on my network open
it" and confirms a warning. The QR code is for a phone, so it is drawn only for an address on the
local network; before that, a sentence says why there is none. "Stop publishing" sits beside
the address, and the list shows everything published, each with its own Stop (rows wrap, so the
button stays in view however long the address).
Messages are opened with `open()` (never `exec()`: qasync).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import translate
from app.publish import LOOPBACK, Publication, Publisher, qr_matrix

_QR_MODULE_PX = 5
_QR_QUIET_MODULES = 4


def qr_pixmap(text: str, module_px: int = _QR_MODULE_PX) -> QPixmap:
    """The QR code of `text`, black on white with its quiet zone."""
    matrix = qr_matrix(text)
    side = (len(matrix) + 2 * _QR_QUIET_MODULES) * module_px
    pixmap = QPixmap(side, side)
    pixmap.fill(QColor("white"))
    painter = QPainter(pixmap)
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if dark:
                x = (column + _QR_QUIET_MODULES) * module_px
                y = (row + _QR_QUIET_MODULES) * module_px
                painter.fillRect(QRectF(x, y, module_px, module_px), QColor("black"))
    painter.end()
    return pixmap


class PublishDialog(QDialog):
    """Shows the URL of the page just published and everything published, with Stop."""

    # The URL shown changed (published, moved to the local network, or stopped: "").
    urlChanged = Signal(str)

    def __init__(self, publisher: Publisher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("PublishDialog", "Publish on this computer"))
        self._publisher = publisher
        self._current: tuple[str, str] | None = None  # name, html
        self._build()
        self._refresh()

    def _build(self) -> None:
        self._url = QLineEdit(readOnly=True)
        self._copy = QPushButton(translate("PublishDialog", "Copy"))
        self._copy.clicked.connect(self._copy_url)
        self._stop = QPushButton(translate("PublishDialog", "Stop publishing"))
        self._stop.setObjectName("stopCurrent")
        self._stop.clicked.connect(self._stop_current)
        self._qr = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self._qr_note = QLabel()
        self._qr_note.setObjectName("qrNote")
        self._qr_note.setWordWrap(True)
        self._qr_note.hide()
        self._lan = QCheckBox(translate("PublishDialog", "Let other devices on my network open it"))
        self._lan.clicked.connect(self._lan_clicked)
        self._list = QListWidget()
        close = QPushButton(translate("PublishDialog", "Close"))
        close.clicked.connect(self.accept)
        url_row = QHBoxLayout()
        url_row.addWidget(self._url, 1)
        url_row.addWidget(self._copy)
        url_row.addWidget(self._stop)
        layout = QVBoxLayout(self)
        layout.addLayout(url_row)
        layout.addWidget(self._qr)
        layout.addWidget(self._qr_note)
        layout.addWidget(self._lan)
        layout.addWidget(QLabel(translate("PublishDialog", "Published now:")))
        layout.addWidget(self._list, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(460, 560)

    # -- publishing ----------------------------------------------------------------------------

    def publish(self, name: str, html: str) -> None:
        """Publish `html` (self-contained) as `name` and show its URL; on loopback unless the
        user already opened this page to the network."""
        self._current = (name, html)
        lan = any(p.lan for p in self._publisher.publications() if p.name == name)
        self._show_url(self._publisher.publish(name, html, lan=lan))

    @property
    def url(self) -> str:
        """The URL shown ("" when nothing is)."""
        return self._url.text()

    def _show_url(self, url: str) -> None:
        self._url.setText(url)
        self._copy.setEnabled(bool(url))
        self._stop.setEnabled(bool(url))
        self._lan.setEnabled(bool(url))
        current = self._current_publication()
        self._lan.setChecked(bool(current and current.lan))
        self._show_qr(url, current)
        self._refresh()
        self.urlChanged.emit(url)

    def _show_qr(self, url: str, current: Publication | None) -> None:
        """A QR code only for an address a phone on the network can open; else why not."""
        on_network = bool(url and current and current.lan and f"//{LOOPBACK}:" not in url)
        self._qr.setPixmap(qr_pixmap(url) if on_network else QPixmap())
        self._qr.setVisible(on_network)
        if on_network or not url:
            note = ""
        elif current is not None and current.lan:
            note = translate(
                "PublishDialog",
                "No QR code: this computer has no local network address right now, so other "
                "devices cannot reach it.",
            )
        else:
            note = translate(
                "PublishDialog",
                "No QR code yet: this address opens only on this computer. To open the page "
                "on a phone, let other devices on your network open it (below); the QR code "
                "then shows the network address.",
            )
        self._qr_note.setText(note)
        self._qr_note.setVisible(bool(note))

    def _stop_current(self) -> None:
        if self._current is not None:
            self.stop(self._current[0])

    def _current_publication(self) -> Publication | None:
        if self._current is None:
            return None
        name = self._current[0]
        return next((p for p in self._publisher.publications() if p.name == name), None)

    def _copy_url(self) -> None:
        QGuiApplication.clipboard().setText(self.url)

    # -- the local network ----------------------------------------------------------------------

    def _lan_clicked(self, checked: bool) -> None:
        if not checked:
            self._move(lan=False)
            return
        self._lan.setChecked(False)  # only once the user confirms
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            translate("PublishDialog", "Open to your local network?"),
            translate(
                "PublishDialog",
                "Anyone on the same network (a café's or hotel's Wi-Fi included) who gets this "
                "link can open the page, and the page's own code runs in their browser. Only do "
                "this on a network you trust, and stop publishing when you are done.",
            ),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        share = box.addButton(
            translate("PublishDialog", "Open to the network"), QMessageBox.ButtonRole.AcceptRole
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _result: self._answered(box.clickedButton() is share))
        box.finished.connect(box.deleteLater)
        box.open()

    def _answered(self, confirmed: bool) -> None:
        if confirmed:
            self._move(lan=True)

    def _move(self, *, lan: bool) -> None:
        if self._current is None:
            return
        name, html = self._current
        self._show_url(self._publisher.publish(name, html, lan=lan))

    # -- the list ------------------------------------------------------------------------------

    def _refresh(self) -> None:
        self._list.clear()
        for publication in self._publisher.publications():
            item = QListWidgetItem(self._list)
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(4, 2, 4, 2)
            where = (
                translate("PublishDialog", "network")
                if publication.lan
                else translate("PublishDialog", "this computer")
            )
            label = QLabel(f"{publication.name} — {publication.url} ({where})")
            label.setWordWrap(True)  # a long address wraps instead of pushing Stop out of view
            label.setMinimumWidth(1)
            line.addWidget(label, 1)
            stop = QPushButton(translate("PublishDialog", "Stop"))
            stop.setObjectName(f"stop:{publication.name}")
            stop.clicked.connect(lambda _=False, name=publication.name: self.stop(name))
            line.addWidget(stop)
            item.setSizeHint(row.sizeHint())
            self._list.setItemWidget(item, row)

    def stop(self, name: str) -> None:
        """Stop publishing `name` (its port closes)."""
        self._publisher.stop(name)
        if self._current is not None and self._current[0] == name:
            self._current = None
            self._show_url("")
        else:
            self._refresh()
