"""One conversation's turns: build the request, run the stream, emit events, persist.

The session is the only place that knows the order of things in a turn (DESIGN.md §2): the
user's message is stored before the request goes out; the reply is checkpointed about every
second (on the clock only: a checkpoint per artifact made many tiny artifacts quadratic; past a
few MB less often, see checkpoint_interval);
artifacts are stored as versions the moment they close, at most MAX_ARTIFACTS_PER_REPLY of
them (the rest stay text, said once); an error, a Stop or a crash leaves the partial reply
stored and marked incomplete. When the store cannot write (the disk is full), the reply goes
on in memory, each later checkpoint tries again, and the turn ends with the store's sentence. It is pure asyncio (no Qt), so the
desktop window and `main.py ask` drive the very same code; both listen through one callback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from app.artifacts import (
    MAX_ARTIFACTS_PER_REPLY,
    ArtifactClosed,
    ArtifactOpened,
    ArtifactParser,
    EditClosed,
    Segment,
)
from app.checkpoint_clock import checkpoint_interval
from app.edits import EditError, apply_edit
from app.events import (
    Finished,
    ProviderError,
    ReasoningDelta,
    TextDelta,
    Usage,
)
from app.history import build_messages
from app.providers import ChatRequest, Provider
from app.providers.retry import MAX_ATTEMPTS, backoff_delay
from app.retry_policy import RetryRefused, retry_refusal
from app.session_events import (
    ArtifactLimitReached,
    ArtifactSaved,
    EditFailed,
    EditRepair,
    Listener,
    ParsedSegment,
    Reasoning,
    Retrying,
    SessionEvent,
    TurnEnded,
    TurnStarted,
    UnexpectedError,
    UsageUpdate,
)
from app.store import ArtifactVersion, Store, StoredMessage
from app.store_errors import StoreError

log = logging.getLogger(__name__)


@dataclass
class _Reply:
    """What has arrived so far of one reply."""

    message_id: int
    origin: str | None = None
    # Not an answer to a message the user sent: a failed edit gets no automatic follow-up.
    automatic: bool = True
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    chars: int = 0  # of text and reasoning, what a checkpoint writes
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

    @property
    def content(self) -> str:
        return "".join(self.text)

    def reasoning_seconds(self) -> float | None:
        if self.reasoning_started is None:
            return None
        end = self.reasoning_ended or time.monotonic()
        return round(end - self.reasoning_started, 1)


class ChatSession:
    """Runs the turns of one stored conversation against one provider."""

    def __init__(
        self,
        store: Store,
        conversation_id: int,
        provider: Provider,
        model: str,
        *,
        system_prompt: str | None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        thinking_budget: int | None = None,
        sleep: Callable[[float], object] = asyncio.sleep,
    ) -> None:
        self.store = store
        self.conversation_id = conversation_id
        self.provider = provider
        self.model = model
        self.system_prompt = system_prompt
        self.temperature = temperature
        self.max_tokens = max_tokens
        # Tokens the model may spend thinking first (Anthropic's extended thinking); None: off.
        self.thinking_budget = thinking_budget
        self._sleep = sleep

    async def send(
        self, text: str, listener: Listener, *, artifact_origin: str | None = None
    ) -> StoredMessage:
        """Store the user's message at once, then stream the reply to it.

        artifact_origin: how versions made by this reply are recorded ("fix" for a Fix
        request); by default "full" for whole artifacts and "edit" for applied edits.
        """
        return await self._send(text, listener, artifact_origin, automatic=False)

    async def _send(
        self, text: str, listener: Listener, origin: str | None, *, automatic: bool
    ) -> StoredMessage:
        user = self.store.add_message(self.conversation_id, "user", text)
        self._title_from_first_prompt(text)
        return await self._run_turn(user, listener, origin, automatic=automatic)

    async def retry(self, message_id: int, listener: Listener) -> StoredMessage:
        """Replace the last reply, when it failed, stopped or came back empty, with a fresh one.

        Raises RetryRefused (one sentence) for anything else, whatever the caller asked: see
        :func:`app.retry_policy.retry_refusal`.
        """
        refusal = retry_refusal(self.store, self.conversation_id, message_id)
        if refusal is not None:
            raise RetryRefused(refusal)
        self.store.delete_message(message_id)
        # Answering a prompt the user may not have typed (an automatic one): never repair.
        return await self._run_turn(None, listener)

    async def continue_reply(self, message_id: int, listener: Listener) -> StoredMessage:
        """Resume a reply that was cut off (the length limit): new text is appended to it.

        What the reply already holds is replayed to the listener first, so the screen shows
        it again; an artifact cut mid-way is completed in place, not written twice.
        """
        message = self.store.get_message(message_id)
        if message is None:
            raise LookupError(f"message {message_id} does not exist")
        self.store.update_message(message_id, status="streaming", error="")
        listener(TurnStarted(None, message_id, self.model))
        reply = _Reply(message_id, reasoning=[message.reasoning] if message.reasoning else [])
        reply.replayed_versions = [
            v
            for v in self.store.artifact_versions(self.conversation_id)
            if v.message_id == message_id
        ]
        if message.reasoning:
            listener(Reasoning(message.reasoning))
        reply.replaying = True
        reply.text.append(message.content)
        reply.chars = len(message.content) + len(message.reasoning or "")
        for segment in reply.parser.feed(message.content):
            self._on_segment(segment, reply, listener)
        reply.replaying = False
        return await self._stream_with_retries(reply, listener, self._request(message))

    async def _run_turn(
        self,
        user: StoredMessage | None,
        listener: Listener,
        origin: str | None = None,
        *,
        automatic: bool = True,
    ) -> StoredMessage:
        assistant = self.store.add_message(
            self.conversation_id,
            "assistant",
            "",
            status="streaming",
            model=self.model,
            provider=self.provider.name,
        )
        listener(TurnStarted(user, assistant.id, self.model))
        reply = _Reply(assistant.id, origin=origin, automatic=automatic)
        final = await self._stream_with_retries(reply, listener, self._request())
        if automatic or not reply.failed_edits or final.status != "complete":
            return final  # at most one automatic follow-up per message the user sent
        # An edit that cannot apply is never guessed at: ask once for a full version.
        listener(EditRepair(True, _REPAIR_ASKED))
        prompt = _repair_prompt(reply.failed_edits)
        return await self._send(prompt, listener, origin, automatic=True)

    async def _stream_with_retries(
        self, reply: _Reply, listener: Listener, request: ChatRequest
    ) -> StoredMessage:
        attempt = 0
        while True:
            attempt += 1
            try:
                await self._stream_once(request, reply, listener)
            except ProviderError as error:
                if error.retryable and not reply.received:
                    if attempt < MAX_ATTEMPTS:
                        wait = backoff_delay(attempt, getattr(error, "retry_after", None))
                        listener(Retrying(wait, attempt, str(error)))
                        await self._sleep(wait)
                        continue
                    _say_gave_up(error, attempt)
                return self._end(reply, listener, error=error)
            except asyncio.CancelledError:
                # Deleted while it streamed (the sidebar stops the turn first): nothing to keep.
                if self.store.get_conversation(self.conversation_id) is not None:
                    self._end(reply, listener, stopped=True)
                raise
            except Exception as error:  # noqa: BLE001 - a bug must end the reply, visibly
                return self._end_unexpectedly(reply, listener, error)
            return self._end(reply, listener)

    def _end_unexpectedly(
        self, reply: _Reply, listener: Listener, error: Exception
    ) -> StoredMessage:
        """Easel failed, not the API: keep what arrived and say what broke in one sentence."""
        log.error("a turn failed", exc_info=error)
        failure = UnexpectedError(
            f"Easel failed while handling this reply ({type(error).__name__}: {error}); "
            "what arrived is kept."
        )

        def quiet(event: SessionEvent) -> None:
            # The listener may be what failed: ending the reply must not depend on it.
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - already failing; keep the reply
                log.exception("the listener failed on %s", type(event).__name__)

        try:
            return self._end(reply, quiet, error=failure)
        except Exception:
            # Nothing can be stored (the store itself failed): the caller says it.
            log.exception("the failed reply could not be stored")
            raise error from None

    async def _stream_once(self, request: ChatRequest, reply: _Reply, listener: Listener) -> None:
        last_checkpoint = time.monotonic()
        async for event in self.provider.stream(request):
            if isinstance(event, TextDelta):
                reply.received = True
                if reply.reasoning_started is not None and reply.reasoning_ended is None:
                    reply.reasoning_ended = time.monotonic()
                reply.text.append(event.text)
                reply.chars += len(event.text)
                self._feed(reply.parser.feed(event.text), reply, listener)
            elif isinstance(event, ReasoningDelta):
                reply.received = True
                if reply.reasoning_started is None:
                    reply.reasoning_started = time.monotonic()
                reply.reasoning.append(event.text)
                reply.chars += len(event.text)
                listener(Reasoning(event.text))
            elif isinstance(event, Usage):
                reply.input_tokens = event.input_tokens or reply.input_tokens
                reply.output_tokens = event.output_tokens or reply.output_tokens
                listener(UsageUpdate(reply.input_tokens, reply.output_tokens))
            elif isinstance(event, Finished):
                reply.finish_reason = event.reason
            if time.monotonic() - last_checkpoint >= checkpoint_interval(reply.chars):
                self._checkpoint(reply)
                last_checkpoint = time.monotonic()
        self._close_parser(reply, listener)

    def _close_parser(self, reply: _Reply, listener: Listener) -> None:
        """End of the reply, however it ended: an unclosed artifact is kept, incomplete."""
        if reply.parser_closed:
            return
        reply.parser_closed = True
        self._feed(reply.parser.close(), reply, listener)

    def _feed(self, segments: list[Segment], reply: _Reply, listener: Listener) -> None:
        for segment in segments:
            self._on_segment(segment, reply, listener)
        if reply.parser.spilled and not reply.limit_said and not reply.replaying:
            reply.limit_said = True
            listener(ArtifactLimitReached(MAX_ARTIFACTS_PER_REPLY))

    def _on_segment(self, segment: Segment, reply: _Reply, listener: Listener) -> None:
        listener(ParsedSegment(segment))
        if isinstance(segment, ArtifactOpened):
            reply.opened[segment.identifier] = (segment.type, segment.title)
        elif reply.replaying and isinstance(segment, ArtifactClosed | EditClosed):
            # Already stored when it first arrived: show it again, store nothing.
            if reply.replayed_versions:
                listener(ArtifactSaved(reply.replayed_versions.pop(0)))
        elif isinstance(segment, ArtifactClosed):
            self._save_artifact(segment, reply, listener)
        elif isinstance(segment, EditClosed):
            self._apply_edit(segment, reply, listener)

    def _save_artifact(self, closed: ArtifactClosed, reply: _Reply, listener: Listener) -> None:
        # No checkpoint here: the version row is the artifact's record, and the reply's text
        # is written on the clock (one per close made 1,500 tiny artifacts quadratic).
        cut = self._cut_version(closed.identifier, reply)
        opened = reply.opened.get(closed.identifier, ("text/html", closed.identifier))
        try:
            if cut is not None:
                version = self.store.complete_artifact_version(
                    cut.id, closed.content, complete=closed.complete
                )
            else:
                version = self.store.add_artifact_version(
                    self.conversation_id,
                    closed.identifier,
                    opened[0],
                    opened[1],
                    closed.content,
                    origin=reply.origin or "full",
                    message_id=reply.message_id,
                    complete=closed.complete,
                )
        except StoreError as error:
            reply.version_error = error  # its text is in the reply, written when there is room
            return
        listener(ArtifactSaved(version))

    def _cut_version(self, identifier: str, reply: _Reply) -> ArtifactVersion | None:
        """The incomplete version this (continued) reply left of an artifact, if any."""
        for version in reply.replayed_versions:
            if version.identifier == identifier and not version.complete:
                reply.replayed_versions.remove(version)
                return version
        return None

    def _apply_edit(self, edit: EditClosed, reply: _Reply, listener: Listener) -> None:
        latest = self.store.latest_artifact(self.conversation_id, edit.identifier)
        if latest is None:
            failure = EditFailed(edit.identifier, f"there is no artifact “{edit.identifier}” yet")
        elif not edit.complete:
            failure = EditFailed(edit.identifier, "the edit was cut off before it ended")
        else:
            try:
                content = apply_edit(latest.content, edit.pairs)
            except EditError as error:
                failure = EditFailed(edit.identifier, str(error))
            else:
                try:
                    version = self.store.add_artifact_version(
                        self.conversation_id,
                        latest.identifier,
                        latest.type,
                        latest.title,
                        content,
                        origin=reply.origin or "edit",
                        message_id=reply.message_id,
                    )
                except StoreError as error:
                    reply.version_error = error
                    return
                listener(ArtifactSaved(version))
                return
        reply.failed_edits.append(failure)
        listener(failure)
        if reply.automatic and len(reply.failed_edits) == 1:
            # No follow-up will be asked for this reply: say so now, before it ends.
            listener(EditRepair(False, _REPAIR_STOPPED))

    def _checkpoint(self, reply: _Reply) -> None:
        try:
            self.store.update_message(
                reply.message_id, content=reply.content, reasoning="".join(reply.reasoning)
            )
        except StoreError as error:
            # Kept in memory; the next checkpoint (or the end) writes it if room is made.
            log.warning("checkpoint failed: %s", error)

    def _end(
        self,
        reply: _Reply,
        listener: Listener,
        *,
        error: ProviderError | None = None,
        stopped: bool = False,
    ) -> StoredMessage:
        self._close_parser(reply, listener)
        if error is not None:
            status = "incomplete" if reply.text else "error"
        elif stopped:
            status = "incomplete"
        else:
            status = "complete"
        note = str(error) if error else ("Stopped." if stopped else "")
        try:
            self.store.update_message(
                reply.message_id,
                content=reply.content,
                reasoning="".join(reply.reasoning),
                status=status,
                error=note,
                input_tokens=reply.input_tokens,
                output_tokens=reply.output_tokens,
                reasoning_seconds=reply.reasoning_seconds(),
                finish_reason=reply.finish_reason,
            )
        except StoreError as store_error:
            return self._end_unsaved(reply, listener, store_error)
        if reply.version_error is not None:
            return self._end_unsaved(reply, listener, reply.version_error)
        message = self._message(reply.message_id)
        listener(TurnEnded(message, error, stopped))
        return message

    def _end_unsaved(self, reply: _Reply, listener: Listener, error: StoreError) -> StoredMessage:
        """The store refused the reply's text: say so; the store keeps its last checkpoint."""
        sentence = f"{error} The reply is shown as it arrived, but not all of it is saved."
        try:
            # A small write (no text) may still fit; then the row says what happened.
            self.store.update_message(reply.message_id, status="incomplete", error=sentence)
        except StoreError:
            log.warning("could not mark message %s incomplete", reply.message_id)
        message = replace(
            self._message(reply.message_id),
            content=reply.content,
            reasoning="".join(reply.reasoning),
            status="incomplete",
            error=sentence,
        )
        listener(TurnEnded(message, error, stopped=False))
        return message

    def _message(self, message_id: int) -> StoredMessage:
        message = self.store.get_message(message_id)
        if message is None:
            raise LookupError(f"message {message_id} vanished from the store")
        return message

    def _request(self, continuing: StoredMessage | None = None) -> ChatRequest:
        messages, system = build_messages(
            self.store, self.conversation_id, self.system_prompt, continuing=continuing
        )
        return ChatRequest(
            model=self.model,
            messages=messages,
            system=system,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            thinking_budget=self.thinking_budget,
        )

    def _title_from_first_prompt(self, text: str) -> None:
        conversation = self.store.get_conversation(self.conversation_id)
        if conversation is not None and conversation.title in ("", "New chat"):
            first_line = " ".join(text.split())[:60]
            self.store.rename_conversation(self.conversation_id, first_line or "New chat")


def _say_gave_up(error: ProviderError, attempts: int) -> None:
    """The error's sentence, plus that Easel stopped retrying (so the user knows it tried)."""
    error.message = f"{error.message.rstrip()} Gave up after {attempts} attempts."
    error.args = (error.message,)


_REPAIR_ASKED = "Asking the model once for a full version instead."
_REPAIR_STOPPED = (
    "Easel does not ask again by itself: it asks for a full version only once per message you "
    "send. Ask for the whole artifact if you still want the change."
)


def _repair_prompt(failures: list[EditFailed]) -> str:
    lines = [f"- `{failure.identifier}`: {failure.reason}" for failure in failures]
    return (
        "Your edit could not be applied, so nothing changed:\n"
        + "\n".join(lines)
        + "\nPlease send the complete, updated artifact as a full <artifact> with the same "
        "identifier instead of an edit."
    )
