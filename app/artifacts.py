"""Whole replies: every segment or artifact of a stored reply, and the cap on artifacts a reply
may make (with the sentence said when a reply passes it).

The streaming extractor is app/artifact_parser.py; the values it gives, app/artifact_segments.py.
"""

from __future__ import annotations

from app.artifact_markup import DIRECTIVE, THINK_OPEN
from app.artifact_parser import ArtifactParser
from app.artifact_segments import (
    Artifact,
    ArtifactClosed,
    ArtifactDelta,
    ArtifactOpened,
    Prose,
    Segment,
    merge_segments,
)
from app.i18n import translate

# A reply makes at most this many artifact versions; markup after them stays text.
MAX_ARTIFACTS_PER_REPLY = 200
# What the extractor acts on, in lower case: an artifact or edit tag, <think>, a directive; and
# a fence whose info starts with a document language ("```html", "~~~ SVG"; "htm" is in "html"
# and "xhtml"). A text with none of them is all prose, whatever else it holds.
_MARK_WORDS = ("<artifact", "<antartifact", DIRECTIVE[:-1])
_LANG_STEMS = ("htm", "svg", "xml")
# Letters re.IGNORECASE matches to ASCII ones ("ı" to "i"), which lower() leaves alone: with one
# of them in the text, only the parser can tell.
_CASE_ODDITIES = ("\u0130", "\u0131", "\u017f", "\u212a")


def may_hold_markup(text: str) -> bool:
    """Whether `text` has a mark the extractor acts on; a text without one is all prose.

    No parse: a few searches of the lower-cased text (~4 ms a MB, where the parser takes
    ~50 ms a MB over prose full of code blocks)."""
    if not text:
        return False
    if any(letter in text for letter in _CASE_ODDITIES):
        return True
    low = text.lower()
    if "artifact" in low and any(word in low for word in _MARK_WORDS):  # one pass, mostly
        return True
    if THINK_OPEN in low:
        return True
    return any(_opens_fence(low, stem) for stem in _LANG_STEMS)


def _opens_fence(low: str, stem: str) -> bool:
    """Whether `stem` comes right after a fence opening its line: spaces or tabs, three or
    more fence characters, whitespace, perhaps an "x" (a superset of what the parser opens)."""
    at = low.find(stem)
    while at >= 0:
        i = at - 1 if at and low[at - 1] == "x" else at
        while i and low[i - 1] != "\n" and low[i - 1].isspace():
            i -= 1
        fence = i
        while fence and low[fence - 1] in "`~":
            fence -= 1
        if i - fence >= 3:
            start = fence
            while start and low[start - 1] in " \t":
                start -= 1
            if start == 0 or low[start - 1] == "\n":
                return True
        at = low.find(stem, at + 1)
    return False


def parse_reply(text: str, max_artifacts: int | None = MAX_ARTIFACTS_PER_REPLY) -> list[Segment]:
    """All segments of a whole reply (feed + close), adjacent pieces merged.

    By default a stored reply is read as the session read it: past MAX_ARTIFACTS_PER_REPLY
    artifacts, the rest is prose.
    """
    if not may_hold_markup(text):
        return [Prose(text)] if text else []
    parser = ArtifactParser(max_artifacts)
    return merge_segments(parser.feed(text) + parser.close())


def artifact_limit_note(limit: int = MAX_ARTIFACTS_PER_REPLY) -> str:
    """The one sentence said when a reply has more artifacts than a reply may make."""
    return translate(
        "Artifacts",
        "This reply has more than {limit} artifacts: the first {limit} are in the artifact "
        "panel; the rest stay in the reply as text.",
    ).format(limit=limit)


def extract_artifacts(text: str) -> list[Artifact]:
    """Every artifact in a reply, in order (a reused identifier appears once per version)."""
    found: list[Artifact] = []
    opened: dict[str, ArtifactOpened] = {}
    for seg in parse_reply(text, max_artifacts=None):
        if isinstance(seg, ArtifactOpened):
            opened[seg.identifier] = seg
        elif isinstance(seg, ArtifactClosed):
            head = opened[seg.identifier]
            found.append(Artifact(seg.identifier, head.type, head.title, seg.content, seg.complete))
    return found


def display_parts(text: str) -> list[Segment]:
    """Segments for showing a stored reply: parse_reply without the ArtifactDelta pieces."""
    return stored_reply_parts(text)[0]


def stored_reply_parts(text: str) -> tuple[list[Segment], bool]:
    """display_parts, and whether artifacts past MAX_ARTIFACTS_PER_REPLY stayed as text."""
    if not may_hold_markup(text):
        return ([Prose(text)] if text else []), False
    parser = ArtifactParser(MAX_ARTIFACTS_PER_REPLY)
    segments = merge_segments(parser.feed(text) + parser.close())
    return [seg for seg in segments if not isinstance(seg, ArtifactDelta)], parser.spilled
