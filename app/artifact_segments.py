"""What the artifact extractor gives out: prose, reasoning, and an artifact's or edit's events.

Pure values in reply order (app/artifact_parser.py makes them); `merge_segments` joins adjacent
pieces, so that every chunking of one reply reduces to the same list.
"""

from __future__ import annotations

from dataclasses import dataclass

ARTIFACT_TYPES = (
    "text/html",
    "image/svg+xml",
    "text/markdown",
    "application/vnd.react",
    "application/vnd.mermaid",
)
HTML, SVG, MARKDOWN, REACT, MERMAID = ARTIFACT_TYPES


@dataclass(frozen=True)
class Prose:
    """Chat text (Markdown), in reply order."""

    text: str


@dataclass(frozen=True)
class Reasoning:
    """Reasoning the model wrote into the content as <think>...</think>."""

    text: str


@dataclass(frozen=True)
class ArtifactOpened:
    """An artifact starts. syntax: "artifact" | "antArtifact" | "directive" | "fence"."""

    identifier: str
    type: str
    title: str
    syntax: str


@dataclass(frozen=True)
class ArtifactDelta:
    """A piece of the open artifact's content; the pieces concatenate to the final content."""

    identifier: str
    text: str


@dataclass(frozen=True)
class ArtifactClosed:
    """An artifact ends; complete is False when the stream ended or another began first."""

    identifier: str
    content: str
    complete: bool


@dataclass(frozen=True)
class EditOpened:
    """An <artifact-edit> for an existing artifact starts."""

    identifier: str


@dataclass(frozen=True)
class EditClosed:
    """An edit ends: its (find, replace) pairs in order; complete is False when cut off."""

    identifier: str
    pairs: tuple[tuple[str, str], ...]
    complete: bool


Segment = (
    Prose | Reasoning | ArtifactOpened | ArtifactDelta | ArtifactClosed | EditOpened | EditClosed
)


@dataclass(frozen=True)
class Artifact:
    """One artifact found in a reply (a stored reply, or `main.py extract`)."""

    identifier: str
    type: str
    title: str
    content: str
    complete: bool


def merge_segments(segments: list[Segment]) -> list[Segment]:
    """Adjacent Prose, adjacent Reasoning and adjacent deltas of one artifact joined: what every
    chunking of the same reply reduces to. Linear: a run's texts are joined once."""
    merged: list[Segment] = []
    texts: list[str] = []  # the texts of the run that merged[-1] stands for
    for seg in segments:
        prev = merged[-1] if merged else None
        if (
            type(seg) is type(prev)
            and isinstance(seg, Prose | Reasoning | ArtifactDelta)
            and (not isinstance(seg, ArtifactDelta) or prev.identifier == seg.identifier)
        ):
            texts.append(seg.text)
            continue
        _close_run(merged, texts)
        merged.append(seg)
        texts = [seg.text] if isinstance(seg, Prose | Reasoning | ArtifactDelta) else []
    _close_run(merged, texts)
    return merged


def _close_run(merged: list[Segment], texts: list[str]) -> None:
    """Replace merged[-1] by one segment holding its run's texts (when it ran on)."""
    if len(texts) < 2:
        return
    last = merged[-1]
    if isinstance(last, ArtifactDelta):
        merged[-1] = ArtifactDelta(last.identifier, "".join(texts))
    elif isinstance(last, Prose | Reasoning):
        merged[-1] = type(last)("".join(texts))
