"""A stored message shown again in the transcript: its text, reasoning, artifact and tool cards.

A reply that used tools is shown as it happened: the text of each step, then the cards of the
calls that step made, then the next step's text.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.artifact_segments import ArtifactOpened, EditOpened, Prose
from app.artifact_segments import Reasoning as ThinkText
from app.artifacts import artifact_limit_note, stored_reply_parts
from app.store import ArtifactVersion, StoredMessage
from app.tools.records import ToolCallRecord, split_steps
from app.usage import Price
from widgets.reply_outcome import footer, outcome_notice
from widgets.tool_cards import ToolCards
from widgets.transcript import TranscriptView


def show_stored_message(
    transcript: TranscriptView,
    tool_cards: ToolCards,
    key: str,
    message: StoredMessage,
    versions: list[ArtifactVersion],
    calls: list[ToolCallRecord],
) -> None:
    """Add the message under `key`, with everything it made, in order."""
    transcript.add_message(key, message.role, header=message.model or "")
    if message.role != "assistant":
        transcript.append_text(key, message.content)
        transcript.finish_message(key)
        return
    if message.reasoning:
        transcript.append_reasoning(key, message.reasoning, seconds=message.reasoning_seconds)
    own = iter([v for v in versions if v.message_id == message.id])
    past_limit = False
    for text, step_calls in split_steps(message.content, calls):
        parts, cut = stored_reply_parts(text)
        past_limit = past_limit or cut
        for part in parts:
            if isinstance(part, Prose):
                transcript.append_text(key, part.text)
            elif isinstance(part, ThinkText):
                transcript.append_reasoning(key, part.text)
            elif isinstance(part, ArtifactOpened | EditOpened):
                version = next(own, None)
                if version is not None:
                    state = "ready" if version.complete else "incomplete"
                    transcript.add_artifact_card(
                        key, version.identifier, version.title, version.type, version.version, state
                    )
        for call in step_calls:
            tool_cards.show(call)
    if past_limit:
        transcript.add_notice(key, artifact_limit_note(), kind="info")
    transcript.finish_message(key)


def show_outcome(
    transcript: TranscriptView,
    key: str,
    message: StoredMessage,
    prices: Mapping[str, Price],
    *,
    last: bool,
) -> None:
    """The reply's state badge, its outcome notice (Retry, Continue…) and its usage footer."""
    transcript.set_message_state(key, message.status)
    notice = outcome_notice(message, last=last)
    if notice is not None:
        transcript.add_notice(key, notice.text, kind=notice.kind, actions=notice.actions)
    text = footer(message, prices)
    if text:
        transcript.set_message_footer(key, text)
