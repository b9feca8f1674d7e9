"""A reply with none of the marks the extractor acts on is read as all prose without the parser
(app.artifacts.may_hold_markup): what the transcript, the history and the search index get from
it must be what the parser would have given."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import app.artifacts as artifacts
from app.artifact_parser import ArtifactParser
from app.artifact_segments import ArtifactDelta, Prose, merge_segments
from app.artifacts import (
    MAX_ARTIFACTS_PER_REPLY,
    may_hold_markup,
    parse_reply,
    stored_reply_parts,
)


def parsed(text: str, max_artifacts: int | None = MAX_ARTIFACTS_PER_REPLY) -> list:
    parser = ArtifactParser(max_artifacts)
    return merge_segments(parser.feed(text) + parser.close())


def parsed_parts(text: str) -> tuple[list, bool]:
    parser = ArtifactParser(MAX_ARTIFACTS_PER_REPLY)
    segments = merge_segments(parser.feed(text) + parser.close())
    return [s for s in segments if not isinstance(s, ArtifactDelta)], parser.spilled


# Pieces of replies: prose, whitespace of every kind, every mark in its cases, and near misses
# (a fence of another language, a language's name in prose, a letter that folds to ASCII).
PIECES = st.sampled_from(
    ["word ", "html ", "the svg ", "\n", "\r", "\r\n", " ", "\t", "\x0b", "\x1c", "\u00a0",
     "\u2003", "<", "<b>", "<think>", "</think>", "<THINK>", "<thin", "<artifact", "<ARTIFACT ",
     '<artifact identifier="a" type="text/html" title="A">', "</artifact>", "<antArtifact ",
     "<artıfact ", "<artifact-edit ", '<artifact-edit identifier="a">',
     "<find>x</find><replace>y</replace>", "</artifact-edit>", ":", ":::", ":::artifact",
     ':::Artifact{identifier="d" type="text/html"}', ":::artifac", "`", "``", "```", "````",
     "~~~", "~~", "x", "X", "html", "HTML", "htm", "xhtml", "XHTML", "svg", "Svg", "ſvg", "xml",
     "javascript", "python", "```html\n", "```javascript\n", "~~~ SVG\n", "``` xhtml extra\n",
     "<!DOCTYPE html><html><body>hi</body></html>\n", "<svg></svg>\n", "\u212a", "\u0130",
     "```xml\n", "~~~Xml\n", '<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>\n']
)  # fmt: skip


@settings(max_examples=400)
@given(pieces=st.lists(PIECES, max_size=24))
def test_the_shortcut_reads_every_text_as_the_parser_does(pieces):
    text = "".join(pieces)
    assert stored_reply_parts(text) == parsed_parts(text)
    assert parse_reply(text) == parsed(text)
    assert parse_reply(text, max_artifacts=None) == parsed(text, None)
    if not may_hold_markup(text):
        assert parsed(text) == ([Prose(text)] if text else [])


def test_each_mark_is_seen_in_any_case_and_place():
    for text in [
        "Here: <artifact identifier='a' type='text/html'>x</artifact>",
        "<Think>why</Think> so",
        ':::ARTIFACT{identifier="d"}\nx\n:::',
        "text\n  ```HTML\n<p>x</p>\n```",
        "text\n~~~~\u00a0xhtml\n<p>x</p>\n~~~~",
        "```svg",
        "An image:\n```xml\n<svg xmlns='http://www.w3.org/2000/svg'></svg>\n```",
        "Odd letters: <artıfact identifier='a'>",
    ]:
        assert may_hold_markup(text), text
    for text in [
        "",
        "Plain words about html, svg and xml.",
        "```javascript\nconst html = '<b>';\n```",  # a "<" in code: still no mark
        "inline ```html``` after text",
        "<b>bold</b> and :::note",
    ]:
        assert not may_hold_markup(text), text


def test_a_long_prose_reply_is_not_parsed(monkeypatch):
    block = (
        "## Section\n\nProse with `code`, a <kbd>key</kbd> and a [link](https://example.com).\n\n"
        "```javascript\nfunction step(dt) {\n  return dt < 1;\n}\n```\n\n"
    )
    text = block * 20_000  # ~2.6 MB, a fence and "<" every few lines
    made = []
    real = artifacts.ArtifactParser
    monkeypatch.setattr(artifacts, "ArtifactParser", lambda *a: made.append(a) or real(*a))
    assert stored_reply_parts(text) == ([Prose(text)], False)
    assert parse_reply(text) == [Prose(text)]
    assert made == []
    text += "```html\n<!DOCTYPE html><html><body>x</body></html>\n```\n"
    parts, _ = stored_reply_parts(text)
    assert made and [type(p).__name__ for p in parts] == [
        "Prose",
        "ArtifactOpened",
        "ArtifactClosed",
        "Prose",
    ]
