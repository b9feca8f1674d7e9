"""A token count for a reply whose provider has not (yet) said how many tokens it used.

Tokenizers of the models Easel talks to (GPT, Claude, Kimi, DeepSeek, Qwen) spend about one
token per four characters of English or code, but about one per Chinese, Japanese or Korean
character: counting every character as a quarter token made a 318-character Chinese reply
"~7 tokens". Wide characters count one each, everything else a quarter. The provider's own
usage figures, when they come, replace the estimate.
"""

from __future__ import annotations

import re

# CJK ideographs (with extensions A and the compatibility block), kana, hangul, CJK punctuation
# and full-width forms: each is about one token.
_WIDE = re.compile(
    "[\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]"
)
# Characters per token for everything else.
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> float:
    """About how many tokens `text` is (fractional: pieces of a stream add up exactly)."""
    if text.isascii():  # no wide characters: skips a regex scan of every streamed piece
        return len(text) / CHARS_PER_TOKEN
    wide = len(_WIDE.findall(text))
    return wide + (len(text) - wide) / CHARS_PER_TOKEN
