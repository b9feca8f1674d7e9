"""Applying an <artifact-edit>: find/replace pairs on an artifact's latest content.

Each find must match exactly once in the content as it stands after the pairs before it; nothing
is guessed. Two differences are treated as equal because they are invisible in an editor: line
endings (CRLF content, LF find) and spaces or tabs at the end of lines. A match through them still
has to be the only one, and the result keeps the content's own line endings.
"""

from __future__ import annotations

from collections.abc import Sequence

_PREVIEW = 60  # characters of a find shown in an error


class EditError(ValueError):
    """A pair could not be applied. index: the 0-based pair; str(error) is one sentence."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason


def apply_edit(content: str, pairs: Sequence[tuple[str, str]]) -> str:
    """The content after every (find, replace) pair in order; EditError names the first failure."""
    for index, (find, replace) in enumerate(pairs):
        content = _apply_pair(content, find, replace, index)
    return content


def _apply_pair(content: str, find: str, replace: str, index: int) -> str:
    label = f"find #{index + 1}"
    if not find.strip():
        raise EditError(index, f"{label} is empty")
    if "\r\n" in content:
        replace = _to_crlf(replace)  # keep the content's own line endings
    exact = _occurrences(content, find)
    if len(exact) == 1:
        start = exact[0]
        return content[:start] + replace + content[start + len(find) :]
    if len(exact) > 1:
        raise EditError(index, f"{label} matched {len(exact)} times")
    span = _loose_span(content, find, index, label)
    return content[: span[0]] + replace + content[span[1] :]


def _occurrences(text: str, sub: str, limit: int = 100) -> list[int]:
    """Start of every occurrence of sub, overlapping ones included (at most `limit`)."""
    found: list[int] = []
    pos = text.find(sub)
    while pos >= 0 and len(found) < limit:
        found.append(pos)
        pos = text.find(sub, pos + 1)
    return found


def _normalize(text: str) -> tuple[str, list[int], list[int]]:
    """Text with LF line ends and no spaces/tabs before them, and for each kept character
    where it starts and ends in the original (CRLF maps to one "\\n")."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            j = i
            while j < n and text[j] in " \t":
                j += 1
            if j == n or text[j] in "\r\n":
                i = j  # trailing blanks of a line are invisible: drop them
                continue
        if c == "\r" and i + 1 < n and text[i + 1] == "\n":
            chars.append("\n")
            starts.append(i)
            ends.append(i + 2)
            i += 2
            continue
        chars.append(c)
        starts.append(i)
        ends.append(i + 1)
        i += 1
    return "".join(chars), starts, ends


def _loose_span(content: str, find: str, index: int, label: str) -> tuple[int, int]:
    """The original span of the single match modulo line endings and trailing blanks."""
    norm_content, starts, ends = _normalize(content)
    norm_find = _normalize(find)[0]
    hits = _occurrences(norm_content, norm_find) if norm_find else []
    if len(hits) > 1:
        raise EditError(index, f"{label} matched {len(hits)} times")
    if not hits:
        raise EditError(index, f'{label} was not found: "{_preview(find)}"')
    first, last = hits[0], hits[0] + len(norm_find) - 1
    return starts[first], ends[last]


def _to_crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _preview(text: str) -> str:
    """A find as one short line for an error message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW else flat[: _PREVIEW - 1] + "…"
