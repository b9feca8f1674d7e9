"""Any chunking of a reply gives the same segments, and deltas always add up to the content."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.artifact_markup import LINE_CAP, FenceTracker
from app.artifact_parser import ArtifactParser
from app.artifact_segments import ArtifactClosed, ArtifactDelta, ArtifactOpened, merge_segments
from app.artifacts import parse_reply

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "replies").glob("*.txt"))
REPLIES = [p.read_bytes().decode("utf-8") for p in FIXTURES]

# Pieces that make markers, half-markers and look-alikes when joined at random.
TOKENS = [
    "<artifact identifier='a' type='text/html' title='A'>", "<artifact>", "</artifact>",
    '<antArtifact identifier="b" type="image/svg+xml">', "</antArtifact>",
    "<artifact-edit identifier=x>", "</artifact-edit>", "<find>", "</find>", "<replace>",
    "</replace>", ':::artifact{identifier="d" type="text/html"}', ":::", "```", "```html",
    "```svg", "```py", "~~~", "\n", "\n", "\r\n", " ", "<think>", "</think>", "<!DOCTYPE html>",
    "<html>", "<svg>", "<title>T</title>", "<h1>H</h1>", "# Head", "<script>", "<", ">", "`",
    ":", "x", "hello", "<body>", "<?xml ?>", "<!-- c -->",
]  # fmt: skip
FAST = settings(max_examples=300, deadline=None, database=None)


def chunked(text: str, sizes: list[int]) -> list:
    parser = ArtifactParser()
    out, i, n = [], 0, 0
    while i < len(text):
        size = sizes[n % len(sizes)] if sizes else len(text)
        out += parser.feed(text[i : i + size])
        i, n = i + size, n + 1
    return out + parser.close()


def check_deltas(segments: list) -> None:
    """Concatenated deltas equal the closed content; every artifact opens before its deltas."""
    streams: dict[str, str] = {}
    for seg in segments:
        if isinstance(seg, ArtifactOpened):
            streams[seg.identifier] = ""
        elif isinstance(seg, ArtifactDelta):
            streams[seg.identifier] += seg.text
        elif isinstance(seg, ArtifactClosed):
            assert streams.pop(seg.identifier) == seg.content
    assert not streams


def check_invariant(text: str, sizes: list[int]) -> None:
    reference = parse_reply(text)
    raw = chunked(text, sizes)
    check_deltas(raw)
    assert merge_segments(raw) == reference


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_char_by_char(path):
    check_invariant(path.read_bytes().decode("utf-8"), [1])


@FAST
@given(text=st.sampled_from(REPLIES), sizes=st.lists(st.integers(1, 40), min_size=1, max_size=8))
def test_fixtures_any_chunking(text, sizes):
    check_invariant(text, sizes)


@FAST
@given(
    text=st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
    sizes=st.lists(st.integers(1, 12), min_size=1, max_size=6),
)
def test_generated_replies_any_chunking(text, sizes):
    check_invariant(text, sizes)


@FAST
@given(
    text=st.text(alphabet="<>/`~:{}\n\r tafcthinkr=\"'", max_size=80),
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=4),
)
def test_noise_any_chunking(text, sizes):
    check_invariant(text, sizes)


def one_by_one(buf: str, j: int) -> int:
    """The content scan as it was: every "<" visited."""
    return buf.find("<", j)


# Tag words in every case, cut anywhere, among the look-alikes: what the fast scan must not skip.
NEAR_TOKENS = [
    *TOKENS, "<ARTIFACT>", "</ARTIFACT >", "</antartifact\t>", "<Artifact-Edit id=q>", "<artif",
    "</artifa", "<a href='x'>", "</a>", "<article>", "</antartifac", "<antArtifact", "< artifact>",
]  # fmt: skip


@FAST
@given(
    text=st.lists(st.sampled_from(NEAR_TOKENS), max_size=40).map("".join),
    sizes=st.lists(st.integers(1, 30), min_size=1, max_size=6),
)
def test_the_fast_content_scan_decides_as_visiting_every_lt_did(text, sizes):
    """next_tag_start skips the "<"s that cannot be our tags: the same segments as before."""
    fast = chunked(text, sizes)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("app.artifact_tags.next_tag_start", one_by_one)
        slow = chunked(text, sizes)
    assert fast == slow


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_the_fast_content_scan_reads_the_fixtures_as_before(path, monkeypatch):
    text = path.read_bytes().decode("utf-8")
    fast = [chunked(text, sizes) for sizes in ([1], [7, 3], [4096])]
    monkeypatch.setattr("app.artifact_tags.next_tag_start", one_by_one)
    assert fast == [chunked(text, sizes) for sizes in ([1], [7, 3], [4096])]


class LineByLineFences:
    """FenceTracker as it was: every line of the content looked at."""

    def __init__(self) -> None:
        self.fence = ""
        self._line = ""

    def feed(self, text: str) -> None:
        start = 0
        while True:
            nl = text.find("\n", start)
            if nl < 0:
                if len(self._line) <= LINE_CAP:
                    self._line += text[start : start + LINE_CAP + 1]
                return
            line, self._line = self._line + text[start : start + min(nl - start, LINE_CAP + 1)], ""
            FenceTracker._end_line(self, line.rstrip("\r"))  # type: ignore[arg-type]
            start = nl + 1


@FAST
@given(
    text=st.lists(
        st.sampled_from(["```", "~~~", "````", "```js", "~~~~ x", "`", "~", " ", "\t", "\n",
                         "\r\n", "\r", "x", "<p>", "  ```", "a```", "\n~~~\n", "\n```\n",
                         "\n\t~~~~\n", "\n ```py\n", "x\n"]),
        max_size=60,
    ).map("".join),
    sizes=st.lists(st.integers(1, 80), min_size=1, max_size=6),
)  # fmt: skip
def test_fences_in_content_are_followed_as_line_by_line(text, sizes):
    """FenceTracker looks only at lines with a fence mark: the same state after every piece."""
    fast, slow = FenceTracker(), LineByLineFences()
    i = n = 0
    while i < len(text):
        piece = text[i : i + sizes[n % len(sizes)]]
        fast.feed(piece)
        slow.feed(piece)
        assert (fast.fence, fast._line) == (slow.fence, slow._line)
        i, n = i + len(piece), n + 1


@pytest.mark.parametrize(
    "text",
    ["a\n~~~\nb\n", "a\n```\nb\n~~~\nc\n```\n", "a\n  ~~~~ md\nb\n~~~\n", "a\nx```\n```y\n"],
)
def test_fence_lines_inside_one_piece_open_and_close(text):
    fast, slow = FenceTracker(), LineByLineFences()
    fast.feed(text)
    slow.feed(text)
    assert fast.fence == slow.fence


def test_a_fence_line_longer_than_the_cap_is_content():
    long_line = "```" + "x" * (LINE_CAP + 5) + "\n"
    for text in (long_line, "a\n" + long_line + "b\n", "a\n" + " " * (LINE_CAP + 2) + "```\nb\n"):
        fast, slow = FenceTracker(), LineByLineFences()
        fast.feed(text)
        slow.feed(text)
        assert fast.fence == slow.fence == ""
