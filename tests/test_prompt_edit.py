"""The prompt box grows with its text up to a bound, and its placeholder is never cut off."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QVBoxLayout, QWidget

from widgets.composer import Composer
from widgets.prompt_edit import MAX_LINES, MIN_LINES, PromptEdit

# The light theme's rule for the box (assets/style.qss): its padding and font size count.
STYLE = "#promptEdit { border: 1px solid #d9d9d3; padding: 8px 10px; font-size: 14px; }"


_HOLDERS: list[QWidget] = []  # alive until the test ends (qtbot closes them)


def _box(qtbot, width: int) -> PromptEdit:
    holder = QWidget()
    _HOLDERS.append(holder)
    holder.setStyleSheet(STYLE)
    layout = QVBoxLayout(holder)
    composer = Composer(holder)
    layout.addWidget(composer)
    layout.addStretch(1)
    qtbot.addWidget(holder)
    holder.resize(width, 600)
    holder.show()
    qtbot.waitExposed(holder)
    return composer.edit


def placeholder_fits(edit: PromptEdit, text: str) -> bool:
    """Whether `text`, drawn as QPlainTextEdit draws its placeholder, fits the empty box."""
    margin = int(edit.document().documentMargin())
    room = edit.viewport().rect().adjusted(margin, margin, -margin, 0)
    flags = Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    needed = QFontMetrics(edit.font()).boundingRect(QRect(0, 0, room.width(), 10**6), flags, text)
    return needed.height() <= room.height()


def _visible_lines(edit: PromptEdit) -> float:
    margin = 2 * edit.document().documentMargin()
    return (edit.viewport().height() - margin) / QFontMetrics(edit.font()).lineSpacing()


def test_a_narrow_box_shows_the_short_placeholder_whole_and_a_wide_one_the_keys(qtbot):
    narrow = _box(qtbot, 330)  # the chat column beside an artifact on a small screen
    assert "Enter" not in narrow.placeholderText() and "breakout" in narrow.placeholderText()
    assert placeholder_fits(narrow, narrow.placeholderText())

    wide = _box(qtbot, 900)
    assert "Enter sends" in wide.placeholderText() and placeholder_fits(
        wide, wide.placeholderText()
    )

    wide.window().resize(330, 600)  # made narrower: the keys go, nothing is cut
    qtbot.waitUntil(lambda: "Enter" not in wide.placeholderText())
    assert placeholder_fits(wide, wide.placeholderText())


def test_the_box_grows_with_its_text_up_to_a_bound_then_scrolls(qtbot):
    edit = _box(qtbot, 600)
    empty = edit.height()
    assert MIN_LINES <= _visible_lines(edit) < MIN_LINES + 1

    edit.setPlainText("\n".join(f"line {n}" for n in range(6)))
    qtbot.waitUntil(lambda: edit.height() > empty)
    assert 6 <= _visible_lines(edit) < 7
    assert edit.verticalScrollBar().maximum() == 0  # every line shows

    edit.setPlainText("one long line that wraps " * 12)  # one paragraph, wrapped lines count
    qtbot.waitUntil(lambda: edit.line_count() > 1)
    assert _visible_lines(edit) >= min(edit.line_count(), MAX_LINES)

    edit.setPlainText("\n".join(f"line {n}" for n in range(40)))
    qtbot.waitUntil(lambda: _visible_lines(edit) >= MAX_LINES)
    assert _visible_lines(edit) < MAX_LINES + 1  # the bound: the rest scrolls
    assert edit.verticalScrollBar().maximum() > 0
    QTest.keyClick(edit, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert edit.cursorRect().bottom() <= edit.viewport().height()  # the cursor is in view

    edit.clear()
    qtbot.waitUntil(lambda: edit.height() == empty)


def test_text_put_back_into_the_box_has_the_cursor_at_its_end_in_view(qtbot):
    edit = _box(qtbot, 600)
    composer = edit.parent()
    assert isinstance(composer, Composer)
    text = "\n".join(f"point {n}" for n in range(30))  # longer than the box: it scrolls
    composer.set_text(text)
    assert edit.textCursor().position() == len(text)
    qtbot.waitUntil(lambda: edit.cursorRect().bottom() <= edit.viewport().height())
    assert edit.cursorRect().top() >= 0


def test_shift_enter_is_a_new_line_and_enter_sends(qtbot):
    edit = _box(qtbot, 600)
    sent: list[bool] = []
    edit.submitted.connect(lambda: sent.append(True))
    QTest.keyClicks(edit, "first")
    QTest.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(edit, "second")
    assert edit.toPlainText() == "first\nsecond" and not sent
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert sent == [True] and edit.toPlainText() == "first\nsecond"


def teardown_function() -> None:
    _HOLDERS.clear()
