"""Whole replies: every segment or artifact of a stored reply, and the cap on artifacts a reply
may make (with the sentence said when a reply passes it).

The streaming extractor is app/artifact_parser.py; the values it gives, app/artifact_segments.py.
"""

from __future__ import annotations

from app.artifact_parser import ArtifactParser
from app.artifact_segments import (
    Artifact,
    ArtifactClosed,
    ArtifactDelta,
    ArtifactOpened,
    Segment,
    merge_segments,
)
from app.i18n import translate

# A reply makes at most this many artifact versions; markup after them stays text.
MAX_ARTIFACTS_PER_REPLY = 200
# The marks the extractor must see before anything becomes markup: a tag (an artifact, an edit,
# <think>), a directive, a fence. Migration m008's search trigger tests the same four.
MARKUP_MARKS = ("<", ":::", "```", "~~~")


def may_hold_markup(text: str) -> bool:
    """Whether `text` has a mark the extractor needs; a text without one is all prose."""
    return any(mark in text for mark in MARKUP_MARKS)


def parse_reply(text: str, max_artifacts: int | None = MAX_ARTIFACTS_PER_REPLY) -> list[Segment]:
    """All segments of a whole reply (feed + close), adjacent pieces merged.

    By default a stored reply is read as the session read it: past MAX_ARTIFACTS_PER_REPLY
    artifacts, the rest is prose.
    """
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
    parser = ArtifactParser(MAX_ARTIFACTS_PER_REPLY)
    segments = merge_segments(parser.feed(text) + parser.close())
    return [seg for seg in segments if not isinstance(seg, ArtifactDelta)], parser.spilled
