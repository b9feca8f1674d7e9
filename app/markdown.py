"""Markdown for the chat transcript, rendered to HTML (a streaming reply's: app/markdown_stream.py).

markdown-it-py with the CommonMark preset plus tables, strikethrough and task lists. Raw HTML in
the model's text is escaped, never passed through. Fenced code is highlighted with Pygments
(app/code_html.py: ``hl-`` classes only where the transcript's stylesheet colours) and wrapped
in a block with a header: the language and buttons that carry the block's index
(``data-code-index``).

A streaming reply is rendered a block at a time by app.markdown_stream.IncrementalMarkdown,
whose blocks together are what :func:`render_markdown` makes of the whole text.
"""

from __future__ import annotations

import functools
import html
import sys
from collections import OrderedDict
from collections.abc import Sequence
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


class RecordingRefs(dict):
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
_RENDERER_FILES = (
    "app.markdown",
    "app.markdown_stream",
    "app.code_html",
    "markdown_it",
    "mdit_py_plugins",
    "pygments",
)


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


def _inline_rule(state: StateCore) -> None:
    """markdown-it's core "inline" rule, telling the reference table which block is parsing."""
    refs = state.env.get("references")
    for token in state.tokens:
        if token.level == 0 and token.map is not None and isinstance(refs, RecordingRefs):
            refs.block_line = token.map[0]
        if token.type == "inline":
            if token.children is None:
                token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


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
