"""Stored replies' Markdown, rendered once and kept: the first frame needs no Markdown parser.

Opening the last conversation at start-up rendered its messages' Markdown with markdown-it,
whose import alone (60 modules) was ~12 ms of the start, most of what the app's imports took
beyond the transcript page's load. A segment of prose rendered whole (`IncrementalMarkdown`'s
one-pass final render: the text of a stored message between its artifacts and tool calls)
always gives the same HTML for the same text, first code-block number and renderer, so that
HTML is kept here with the code blocks' sources (Copy needs them) and the blocks rendered plain
to be coloured later (see `MarkdownRenderer.defer_uncompiled`). A streamed reply's segments
are kept when the Markdown worker has finished them: the HTML it sent, piece by piece, is the
one-pass render of the segment's whole text (tests/test_stream_equivalence.py).

An entry is found by a hash of its text and the renderer's fingerprint (`render_fingerprint` in
app/markdown.py: a version, the labels of the code blocks' buttons in the running language, and
the installed files of the renderer, markdown-it and Pygments), so a new renderer or language
simply misses. The file is sealed (app/whole_files.py): a foreign, torn or damaged one is not
read, and then everything renders as before. Like the history it comes from it is the user's
own: it holds text of their conversations, in their cache folder (safe to delete). At most
MAX_ENTRIES are kept, those used most recently, and no text over MAX_TEXT_CHARS.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from app.whole_files import read_sealed_dict, write_sealed_dict

CACHE_NAME = "rendered.bin"
HEADER = b"easel-rendered-1\n"
MAX_ENTRIES = 600
# Longer texts are not kept: a stored segment is rendered in one pass only up to about one
# step of IncrementalMarkdown (MAX_STEP_CHARS), so a longer one is never looked up; and the
# file keeps at most MAX_HTML_CHARS of HTML in all, the most recently used first.
MAX_TEXT_CHARS = 32_768
MAX_HTML_CHARS = 4_000_000
# First code-block number of a segment with no code block: any first number renders it alike.
ANY_FIRST = -1

# (html, code blocks' sources by number, blocks rendered plain: (number, language, source))
Rendered = tuple[str, dict[int, str], list[tuple[int, str, str]]]


class RenderCache:
    """Rendered segments by text, read from one file and written back to it when it changed."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self._fingerprint = fingerprint
        self._entries = read_rendered(path)
        self._changed = False

    def get(self, text: str, first: int, *, plain: bool) -> Rendered | None:
        """The kept render of `text` whose code blocks are numbered from `first`; plain: one
        with code blocks still to be coloured will do (the renderer defers colouring too)."""
        key = self._key(text)
        entry = self._entries.get(key)
        if not _is_entry(entry):  # checked here, one at a time: a start reads a few
            return None
        kept_first, html, codes, plain_blocks = entry
        if kept_first not in (first, ANY_FIRST) or (plain_blocks and not plain):
            return None
        self._entries[key] = self._entries.pop(key)  # most recently used last
        return html, dict(codes), list(plain_blocks)

    def put(self, text: str, first: int, rendered: Rendered) -> None:
        """Keep the render of `text` (code blocks numbered from `first`); a coloured render is
        not replaced by a plain one."""
        html, codes, plain_blocks = rendered
        if len(text) > MAX_TEXT_CHARS:
            return
        key = self._key(text)
        kept = self._entries.get(key)
        if kept is not None and plain_blocks and not kept[3]:
            return
        self._entries.pop(key, None)
        self._entries[key] = (first if codes else ANY_FIRST, html, dict(codes), list(plain_blocks))
        while len(self._entries) > MAX_ENTRIES:  # the least recently used goes
            del self._entries[next(iter(self._entries))]
        self._changed = True

    def clear(self) -> None:
        """Forget every kept render, the file too (something was deleted from the history:
        its text must not stay here)."""
        self._entries.clear()
        self._changed = False
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            return

    def save(self) -> None:
        """Write the file again if anything new was kept (the most recently used entries)."""
        if not self._changed:
            return
        kept: dict[str, Any] = {}
        size = 0
        for key in reversed(self._entries):  # the most recently used first
            size += len(self._entries[key][1]) if _is_entry(self._entries[key]) else 0
            if size > MAX_HTML_CHARS:
                break
            kept[key] = self._entries[key]
        try:
            write_sealed_dict(self.path, HEADER, dict(reversed(kept.items())))
        except OSError:
            return
        self._changed = False

    def _key(self, text: str) -> str:
        raw = f"{self._fingerprint}\0{text}".encode("utf-8", "surrogatepass")
        return hashlib.sha256(raw).hexdigest()


def read_rendered(path: Path) -> dict[str, Any]:
    """The entries kept in `path`, oldest use first (each checked when it is asked for);
    empty when the file is missing or not ours."""
    return read_sealed_dict(path, HEADER)


def _is_entry(entry: object) -> bool:
    if not (isinstance(entry, tuple) and len(entry) == 4):
        return False
    first, html, codes, plain = entry
    return (
        isinstance(first, int)
        and isinstance(html, str)
        and isinstance(codes, dict)
        and all(isinstance(n, int) and isinstance(c, str) for n, c in codes.items())
        and isinstance(plain, list)
        and all(
            isinstance(block, tuple)
            and len(block) == 3
            and isinstance(block[0], int)
            and isinstance(block[1], str)
            and isinstance(block[2], str)
            for block in plain
        )
    )
