"""The Code view's editor: text in and out, modified state, keys, find bar, highlighting."""

from __future__ import annotations

import pytest
from pygments.token import Comment, Keyword, Name, String
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor

from widgets.code_editor import CodeEditor
from widgets.code_highlighter import (
    BLOCK_COMMENT,
    HTML_COMMENT,
    IN_TAG,
    MARKUP,
    SCRIPT,
    STYLE,
    TEMPLATE,
    THEME,
    c_like_end_state,
)

PAGE = """<!DOCTYPE html>
<html>
<head>
<style>
  body { color: red; }
  /* a comment
     over lines */
  .x { margin: 0; }
</style>
</head>
<body>
<!-- a note
     that goes on -->
<canvas id="game"
        width="640"
        height="480"></canvas>
<script>
const SPEED = 4;
/* block
   comment */
const label = `score:
${SPEED} points`;
let re = /a\\/b/g;
</script>
<p>done</p>
</body>
</html>
"""


@pytest.fixture
def editor(qtbot):
    widget = CodeEditor()
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    qtbot.waitExposed(widget)
    widget.setFocus()
    return widget


def colour_at(editor: CodeEditor, line: int, column: int) -> str | None:
    """The foreground colour the highlighter gave the character at (1-based line, column)."""
    block = editor.document().findBlockByNumber(line - 1)
    for fmt in block.layout().formats():
        if fmt.start <= column < fmt.start + fmt.length:
            return fmt.format.foreground().color().name()
    return None


def theme(ttype) -> str:
    return QColor(THEME[ttype][0]).name()


def test_text_round_trips_and_tracks_modification(editor, qtbot):
    text = "a\u00a0b\nline two\n"
    editor.set_text(text)
    assert editor.text() == text and not editor.is_modified()
    with qtbot.waitSignal(editor.modifiedChanged) as changed:
        qtbot.keyClicks(editor, "x")
    assert changed.args == [True] and editor.is_modified()
    with qtbot.waitSignal(editor.modifiedChanged) as changed:
        qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert changed.args == [False]  # back to the loaded text, without undo
    qtbot.keyClicks(editor, "y")
    editor.mark_clean()
    assert not editor.is_modified()
    editor.set_text("x\r\ny\r\n")
    assert editor.text() == "x\ny\n" and not editor.is_modified()


def test_tab_enter_and_outdent(editor, qtbot):
    editor.set_text("function f() {")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.keyClicks(editor, "go();")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "stop();")
    assert editor.text() == "function f() {\n  go();\n  stop();"
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.text() == "  function f() {\n    go();\n    stop();"
    qtbot.keyClick(editor, Qt.Key.Key_Backtab)
    qtbot.keyClick(editor, Qt.Key.Key_Backtab)
    assert editor.text() == "function f() {\ngo();\nstop();"


def test_read_only_refuses_typing(editor, qtbot):
    editor.set_text("abc")
    editor.set_read_only(True)
    qtbot.keyClicks(editor, "zz")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.text() == "abc" and not editor.is_modified()
    editor.set_read_only(False)
    qtbot.keyClicks(editor, "z")
    assert editor.text() == "zabc"


def test_append_streams_without_modifying(editor):
    editor.set_read_only(True)
    for chunk in ("<p>", "Hel", "lo</p>\n<p>", "more"):
        editor.append_text(chunk)
    assert editor.text() == "<p>Hello</p>\n<p>more" and not editor.is_modified()
    assert not editor.document().isUndoAvailable()


def test_find_bar_counts_steps_and_closes(editor, qtbot):
    editor.set_text("const a = 1;\nlet b = 2;\nconst c = 3;\nCONST d;\n")
    qtbot.keyClick(editor, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert editor.find_bar.isVisible()
    qtbot.keyClicks(editor.find_bar.field, "const")
    assert editor.match_count() == 3  # case-insensitive
    assert editor.find_bar.count.text() == "1 of 3"
    assert editor.textCursor().selectedText() == "const"
    qtbot.keyClick(editor.find_bar.field, Qt.Key.Key_Return)
    assert editor.find_bar.count.text() == "2 of 3"
    assert editor.textCursor().blockNumber() == 2
    qtbot.keyClick(editor.find_bar.field, Qt.Key.Key_Return)
    qtbot.keyClick(editor.find_bar.field, Qt.Key.Key_Return)  # wraps
    assert editor.find_bar.count.text() == "1 of 3"
    qtbot.keyClick(editor.find_bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert editor.find_bar.count.text() == "3 of 3"
    editor.find_bar.field.setText("nowhere")
    assert editor.find_bar.count.text() == "No results"
    qtbot.keyClick(editor.find_bar.field, Qt.Key.Key_Escape)
    assert not editor.find_bar.isVisible() and editor.match_count() == 0


def test_html_regions_are_highlighted_per_line(editor):
    editor.set_language("text/html")
    editor.set_text(PAGE)
    states = [editor.document().findBlockByNumber(n).userState() for n in range(27)]
    regions = [state // 8 for state in states]
    assert regions[4] == STYLE and states[5] == STYLE * 8 + BLOCK_COMMENT
    assert regions[11] == HTML_COMMENT and regions[12] == MARKUP
    assert regions[13] == IN_TAG and regions[14] == IN_TAG and regions[15] == MARKUP
    assert regions[16] == SCRIPT and states[18] == SCRIPT * 8 + BLOCK_COMMENT
    assert states[20] == SCRIPT * 8 + TEMPLATE and states[21] == SCRIPT * 8
    assert regions[23] == MARKUP
    assert colour_at(editor, 18, 0) == theme(Keyword)  # const
    assert colour_at(editor, 19, 0) == theme(Comment)  # /* opening a block comment
    assert colour_at(editor, 20, 5) == theme(Comment)  # its second line
    assert colour_at(editor, 22, 10) == theme(String)  # inside a template literal
    assert colour_at(editor, 12, 3) == theme(Comment)  # HTML comment, second line
    assert colour_at(editor, 15, 9) == theme(Name.Attribute)  # width= of a multi-line tag
    assert colour_at(editor, 7, 7) == theme(Comment)  # CSS comment, second line
    assert colour_at(editor, 25, 1) == theme(Name.Tag)  # <p> after </script>


@pytest.mark.parametrize(
    ("type_", "text", "line", "column", "ttype"),
    [
        (
            "application/vnd.react",
            "export default function App() {\n  return <div/>;\n}",
            1,
            0,
            Keyword,
        ),
        (
            "image/svg+xml",
            '<svg viewBox="0 0 1 1">\n  <circle\n    r="1"/>\n</svg>',
            3,
            4,
            Name.Attribute,
        ),
        ("text/markdown", "# Trip\n\n```js\nlet x = 1;\n```\n**bold**", 1, 0, None),
        ("text/css", "/* a\n b */\nbody { color: red; }", 2, 1, Comment),
    ],
)
def test_other_languages(editor, type_, text, line, column, ttype):
    editor.set_language(type_)
    editor.set_text(text)
    if ttype is not None:
        assert colour_at(editor, line, column) == theme(ttype)
    else:
        assert colour_at(editor, line, column) is not None  # the heading is coloured


def test_c_like_scanner_end_states():
    assert c_like_end_state("let a = 1; /* open", 0, javascript=True) == (BLOCK_COMMENT, 11)
    assert c_like_end_state("still */ x = `a", BLOCK_COMMENT, javascript=True) == (TEMPLATE, 13)
    assert c_like_end_state("b ${x + `c`} d` + '/*'", TEMPLATE, javascript=True) == (0, -1)
    assert c_like_end_state("x = /[/*]/; // /*", 0, javascript=True) == (0, -1)
    assert c_like_end_state("a { background: url(http://x/y) }", 0, javascript=False) == (0, -1)


def test_a_keystroke_rehighlights_only_its_line(editor, qtbot, monkeypatch):
    """On a 200 KB page, typing inside a script line re-lexes that line, not the page."""
    editor.set_language("text/html")
    body = "\n".join(f"  const value{n} = compute({n}, 'text');" for n in range(5000))
    page = f"<!DOCTYPE html>\n<html><body>\n<script>\n{body}\n</script>\n</body></html>\n"
    assert len(page) > 200_000
    editor.set_text(page)
    qtbot.waitUntil(editor.highlighter.is_complete, timeout=60_000)  # lines past the first
    calls: list[str] = []
    regions = editor.highlighter._regions
    original = regions[SCRIPT]

    def counting(text, pos, sub):
        calls.append(text)
        return original(text, pos, sub)

    monkeypatch.setitem(regions, SCRIPT, counting)
    editor.go_to_line(2500)
    editor.moveCursor(QTextCursor.MoveOperation.EndOfLine)
    qtbot.keyClicks(editor, " //")
    assert 1 <= len(calls) <= 6
    calls.clear()
    editor.go_to_line(2501)
    editor.moveCursor(QTextCursor.MoveOperation.EndOfLine)
    qtbot.keyClicks(editor, " /*")  # opens a comment: the lines below change state
    assert len(calls) > 100
    assert colour_at(editor, 2600, 4) == theme(Comment)


def test_a_hidden_editor_lays_its_text_out_when_first_shown(qtbot):
    """The panel gives every tab its version's code but shows the page: a hidden editor keeps
    the text and lays it out when shown (a 2.6 MB page took 0.85 s each time)."""
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.set_text("first\n")
    big = "<td>x</td>\n" * 50_000  # past MAX_HIGHLIGHTED_CHARS
    editor.set_text(big)
    assert editor.document().toPlainText() == ""  # nothing laid out while hidden
    assert not editor.is_modified() and not editor.is_highlighted()  # big: shown plain
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.document().blockCount() == 50_001  # laid out before the first paint
    assert editor.text() == big and not editor.is_modified()
    editor.hide()
    editor.set_text("x\r\ny\r\n")
    assert editor.text() == "x\ny\n"  # asked while hidden: laid out, line ends as Qt reads them
    editor.set_text("")
    editor.append_text("streamed ")  # a stream into a hidden editor appends to what it was given
    editor.append_text("code")
    assert editor.text() == "streamed code" and not editor.is_modified()
