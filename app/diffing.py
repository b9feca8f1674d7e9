"""Line diffs between two versions of an artifact, as text and as rows for a diff view.

Pure functions over difflib. `unified_diff` is the classic text (for copying, for a model);
`side_by_side` pairs the lines of both versions into rows that a view paints line by line, and
`hunks` keeps only the rows near a change so a 30 KB page with a one-line change stays readable.
Lines are split with `str.splitlines`, so CRLF and LF endings compare equal.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

RowKind = Literal["same", "added", "removed", "changed"]
# Above this many characters, intra-line matching (quadratic in the worst case) is skipped.
_INTRALINE_LIMIT = 2000
# Words for intra-line changes: names and numbers, runs of blanks, single other characters.
_WORD = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Row:
    """One aligned row: a line of the old version, of the new one, or both (1-based numbers)."""

    left_no: int | None
    left_text: str
    right_no: int | None
    right_text: str
    kind: RowKind


def unified_diff(
    a: str, b: str, *, context: int = 3, from_label: str = "a", to_label: str = "b"
) -> str:
    """The unified diff of a → b ("" when their lines are equal), one line per "\\n"."""
    lines = difflib.unified_diff(
        a.splitlines(), b.splitlines(), from_label, to_label, n=context, lineterm=""
    )
    text = "\n".join(lines)
    return text + "\n" if text else ""


def side_by_side(a: str, b: str) -> list[Row]:
    """Every line of both versions, aligned: a replaced run pairs its lines as "changed"."""
    left, right = a.splitlines(), b.splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, left, right)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row(i + 1, left[i], j + 1, right[j], "same") for i, j in _zip(i1, i2, j1)]
        elif tag == "delete":
            rows += [Row(i + 1, left[i], None, "", "removed") for i in range(i1, i2)]
        elif tag == "insert":
            rows += [Row(None, "", j + 1, right[j], "added") for j in range(j1, j2)]
        else:
            rows += _replaced(left, right, i1, i2, j1, j2)
    return rows


def _zip(i1: int, i2: int, j1: int) -> zip[tuple[int, int]]:
    return zip(range(i1, i2), range(j1, j1 + (i2 - i1)), strict=True)


def _replaced(left: list[str], right: list[str], i1: int, i2: int, j1: int, j2: int) -> list[Row]:
    """A replaced run: pair lines one to one, the longer side's rest added or removed."""
    paired = min(i2 - i1, j2 - j1)
    rows = [Row(i + 1, left[i], j + 1, right[j], "changed") for i, j in _zip(i1, i1 + paired, j1)]
    rows += [Row(i + 1, left[i], None, "", "removed") for i in range(i1 + paired, i2)]
    rows += [Row(None, "", j + 1, right[j], "added") for j in range(j1 + paired, j2)]
    return rows


def hunks(rows: list[Row], context: int = 3) -> list[tuple[int, int]]:
    """The [start, end) index ranges of rows within `context` rows of a change; [] if none."""
    ranges: list[tuple[int, int]] = []
    for index, row in enumerate(rows):
        if row.kind == "same":
            continue
        start, end = max(0, index - context), min(len(rows), index + context + 1)
        if ranges and start <= ranges[-1][1]:
            start = ranges.pop()[0]  # touches the previous hunk: extend it
        ranges.append((start, end))
    return ranges


def diff_stats(rows: list[Row]) -> tuple[int, int]:
    """(lines added, lines removed), a changed row counting as one of each."""
    added = sum(1 for row in rows if row.kind in ("added", "changed"))
    removed = sum(1 for row in rows if row.kind in ("removed", "changed"))
    return added, removed


def intraline_spans(old: str, new: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The (start, end) character ranges that differ within a changed pair of lines.

    Compared word by word (a changed number or name is one span, not scattered characters).
    Returns ([], []) when the lines are too long to compare cheaply or share too little for
    the spans to mean anything (then the whole line is the change).
    """
    if len(old) + len(new) > _INTRALINE_LIMIT:
        return [], []
    old_words, new_words = _WORD.findall(old), _WORD.findall(new)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    if matcher.ratio() < 0.4:
        return [], []
    old_starts, new_starts = _offsets(old_words), _offsets(new_words)
    old_spans: list[tuple[int, int]] = []
    new_spans: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            old_spans.append((old_starts[i1], old_starts[i2]))
        if j2 > j1:
            new_spans.append((new_starts[j1], new_starts[j2]))
    return old_spans, new_spans


def _offsets(words: list[str]) -> list[int]:
    """Where each word starts, plus the end of the last one."""
    offsets = [0]
    for word in words:
        offsets.append(offsets[-1] + len(word))
    return offsets


def changed_line_ranges(a: str, b: str) -> list[tuple[int, int]]:
    """The 1-based, inclusive line ranges of `b` that are new or changed since `a`."""
    matcher = difflib.SequenceMatcher(None, a.splitlines(), b.splitlines())
    return [
        (j1 + 1, j2)
        for tag, _i1, _i2, j1, j2 in matcher.get_opcodes()
        if tag in ("replace", "insert")
    ]
