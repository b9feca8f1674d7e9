"""The artifact's Code view: an editor with line numbers, highlighting and a find bar.

Highlighting is per line, so a keystroke re-lexes one line (and the lines after it only while
their start state changes, which QSyntaxHighlighter tracks). Pygments lexes a whole document,
not a line in a given state, so the state carried from line to line is ours: which language
region the line starts in (markup, script, style, HTML comment, the inside of a tag that spans
lines, a Markdown fence) and whether a `/* */` comment or a template literal is still open.
Each region is lexed with its Pygments lexer; a line that starts inside a tag or a template
literal is lexed with a one-token prefix ("<x ", "`") that primes the lexer and is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QWidget,
)

INDENT = "  "
MAX_HIGHLIGHTS = 2000  # find matches painted at once; more are counted, not painted
MAX_LEXED_CHARS = 4000  # a minified line is lexed this far; its end state still comes from all
MONO_FAMILIES = ("JetBrains Mono", "Fira Code", "DejaVu Sans Mono", "Noto Sans Mono", "monospace")

# Colours of the light, warm-grey UI (assets/style.qss); accent #c96f3b.
BACKGROUND = "#fbfbfa"
FOREGROUND = "#2b2b28"
CURRENT_LINE = "#f3f1eb"
GUTTER_BG = "#f6f6f4"
GUTTER_FG = "#b3b1a9"
GUTTER_BORDER = "#ebeae5"
SELECTION = "#f2d9c8"
MATCH = "#fbe8b0"
CURRENT_MATCH = "#f0b48c"

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

    def __init__(self) -> None:
        self._cache: dict[TokenType, QTextCharFormat | None] = {}
        self.comment = self._make(*THEME[Comment])
        self.code = self._make("#6b4a2a", "")

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
                if kind in THEME:
                    found = self._make(*THEME[kind])
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

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._palette = _Palette()
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
        self.language = language
        self._markup = _lexer(XmlLexer if language == "svg" else HtmlLexer)
        self._script = _lexer(JsxLexer if language == "jsx" else JavascriptLexer)
        self._embedded = language in ("html", "svg")
        initial = {"html": MARKUP, "svg": MARKUP, "javascript": SCRIPT, "jsx": SCRIPT}
        initial |= {"css": STYLE, "markdown": MD}
        self._initial = initial.get(language, PLAIN) * 8
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt API)
        """Highlight one line from the state the previous line ended in."""
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


class _Gutter(QWidget):
    """The line numbers beside the editor; painted by the editor, which knows the geometry."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """As wide as the largest line number."""
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        """Delegate to the editor."""
        self._editor.paint_gutter(event)


class FindBar(QFrame):
    """A floating find bar: query, "n of m", previous, next, close."""

    # The query changed (live search).
    queryChanged = Signal(str)
    # Enter / the ↓ button: the next match; Shift+Enter / ↑: the previous one.
    nextRequested = Signal()
    previousRequested = Signal()
    # Esc or the × button.
    closed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Find")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(180)
        self.count = QLabel("", self)
        self.count.setObjectName("findCount")
        self.count.setMinimumWidth(64)
        self.previous_button = self._button("↑", "Previous match (Shift+Enter)")
        self.next_button = self._button("↓", "Next match (Enter)")
        self.close_button = self._button("✕", "Close (Esc)")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 5, 5, 5)
        row.setSpacing(3)
        for widget in (
            self.field,
            self.count,
            self.previous_button,
            self.next_button,
            self.close_button,
        ):
            row.addWidget(widget)
        self.field.textChanged.connect(self.queryChanged)
        self.previous_button.clicked.connect(self.previousRequested)
        self.next_button.clicked.connect(self.nextRequested)
        self.close_button.clicked.connect(self.closed)
        self.setStyleSheet(
            f"""
            #findBar {{ background: #ffffff; border: 1px solid #dcdbd4; border-radius: 8px; }}
            #findBar QLineEdit {{ border: 1px solid #e2e1db; border-radius: 6px;
                padding: 3px 6px; background: #fcfcfb; color: {FOREGROUND}; }}
            #findBar QLineEdit:focus {{ border-color: #c96f3b; }}
            #findBar QToolButton {{ border: none; border-radius: 5px; padding: 2px 6px;
                color: #55544e; }}
            #findBar QToolButton:hover {{ background: #efeeea; }}
            #findCount {{ color: #8a8a82; padding: 0 4px; }}
            #findCount[none="true"] {{ color: #b3261e; }}
            """
        )

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        """Esc closes; Shift+Enter goes back. No key reaches the editor below."""
        if event.key() == Qt.Key.Key_Escape:
            self.closed.emit()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # The line edit passes Enter on to us (after returnPressed, Shift or not).
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.previousRequested.emit()
            else:
                self.nextRequested.emit()
        event.accept()  # no key typed in the bar reaches the code below it

    def set_count(self, current: int, total: int, capped: bool) -> None:
        """Show "current of total" ("No results" when nothing matched)."""
        if total == 0:
            text = "No results" if self.field.text() else ""
        else:
            text = f"{current} of {total}{'+' if capped else ''}"
        self.count.setText(text)
        self.count.setProperty("none", total == 0)
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)


def editor_style(name: str) -> str:
    """The style sheet of a code pane named `name`: warm light colours, thin scroll bars."""
    return f"""
        #{name} {{ background: {BACKGROUND}; color: {FOREGROUND}; border: none;
            selection-background-color: {SELECTION}; selection-color: {FOREGROUND}; }}
        #{name} QScrollBar:vertical {{ width: 11px; background: transparent; margin: 0; }}
        #{name} QScrollBar:horizontal {{ height: 11px; background: transparent; margin: 0; }}
        #{name} QScrollBar::handle {{ background: #d8d6cf; border-radius: 4px; margin: 2px;
            min-height: 28px; min-width: 28px; }}
        #{name} QScrollBar::handle:hover {{ background: #bdbbb3; }}
        #{name} QScrollBar::add-line, #{name} QScrollBar::sub-line {{ width: 0; height: 0; }}
        #{name} QScrollBar::add-page, #{name} QScrollBar::sub-page {{ background: none; }}
        """


def monospace_font() -> QFont:
    families = set(QFontDatabase.families())
    family = next((name for name in MONO_FAMILIES if name in families), "monospace")
    font = QFont(family)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    font.setPointSizeF(10.0)
    return font


class CodeEditor(QPlainTextEdit):
    """A code editor for an artifact's source: set_text(), text(), set_language(type)."""

    # Whether the text differs from what set_text() (or mark_clean()) last loaded.
    modifiedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeEditor")
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(monospace_font())
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        self.setStyleSheet(editor_style("codeEditor"))
        self._loaded = ""
        self._modified = False
        self._matches: list[QTextCursor] = []
        self._match_capped = False
        self._current_match = -1
        self.highlighter = PygmentsHighlighter(self.document())
        self._gutter = _Gutter(self)
        self.find_bar = FindBar(self)
        self.find_bar.hide()
        self._refind = QTimer(self)
        self._refind.setSingleShot(True)
        self._refind.setInterval(150)  # re-count matches once typing pauses, not per keystroke
        self._wire()
        self._update_gutter_width()
        self._highlight_current_line()

    def _wire(self) -> None:
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._scroll_gutter)
        self.cursorPositionChanged.connect(self._highlight_current_line)
        self.document().contentsChanged.connect(self._on_contents_changed)
        self.find_bar.queryChanged.connect(self._on_query)
        self.find_bar.nextRequested.connect(self.find_next)
        self.find_bar.previousRequested.connect(self.find_previous)
        self.find_bar.closed.connect(self.close_find)
        self._refind.timeout.connect(lambda: self._search(keep_position=True))
        scope = Qt.ShortcutContext.WidgetWithChildrenShortcut
        bindings = (
            (QKeySequence.StandardKey.Find, self.show_find),
            (QKeySequence.StandardKey.FindNext, self.find_next),
            (QKeySequence.StandardKey.FindPrevious, self.find_previous),
        )
        for key, slot in bindings:
            QShortcut(key, self, slot, context=scope)

    # -- content -------------------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Load `text` as the unmodified content (clears undo history)."""
        self.setPlainText(text)
        self.mark_clean()

    def text(self) -> str:
        """The content exactly as typed (no-break spaces kept, lines joined by "\\n")."""
        return self.document().toRawText().replace("\u2029", "\n")

    def append_text(self, chunk: str) -> None:
        """Append streamed text at the end, following it if the view was at the bottom."""
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 2
        document = self.document()
        document.setUndoRedoEnabled(False)  # a stream is not something to undo
        cursor = QTextCursor(document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(chunk)
        document.setUndoRedoEnabled(True)
        self.mark_clean()
        if at_bottom:
            bar.setValue(bar.maximum())

    def mark_clean(self) -> None:
        """Take the current text as the loaded one (after Run stored it as a version)."""
        self._loaded = self.text()
        self.document().setModified(False)
        self._set_modified(False)

    def is_modified(self) -> bool:
        """Whether the text differs from the loaded one."""
        return self._modified

    def set_language(self, type: str) -> None:  # noqa: A002 (the artifact attribute's name)
        """Highlight as the artifact type says ("text/html", "image/svg+xml", …)."""
        self.highlighter.set_language(LANGUAGES.get(type.split(";")[0].strip().lower(), "text"))

    def set_read_only(self, read_only: bool) -> None:
        """Read-only while an artifact streams; find and copy still work."""
        self.setReadOnly(read_only)
        self._highlight_current_line()

    def go_to_line(self, line: int) -> None:
        """Put the cursor at the start of 1-based `line` and show it in the middle."""
        block = self.document().findBlockByNumber(max(0, line - 1))
        if block.isValid():
            self.setTextCursor(QTextCursor(block))
            self.centerCursor()

    def _on_contents_changed(self) -> None:
        # The cheap flag first: only an edited document is compared with the loaded text.
        self._set_modified(self.document().isModified() and self.text() != self._loaded)
        if self.find_bar.isVisible() and self.find_bar.field.text():
            self._refind.start()

    def _set_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    # -- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        """Tab indents by two spaces, Shift+Tab outdents, Enter keeps the indentation."""
        key = event.key()
        if self.isReadOnly() or event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if key == Qt.Key.Key_Escape and self.find_bar.isVisible():
                self.close_find()
                return
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_Tab:
            self._indent()
        elif key == Qt.Key.Key_Backtab:
            self._outdent()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            line = self.textCursor().block().text()
            self.textCursor().insertText("\n" + line[: len(line) - len(line.lstrip(" \t"))])
            self.ensureCursorVisible()
        elif key == Qt.Key.Key_Escape and self.find_bar.isVisible():
            self.close_find()
        else:
            super().keyPressEvent(event)

    def _selected_blocks(self) -> Iterator[QTextCursor]:
        cursor = self.textCursor()
        first = self.document().findBlock(cursor.selectionStart())
        last = self.document().findBlock(cursor.selectionEnd())
        block = first
        while block.isValid():
            yield QTextCursor(block)
            if block == last:
                break
            block = block.next()

    def _indent(self) -> None:
        cursor = self.textCursor()
        first = self.document().findBlock(cursor.selectionStart())
        if not cursor.hasSelection() or first == self.document().findBlock(cursor.selectionEnd()):
            cursor.insertText(INDENT)
            return
        cursor.beginEditBlock()
        for line in self._selected_blocks():
            line.insertText(INDENT)
        cursor.endEditBlock()

    def _outdent(self) -> None:
        cursor = self.textCursor()
        cursor.beginEditBlock()
        for line in self._selected_blocks():
            text = line.block().text()
            spaces = len(text) - len(text.lstrip(" "))
            for _ in range(min(spaces, len(INDENT))):
                line.deleteChar()
        cursor.endEditBlock()

    # -- gutter --------------------------------------------------------------------------------

    def gutter_width(self) -> int:
        """Pixels for the widest line number plus padding."""
        digits = max(3, len(str(max(1, self.blockCount()))))
        return 22 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_gutter_width(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        """Keep the gutter beside the text and the find bar at the top right."""
        super().resizeEvent(event)
        inner = self.contentsRect()
        self._gutter.setGeometry(inner.left(), inner.top(), self.gutter_width(), inner.height())
        self._place_find_bar()

    def paint_gutter(self, event: QPaintEvent) -> None:
        """Paint the line numbers of the visible blocks; the current one darker."""
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), QColor(GUTTER_BG))
        right = self._gutter.width() - 1
        painter.setPen(QColor(GUTTER_BORDER))
        painter.drawLine(right, event.rect().top(), right, event.rect().bottom())
        painter.setFont(self.font())
        current = self.textCursor().blockNumber()
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                number = block.blockNumber()
                painter.setPen(QColor(FOREGROUND if number == current else GUTTER_FG))
                area = QRect(0, top, self._gutter.width() - 12, height)
                painter.drawText(area, Qt.AlignmentFlag.AlignRight, str(number + 1))
            block, top = block.next(), bottom
        painter.end()

    # -- highlights ----------------------------------------------------------------------------

    def _highlight_current_line(self) -> None:
        selections = []
        if not self.isReadOnly() or self.hasFocus():
            line = QTextEdit.ExtraSelection()
            line.format.setBackground(QColor(CURRENT_LINE))
            line.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            line.cursor = self.textCursor()
            line.cursor.clearSelection()
            selections.append(line)
        for index, match in enumerate(self._matches[:MAX_HIGHLIGHTS]):
            found = QTextEdit.ExtraSelection()
            colour = CURRENT_MATCH if index == self._current_match else MATCH
            found.format.setBackground(QColor(colour))
            found.cursor = match
            selections.append(found)
        self.setExtraSelections(selections)
        self._gutter.update()

    # -- find ----------------------------------------------------------------------------------

    def show_find(self) -> None:
        """Open the find bar, seeded with the selected text, and focus it."""
        selected = self.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_bar.field.setText(selected)
        self.find_bar.show()
        self._place_find_bar()
        self.find_bar.field.setFocus()
        self.find_bar.field.selectAll()
        self._search(keep_position=True)

    def close_find(self) -> None:
        """Hide the find bar, clear the match highlights, return focus to the text."""
        self.find_bar.hide()
        self._matches = []
        self._current_match = -1
        self._highlight_current_line()
        self.setFocus()

    def match_count(self) -> int:
        """How many matches the find bar's query has (up to the cap)."""
        return len(self._matches)

    def find_next(self) -> None:
        """Select the next match, wrapping at the end."""
        self._step(1)

    def find_previous(self) -> None:
        """Select the previous match, wrapping at the start."""
        self._step(-1)

    def _place_find_bar(self) -> None:
        if not self.find_bar.isVisible():
            return
        self.find_bar.adjustSize()
        area = self.viewport().geometry()
        x = area.right() - self.find_bar.width() - 10
        self.find_bar.move(max(area.left(), x), area.top() + 8)
        self.find_bar.raise_()

    def _on_query(self, _query: str) -> None:
        self._search(keep_position=False)

    def _search(self, *, keep_position: bool) -> None:
        """Find every match of the query (case-insensitive), then pick the one at the cursor."""
        query = self.find_bar.field.text()
        self._matches, self._current_match = [], -1
        cursor = QTextCursor(self.document())
        while query and len(self._matches) <= MAX_HIGHLIGHTS * 5:
            cursor = self.document().find(query, cursor)
            if cursor.isNull():
                break
            self._matches.append(QTextCursor(cursor))
        self._match_capped = len(self._matches) > MAX_HIGHLIGHTS * 5
        if self._matches:
            anchor = self.textCursor().selectionStart()
            after = [i for i, m in enumerate(self._matches) if m.selectionStart() >= anchor]
            self._current_match = after[0] if after else 0
            if not keep_position:
                self._select_current()
        self._update_count()
        self._highlight_current_line()

    def _step(self, direction: int) -> None:
        if not self.find_bar.isVisible():
            self.show_find()
        if not self._matches:
            return
        if self._current_match < 0 or self.textCursor().hasSelection():
            self._current_match = (self._current_match + direction) % len(self._matches)
        self._select_current()
        self._update_count()
        self._highlight_current_line()

    def _select_current(self) -> None:
        match = self._matches[self._current_match]
        self.setTextCursor(QTextCursor(match))
        self.centerCursor()

    def _update_count(self) -> None:
        self.find_bar.set_count(self._current_match + 1, len(self._matches), self._match_capped)
        self._place_find_bar()
