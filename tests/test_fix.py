"""'Fix this': collapsing console errors and the message that asks the model for an edit."""

from __future__ import annotations

from app.artifact_segments import EditClosed
from app.artifacts import parse_reply
from app.edits import apply_edit
from app.fix import MAX_GROUPS, ConsoleLine, ErrorGroup, collect_errors, fix_prompt

GAME = "\n".join(
    [
        "<!DOCTYPE html>",
        "<html><body><canvas id='c'></canvas>",
        "<script>",
        "const SPEED = 4;",
        "const ctx = document.getElementById('c').getContext('2d');",
        "function loop() {",
        "  ctx.fillRect(player.x, 0, 10, 10);",
        "  requestAnimationFrame(loop);",
        "}",
        "loop();",
        "</script>",
        "</body></html>",
    ]
)
ERROR = "Uncaught ReferenceError: player is not defined"


def test_identical_errors_collapse_with_a_count():
    lines = [ConsoleLine("info", "started", "easel-artifact://x/", 1)]
    lines += [ConsoleLine("error", ERROR, "easel-artifact://x/", 7)] * 60
    lines += [ConsoleLine("warning", "deprecated", "", 0)]
    lines += [ConsoleLine("error", "Failed to load resource: net::ERR_FAILED", "https://a/b", 0)]
    lines += [ConsoleLine("error", ERROR + "  ", "easel-artifact://x/", 7)]
    lines += [ConsoleLine("blocked", "https://fonts.example/f.css", "https://fonts.example/f.css")]
    groups = collect_errors(lines)
    assert [(g.level, g.line, g.count) for g in groups] == [
        ("error", 7, 61),
        ("error", 0, 1),
        ("blocked", 0, 1),
    ]
    assert groups[0].message == ERROR
    assert collect_errors([ConsoleLine("info", "fine")]) == []


def test_prompt_holds_error_line_code_and_the_edit_syntax():
    groups = [ErrorGroup("error", ERROR, "easel-artifact://x/", 7, 61)]
    prompt = fix_prompt("game", "Game", GAME, groups)
    assert "“Game” (identifier `game`)" in prompt
    assert f"Error (×61): {ERROR}" in prompt
    assert "at line 7 of the artifact" in prompt
    assert "> 7 |   ctx.fillRect(player.x, 0, 10, 10);" in prompt
    assert "  3 | <script>" in prompt and " 11 | </script>" in prompt
    assert "2 | <html>" not in prompt and "12 | </body>" not in prompt
    assert '<artifact-edit identifier="game">' in prompt and "<find>" in prompt
    assert 'type="text/html"' in prompt


def test_an_edit_copied_from_the_excerpt_applies():
    """The excerpt is the real code: a find taken from it matches the content exactly once."""
    prompt = fix_prompt("game", "Game", GAME, [ErrorGroup("error", ERROR, "", 7)])
    line = next(row for row in prompt.splitlines() if row.startswith("> 7 | "))
    find = line.split(" | ", 1)[1]
    reply = (
        f'<artifact-edit identifier="game">\n<find>\n{find}\n</find>\n<replace>\n'
        "  ctx.fillRect(0, 0, 10, 10);\n</replace>\n</artifact-edit>"
    )
    edit = next(seg for seg in parse_reply(reply) if isinstance(seg, EditClosed))
    fixed = apply_edit(GAME, edit.pairs)
    assert "player" not in fixed and fixed.count("\n") == GAME.count("\n")


def test_library_errors_and_unknown_lines_show_no_code():
    groups = [
        ErrorGroup("error", "TypeError in chart", "https://cdn.jsdelivr.net/npm/chart.js", 3),
        ErrorGroup("error", "Script error.", "", 0),
        ErrorGroup("blocked", "https://fonts.example/f.css", "https://fonts.example/f.css", 0),
    ]
    prompt = fix_prompt("game", "Game", GAME, groups)
    assert "a library, not the artifact's code" in prompt
    assert "Code around it" not in prompt
    assert "Blocked request: https://fonts.example/f.css" in prompt
    assert "3 different errors" in prompt


def test_prompt_size_is_bounded():
    huge_line = "x" * 50_000
    content = "\n".join([huge_line] * 50)
    groups = [ErrorGroup("error", f"Error {n}: " + "y" * 5000, "", n + 1) for n in range(40)]
    prompt = fix_prompt("big", "Big", content, groups)
    assert len(prompt) < 12_000
    assert f"Error {MAX_GROUPS - 1}:" in prompt and f"Error {MAX_GROUPS}:" not in prompt
    assert f"({40 - MAX_GROUPS} more different errors are not shown.)" in prompt
