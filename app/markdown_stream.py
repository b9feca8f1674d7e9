"""Markdown that arrives in chunks, rendered as it streams (app/markdown.py renders it).

:class:`IncrementalMarkdown` renders each finished top-level block once and re-renders only the
open tail, so the cost of a step is bounded by the tail, not the reply. A step also takes at
most MAX_STEP_CHARS of new text (the rest waits for the next step), so a reply that arrives
faster than it renders, or a stored 50 MB reply shown at once, never becomes one multi-MB
parse: the view steps once per frame until nothing is waiting. The contract, checked by the
tests: for any chunking, the concatenation of every ``stable_html`` and the last ``tail_html``
equals :func:`app.markdown.render_markdown` of the whole text.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.markdown import MarkdownRenderer, RecordingRefs

if TYPE_CHECKING:
    from markdown_it.token import Token

# New text one step of IncrementalMarkdown takes in: markdown-it-py parses ~0.5 MB/s here, so a
# step costs ~17 ms plus the open tail however much is waiting. The view steps every frame
# (widgets/page_pacer.py), so a frame made late by a loaded machine, which finds more text
# waiting, still stays under the 33 ms the event loop may stall (16 KB steps cost ~35 ms).
MAX_STEP_CHARS = 8_192


@dataclass(frozen=True)
class MarkdownUpdate:
    """What one step of :class:`IncrementalMarkdown` changed.

    ``stable_html`` holds blocks that just became final: append it once, after the earlier ones.
    ``tail_html`` is the whole open tail: it replaces the previous tail.
    """

    stable_html: str
    tail_html: str


@dataclass(frozen=True)
class _Block:
    """A top-level block of a parse: its first token and the source lines it covers."""

    token_index: int
    start: int
    end: int


class IncrementalMarkdown:
    """Markdown that arrives in chunks: finished blocks render once, the open tail each step.

    A split happens only at the start of a top-level block whose first line is complete and that
    follows a blank line (or, right after another block, whose second line is complete too, as a
    table needs its delimiter row); a block that looked up a reference label not yet defined in
    the committed text stays in the tail, since a later definition would change it.
    """

    def __init__(
        self, renderer: MarkdownRenderer | None = None, *, first_code_index: int = 0
    ) -> None:
        self._renderer = renderer or MarkdownRenderer()
        self._source = ""  # uncommitted text, line endings normalised
        self._pending_cr = False  # a slice ended in "\r": it may be the first half of "\r\n"
        # Text given but not rendered yet (as given): chunks, and how far the first is taken.
        self._input: deque[str] = deque()
        self._input_offset = 0
        self._waiting = 0
        self._code_index = first_code_index
        self._refs: dict[str, Any] = {}
        self._code: dict[int, str] = {}  # committed code blocks' sources
        self._tail_code: dict[int, str] = {}
        self._finishing = False  # finish() was called: no more text comes
        self._finished = False  # ... and everything is rendered

    @property
    def next_code_index(self) -> int:
        """The index the next code block after this text would get."""
        return max([self._code_index - 1, *self._code, *self._tail_code]) + 1

    @property
    def waiting(self) -> int:
        """Characters given but not rendered yet: step() until this is 0 and `done`."""
        return self._waiting

    @property
    def done(self) -> bool:
        """finish() was called and all of the text is rendered (the tail is empty)."""
        return self._finished

    def code_block(self, index: int) -> str | None:
        """The source of the code block with this index, if it is in this text."""
        return self._code.get(index, self._tail_code.get(index))

    def code_blocks(self) -> tuple[dict[int, str], dict[int, str]]:
        """The code blocks' sources by index: those rendered for good, and those of the tail."""
        return dict(self._code), dict(self._tail_code)

    def append(self, chunk: str) -> MarkdownUpdate:
        """Add a chunk of text and render one step of it (at most MAX_STEP_CHARS): returns the
        newly finished blocks and the new tail. What is left waits for step()."""
        if self._finishing:
            raise RuntimeError("append() after finish()")
        self._give(chunk)
        return self.step()

    def finish(self, chunk: str = "") -> MarkdownUpdate:
        """The text is complete (with a last chunk). When little is waiting, all that is left
        becomes stable and the tail empty now (`done`); otherwise this renders one step and
        step() renders the rest, one step at a time. Passing the last chunk here saves the step
        that append() would render."""
        if self._finishing:
            if chunk:
                raise RuntimeError("finish() with text after finish()")
            return self.step()
        self._give(chunk)
        self._finishing = True
        return self.step()

    def step(self) -> MarkdownUpdate:
        """Render the next (at most MAX_STEP_CHARS) characters waiting; after finish(), the
        step that takes the last of them renders everything as final."""
        if self._finished:
            return MarkdownUpdate("", "")
        self._source += self._normalise(self._take(MAX_STEP_CHARS))
        if self._finishing and not self._waiting:
            return self._final()
        return self._step()

    def _give(self, chunk: str) -> None:
        if chunk:
            self._input.append(chunk)
            self._waiting += len(chunk)

    def _take(self, limit: int) -> str:
        """Up to `limit` characters of the waiting text, in order (no copy of a big chunk's
        rest: the first chunk is read from an offset)."""
        parts: list[str] = []
        wanted = limit
        while wanted and self._input:
            head = self._input[0]
            part = head[self._input_offset : self._input_offset + wanted]
            parts.append(part)
            wanted -= len(part)
            self._input_offset += len(part)
            if self._input_offset >= len(head):
                self._input.popleft()
                self._input_offset = 0
        taken = "".join(parts)
        self._waiting -= len(taken)
        return taken

    def _final(self) -> MarkdownUpdate:
        if self._pending_cr:
            self._source += "\n"
            self._pending_cr = False
        self._finished = True
        renderer, source, first = self._renderer, self._source, self._code_index
        cache = renderer.cache if not self._refs else None  # a whole text: its own references
        kept = cache.get(source, first, plain=renderer.defer_uncompiled) if cache else None
        if kept is not None:
            stable, codes, plain = kept
            renderer.plain_code.extend(plain)  # coloured later, as a fresh render's would be
        else:
            env = {"references": dict(self._refs)}
            plain_before = len(renderer.plain_code)
            stable = renderer.render_tokens(renderer.parse(source, env, first), env)
            codes, plain = env["code"], renderer.plain_code[plain_before:]
            if cache is not None:
                cache.put(source, first, (stable, codes, plain))
        self._code.update(codes)
        self._tail_code = {}
        self._source = ""
        return MarkdownUpdate(stable, "")

    def _normalise(self, chunk: str) -> str:
        # markdown-it treats "\r\n" and a lone "\r" as one line break; do the same here, but a
        # trailing "\r" waits for the next slice in case a "\n" follows it.
        if self._pending_cr:
            chunk = "\r" + chunk
            self._pending_cr = False
        if chunk.endswith("\r"):
            chunk = chunk[:-1]
            self._pending_cr = True
        return chunk.replace("\r\n", "\n").replace("\r", "\n")

    def _step(self) -> MarkdownUpdate:
        refs = RecordingRefs(self._refs)
        env: dict[str, Any] = {"references": refs}
        tokens = self._renderer.parse(self._source, env, self._code_index)
        lines = self._source.split("\n")  # the last item is the incomplete line ("" if none)
        split = _find_split(tokens, lines, refs.first_unsure_line)
        stable = ""
        if split is not None:
            stable = self._commit(tokens[: split.token_index], lines, split.start, refs)
            tokens = tokens[split.token_index :]
        tail_env: dict[str, Any] = {"references": refs}
        tail = self._renderer.render_tokens(tokens, tail_env, streaming=True)
        self._tail_code = tail_env["code"]
        return MarkdownUpdate(stable, tail)

    def _commit(self, tokens: list[Token], lines: list[str], line: int, refs: RecordingRefs) -> str:
        """Render the blocks before source line `line` for good and drop them from the source."""
        env: dict[str, Any] = {}
        stable = self._renderer.render_tokens(tokens, env)
        self._code.update(env["code"])
        self._code_index += sum(1 for t in tokens if t.type in ("fence", "code_block"))
        for label, ref in refs.items():
            if label not in self._refs and ref["map"][0] < line:
                self._refs[label] = ref
        self._source = "\n".join(lines[line:])
        return stable


def _top_level_blocks(tokens: Sequence[Token]) -> list[_Block]:
    return [
        _Block(i, t.map[0], t.map[1])
        for i, t in enumerate(tokens)
        if t.level == 0 and t.nesting >= 0 and t.map is not None
    ]


def _find_split(
    tokens: Sequence[Token], lines: list[str], first_unsure_line: int | None
) -> _Block | None:
    """The latest block before which everything is final, or None."""
    complete = len(lines) - 1  # lines[complete] is the line still being written
    blocks = _top_level_blocks(tokens)
    for number in range(len(blocks) - 1, -1, -1):
        block = blocks[number]
        start = block.start
        if start == 0 or start >= complete:
            continue
        if first_unsure_line is not None and start > first_unsure_line:
            continue
        if _is_blank(lines[start - 1]):
            return block
        # Right after another block (no reference definition in between, which could still
        # take the next lines as its title): the block's second line decides a table.
        follows = number > 0 and blocks[number - 1].end == start
        if follows and start + 1 < complete:
            return block
    return None


def _is_blank(line: str) -> bool:
    return not line.strip(" \t")
