"""A link clicked in an artifact: after the user agrees, they are told it opened, or why not."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMainWindow, QMessageBox

from sandbox.view import ArtifactView
from tests.test_sandbox_view import LOAD_MS, hostile, show

ADDRESS = "https://example.invalid/clicked"


class _Browser(QObject):
    """Stands in for the system browser: Qt hands it the https: URLs it would open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:  # noqa: A003 (the handler's method name)
        self.urls.append(url.toString())


@pytest.fixture
def window(qtbot, profile):
    made = QMainWindow()
    view = ArtifactView(profile)  # links are confirmed and opened, as in the app
    made.setCentralWidget(view)
    made.resize(900, 640)
    made.show()
    yield made, view
    made.close()
    view.deleteLater()
    made.deleteLater()
    qtbot.wait(1)


def _click_and_open(qtbot, made: QMainWindow, view: ArtifactView) -> None:
    show(qtbot, view, hostile("link.html"))
    QTest.mouseClick(view.focusProxy(), Qt.MouseButton.LeftButton, pos=QPoint(400, 300))
    qtbot.waitUntil(lambda: view.findChild(QMessageBox) is not None, timeout=LOAD_MS)
    box = view.findChild(QMessageBox)
    assert box.informativeText() == ADDRESS  # the full address before anything opens
    box.button(QMessageBox.StandardButton.Open).click()


def test_the_status_line_says_the_link_opened_in_the_browser(qtbot, window):
    made, view = window
    browser = _Browser()
    QDesktopServices.setUrlHandler("https", browser, "open")
    try:
        _click_and_open(qtbot, made, view)
        qtbot.waitUntil(lambda: bool(browser.urls))
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert browser.urls == [ADDRESS]
    assert made.statusBar().currentMessage() == f"Opened {ADDRESS} in your browser."


def test_a_link_that_cannot_open_says_why_and_keeps_the_address(qtbot, window):
    made, view = window  # offscreen Qt has no program for web links: openUrl fails for real
    QGuiApplication.clipboard().clear()
    _click_and_open(qtbot, made, view)
    qtbot.waitUntil(lambda: view.findChild(QMessageBox, "linkNotOpened") is not None)
    box = view.findChild(QMessageBox, "linkNotOpened")
    assert "no program set up to open web links" in box.text()
    assert box.informativeText() == ADDRESS
    assert QGuiApplication.clipboard().text() == ADDRESS
    assert made.statusBar().currentMessage() == ""
    box.close()
