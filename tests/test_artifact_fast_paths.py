"""The extractor's shortcuts give what the long way gives, for every chunking.

A plain chunk skips the scan, a block's body goes out up to the next fence-like line, markup
candidates in long text are found with str.find, and each feed joins its adjacent pieces.
Each case below is cut at every position (and fed in small pieces) and must give the same
merged segments as the whole text, which is also checked against the segments it must be.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.artifact_markup import LINE_CAP, TOP_CAND_RE, CandidateScan
from app.artifact_parser import ArtifactParser
from app.artifact_segments import (
    ArtifactClosed,
    ArtifactDelta,
    ArtifactOpened,
    Prose,
    Reasoning,
    Segment,
    merge_segments,
)
from app.artifacts import parse_reply

FAST = settings(max_examples=400, deadline=None, database=None)
DOC = "<!DOCTYPE html>\n<html><body>\n<p>Hi</p>\n</body></html>"
CODE = "".join(f"  line {n} = value;\n" for n in range(40))


def fed(text: str, cuts: list[int]) -> list[Segment]:
    parser = ArtifactParser()
    out: list[Segment] = []
    start = 0
    for cut in [*cuts, len(text)]:
        out += parser.feed(text[start:cut])
        start = cut
    return out + parser.close()


def same_for_every_chunking(text: str) -> list[Segment]:
    """The merged segments, the same whether the text comes whole, cut once anywhere, or in
    pieces of a few characters; deltas always add up to the closed content."""
    whole = parse_reply(text, max_artifacts=None)
    for cut in range(len(text) + 1):
        assert merge_segments(fed(text, [cut])) == whole, f"cut at {cut}: {text[:cut]!r}"
    for size in (1, 2, 3, 5, 7, 64):
        cuts = list(range(size, len(text), size))
        pieces = fed(text, cuts)
        assert merge_segments(pieces) == whole, f"pieces of {size}"
        content: dict[str, str] = {}
        for seg in pieces:
            if isinstance(seg, ArtifactDelta):
                content[seg.identifier] = content.get(seg.identifier, "") + seg.text
            elif isinstance(seg, ArtifactClosed):
                assert content.pop(seg.identifier, "") == seg.content
    return whole


def artifact(segments: list[Segment]) -> tuple[str, str]:
    """The one artifact's type and content."""
    opened = [s for s in segments if isinstance(s, ArtifactOpened)]
    closed = [s for s in segments if isinstance(s, ArtifactClosed)]
    assert len(opened) == len(closed) == 1
    return opened[0].type, closed[0].content


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_long_code_block_is_prose_to_its_fence(newline):
    text = f"Intro:\n\n```javascript\n{CODE}\n  \n\t\n```\nAfter: done.\n".replace("\n", newline)
    assert same_for_every_chunking(text) == [Prose(text)]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_document_fence_closes_after_lines_and_blank_lines(newline):
    body = f"{DOC}\n\n   \n<script>\n{CODE}</script>"
    text = f"Here:\n```html\n{body}\n```\nafter".replace("\n", newline)
    kind, content = artifact(same_for_every_chunking(text))
    assert kind == "text/html" and content == body.replace("\n", newline)


def test_a_fence_inside_a_document_fence_nests_and_is_content():
    body = f"{DOC}\n<pre>\n```python\nprint(1)\n```\n</pre>\nmid ``` line"
    text = f"```html\n{body}\n```\ntail"
    kind, content = artifact(same_for_every_chunking(text))
    assert kind == "text/html" and content == body


def test_a_directive_without_a_fence_ends_at_its_colons():
    body = "line one\n  indented\n\n:: two colons stay\n`tick` at a line start"
    text = f':::artifact{{identifier="d" type="text/markdown" title="D"}}\n{body}\n:::\nafter'
    kind, content = artifact(same_for_every_chunking(text))
    assert kind == "text/markdown" and content == body


def test_a_line_too_long_to_be_a_fence_is_content():
    long_line = "```" + "x" * (LINE_CAP + 10)
    body = f"{DOC}\n{long_line}\nmore"
    text = f"```html\n{body}\n```\n"
    kind, content = artifact(same_for_every_chunking(text))
    assert kind == "text/html" and content == body


def test_markup_after_plain_chunks_is_still_found():
    # Blank indentation, a trailing colon, a half tag: each ends one chunk, markup begins the
    # next, and a plain chunk must not skip what the previous one held back.
    text = (
        "Plain words first\n  ```html\n" + DOC + "\n```\n"
        "then a directive ::"
        ':artifact{identifier="k" type="text/html"}\n```html\n<b>x</b>\n```\n:::\n'
        "and a tag <artif"
        'act identifier="t" type="text/html" title="T">\n<i>y</i>\n</artifact>\nend'
    )
    segments = same_for_every_chunking(text)
    assert [s.identifier for s in segments if isinstance(s, ArtifactClosed)] == [
        "page",
        "k",
        "t",
    ]


def test_one_feed_gives_one_piece_per_run_not_per_line():
    text = f"Intro\n```js\n{CODE}```\nmiddle\n```py\n{CODE}```\nend\n"
    parser = ArtifactParser()
    assert parser.feed(text) == [Prose(text)]
    directive = f':::artifact{{identifier="d" type="text/html" title="D"}}\n```html\n{DOC}\n{CODE}'
    parser = ArtifactParser()
    pieces = parser.feed(directive)
    assert [type(s) for s in pieces] == [ArtifactOpened, ArtifactDelta]


texts = st.text(alphabet="<:`~ \t\r\nax", max_size=300)


@FAST
@given(text=texts, starts=st.lists(st.integers(0, 300), max_size=12))
def test_candidate_scan_finds_what_the_regex_finds(text, starts):
    scan = CandidateScan(text)
    # Ascending (as the parser scans) and then any order (a start before an earlier one).
    for j in [*range(len(text) + 1), *(s for s in starts if s <= len(text))]:
        m = TOP_CAND_RE.search(text, j)
        assert scan.next(j) == (m.start() if m else -1), (text, j)


@FAST
@given(
    text=st.lists(
        st.sampled_from(["\n", "\r\n", "  ", "\t", "```", "```html\n", "~~~", ":::", "::", ":",
                         "<", "<artifact>", "</artifact>", "x", DOC, "line;\n"]),
        max_size=40,
    ).map("".join),
    sizes=st.lists(st.integers(1, 400), min_size=1, max_size=5),
)  # fmt: skip
def test_long_generated_replies_any_chunking(text, sizes):
    cuts, at, n = [], 0, 0
    while True:
        at += sizes[n % len(sizes)]
        n += 1
        if at >= len(text):
            break
        cuts.append(at)
    assert merge_segments(fed(text, cuts)) == parse_reply(text, max_artifacts=None)


def test_one_scan_serves_a_whole_feed(monkeypatch):
    # White-box: a scan made per code block looked ahead over the rest of the text each time,
    # quadratic over a long reply read whole (the search index reads every finished reply).
    import app.artifact_parser as parser_module

    made: list[int] = []

    class Counted(CandidateScan):
        def __init__(self, buf: str) -> None:
            made.append(len(buf))
            super().__init__(buf)

    monkeypatch.setattr(parser_module, "CandidateScan", Counted)
    text = "Some words <b>here</b>.\n```js\nlet x = 1;\n```\n" * 2000
    parser = ArtifactParser(None)  # the parser itself: parse_reply would not read this text
    assert merge_segments(parser.feed(text) + parser.close()) == [Prose(text)]
    assert len(made) == 1


def test_merge_joins_runs_and_keeps_artifacts_apart():
    opened = ArtifactOpened("a", "text/html", "A", "artifact")
    segments: list[Segment] = [
        Prose("a"), Prose("b"), Prose("c"), opened,
        ArtifactDelta("a", "1"), ArtifactDelta("a", "2"), ArtifactDelta("b", "3"),
        Reasoning("r"), Reasoning("s"), Prose("d"),
    ]  # fmt: skip
    assert merge_segments(segments) == [
        Prose("abc"), opened, ArtifactDelta("a", "12"), ArtifactDelta("b", "3"), Reasoning("rs"),
        Prose("d"),
    ]  # fmt: skip
    assert merge_segments([]) == [] and merge_segments([Prose("x")]) == [Prose("x")]
