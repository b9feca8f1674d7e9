"""Highlighted code as small HTML: a span only where the transcript's stylesheet colours it.

Pygments' HtmlFormatter writes a span for every token, whitespace and punctuation included:
bench/stream.py's 80 KB reply (240 code blocks) became 560 KB of HTML and 15,500 spans that
the web engine parsed, styled and laid out. Here a token gets a span only when its type (or
the nearest of its parent types) is one the stylesheet colours (`STYLED`, the ``hl-*`` rules
of assets/transcript/transcript.css), and neighbouring tokens with the same class share one
span; everything else is plain escaped text. The text is exactly the code's.
"""

from __future__ import annotations

import html

from pygments.lexer import Lexer
from pygments.token import (
    Comment,
    Generic,
    Keyword,
    Name,
    Number,
    Operator,
    String,
    _TokenType,
)

# Token type -> CSS class; a type not here takes its nearest parent's (none: plain text).
STYLED: dict[_TokenType, str] = {
    Comment: "hl-c",
    Comment.Preproc: "hl-cp",
    Comment.PreprocFile: "hl-cpf",
    Keyword: "hl-k",
    Operator: "hl-o",
    Operator.Word: "hl-ow",
    String: "hl-s",
    String.Escape: "hl-se",
    String.Interpol: "hl-si",
    Number: "hl-m",
    Name.Function: "hl-nf",
    Name.Function.Magic: "hl-fm",
    Name.Class: "hl-nc",
    Name.Namespace: "hl-nn",
    Name.Exception: "hl-ne",
    Name.Tag: "hl-nt",
    Name.Attribute: "hl-na",
    Name.Builtin: "hl-nb",
    Name.Builtin.Pseudo: "hl-bp",
    Name.Decorator: "hl-nd",
    Name.Variable: "hl-nv",
    Generic.Deleted: "hl-gd",
    Generic.Inserted: "hl-gi",
    Generic.Heading: "hl-gh",
    Generic.Subheading: "hl-gu",
}
_classes: dict[_TokenType, str | None] = {}


def css_class(token_type: _TokenType) -> str | None:
    """The class a token of this type is shown with, None for plain text."""
    found = _classes.get(token_type, "")
    if found == "":
        kind: _TokenType | None = token_type
        while kind is not None and kind not in STYLED:
            kind = kind.parent
        found = STYLED[kind] if kind is not None else None
        _classes[token_type] = found
    return found


def highlight_html(code: str, lexer: Lexer) -> str:
    """The HTML of code highlighted by lexer (for inside a <code>): escaped text and spans."""
    out: list[str] = []
    run: list[str] = []
    current: str | None = None
    for token_type, value in lexer.get_tokens(code):
        kind = css_class(token_type)
        if kind != current and run:
            out.append(_run_html(current, "".join(run)))
            run = []
        current = kind
        run.append(value)
    if run:
        out.append(_run_html(current, "".join(run)))
    return "".join(out)


def _run_html(kind: str | None, text: str) -> str:
    escaped = html.escape(text, quote=False)
    return f'<span class="{kind}">{escaped}</span>' if kind else escaped
