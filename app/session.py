"""One conversation's turns: build the request, run the stream, emit events, persist.

The session is the only place that knows the order of things in a turn (DESIGN.md §2): the
user's message is stored before the request goes out; the reply is checkpointed about every
second (on the clock only: a checkpoint per artifact made many tiny artifacts quadratic; past a
few MB less often, see checkpoint_interval);
artifacts are stored as versions the moment they close, at most MAX_ARTIFACTS_PER_REPLY of
them (the rest stay text, said once); an error, a Stop or a crash leaves the partial reply
stored and marked incomplete. When the store cannot write (the disk is full), the reply goes
on in memory, each later checkpoint tries again, and the turn ends with the store's sentence.
With tools (`app.tools.loop`), a reply whose step made tool calls has them run and streams
the model's next step into the same reply, until a step makes no calls. It is pure asyncio
(no Qt), so the desktop window and `main.py ask` drive the very same code; both listen
through one callback. Nothing is replaced: Retry/Regenerate and Edit add siblings in the
conversation tree (app/store_tree.py), and every request is built from the current path only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from app.artifact_segments import ArtifactClosed, ArtifactOpened, EditClosed, Segment
from app.artifacts import MAX_ARTIFACTS_PER_REPLY
from app.attachment_model import Attachment
from app.attachment_store import save_attachments
from app.checkpoint_clock import checkpoint_interval
from app.edit_repair import REPAIR_ASKED, repair_prompt
from app.events import (
    Finished,
    ProviderError,
    ReasoningDelta,
    ReasoningSignature,
    TextDelta,
    ToolCallDelta,
    Usage,
)
from app.i18n import translate
from app.providers import ChatRequest, Provider
from app.providers.retry import MAX_ATTEMPTS, backoff_delay
from app.retry_policy import message_to_edit, question_to_answer
from app.session_artifacts import apply_edit_segment, save_artifact
from app.session_events import (
    ArtifactLimitReached,
    ArtifactSaved,
    EditFailed,  # noqa: F401 - re-exported for callers
    EditRepair,
    Listener,
    ParsedSegment,
    Reasoning,
    Retrying,
    SessionEvent,  # noqa: F401 - re-exported for callers
    ToolCallUpdate,
    ToolsUnavailable,
    TurnEnded,
    TurnStarted,
    UnexpectedError,
    UsageUpdate,
    quiet,
)
from app.session_reply import Reply
from app.session_request import turn_request
from app.store import Store, StoredMessage
from app.store_errors import StoreError
from app.store_tree import LEAF, Parent, end_path_at
from app.tools.calls import ToolCallAssembler
from app.tools.loop import StepPlace, ToolLoop
from app.tools.records import calls_of_message, split_steps
from app.vision import supports_vision

log = logging.getLogger(__name__)


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
        tools: ToolLoop | None = None,
        sleep: Callable[[float], object] = asyncio.sleep,
        vision: bool | None = None,
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
        # The tools offered to the model and the rules for running them; None: no tools.
        self.tools = tools
        self._sleep = sleep
        # Whether the model sees images; None: the known-model list (app/vision.py) decides.
        self.vision = vision

    async def send(
        self,
        text: str,
        listener: Listener,
        *,
        artifact_origin: str | None = None,
        attachments: tuple[Attachment, ...] = (),
    ) -> StoredMessage:
        """Store the user's message at once, then stream the reply to it.

        artifact_origin: how versions made by this reply are recorded ("fix" for a Fix
        request); by default "full" for whole artifacts and "edit" for applied edits.
        attachments: files sent with the message (read and checked by app.attachments),
        stored with it and replayed with it in every later request.
        """
        return await self._send(
            text, listener, artifact_origin, automatic=False, attachments=attachments
        )

    async def _send(
        self,
        text: str,
        listener: Listener,
        origin: str | None,
        *,
        automatic: bool,
        parent: Parent = LEAF,
        attachments: tuple[Attachment, ...] = (),
    ) -> StoredMessage:
        user = self.store.add_message(self.conversation_id, "user", text, parent_id=parent)
        try:
            save_attachments(self.store, self.conversation_id, user.id, attachments)
        except StoreError:
            # Never a message without the files it was sent with: the caller keeps both and
            # says why (a full disk); a second try starts clean.
            self.store.delete_message(user.id)
            raise
        self._title_from_first_prompt(text or " ".join(a.name for a in attachments))
        return await self._run_turn(user, listener, origin, automatic=automatic)

    async def retry(self, message_id: int, listener: Listener) -> StoredMessage:
        """A new reply beside this one, to the same question; the old reply is kept."""
        return await self.regenerate(listener, message_id)

    async def regenerate(self, listener: Listener, reply_id: int | None = None) -> StoredMessage:
        """A new reply (a sibling) to the question `reply_id` answered, or (None) to the last
        user message on the current path. The request holds the path up to that question only.

        Raises RetryRefused (one sentence) when there is nothing to answer: see
        :func:`app.retry_policy.question_to_answer`.
        """
        question = question_to_answer(self.store, self.conversation_id, reply_id)
        end_path_at(self.store, question.id)
        # The question may be an automatic prompt (a repair request): never repair again.
        return await self._run_turn(None, listener)

    async def edit(
        self,
        message_id: int,
        text: str,
        listener: Listener,
        *,
        attachments: tuple[Attachment, ...] = (),
    ) -> StoredMessage:
        """The user's message rewritten: a sibling of `message_id` (same parent), answered.

        Raises RetryRefused for a message that is not the user's or not in this conversation.
        """
        original = message_to_edit(self.store, self.conversation_id, message_id)
        return await self._send(
            text,
            listener,
            None,
            automatic=False,
            parent=original.parent_id,
            attachments=attachments,
        )

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
        reply = Reply(message_id, reasoning=[message.reasoning] if message.reasoning else [])
        reply.replayed_versions = [
            v
            for v in self.store.artifact_versions(self.conversation_id)
            if v.message_id == message_id
        ]
        if message.reasoning:
            listener(Reasoning(message.reasoning))
        reply.replaying = True
        reply.chars = len(message.content) + len(message.reasoning or "")
        calls = calls_of_message(self.store, message_id)
        reply.step = len({call.step for call in calls})  # new calls come after the old ones
        for text, step_calls in split_steps(message.content, calls):
            reply.text.append(text)
            for segment in reply.parser.feed(text):
                self._on_segment(segment, reply, listener)
            for call in step_calls:
                listener(ToolCallUpdate(call))
        reply.replaying = False
        request = await turn_request(self, message, await self._tool_definitions(listener))
        return await self._stream_with_retries(reply, listener, request)

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
        reply = Reply(assistant.id, origin=origin, automatic=automatic)
        request = await turn_request(self, tools=await self._tool_definitions(listener))
        final = await self._stream_with_retries(reply, listener, request)
        if automatic or not reply.failed_edits or final.status != "complete":
            return final  # at most one automatic follow-up per message the user sent
        # An edit that cannot apply is never guessed at: ask once for a full version.
        listener(EditRepair(True, REPAIR_ASKED))
        prompt = repair_prompt(reply.failed_edits)
        return await self._send(prompt, listener, origin, automatic=True)

    async def _stream_with_retries(
        self, reply: Reply, listener: Listener, request: ChatRequest
    ) -> StoredMessage:
        """Stream step after step until one makes no tool calls; the reply, ended."""
        started = self.tools.now() if self.tools else 0.0
        while True:
            ended = await self._attempts(reply, listener, request)
            if ended is not None:
                return ended
            try:
                request = await self._tool_step(reply, listener, started)
            except asyncio.CancelledError:
                if self.store.get_conversation(self.conversation_id) is not None:
                    self._end(reply, listener, stopped=True)
                raise
            except ProviderError as error:  # the loop's bound: the turn ends, said
                return self._end(reply, listener, error=error)
            except Exception as error:  # noqa: BLE001 - a bug must end the reply, visibly
                return self._end_unexpectedly(reply, listener, error)

    async def _tool_step(self, reply: Reply, listener: Listener, started: float) -> ChatRequest:
        """Run the calls the step made; the request for the model's next step."""
        assert self.tools is not None
        self.tools.check_bounds(reply.step, started)
        place = StepPlace(
            reply.step, len(reply.content), len("".join(reply.reasoning)), reply.signature
        )
        calls = reply.assembler.calls(reply.step)
        reply.assembler, reply.signature = ToolCallAssembler(), ""
        reply.step += 1
        reply.received = False  # a retry of the next step repeats nothing
        reply.separate = bool(reply.content) and not reply.content.endswith("\n")
        self._checkpoint(reply)  # the next request is built from the store
        await self.tools.run_step(
            self.store,
            self.conversation_id,
            reply.message_id,
            place,
            calls,
            lambda record: listener(ToolCallUpdate(record)),
        )
        return await turn_request(self, tools=await self.tools.definitions())

    async def _tool_definitions(self, listener: Listener) -> tuple:
        """The tools for a turn's first request; servers that cannot start are said once."""
        if self.tools is None:
            return ()
        definitions = await self.tools.definitions()
        if self.tools.registry.problems:
            listener(ToolsUnavailable(dict(self.tools.registry.problems)))
        return definitions

    async def _attempts(
        self, reply: Reply, listener: Listener, request: ChatRequest
    ) -> StoredMessage | None:
        """One step, retried as the API allows; None when it made tool calls to run."""
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
            if self.tools is not None and reply.assembler:
                return None  # even when the stream ended with finish_reason null (Kimi K2)
            return self._end(reply, listener)

    def _end_unexpectedly(
        self, reply: Reply, listener: Listener, error: Exception
    ) -> StoredMessage:
        """Easel failed, not the API: keep what arrived and say what broke in one sentence."""
        log.error("a turn failed", exc_info=error)
        failure = UnexpectedError(
            translate(
                "Session", "Easel failed while handling this reply ({error}); what arrived is kept."
            ).format(error=f"{type(error).__name__}: {error}")
        )
        try:
            # The listener may be what failed: ending the reply must not depend on it.
            return self._end(reply, quiet(listener), error=failure)
        except Exception:
            # Nothing can be stored (the store itself failed): the caller says it.
            log.exception("the failed reply could not be stored")
            raise error from None

    async def _stream_once(self, request: ChatRequest, reply: Reply, listener: Listener) -> None:
        last_checkpoint = time.monotonic()
        async for event in self.provider.stream(request):
            if isinstance(event, TextDelta):
                reply.received = True
                if reply.reasoning_started is not None and reply.reasoning_ended is None:
                    reply.reasoning_ended = time.monotonic()
                text = "\n\n" + event.text if reply.separate else event.text
                reply.separate = False  # the text after a tool step starts a new paragraph
                reply.text.append(text)
                reply.chars += len(text)
                self._feed(reply.parser.feed(text), reply, listener)
            elif isinstance(event, ToolCallDelta):
                reply.received = True
                reply.assembler.feed(event)
            elif isinstance(event, ReasoningSignature):
                reply.signature = event.signature
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

    def _close_parser(self, reply: Reply, listener: Listener) -> None:
        """End of the reply, however it ended: an unclosed artifact is kept, incomplete."""
        if reply.parser_closed:
            return
        reply.parser_closed = True
        self._feed(reply.parser.close(), reply, listener)

    def _feed(self, segments: list[Segment], reply: Reply, listener: Listener) -> None:
        for segment in segments:
            self._on_segment(segment, reply, listener)
        if reply.parser.spilled and not reply.limit_said and not reply.replaying:
            reply.limit_said = True
            listener(ArtifactLimitReached(MAX_ARTIFACTS_PER_REPLY))

    def _on_segment(self, segment: Segment, reply: Reply, listener: Listener) -> None:
        listener(ParsedSegment(segment))
        if isinstance(segment, ArtifactOpened):
            reply.opened[segment.identifier] = (segment.type, segment.title)
        elif reply.replaying and isinstance(segment, ArtifactClosed | EditClosed):
            # Already stored when it first arrived: show it again, store nothing.
            if reply.replayed_versions:
                listener(ArtifactSaved(reply.replayed_versions.pop(0)))
        elif isinstance(segment, ArtifactClosed):
            save_artifact(self.store, self.conversation_id, segment, reply, listener)
        elif isinstance(segment, EditClosed):
            apply_edit_segment(self.store, self.conversation_id, segment, reply, listener)

    def _checkpoint(self, reply: Reply) -> None:
        try:
            self.store.update_message(
                reply.message_id, content=reply.content, reasoning="".join(reply.reasoning)
            )
        except StoreError as error:
            # Kept in memory; the next checkpoint (or the end) writes it if room is made.
            log.warning("checkpoint failed: %s", error)

    def _end(
        self,
        reply: Reply,
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
        note = str(error) if error else (translate("Session", "Stopped.") if stopped else "")
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

    def _end_unsaved(self, reply: Reply, listener: Listener, error: StoreError) -> StoredMessage:
        """The store refused the reply's text: say so; the store keeps its last checkpoint."""
        sentence = translate(
            "Session", "{error} The reply is shown as it arrived, but not all of it is saved."
        ).format(error=error)
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

    def sees_images(self) -> bool:
        """Whether this session's model is sent images (else a note in their place)."""
        return self.vision if self.vision is not None else supports_vision(self.model)

    def _title_from_first_prompt(self, text: str) -> None:
        conversation = self.store.get_conversation(self.conversation_id)
        if conversation is not None and conversation.title in ("", "New chat"):
            first_line = " ".join(text.split())[:60]
            self.store.rename_conversation(self.conversation_id, first_line or "New chat")


def _say_gave_up(error: ProviderError, attempts: int) -> None:
    """The error's sentence, plus that Easel stopped retrying (so the user knows it tried)."""
    gave_up = translate("Session", "{error} Gave up after {attempts} attempts.")
    error.message = gave_up.format(error=error.message.rstrip(), attempts=attempts)
    error.args = (error.message,)
