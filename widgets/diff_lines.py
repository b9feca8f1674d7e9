"""The lines a diff pane shows: hunks of rows from `app.diffing`, folds between them.

Only the rows near a change are kept (a fold line counts the unchanged ones in between), so a
one-line edit of a 30 KB game is one short hunk. Pure values, no Qt: `widgets.diff_pane` paints
them, `widgets.diff_view` chooses unified or side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.diffing import Row, hunks, intraline_spans
from app.i18n import translate

CONTEXT = 3  # unchanged lines shown around each change


@dataclass
class DiffLine:
    """One painted line of a pane: its text, kind, numbers and intra-line change spans."""

    text: str
    kind: str  # "same" | "added" | "removed" | "filler" | "fold"
    left_no: int | None = None
    right_no: int | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


def _fold(hidden: int) -> DiffLine:
    if hidden == 1:
        text = translate("DiffView", "1 unchanged line")
    else:
        text = translate("DiffView", "{count} unchanged lines").format(count=hidden)
    return DiffLine(f"⋯  {text}", "fold")


def _folds(rows: list[Row], context: int) -> list[tuple[int, list[Row]]]:
    """Each hunk with the number of unchanged rows hidden before it, then (rest, [])."""
    result = []
    seen = 0
    for start, end in hunks(rows, context):
        result.append((start - seen, rows[start:end]))
        seen = end
    result.append((len(rows) - seen, []))
    return result


def unified_lines(rows: list[Row], context: int = CONTEXT) -> list[DiffLine]:
    """The lines of the unified view: hunks, folds between them, removals before additions."""
    lines: list[DiffLine] = []
    for hidden, group in _folds(rows, context):
        if hidden:
            lines.append(_fold(hidden))
        lines += _unified_group(group)
    return lines


def _unified_group(group: list[Row]) -> list[DiffLine]:
    lines: list[DiffLine] = []
    removed: list[DiffLine] = []
    added: list[DiffLine] = []
    for row in group + [Row(None, "", None, "", "same")]:  # a sentinel flushes the last run
        if row.kind == "same":
            lines += removed + added
            removed, added = [], []
            if row.left_no is not None:
                lines.append(DiffLine(row.right_text, "same", row.left_no, row.right_no))
            continue
        old_spans, new_spans = (
            intraline_spans(row.left_text, row.right_text) if row.kind == "changed" else ([], [])
        )
        if row.left_no is not None:
            removed.append(DiffLine(row.left_text, "removed", row.left_no, None, old_spans))
        if row.right_no is not None:
            added.append(DiffLine(row.right_text, "added", None, row.right_no, new_spans))
    return lines


def side_lines(rows: list[Row], context: int = CONTEXT) -> tuple[list[DiffLine], list[DiffLine]]:
    """The aligned lines of the left and right panes of the side-by-side view."""
    left: list[DiffLine] = []
    right: list[DiffLine] = []
    for hidden, group in _folds(rows, context):
        if hidden:
            left.append(_fold(hidden))
            right.append(_fold(hidden))
        for row in group:
            old_spans, new_spans = (
                intraline_spans(row.left_text, row.right_text)
                if row.kind == "changed"
                else ([], [])
            )
            left_kind = "same" if row.kind == "same" else "removed"
            right_kind = "same" if row.kind == "same" else "added"
            left.append(_side(row.left_no, row.left_text, left_kind, old_spans, True))
            right.append(_side(row.right_no, row.right_text, right_kind, new_spans, False))
    return left, right


def _side(
    number: int | None, text: str, kind: str, spans: list[tuple[int, int]], is_left: bool
) -> DiffLine:
    if number is None:
        return DiffLine("", "filler")
    if is_left:
        return DiffLine(text, kind, number, None, spans)
    return DiffLine(text, kind, None, number, spans)
