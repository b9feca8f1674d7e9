"""Diffs between artifact versions: the pure rows and text, and the DiffView widget."""

from __future__ import annotations

import time

from app.diffing import (
    Row,
    changed_line_ranges,
    diff_stats,
    hunks,
    intraline_spans,
    side_by_side,
    unified_diff,
)
from app.store import ArtifactVersion
from widgets.diff_view import DiffView

OLD = "a\nb\nc\nconst SPEED = 4;\nd\ne\n"
NEW = "a\nb\nc\nconst SPEED = 6;\nd\ne\nf\n"


def version(number: int, content: str, origin: str = "full") -> ArtifactVersion:
    return ArtifactVersion(
        number, 1, "game", number, "text/html", "Game", content, origin, None, True, time.time()
    )


def test_unified_diff_is_classic_text():
    text = unified_diff(OLD, NEW, from_label="v1", to_label="v2")
    assert text.splitlines() == [
        "--- v1",
        "+++ v2",
        "@@ -1,6 +1,7 @@",
        " a",
        " b",
        " c",
        "-const SPEED = 4;",
        "+const SPEED = 6;",
        " d",
        " e",
        "+f",
    ]
    assert unified_diff(OLD, OLD) == ""
    assert unified_diff("x\r\ny\r\n", "x\ny\n") == ""  # line endings are not a change


def test_side_by_side_aligns_rows_with_kinds_and_numbers():
    rows = side_by_side(OLD, NEW)
    assert [row.kind for row in rows] == ["same"] * 3 + ["changed", "same", "same", "added"]
    assert rows[3] == Row(4, "const SPEED = 4;", 4, "const SPEED = 6;", "changed")
    assert rows[6] == Row(None, "", 7, "f", "added")
    removed = side_by_side("x\ny\nz\n", "x\nz\n")
    assert [(r.left_no, r.right_no, r.kind) for r in removed] == [
        (1, 1, "same"),
        (2, None, "removed"),
        (3, 2, "same"),
    ]
    uneven = side_by_side("k\n1\n2\n", "k\nA\n")
    assert [r.kind for r in uneven] == ["same", "changed", "removed"]
    assert diff_stats(rows) == (2, 1)


def test_hunks_keep_rows_near_changes_and_merge_close_ones():
    lines = [f"line {n}" for n in range(40)]
    changed = list(lines)
    changed[5] = "five"
    changed[9] = "nine"
    changed[30] = "thirty"
    rows = side_by_side("\n".join(lines), "\n".join(changed))
    assert hunks(rows, context=3) == [(2, 13), (27, 34)]
    assert hunks(side_by_side(OLD, OLD)) == []


def test_intraline_spans_cover_the_changed_words():
    old, new = "const SPEED = 4;", "const SPEED = 16;"
    old_spans, new_spans = intraline_spans(old, new)
    assert [old[a:b] for a, b in old_spans] == ["4"]
    assert [new[a:b] for a, b in new_spans] == ["16"]
    assert intraline_spans("abc", "xyz") == ([], [])  # nothing in common: the whole line
    assert intraline_spans("x" * 3000, "y" * 3000) == ([], [])


def test_changed_line_ranges_are_in_the_new_version():
    assert changed_line_ranges(OLD, NEW) == [(4, 4), (7, 7)]


def test_view_shows_unified_and_side_by_side(qtbot):
    view = DiffView()
    qtbot.addWidget(view)
    view.set_versions([version(1, OLD), version(2, NEW, "edit")], 1, 2)
    assert view.has_differences() and view.stack.currentWidget() is view.unified
    kinds = [(line.kind, line.left_no, line.right_no) for line in view.unified.lines]
    assert ("removed", 4, None) in kinds and ("added", None, 4) in kinds
    assert ("added", None, 7) in kinds
    text = view.unified.toPlainText()
    assert "const SPEED = 4;\nconst SPEED = 6;" in text
    assert view.stats.text().count("+2") == 1

    view.set_mode("side")
    assert view.stack.currentIndex() == 1
    assert len(view.left_pane.lines) == len(view.right_pane.lines)
    assert view.left_pane.lines[-1].kind == "filler"
    assert view.right_pane.lines[-1].text == "f"
    changed = next(line for line in view.right_pane.lines if line.text == "const SPEED = 6;")
    assert [changed.text[a:b] for a, b in changed.spans] == ["6"]


def test_long_unchanged_stretches_fold(qtbot):
    body = "\n".join(f"line {n}" for n in range(200))
    view = DiffView()
    qtbot.addWidget(view)
    view.set_versions([version(1, body), version(2, body.replace("line 100", "LINE 100"))], 1, 2)
    folds = [line.text for line in view.unified.lines if line.kind == "fold"]
    assert folds == ["⋯  97 unchanged lines", "⋯  96 unchanged lines"]
    assert view.unified.blockCount() == 2 + 3 + 2 + 3


def test_no_differences_state(qtbot):
    view = DiffView()
    qtbot.addWidget(view)
    view.set_versions([version(1, OLD), version(2, OLD, "hand")], 1, 2)
    assert not view.has_differences()
    assert view.stack.currentWidget() is view.empty
    assert "No differences" in view.empty.text()


def test_restore_offers_the_older_version(qtbot):
    view = DiffView()
    qtbot.addWidget(view)
    versions = [version(1, OLD), version(2, NEW, "edit"), version(3, NEW + "g\n", "fix")]
    view.set_versions(versions, 1, 3)
    assert view.restore_button.isEnabled() and view.restore_button.text() == "Restore v1"
    with qtbot.waitSignal(view.restoreRequested) as restored:
        view.restore_button.click()
    assert restored.args == [1]
    view.set_versions(versions, 3, 2)  # "from" is the newest: restore "to"
    assert view.restore_target() == 2
    view.set_versions(versions, 3, 3)
    assert not view.restore_button.isEnabled()


def test_picking_versions_in_the_combos(qtbot):
    view = DiffView()
    qtbot.addWidget(view)
    versions = [version(1, OLD), version(2, NEW, "edit"), version(3, OLD, "restore")]
    view.set_versions(versions, 99, 98)  # unknown numbers: the last two versions
    assert (view.left_version().version, view.right_version().version) == (2, 3)
    assert "restored" in view.to_combo.currentText() and "latest" in view.to_combo.currentText()
    view.from_combo.setCurrentIndex(0)
    view.from_combo.activated.emit(0)
    assert view.left_version().version == 1 and not view.has_differences()
