"""Publishing on this computer: real servers on loopback, fetched with httpx, and the dialog."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton

from app.publish import LOOPBACK, Publisher, qr_matrix
from widgets.publish_dialog import PublishDialog, qr_pixmap

PAGE = '<!DOCTYPE html><meta charset="utf-8"><title>行程</title><h1>河北两日游 🚄</h1>\r\n'


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    made = Publisher()
    yield made
    made.stop_all()


def test_the_page_is_served_byte_for_byte_on_loopback(publisher):
    url = publisher.publish("trip", PAGE)
    assert url.startswith(f"http://{LOOPBACK}:")
    answer = httpx.get(url)
    assert answer.status_code == 200
    assert answer.content == PAGE.encode("utf-8")
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(url.replace(LOOPBACK, "localhost")).content == PAGE.encode("utf-8")


def test_everything_else_is_refused(publisher):
    url = publisher.publish("trip", PAGE)
    root = url.rsplit("/", 2)[0]
    for path in (
        "/",
        "/index.html",
        "/../",
        url[len(root) :] + "x",
        url[len(root) : -1],
        "/favicon.ico",
    ):
        assert httpx.get(root + path).status_code == 404, path
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "BREW"):
        answer = httpx.request(method, url)
        assert answer.status_code == 404, method
        assert b"html" not in answer.content.lower()
    # A page elsewhere that points a DNS name at 127.0.0.1 is refused by the Host check.
    assert (
        httpx.get(url, headers={"Host": f"evil.example:{url.split(':')[2][:5]}"}).status_code == 404
    )


def test_publishing_again_updates_the_page_at_the_same_url(publisher):
    first = publisher.publish("trip", PAGE)
    assert publisher.publish("trip", "<p>v2</p>") == first
    assert httpx.get(first).text == "<p>v2</p>"
    other = publisher.publish("game", "<p>game</p>")
    assert other != first
    assert [p.name for p in publisher.publications()] == ["trip", "game"]


def test_stop_closes_the_port(publisher):
    url = publisher.publish("trip", PAGE)
    kept = publisher.publish("game", "<p>game</p>")
    publisher.stop("trip")
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)
    assert httpx.get(kept).status_code == 200
    publisher.stop_all()
    with pytest.raises(httpx.ConnectError):
        httpx.get(kept)
    assert publisher.publications() == []


def test_the_local_network_is_opt_in(publisher):
    url = publisher.publish("trip", PAGE, lan=True)
    publication = publisher.publications()[0]
    assert publication.lan and publication.url == url
    # It listens everywhere, so loopback reaches it too (any Host is accepted on the network).
    port = publication.port
    assert httpx.get(f"http://{LOOPBACK}:{port}{url.split(str(port))[1]}").status_code == 200
    back = publisher.publish("trip", PAGE, lan=False)
    assert back.startswith(f"http://{LOOPBACK}:") and not publisher.publications()[0].lan


def test_the_qr_code_is_a_square_matrix_that_depends_on_the_text():
    one, two = qr_matrix("http://127.0.0.1:8000/a/"), qr_matrix("http://127.0.0.1:8000/b/")
    assert len(one) == len(one[0]) >= 21
    assert one != two
    assert one[0][:7] == [True] * 7  # a finder pattern in the corner


def test_the_dialog_shows_url_qr_copy_and_stops(qtbot, publisher):
    dialog = PublishDialog(publisher)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.publish("trip", PAGE)
    url = dialog.url
    assert httpx.get(url).content == PAGE.encode("utf-8")
    dialog._copy.click()
    assert QGuiApplication.clipboard().text() == url

    stop = dialog.findChild(QPushButton, "stop:trip")
    stop.click()
    assert dialog.url == ""
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


def test_the_dialog_asks_before_opening_to_the_network(qtbot, publisher):
    dialog = PublishDialog(publisher)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.publish("trip", PAGE)
    dialog._lan.click()
    box = dialog.findChild(QMessageBox)
    assert box is not None and "network" in box.text()
    assert not publisher.publications()[0].lan  # nothing changed before the answer
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert not publisher.publications()[0].lan and not dialog._lan.isChecked()

    dialog._lan.click()
    box = next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())
    share = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    share.click()
    assert publisher.publications()[0].lan and dialog._lan.isChecked()
    assert httpx.get(dialog.url).content == PAGE.encode("utf-8")


def _open_to_network(dialog: PublishDialog) -> None:
    dialog._lan.click()
    box = next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())
    share = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    share.click()


def test_the_qr_code_is_drawn_only_for_a_network_address(qtbot):
    publisher = Publisher(address=lambda: "192.168.1.20")
    dialog = PublishDialog(publisher)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        dialog.publish("trip", PAGE)
        note = dialog.findChild(QLabel, "qrNote")
        # On loopback a phone could not open it: no QR code, and a sentence says why.
        assert dialog._qr.pixmap().isNull() and not dialog._qr.isVisible()
        assert note.isVisible() and "only on this computer" in note.text()
        _open_to_network(dialog)
        assert dialog.url.startswith("http://192.168.1.20:")
        assert dialog._qr.isVisible() and not note.isVisible()
        assert dialog._qr.pixmap().toImage() == qr_pixmap(dialog.url).toImage()
        dialog._lan.click()  # back to this computer only: the QR code goes again
        assert dialog.url.startswith(f"http://{LOOPBACK}:") and dialog._qr.pixmap().isNull()
    finally:
        publisher.stop_all()


def test_without_a_network_address_there_is_no_qr_code_and_it_says_so(qtbot):
    publisher = Publisher(address=lambda: LOOPBACK)
    dialog = PublishDialog(publisher)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        dialog.publish("trip", PAGE)
        _open_to_network(dialog)
        note = dialog.findChild(QLabel, "qrNote")
        assert dialog._qr.pixmap().isNull()
        assert "no local network address" in note.text() and note.isVisible()
    finally:
        publisher.stop_all()


def test_stop_stays_in_view_with_a_long_name(qtbot, publisher):
    dialog = PublishDialog(publisher)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.publish("a very long artifact title " * 6, PAGE)
    qtbot.waitExposed(dialog)
    current = dialog.findChild(QPushButton, "stopCurrent")
    assert current.isVisible() and dialog.rect().contains(current.geometry())
    row_stop = next(
        b for b in dialog.findChildren(QPushButton) if b.objectName().startswith("stop:")
    )
    viewport = dialog._list.viewport()
    top_left = row_stop.mapTo(viewport, row_stop.rect().topLeft())
    assert viewport.rect().contains(QRect(top_left, row_stop.size()))
    current.click()
    assert dialog.url == "" and publisher.publications() == []
