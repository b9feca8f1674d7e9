"""Highlighted code HTML: the code's exact text, spans only where the stylesheet colours."""

from __future__ import annotations

import html
import re

import pytest
from pygments.lexers import get_lexer_by_name

from app.code_html import STYLED, highlight_html
from app.resources import asset

SAMPLES = {
    "python": 'import os\n\n@cache\ndef f(x: int = 0x1F) -> str:\n    """Doc."""\n'
    '    return f"{x!r} \\n" if x and not None else os.sep  # note\n',
    "javascript": "function step(dt) {\n  ball.x += ball.vx * dt; // move\n"
    "  if (ball.x < 0 || ball.x > W) ball.vx *= -1;\n  return `a ${b}` + 'c';\n}\n",
    "html": '<!DOCTYPE html>\n<p class="x">a &amp; b <b>c</b></p>\n<script>let a = 1 < 2;</script>\n',
    "c": '#include <stdio.h>\nint main(void) { printf("%d\\n", 42); return 0; }\n',
    "diff": "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n",
    "bash": 'for f in *.txt; do echo "$f" > /dev/null; done\n',
}


def _text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_the_text_is_the_code_exactly(lang: str) -> None:
    code = SAMPLES[lang]
    out = highlight_html(code, get_lexer_by_name(lang, stripnl=False, ensurenl=False))
    assert _text(out) == code
    assert "<" not in re.sub(r'<span class="hl-[a-z]+">|</span>', "", out)  # all else escaped


def test_spans_only_for_styled_classes_and_never_two_alike_in_a_row() -> None:
    out = "".join(
        highlight_html(code, get_lexer_by_name(lang, stripnl=False, ensurenl=False))
        for lang, code in SAMPLES.items()
    )
    used = set(re.findall(r'<span class="([^"]+)">', out))
    assert used and used <= set(STYLED.values())
    assert {"hl-k", "hl-s", "hl-c", "hl-m", "hl-nf", "hl-nt", "hl-gd", "hl-gi"} <= used
    # A run of one class is one span.
    assert not re.search(r'<span class="([^"]+)">[^<]*</span><span class="\1">', out)
    assert '<span class="hl-w">' not in out and '<span class="hl-p">' not in out


def test_every_class_is_styled_by_the_transcript_in_light_and_dark() -> None:
    css = asset("transcript", "transcript.css").read_text("utf-8")
    # The token rules, then their dark twins (the sheet's first dark block is its colours).
    tokens = css[css.index(".hl-") :]
    light, _, dark = tokens.partition("@media (prefers-color-scheme: dark)")
    for sheet in (light, dark):
        styled = set(re.findall(r"\.(hl-[a-z]+)\b", sheet))
        assert set(STYLED.values()) <= styled
    assert "[class^=" not in css  # class selectors only: a prefix rule tests every element
