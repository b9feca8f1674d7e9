"""The reply being streamed: a session's events as they appear in the window.

`ChatController` (widgets/chat.py) runs a turn and hands each `SessionEvent` to its `TurnView`,
which writes the reply into the transcript (text, reasoning, artifact and tool cards, notices),
streams artifacts into the panel, and keeps the status line's token count and speed (estimated
until the provider's own count arrives).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from app.artifact_segments import ArtifactDelta, ArtifactOpened, EditOpened, Prose
from app.artifact_segments import Reasoning as ThinkText
from app.artifacts import artifact_limit_note
from app.attachment_store import attachments_of_message
from app.i18n import translate
from app.session_events import (
    ArtifactLimitReached,
    ArtifactSaved,
    EditFailed,
    EditRepair,
    ParsedSegment,
    Reasoning,
    Retrying,
    SessionEvent,
    ToolCallUpdate,
    ToolsUnavailable,
    TurnEnded,
    TurnStarted,
    UsageUpdate,
)
from app.store import ArtifactVersion, StoredMessage
from app.token_estimate import estimate_tokens
from widgets.message_keys import message_key

if TYPE_CHECKING:
    from widgets.chat import ChatController

# Seconds between updates of the streaming status line (tokens, tokens/second).
STATUS_INTERVAL = 0.25


def _writing_prefix() -> str:
    """The artifact tab's "writing… " before the size (the card shows only what follows)."""
    return translate("ArtifactTab", "writing… {size}").partition("{size}")[0]


class TurnView:
    """What the window shows of the turn that is running, and the state that needs."""

    def __init__(self, chat: ChatController) -> None:
        self._chat = chat
        self.reply_key = ""
        self.user_message: StoredMessage | None = None  # the turn's own, when it added one
        self.reply_open = False  # the reply on screen started and has not ended yet
        self.started = 0.0
        self.chars = 0.0  # estimated tokens so far (app.token_estimate)
        self.output_tokens: int | None = None
        self.model = ""
        self.status_shown = 0.0

    def on_event(self, event: SessionEvent) -> None:
        """Show one event of the running turn (the session's listener)."""
        if isinstance(event, ParsedSegment):
            self._on_segment(event)
        elif isinstance(event, Reasoning):
            self.chars += estimate_tokens(event.text)  # the model wrote these tokens too
            self._chat.transcript.append_reasoning(self.reply_key, event.text)
        elif isinstance(event, TurnStarted):
            self._on_started(event)
        elif isinstance(event, ArtifactSaved):
            self._on_saved(event.version)
        elif isinstance(event, UsageUpdate):
            self.output_tokens = event.output_tokens
            self.update_status()
        elif isinstance(event, ArtifactLimitReached):
            self._chat.transcript.add_notice(
                self.reply_key, artifact_limit_note(event.limit), kind="info"
            )
        elif isinstance(event, EditFailed):
            self._chat.transcript.add_notice(
                self.reply_key,
                translate(
                    "Chat",
                    "The edit to “{identifier}” could not be applied ({reason}); nothing changed.",
                ).format(identifier=event.identifier, reason=event.reason),
                kind="warning",
            )
            self._chat.transcript.update_artifact_card(
                self.reply_key, event.identifier, state="failed"
            )
        elif isinstance(event, EditRepair):
            self._chat.transcript.add_notice(
                self.reply_key, event.text, kind="info" if event.asked else "warning"
            )
        elif isinstance(event, Retrying):
            self._chat.transcript.add_notice(
                self.reply_key,
                translate("Chat", "{reason} Retrying in {seconds} s (attempt {attempt}).").format(
                    reason=event.reason, seconds=f"{event.seconds:.0f}", attempt=event.attempt + 1
                ),
                kind="info",
            )
        elif isinstance(event, ToolCallUpdate):
            self._chat.tool_cards.show(event.record)
        elif isinstance(event, ToolsUnavailable):
            for error in event.problems.values():
                self._chat.transcript.add_notice(self.reply_key, error, kind="warning")
        elif isinstance(event, TurnEnded):
            self._on_ended(event)

    def _on_started(self, event: TurnStarted) -> None:
        self._chat.transcript.set_empty_state("")
        # A newer turn: the replies above are no longer the last, so Retry is gone from them.
        self._chat.transcript.remove_actions("retry")
        self.user_message = event.user
        if event.user is not None:
            key = message_key(event.user.id)
            self._chat.transcript.add_message(key, "user")
            self._chat.transcript.append_text(key, event.user.content)
            self._chat.transcript.add_files(
                key, attachments_of_message(self._chat.store, event.user.id)
            )
            self._chat.transcript.finish_message(key)
            if self._chat.composer.text().strip() == event.user.content.strip():
                self._chat.composer.clear()  # stored now; an automatic follow-up leaves typing alone
        self.reply_key = message_key(event.assistant_id)
        self._chat.tool_cards.forget_message(self.reply_key)
        self.reply_open = True
        self.model = event.model
        self.started = time.monotonic()
        self.chars = 0.0
        self.output_tokens = None
        self._chat.transcript.add_message(self.reply_key, "assistant", header=event.model)
        self._chat.transcript.set_message_state(self.reply_key, "streaming")
        self._chat.transcript.scroll_to_bottom()
        self._chat.conversationsChanged.emit()

    def _on_segment(self, event: ParsedSegment) -> None:
        segment = event.segment
        key = self.reply_key
        if isinstance(segment, Prose):
            self.chars += estimate_tokens(segment.text)
            self._chat.transcript.append_text(key, segment.text)
        elif isinstance(segment, ArtifactDelta):
            self.chars += estimate_tokens(segment.text)
            self._chat.panel.append_stream(segment.identifier, segment.text)
            tab = self._chat.panel.tab(segment.identifier)
            if tab is not None:
                self._chat.transcript.update_artifact_card(
                    key,
                    segment.identifier,
                    progress=tab.status.text().removeprefix(_writing_prefix()),
                )
        elif isinstance(segment, ArtifactOpened):
            self._chat.transcript.add_artifact_card(
                key, segment.identifier, segment.title, segment.type, 0, "streaming"
            )
            self._chat.panel.begin_stream(segment.identifier, segment.title, segment.type)
        elif isinstance(segment, EditOpened):
            latest = (
                self._chat.store.latest_artifact(self._chat.conversation_id, segment.identifier)
                if self._chat.conversation_id is not None
                else None
            )
            title = latest.title if latest else segment.identifier
            kind = latest.type if latest else "text/html"
            self._chat.transcript.add_artifact_card(
                key, segment.identifier, title, kind, 0, "streaming"
            )
        elif isinstance(segment, ThinkText):
            self.chars += estimate_tokens(segment.text)
            self._chat.transcript.append_reasoning(key, segment.text)
        self.update_status()

    def _on_saved(self, version: ArtifactVersion) -> None:
        self._chat.transcript.update_artifact_card(
            self.reply_key,
            version.identifier,
            state="ready" if version.complete else "incomplete",
            version=version.version,
        )
        self._chat.panel.add_version(version)

    def _on_ended(self, event: TurnEnded) -> None:
        key = message_key(event.message.id)
        self.reply_open = False
        self._chat.transcript.finish_message(key)
        # The provider's own count, when it came with the reply, replaces the estimate.
        self.output_tokens = event.message.output_tokens or self.output_tokens
        self._chat.show_outcome(key, event.message, last=True)
        shown = [m for m in (self.user_message, event.message) if m is not None]
        self._chat.branches.decorate_turn(shown)
        self._chat.transcript.scroll_to_bottom()
        self.update_status(final=True)

    def update_status(self, *, final: bool = False) -> None:
        """Tokens and speed on the status line, at most every STATUS_INTERVAL (and at the end)."""
        now = time.monotonic()
        if not final and now - self.status_shown < STATUS_INTERVAL:
            return  # tokens arrive far faster than anyone reads a counter
        self.status_shown = now
        elapsed = max(now - self.started, 1e-3)
        tokens = self.output_tokens or round(self.chars)
        approx = "" if self.output_tokens else "~"
        speed = translate("Chat", "{tokens} tokens · {speed} tok/s").format(
            tokens=f"{approx}{tokens:,}", speed=f"{approx}{tokens / elapsed:.0f}"
        )
        if final:
            total = self._chat.conversation_usage()
            last = translate("Chat", "last reply {speed}").format(speed=speed)
            self._chat.statusChanged.emit(last + (f"   ·   {total}" if total else ""))
        else:
            self._chat.statusChanged.emit(
                translate("Chat", "streaming · {speed}").format(speed=speed)
            )
