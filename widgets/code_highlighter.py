"""Syntax highlighting for the Code view, per line.

Highlighting is per line, so a keystroke re-lexes one line (and the lines after it only while
their start state changes, which QSyntaxHighlighter tracks). Pygments lexes a whole document,
not a line in a given state, so the state carried from line to line is ours: which language
region the line starts in (markup, script, style, HTML comment, the inside of a tag that spans
lines, a Markdown fence) and whether a `/* */` comment or a template literal is still open.
Each region is lexed with its Pygments lexer; a line that starts inside a tag or a template
literal is lexed with a one-token prefix ("<x ", "`") that primes the lexer and is dropped.

Lexing runs on the GUI thread (about a millisecond a line), so a long text is highlighted in
slices: the first `EAGER_LINES` lines at once (the screen the user sees), the rest a few
milliseconds at a time from a zero-delay timer, in order, so the event loop is never held for
more than a slice. A line past the highlighted frontier is left plain with the state `PENDING`;
when the frontier reaches it, it is lexed from the real state of the line before.
"""

from __future__ import annotations

import re
import time

from pygments.lexer import Lexer
from pygments.lexers import (
    CssLexer,
    HtmlLexer,
    JavascriptLexer,
    JsxLexer,
    MarkdownLexer,
    XmlLexer,
)
from pygments.token import Comment, Generic, Keyword, Name, Number, Operator, String, Token
from pygments.token import _TokenType as TokenType
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from widgets.code_theme import DARK, FOREGROUND

MAX_LEXED_CHARS = 4000  # a minified line is lexed this far; its end state still comes from all
EAGER_LINES = 80  # lines highlighted at once (a screen); later ones in slices (the loop stays free)
SLICE_SECONDS = 0.006  # the longest a slice of deferred lines holds the event loop

# Token colours, most specific first (a token takes the first of its ancestors found here).
THEME: dict[TokenType, tuple[str, str]] = {
    Comment: ("#9a978d", "italic"),
    Comment.Preproc: ("#9a978d", ""),
    Keyword: ("#a3307e", ""),
    Keyword.Constant: ("#c4552a", ""),
    Name.Tag: ("#2566a8", ""),
    Name.Attribute: ("#b05d22", ""),
    Name.Function: ("#3158b5", ""),
    Name.Class: ("#8a6d1d", ""),
    Name.Builtin: ("#8a6d1d", ""),
    Name.Decorator: ("#8a6d1d", ""),
    Name.Entity: ("#b5542a", ""),
    Name.Other: (FOREGROUND, ""),
    String: ("#38813a", ""),
    String.Regex: ("#2e7d7a", ""),
    String.Interpol: ("#a3307e", ""),
    Number: ("#c4552a", ""),
    Operator: ("#6b6a63", ""),
    Operator.Word: ("#a3307e", ""),
    Token.Punctuation: ("#6b6a63", ""),
    Generic.Heading: ("#a3307e", "bold"),
    Generic.Subheading: ("#a3307e", "bold"),
    Generic.Strong: (FOREGROUND, "bold"),
    Generic.Emph: (FOREGROUND, "italic"),
    Generic.Deleted: ("#b3261e", ""),
    Generic.Inserted: ("#2d7a2d", ""),
}

# The same roles on the dark code pane (widgets/code_theme.DARK).
DARK_THEME: dict[TokenType, tuple[str, str]] = {
    Comment: ("#8b8a83", "italic"),
    Comment.Preproc: ("#8b8a83", ""),
    Keyword: ("#e38fc8", ""),
    Keyword.Constant: ("#f0a273", ""),
    Name.Tag: ("#79b8f0", ""),
    Name.Attribute: ("#e9ad72", ""),
    Name.Function: ("#8fb0f5", ""),
    Name.Class: ("#e0c06a", ""),
    Name.Builtin: ("#e0c06a", ""),
    Name.Decorator: ("#e0c06a", ""),
    Name.Entity: ("#f0a273", ""),
    Name.Other: (DARK.foreground, ""),
    String: ("#95d08f", ""),
    String.Regex: ("#79cfc8", ""),
    String.Interpol: ("#e38fc8", ""),
    Number: ("#f0a273", ""),
    Operator: ("#b5b3ab", ""),
    Operator.Word: ("#e38fc8", ""),
    Token.Punctuation: ("#b5b3ab", ""),
    Generic.Heading: ("#e38fc8", "bold"),
    Generic.Subheading: ("#e38fc8", "bold"),
    Generic.Strong: (DARK.foreground, "bold"),
    Generic.Emph: (DARK.foreground, "italic"),
    Generic.Deleted: ("#f28b82", ""),
    Generic.Inserted: ("#7fcf7f", ""),
}

# type attribute of an artifact (or a plain file kind) -> editor language
LANGUAGES = {
    "text/html": "html",
    "image/svg+xml": "svg",
    "application/xml": "svg",
    "text/xml": "svg",
    "text/markdown": "markdown",
    "application/vnd.react": "jsx",
    "text/javascript": "javascript",
    "application/javascript": "javascript",
    "application/json": "javascript",
    "text/css": "css",
}

# Block states: region * 8 + sub-state.
MARKUP, SCRIPT, STYLE, HTML_COMMENT, IN_TAG, MD, FENCE, PLAIN = range(8)
NORMAL, BLOCK_COMMENT, TEMPLATE = range(3)  # sub-states of SCRIPT and STYLE
TAG_PLAIN, TAG_SCRIPT, TAG_STYLE = range(3)  # sub-states of IN_TAG: what the tag opens
PENDING = 8 * 8  # the state of a line not highlighted yet (no region has this number)

_EMBED_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
_OPEN_TAG = re.compile(r"<[a-zA-Z][^>]*\Z")
_CLOSERS = {SCRIPT: re.compile(r"</script", re.I), STYLE: re.compile(r"</style", re.I)}
_FENCE = re.compile(r" {0,3}(```|~~~)")
# Characters where a C-like scanner may change state.
_C_EVENTS = re.compile(r"[\"'`/\\]")


def _lexer(cls: type[Lexer]) -> Lexer:
    return cls(stripnl=False, ensurenl=False, stripall=False)


class _Palette:
    """QTextCharFormats for token types, resolved once per type."""

    def __init__(self, dark: bool = False) -> None:
        self._theme = DARK_THEME if dark else THEME
        self._cache: dict[TokenType, QTextCharFormat | None] = {}
        self.comment = self._make(*self._theme[Comment])
        self.code = self._make("#e2b58f" if dark else "#6b4a2a", "")

    @staticmethod
    def _make(colour: str, style: str) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(colour))
        if "bold" in style:
            fmt.setFontWeight(QFont.Weight.Bold)
        if "italic" in style:
            fmt.setFontItalic(True)
        return fmt

    def format(self, ttype: TokenType) -> QTextCharFormat | None:
        if ttype not in self._cache:
            found = None
            kind: TokenType | None = ttype
            while kind is not None:
                if kind in self._theme:
                    found = self._make(*self._theme[kind])
                    break
                kind = kind.parent
            self._cache[ttype] = found
        return self._cache[ttype]


def c_like_end_state(text: str, sub: int, *, javascript: bool) -> tuple[int, int]:
    """Scan a line of JavaScript or CSS from sub-state `sub`: (sub-state at its end, where the
    construct still open at the end began, or -1). Strings end with the line; `//` comments,
    regular expressions and template literals exist only in JavaScript."""
    i, n, opened = 0, len(text), -1
    while i < n:
        if sub == BLOCK_COMMENT:
            end = text.find("*/", i)
            if end < 0:
                return BLOCK_COMMENT, opened
            i, sub, opened = end + 2, NORMAL, -1
            continue
        if sub == TEMPLATE:
            i, closed = _template_end(text, i)
            if not closed:
                return TEMPLATE, opened
            sub, opened = NORMAL, -1
            continue
        match = _C_EVENTS.search(text, i)
        if match is None:
            break
        i = match.start()
        char = text[i]
        if char in "\"'":
            i = _string_end(text, i + 1, char)
        elif char == "\\":
            i += 2
        elif char == "`" and javascript:
            sub, opened, i = TEMPLATE, i, i + 1
        elif text.startswith("/*", i):
            sub, opened, i = BLOCK_COMMENT, i, i + 2
        elif javascript and text.startswith("//", i):
            break
        elif javascript and _regex_allowed(text, i):
            i = _regex_end(text, i + 1)
        else:
            i += 1
    return sub, opened


def _string_end(text: str, i: int, quote: str) -> int:
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    return len(text)


def _template_end(text: str, i: int) -> tuple[int, bool]:
    """Past the closing backtick of a template literal (skipping `${…}`), or the line's end."""
    depth = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if depth == 0 and char == "`":
            return i + 1, True
        if text.startswith("${", i):
            depth, i = depth + 1, i + 2
            continue
        if char == "}" and depth:
            depth -= 1
        i += 1
    return len(text), False


def _regex_allowed(text: str, i: int) -> bool:
    """Whether a "/" at i starts a regular expression (after an operator or a keyword)."""
    before = text[:i].rstrip()
    if not before:
        return True
    if before[-1] in "(,=:[!&|?{};+-*%<>~^":
        return True
    return re.search(r"\b(return|typeof|case|do|else|in|of|void|yield|await)\Z", before) is not None


def _regex_end(text: str, i: int) -> int:
    in_class = False
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            return i + 1
        i += 1
    return len(text)


class PygmentsHighlighter(QSyntaxHighlighter):
    """Per-line highlighting of HTML (with script and style), SVG, JS, JSX, CSS and Markdown."""

    def __init__(self, document: QTextDocument | None, *, dark: bool = False) -> None:
        # Before the base class: attaching to a document highlights it (calls highlightBlock).
        self._frontier = EAGER_LINES - 1  # lines up to this number are highlighted for real
        self._slices = QTimer()
        super().__init__(document)
        self._slices.setParent(self)
        self._slices.setSingleShot(True)
        self._slices.setInterval(0)
        self._slices.timeout.connect(self._slice)
        self._palette = _Palette(dark)
        self._markup: Lexer = _lexer(HtmlLexer)
        self._script: Lexer = _lexer(JavascriptLexer)
        self._style: Lexer = _lexer(CssLexer)
        self._markdown: Lexer = _lexer(MarkdownLexer)
        self._initial = PLAIN * 8
        self._embedded = False  # whether </script> and </style> end their regions
        self.language = "text"
        self._regions = {
            MARKUP: self._in_markup,
            SCRIPT: self._in_script,
            STYLE: self._in_style,
            HTML_COMMENT: self._in_comment,
            IN_TAG: self._in_tag,
            MD: self._in_markdown,
            FENCE: self._in_fence,
            PLAIN: self._in_plain,
        }

    def set_language(self, language: str) -> None:
        """One of "html", "svg", "javascript", "jsx", "css", "markdown", "text"."""
        if language == self.language:
            return  # the text is lexed already: every new version of an artifact comes here
        self.language = language
        self._markup = _lexer(XmlLexer if language == "svg" else HtmlLexer)
        self._script = _lexer(JsxLexer if language == "jsx" else JavascriptLexer)
        self._embedded = language in ("html", "svg")
        initial = {"html": MARKUP, "svg": MARKUP, "javascript": SCRIPT, "jsx": SCRIPT}
        initial |= {"css": STYLE, "markdown": MD}
        self._initial = initial.get(language, PLAIN) * 8
        self.restart()
        self.rehighlight()

    def set_dark(self, dark: bool) -> None:
        """Colour tokens for the dark (or light) code pane, and highlight again."""
        self._palette = _Palette(dark)
        self.restart()
        self.rehighlight()

    def restart(self) -> None:
        """New text (or language): highlight its first lines at once, the rest in slices."""
        self._frontier = EAGER_LINES - 1

    def is_complete(self) -> bool:
        """Whether every line is highlighted (no slice is left to run)."""
        document = self.document()
        return document is None or self._frontier >= document.blockCount() - 1

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt API)
        """Highlight one line from the state the previous line ended in."""
        if self.currentBlock().blockNumber() > self._frontier:
            # Left for a slice; the same state as before, so Qt does not go on to the next line.
            self.setCurrentBlockState(PENDING)
            if not self._slices.isActive():
                self._slices.start()
            return
        state = self.previousBlockState()
        if state < 0:
            state = self._initial
        pos = 0
        while True:
            region, sub = divmod(state, 8)
            pos, state = self._regions[region](text, pos, sub)
            if pos >= len(text):
                break
        self.setCurrentBlockState(state)

    def _slice(self) -> None:
        """Highlight deferred lines in order for up to SLICE_SECONDS, then let the loop run."""
        document = self.document()
        if document is None:
            return
        deadline = time.perf_counter() + SLICE_SECONDS
        block = document.findBlockByNumber(self._frontier + 1)
        while block.isValid() and time.perf_counter() < deadline:
            self._frontier = block.blockNumber()
            self.rehighlightBlock(block)  # stops at the next line: it is still PENDING
            block = block.next()
        if block.isValid():
            self._slices.start()

    # -- formatting ----------------------------------------------------------------------------

    def _lex(
        self, lexer: Lexer, text: str, start: int, end: int, prefix: str = "", suffix: str = ""
    ) -> None:
        """Lex text[start:end] (primed by `prefix`, completed by `suffix`); format its tokens."""
        end = min(end, start + MAX_LEXED_CHARS)
        if end <= start:
            return
        shift = start - len(prefix)
        source = prefix + text[start:end] + suffix
        for offset, ttype, value in lexer.get_tokens_unprocessed(source):
            fmt = self._palette.format(ttype)
            begin = max(offset + shift, start)
            length = min(offset + shift + len(value), end) - begin
            if fmt is not None and length > 0:
                self.setFormat(begin, length, fmt)

    # -- regions: each formats from `pos` and returns (next position, state there) -------------

    def _in_plain(self, text: str, pos: int, sub: int) -> tuple[int, int]:
        return len(text), PLAIN * 8

    def _in_markup(self, text: str, pos: int, sub: int) -> tuple[int, int]:
        comment = text.find("<!--", pos)
        embed = _EMBED_OPEN.search(text, pos) if self._embedded else None
        if embed is not None and (comment < 0 or embed.start() < comment):
            kind = TAG_SCRIPT if embed.group(1).lower() == "script" else TAG_STYLE
            self._lex(self._markup, text, pos, embed.start())
            return embed.start(), IN_TAG * 8 + kind
        end = comment if comment >= 0 else len(text)
        self._lex(self._markup, text, pos, end)
        if comment >= 0:
            return comment, HTML_COMMENT * 8
        if _OPEN_TAG.search(text, pos):
            return len(text), IN_TAG * 8 + TAG_PLAIN  # a tag whose attributes go on below
        return len(text), MARKUP * 8

    def _in_comment(self, text: str, pos: int, sub: int) -> tuple[int, int]:
        end = text.find("-->", pos + (4 if text.startswith("<!--", pos) else 0))
        stop = len(text) if end < 0 else end + 3
        self.setFormat(pos, stop - pos, self._palette.comment)
        return stop, (HTML_COMMENT if end < 0 else MARKUP) * 8

    def _in_tag(self, text: str, pos: int, sub: int) -> tuple[int, int]:
        starts_tag = text.startswith("<", pos)
        end = text.find(">", pos)
        stop = len(text) if end < 0 else end + 1
        self._lex(self._markup, text, pos, stop, "" if starts_tag else "<x ")
        if end < 0:
            return stop, IN_TAG * 8 + sub
        after = {TAG_SCRIPT: SCRIPT, TAG_STYLE: STYLE}.get(sub, MARKUP)
        return stop, after * 8

    def _in_script(self, text: str, pos: int, sub: int) -> tuple[int, int]:
        return self._in_code(text, pos, sub, SCRIPT)

    def _in_style(self, text: str, pos: int, sub: int) -> tuple[int, int]:
        return self._in_code(text, pos, sub, STYLE)

    def _in_code(self, text: str, pos: int, sub: int, region: int) -> tuple[int, int]:
        closer = _CLOSERS[region].search(text, pos) if self._embedded else None
        end = -1 if closer is None else closer.start()
        stop = len(text) if end < 0 else end
        javascript = region == SCRIPT
        lexer = self._script if javascript else self._style
        segment = text[pos:stop]
        end_sub, opened = c_like_end_state(segment, sub, javascript=javascript)
        self._code_segment(lexer, text, pos, stop, sub)
        if end_sub == BLOCK_COMMENT and opened >= 0:
            # Pygments leaves an unclosed /* as operators: paint the comment's start ourselves.
            self.setFormat(pos + opened, stop - pos - opened, self._palette.comment)
        if end >= 0:
            return stop, MARKUP * 8  # the browser ends the element here, whatever is open
        return stop, region * 8 + end_sub

    def _code_segment(self, lexer: Lexer, text: str, start: int, stop: int, sub: int) -> None:
        if sub == BLOCK_COMMENT:
            close = text.find("*/", start, stop)
            comment_end = stop if close < 0 else close + 2
            self.setFormat(start, comment_end - start, self._palette.comment)
            start = comment_end
        prefix = "`" if sub == TEMPLATE else ""
        self._lex(lexer, text, start, stop, prefix)

    def _in_markdown(self, text: str, pos: int, sub: int) -> tuple[int, int]:
        if _FENCE.match(text):
            self.setFormat(0, len(text), self._palette.code)
            return len(text), FENCE * 8
        # Pygments' Markdown rules (headings, lists) want the line's newline.
        self._lex(self._markdown, text, pos, len(text), suffix="\n")
        return len(text), MD * 8

    def _in_fence(self, text: str, pos: int, sub: int) -> tuple[int, int]:
        self.setFormat(0, len(text), self._palette.code)
        return len(text), (MD if _FENCE.match(text) else FENCE) * 8
