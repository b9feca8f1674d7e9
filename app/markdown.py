"""Markdown for the chat transcript: one-shot and incremental (streaming) rendering to HTML.

markdown-it-py with the CommonMark preset plus tables, strikethrough and task lists. Raw HTML in
the model's text is escaped, never passed through. Fenced code is highlighted with Pygments
(app/code_html.py: ``hl-`` classes only where the transcript's stylesheet colours) and wrapped
in a block with a header: the language and buttons that carry the block's index
(``data-code-index``).

While a reply streams, :class:`IncrementalMarkdown` renders each finished top-level block once
and re-renders only the open tail, so the cost of a step is bounded by the tail, not the reply.
A step also takes at most MAX_STEP_CHARS of new text (the rest waits for the next step), so a
reply that arrives faster than it renders, or a stored 50 MB reply shown at once, never becomes
one multi-MB parse: the view steps once per frame until nothing is waiting.
The contract, checked by the tests: for any chunking, the concatenation of every ``stable_html``
and the last ``tail_html`` equals :func:`render_markdown` of the whole text.
"""

from __future__ import annotations

import functools
import html
import sys
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.i18n import translate

if TYPE_CHECKING:
    # markdown-it is imported by the first text rendered (a start whose stored replies are all
    # in app/render_cache.py renders none), Pygments by the first code block highlighted.
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token
    from pygments.lexer import Lexer

    from app.render_cache import RenderCache

# Languages whose code the user may want to open beside the chat as an artifact.
ARTIFACT_LANGUAGES = frozenset(
    {"html", "htm", "xhtml", "svg", "xml", "jsx", "tsx", "react", "mermaid", "markdown", "md"}
)
# While streaming, an open code block is highlighted in line-aligned segments of about this size
# so that a long block costs one small segment per step instead of the whole block.
_SEGMENT_CHARS = 4096
_CACHE_SIZE = 64
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


class _RecordingRefs(dict):
    """The reference definitions, noting lookups that only text outside the committed part
    could answer (a definition may still arrive later and would change the block that looked)."""

    def __init__(self, committed: dict[str, Any]) -> None:
        super().__init__(committed)
        self.committed = committed
        self.block_line = 0
        self.first_unsure_line: int | None = None

    def get(self, key: str, default: Any = None) -> Any:  # noqa: ANN401 - dict signature
        if key and key not in self.committed and self.first_unsure_line is None:
            self.first_unsure_line = self.block_line
        return super().get(key, default)


class MarkdownRenderer:
    """A configured markdown-it parser and the renderers for code blocks and links.

    Reusable and cheap to share; it keeps only caches (lexers by language, highlighted code).
    """

    def __init__(self, cache: RenderCache | None = None) -> None:
        """cache: rendered segments kept between starts (app/render_cache.py)."""
        self.cache = cache
        self._lexers: dict[str, Lexer | None] = {}
        # Highlighted code by (language, code): the open tail re-renders the same blocks often.
        self._highlighted: OrderedDict[tuple[str, str], str] = OrderedDict()
        # At start-up a lexer not compiled yet (30-150 ms of regex compiling) is not compiled
        # for the first frame: its blocks render plain and are noted here, (index, language,
        # code), for the caller to highlight once the frame is out (see highlight_code).
        self.defer_uncompiled = False
        self.plain_code: list[tuple[int, str, str]] = []
        # The code blocks' labels; None: in the running app's language (code_labels). The
        # worker process has no translator: the app sends them (app/markdown_worker.py).
        self.labels: dict[str, str] | None = None

    @functools.cached_property
    def md(self) -> MarkdownIt:
        """The configured markdown-it parser, made (and markdown-it imported) at first use."""
        from markdown_it import MarkdownIt
        from mdit_py_plugins.tasklists import tasklists_plugin

        md = MarkdownIt("commonmark", {"html": False, "linkify": False})
        md.enable(["table", "strikethrough"])
        # With html off these rules only ever say no, tried at every line and every "<":
        # dropping them changes no output and saves ~5% of a parse.
        md.disable(["html_block", "html_inline"])
        md.use(tasklists_plugin)
        # Our inline rule records which top-level block each reference lookup came from.
        md.core.ruler.at("inline", _inline_rule)
        rules = md.renderer.rules
        rules["fence"] = rules["code_block"] = self._render_fence
        rules["link_open"] = self._render_link_open
        return md

    def render(self, text: str, *, first_code_index: int = 0) -> str:
        """The HTML of a whole Markdown text; code blocks are numbered from first_code_index."""
        tokens = self.parse(text, {}, first_code_index)
        return self.render_tokens(tokens, {})

    def parse(self, text: str, env: dict[str, Any], first_code_index: int) -> list[Token]:
        """Tokens of text, with each code block's index in ``meta["code_index"]``."""
        tokens = self.md.parse(text, env)
        index = first_code_index
        for token in tokens:
            if token.type in ("fence", "code_block"):
                token.meta["code_index"] = index
                index += 1
        return tokens

    def render_tokens(
        self, tokens: Sequence[Token], env: dict[str, Any], *, streaming: bool = False
    ) -> str:
        """HTML of tokens; env["code"] collects each code block's source by index."""
        env["streaming"] = streaming
        env.setdefault("code", {})
        return self.md.renderer.render(tokens, self.md.options, env)

    def _render_fence(
        self,
        tokens: Sequence[Token],
        idx: int,
        options: Any,  # noqa: ANN401 - markdown-it's OptionsDict
        env: dict[str, Any],
    ) -> str:
        token = tokens[idx]
        info = html.unescape(token.info).strip() if token.info else ""
        lang = info.split(maxsplit=1)[0] if info else ""
        index = token.meta.get("code_index", 0)
        env.setdefault("code", {})[index] = token.content
        lower = lang.lower()
        if self.defer_uncompiled and lower not in self._lexers and not _compiled(lower):
            self.plain_code.append((index, lower, token.content))
            body = html.escape(token.content, quote=False)
        else:
            body = self._highlight(token.content, lower, streaming=env.get("streaming", False))
        return _code_block_html(index, lang, body, self.labels or code_labels())

    def highlight_code(self, code: str, lang: str) -> str:
        """The highlighted HTML of a whole code block (what a final render puts in its <code>)."""
        return self._highlight(code, lang.lower(), streaming=False)

    def _render_link_open(
        self,
        tokens: Sequence[Token],
        idx: int,
        options: Any,  # noqa: ANN401 - markdown-it's OptionsDict
        env: dict[str, Any],
    ) -> str:
        # The page never navigates: the view hands link clicks to the system browser.
        tokens[idx].attrSet("rel", "noopener noreferrer")
        return self.md.renderer.renderToken(tokens, idx, options, env)

    def _highlight(self, code: str, lang: str, *, streaming: bool) -> str:
        lexer = self._lexer(lang)
        if lexer is None:
            return html.escape(code, quote=False)
        # While streaming, a long block is highlighted in segments so that a step costs only its
        # last segment. Lexer state restarts at a segment edge, a small visual difference that
        # the final (non-streaming) render never has; a one-segment block is exact either way.
        parts = _segments(code) if streaming else [code]
        return "".join(self._highlight_cached(lexer, lang, part) for part in parts)

    def _highlight_cached(self, lexer: Lexer, lang: str, code: str) -> str:
        key = (lang, code)
        cached = self._highlighted.get(key)
        if cached is None:
            from app.code_html import highlight_html

            cached = highlight_html(code, lexer)
            self._highlighted[key] = cached
            if len(self._highlighted) > _CACHE_SIZE:
                self._highlighted.popitem(last=False)
        else:
            self._highlighted.move_to_end(key)
        return cached

    def _lexer(self, lang: str) -> Lexer | None:
        if lang not in self._lexers:
            from pygments.lexers import get_lexer_by_name
            from pygments.util import ClassNotFound

            try:
                self._lexers[lang] = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
            except ClassNotFound:
                self._lexers[lang] = None
        return self._lexers[lang]


def _compiled(lang: str) -> bool:
    """Whether the lexer for `lang` is ready to use without compiling its rules first."""
    if "pygments.lexers" not in sys.modules:
        return False  # not even Pygments is loaded yet (the first frame does without it)
    from pygments.lexer import RegexLexerMeta
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound

    try:
        lexer_class = find_lexer_class_by_name(lang)
    except ClassNotFound:
        return True  # no lexer at all: the block is plain anyway
    return not isinstance(lexer_class, RegexLexerMeta) or "_tokens" in lexer_class.__dict__


# Languages models write most; their lexers are compiled ahead of the first reply.
COMMON_LANGUAGES = ("python", "javascript", "typescript", "html", "css", "json", "bash", "jsx")


def warm_up_highlighting(languages: tuple[str, ...] = COMMON_LANGUAGES) -> None:
    """Compile these lexers now (Pygments does it on first use, 30–100 ms each).

    Meant for a background thread at start-up, so the first code block of a streaming reply
    does not stall the event loop; a lexer's compiled rules are kept on its class.
    """
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    for name in languages:
        try:
            get_lexer_by_name(name)
        except ClassNotFound:
            continue


# Raised when what the renderer makes of a text changes without its files changing.
RENDER_VERSION = "1"
# The files whose change changes the HTML: this module, the code blocks' HTML, the parser and
# its plugin, the highlighter (found without importing them).
_RENDERER_FILES = ("app.markdown", "app.code_html", "markdown_it", "mdit_py_plugins", "pygments")


def render_fingerprint(labels: dict[str, str] | None = None) -> str:
    """What a kept render depends on beside its text (app/render_cache.py): RENDER_VERSION, the
    code blocks' labels (the running language's by default) and the renderer's files."""
    import importlib.util
    import json
    import os

    parts = [RENDER_VERSION, json.dumps(labels or code_labels(), sort_keys=True)]
    for name in _RENDERER_FILES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            status = os.stat(origin) if origin else None
        except OSError:
            status = None
        parts.append(f"{name}:{status.st_size}:{status.st_mtime_ns}" if status else f"{name}:-")
    return "\n".join(parts)


def render_markdown(text: str, *, first_code_index: int = 0) -> str:
    """The HTML of a whole Markdown text (one shot)."""
    return MarkdownRenderer().render(text, first_code_index=first_code_index)


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
        refs = _RecordingRefs(self._refs)
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

    def _commit(
        self, tokens: list[Token], lines: list[str], line: int, refs: _RecordingRefs
    ) -> str:
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


def _inline_rule(state: StateCore) -> None:
    """markdown-it's core "inline" rule, telling the reference table which block is parsing."""
    refs = state.env.get("references")
    for token in state.tokens:
        if token.level == 0 and token.map is not None and isinstance(refs, _RecordingRefs):
            refs.block_line = token.map[0]
        if token.type == "inline":
            if token.children is None:
                token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


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


def _segments(code: str) -> list[str]:
    """code cut at the first line end after every _SEGMENT_CHARS characters."""
    parts = []
    start = 0
    while start < len(code):
        cut = code.find("\n", start + _SEGMENT_CHARS)
        end = len(code) if cut < 0 else cut + 1
        parts.append(code[start:end])
        start = end
    return parts


def code_labels() -> dict[str, str]:
    """The words a code block's header shows, in the user's language."""
    return {
        "code": translate("Markdown", "code"),
        "copy": translate("Markdown", "Copy"),
        "open": translate("Markdown", "Open as artifact"),
    }


def _code_block_html(index: int, lang: str, body: str, labels: dict[str, str]) -> str:
    label = html.escape(lang or labels["code"])
    lang_class = f' class="language-{html.escape(lang)}"' if lang else ""
    copy = html.escape(labels["copy"])
    buttons = f'<button type="button" class="code-copy" data-code-index="{index}">{copy}</button>'
    if lang.lower() in ARTIFACT_LANGUAGES:
        open_label = html.escape(labels["open"])
        buttons = (
            f'<button type="button" class="code-open" data-code-index="{index}">'
            f"{open_label}</button>" + buttons
        )
    return (
        f'<div class="code-block" data-code-index="{index}">'
        f'<div class="code-header"><span class="code-lang">{label}</span>'
        f'<span class="code-actions">{buttons}</span></div>'
        f"<pre><code{lang_class}>{body}</code></pre></div>\n"
    )
