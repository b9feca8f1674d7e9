"""What a session tells its listener during a turn: frozen values, nothing else.

The window (`widgets/chat.py`) and `main.py ask` (`app/cli.py`) both listen to `ChatSession`
through one callback that takes these events, in the order the turn makes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from app.artifact_segments import Segment
from app.events import ProviderError
from app.store import ArtifactVersion, StoredMessage
from app.store_errors import StoreError
from app.tools.records import ToolCallRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnStarted:
    """The user's message is stored and the reply's row exists (status "streaming")."""

    user: StoredMessage | None
    assistant_id: int
    model: str


@dataclass(frozen=True)
class ParsedSegment:
    """A piece of the reply as the artifact extractor split it (prose, artifact events...)."""

    segment: Segment


@dataclass(frozen=True)
class Reasoning:
    """A piece of the model's reasoning, from the API's reasoning field."""

    text: str


@dataclass(frozen=True)
class UsageUpdate:
    """Token counts for this reply, as the API reported them."""

    input_tokens: int | None
    output_tokens: int | None


@dataclass(frozen=True)
class Retrying:
    """The API asked us to wait (429, overload): the next attempt starts in `seconds`."""

    seconds: float
    attempt: int
    reason: str


@dataclass(frozen=True)
class ArtifactSaved:
    """A new version of an artifact was stored (a full artifact closed or an edit applied)."""

    version: ArtifactVersion


@dataclass(frozen=True)
class EditFailed:
    """An <artifact-edit> could not be applied; nothing changed."""

    identifier: str
    reason: str


@dataclass(frozen=True)
class EditRepair:
    """After a reply whose edits failed: whether Easel asks the model for a full version.

    It asks at most once per message the user sent, never in answer to its own request (a model
    that keeps answering with failing edits would otherwise loop, billed, without end).
    """

    asked: bool
    text: str  # one sentence for the user


@dataclass(frozen=True)
class ArtifactLimitReached:
    """The reply made `limit` artifacts; the artifact markup after them stays text."""

    limit: int


@dataclass(frozen=True)
class ToolCallUpdate:
    """A tool call was made or changed state (waiting, running, done, failed, denied, stopped).

    The record is the call as stored now; a front end shows one card per `record.id`.
    """

    record: ToolCallRecord


@dataclass(frozen=True)
class ToolsUnavailable:
    """Tool servers that could not give their tools, by name, with their errors."""

    problems: dict[str, str]


@dataclass(frozen=True)
class TurnEnded:
    """The reply is final: complete, incomplete (stopped, cut) or error.

    With a StoreError (the disk is full) `message` is the reply as it stands in memory, and
    the store holds its last checkpoint.
    """

    message: StoredMessage
    error: ProviderError | StoreError | None = None
    stopped: bool = False


SessionEvent = (
    TurnStarted
    | ParsedSegment
    | Reasoning
    | UsageUpdate
    | Retrying
    | ArtifactSaved
    | ArtifactLimitReached
    | EditFailed
    | EditRepair
    | ToolCallUpdate
    | ToolsUnavailable
    | TurnEnded
)
Listener = Callable[[SessionEvent], None]


def quiet(listener: Listener) -> Listener:
    """The listener, with its own failures logged instead of raised."""

    def call(event: SessionEvent) -> None:
        try:
            listener(event)
        except Exception:  # noqa: BLE001 - already failing; keep the reply
            log.exception("the listener failed on %s", type(event).__name__)

    return call


class UnexpectedError(ProviderError):
    """Easel itself failed during a turn (a bug, a full disk): the reply ends as an error."""

    exit_code = 1
