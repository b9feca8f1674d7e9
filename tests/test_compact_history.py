"""Earlier replies as the model is sent them again (app/history.py): artifacts become short
references, and a reply compacted once is not read again on every later request."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import app.history as history
from app.history import compact_reply

GAME = (
    "<!DOCTYPE html><html><body>"
    + "<div class=cell><span>x</span></div>\n" * 400
    + "</body></html>"
)


def reply(title: str, body: str = GAME) -> str:
    return (
        f"Here is {title}.\n\n"
        f'<artifact identifier="game" type="text/html" title="{title}">\n{body}\n</artifact>\n\n'
        "Have fun."
    )


def test_an_artifact_becomes_a_reference_and_the_prose_stays():
    compacted = compact_reply(reply("Snake"))
    assert compacted == (
        "Here is Snake.\n\n"
        '<artifact identifier="game" type="text/html" title="Snake">'
        "[content omitted: its current version is in the system prompt]</artifact>\n\nHave fun."
    )


def test_a_reply_read_once_is_not_read_again(monkeypatch):
    text = reply("Breakout")
    first = compact_reply(text)
    reads = []
    monkeypatch.setattr(history, "parse_reply", lambda t: reads.append(t) or [])
    assert compact_reply(text) == first  # remembered
    assert compact_reply(reply("Breakout ")) != first  # another text is read
    assert len(reads) == 1
    plain = "A short answer without artifacts."
    assert compact_reply(plain) == plain and len(reads) == 1  # no mark: nothing to read
    short = "Use <think> tags."
    compact_reply(short)
    assert compact_reply(short) == "" and len(reads) == 2  # a short text with a mark: read once


def test_what_is_remembered_is_bounded(monkeypatch):
    monkeypatch.setattr(history, "_COMPACTED", type(history._COMPACTED)())
    monkeypatch.setattr(history, "_kept_chars", 0)
    monkeypatch.setattr(history, "COMPACTED_CHARS", 3_000)
    texts = [f"Answer {n}: <think>" + "words " * 200 for n in range(10)]
    for text in texts:
        assert compact_reply(text) == text
    assert history._kept_chars <= 3_000
    assert len(history._COMPACTED) == 2  # the latest ones (1,217 characters and an entry each)
    assert history._kept_chars == sum(
        len(v) + history.ENTRY_CHARS for v in history._COMPACTED.values()
    )


@pytest.mark.parametrize("size", [0, 1, 511, 512, 513])
def test_any_length_compacts_as_the_parser_reads_it(size):
    text = ("word " * 200)[:size]
    assert compact_reply(text) == history._compacted(text) == text


# Pieces of replies: prose, every mark and its near misses, tags, fences and a directive.
PIECES = st.sampled_from(
    ["word ", "\n", "<", ":", "::", ":::", "`", "``", "```", "~", "~~", "~~~", "<b>", "<think>",
     "</think>", '<artifact identifier="a" type="text/html" title="A">', "</artifact>",
     ":::artifact{identifier=\"d\" type=\"text/html\"}", "```html\n", "<artifact-edit "
     'identifier="a">', "<find>x</find><replace>y</replace>", "</artifact-edit>", "~~~python\n",
     "<!DOCTYPE html><html><body>hi</body></html>\n", "```svg\n<svg></svg>\n```\n"]
)  # fmt: skip


@given(pieces=st.lists(PIECES, max_size=30))
def test_a_reply_with_no_mark_is_its_own_compaction_and_any_other_is_read(pieces):
    """The shortcut (no tag, directive or document fence: the text itself) agrees with
    reading the text."""
    text = "".join(pieces)
    assert compact_reply(text) == history._compacted(text)
