"""The text cursor rests after a pause and blinks again at the next key, click or change of
focus (widgets/cursor_rest.py): an idle window repaints nothing."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from widgets.cursor_rest import CursorRest


class _Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.fixture
def window(qapp, qtbot):
    hints = qapp.styleHints()
    platform_flash = hints.cursorFlashTime()
    hints.setCursorFlashTime(400)  # offscreen's own may be anything: blink fast, test quickly
    window = QWidget()
    layout = QVBoxLayout(window)
    box, line = QPlainTextEdit(window), QLineEdit(window)
    layout.addWidget(box)
    layout.addWidget(line)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    paints = _Paints()
    box.viewport().installEventFilter(paints)
    yield window, box, line, paints
    if shiboken6.isValid(box):
        box.viewport().removeEventFilter(paints)
    hints.setCursorFlashTime(platform_flash)


def test_the_cursor_rests_then_blinks_again_at_the_next_key_or_a_click_elsewhere(
    qapp, qtbot, window
):
    _, box, _, paints = window
    rest = CursorRest(qapp, rest_after_ms=300)
    try:
        paints.count = 0
        qtbot.wait(250)
        assert paints.count >= 1 and not rest.resting  # blinking (each blink repaints)
        qtbot.waitUntil(lambda: rest.resting, timeout=2000)
        assert qapp.styleHints().cursorFlashTime() == 0
        qtbot.wait(50)  # the last repaint, with the cursor shown
        paints.count = 0
        qtbot.wait(700)  # longer than a whole blink cycle
        assert paints.count == 0  # nothing repaints while the window is left alone

        QTest.keyClick(box, Qt.Key.Key_A)
        assert not rest.resting and qapp.styleHints().cursorFlashTime() == 400
        assert box.toPlainText() == "a"  # the key itself still reached the box
        paints.count = 0
        qtbot.wait(250)
        assert paints.count >= 1  # blinking again
        qtbot.waitUntil(lambda: rest.resting, timeout=2000)  # and resting after the next pause

        line = window[2]
        QTest.mouseClick(line, Qt.MouseButton.LeftButton)  # a click elsewhere takes the focus
        assert not rest.resting and qapp.styleHints().cursorFlashTime() == 400
    finally:
        rest.stop()
        rest.deleteLater()


def test_another_box_taking_the_focus_wakes_the_cursor(qapp, qtbot, window):
    _, box, line, _ = window
    rest = CursorRest(qapp, rest_after_ms=200)
    try:
        qtbot.waitUntil(lambda: rest.resting, timeout=2000)
        line.setFocus()
        qtbot.waitUntil(line.hasFocus)
        assert not rest.resting and qapp.styleHints().cursorFlashTime() == 400
        qtbot.waitUntil(lambda: rest.resting, timeout=2000)  # the new box rests in its turn
        QTest.keyClick(line, Qt.Key.Key_B)
        assert not rest.resting and line.text() == "b"
    finally:
        rest.stop()
        rest.deleteLater()


def test_stop_gives_the_blink_back_and_a_closed_box_is_let_go(qapp, qtbot, window):
    top, box, _, _ = window
    rest = CursorRest(qapp, rest_after_ms=200)
    qtbot.waitUntil(lambda: rest.resting, timeout=2000)
    box.deleteLater()  # the box that rests goes away (a dialog closed)
    qtbot.waitUntil(lambda: not rest.resting, timeout=2000)  # the focus moved: awake
    assert qapp.styleHints().cursorFlashTime() == 400
    rest.stop()
    qtbot.wait(400)
    assert not rest.resting and qapp.styleHints().cursorFlashTime() == 400
    rest.deleteLater()


def test_a_platform_that_does_not_blink_is_left_alone(qapp, qtbot, window):
    qapp.styleHints().setCursorFlashTime(0)
    rest = CursorRest(qapp, rest_after_ms=50)
    try:
        qtbot.wait(200)
        assert not rest.resting and qapp.styleHints().cursorFlashTime() == 0
    finally:
        rest.stop()
        rest.deleteLater()
