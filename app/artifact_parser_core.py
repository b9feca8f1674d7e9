"""The artifact extractor's shared state and the moves every step makes on it.

`ArtifactParser` (app/artifact_parser.py) is assembled from this core, the steps for fenced and
directive blocks (app/artifact_blocks.py) and those for tag artifacts and edits
(app/artifact_tags.py). The text not yet consumed is `_buf[_i:]`; `_out` collects the segments
that are certain; `_sink` is the artifact being written, if any.
"""

from __future__ import annotations

from app.artifact_content import ArtifactSink
from app.artifact_markup import SPILL_RE
from app.artifact_segments import Prose, Segment, merge_segments


class ParserCore:
    """The state all steps share, and the moves on it."""

    def __init__(self, max_artifacts: int | None) -> None:
        self._limit = max_artifacts
        self._closed = 0
        self._spilled = False
        self._spill_tail = ""  # the end of the prose so far, for a marker split across chunks
        self._buf = ""
        self._i = 0  # start of the unconsumed text in _buf
        self._state = "start"
        self._out: list[Segment] = []
        self._used: set[str] = set()
        self._sink: ArtifactSink | None = None
        self._attrs: dict[str, str] = {}
        # Recorded raw text of a fence that may still fall back to prose (None: not recording).
        self._raw: list[str] | None = None

    @property
    def capped(self) -> bool:
        """Whether max_artifacts were reached: what follows them is prose."""
        return self._limit is not None and self._closed >= self._limit

    def _take(self) -> list[Segment]:
        # Adjacent pieces joined: every segment costs each listener an event, and a read of
        # the network often makes dozens of pieces (a line of a code block, a paragraph).
        out, self._out = self._out, []
        return merge_segments(out) if len(out) > 1 else out

    def _advance(self, to: int) -> None:
        """Consume up to index `to`, recording raw text when a fence may fall back to prose."""
        if self._raw is not None and to > self._i:
            self._raw.append(self._buf[self._i : to])
        self._i = to

    def _spill(self, text: str) -> None:
        if not self._spilled:
            seen = self._spill_tail + text
            self._spilled = SPILL_RE.search(seen) is not None
            self._spill_tail = seen[-24:]

    def _prose(self, end: int) -> None:
        if end > self._i:
            self._out.append(Prose(self._buf[self._i : end]))
            self._i = end

    def _emit(self, segments: list[Segment]) -> None:
        self._out.extend(segments)

    def _new_sink(self, syntax: str, hint: str | None = None) -> ArtifactSink:
        self._sink = ArtifactSink(syntax, self._attrs, hint, self._used)
        self._emit(self._sink.start())
        return self._sink

    def _close_sink(self, complete: bool) -> None:
        if self._sink is not None:
            self._emit(self._sink.close(complete))
            self._sink = None
            self._closed += 1
