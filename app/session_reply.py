"""What has arrived so far of one reply, as the session accumulates it during a turn."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.artifact_parser import ArtifactParser
from app.artifacts import MAX_ARTIFACTS_PER_REPLY
from app.session_events import EditFailed
from app.store import ArtifactVersion
from app.store_errors import StoreError
from app.tools.calls import ToolCallAssembler


@dataclass
class Reply:
    """What has arrived so far of one reply."""

    message_id: int
    origin: str | None = None
    # Not an answer to a message the user sent: a failed edit gets no automatic follow-up.
    automatic: bool = True
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    chars: int = 0  # of text and reasoning, what a checkpoint writes (app/checkpoint_clock.py)
    input_tokens: int | None = None
    output_tokens: int | None = None
    finish_reason: str | None = None
    reasoning_started: float | None = None
    reasoning_ended: float | None = None
    failed_edits: list[EditFailed] = field(default_factory=list)
    # identifier -> (type, title) as the artifact was opened in this reply
    opened: dict[str, tuple[str, str]] = field(default_factory=dict)
    parser: ArtifactParser = field(
        default_factory=lambda: ArtifactParser(max_artifacts=MAX_ARTIFACTS_PER_REPLY)
    )
    parser_closed: bool = False
    limit_said: bool = False
    # A version the store refused (the disk is full): its text stays in the reply.
    version_error: StoreError | None = None
    # Whether anything arrived from the API in this turn (a retry would repeat it).
    received: bool = False
    # A continued reply: the stored versions its earlier part made, replayed in order.
    replayed_versions: list[ArtifactVersion] = field(default_factory=list)
    replaying: bool = False
    # The tool loop: calls of the step now streaming, the thinking signature that came with
    # them (Anthropic), how many steps with calls ran, and whether the next text needs a break.
    assembler: ToolCallAssembler = field(default_factory=ToolCallAssembler)
    signature: str = ""
    step: int = 0
    separate: bool = False

    @property
    def content(self) -> str:
        return "".join(self.text)

    def reasoning_seconds(self) -> float | None:
        if self.reasoning_started is None:
            return None
        end = self.reasoning_ended or time.monotonic()
        return round(end - self.reasoning_started, 1)
