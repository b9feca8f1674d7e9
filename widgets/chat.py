"""The chat controller: runs the current conversation's turns and shows them as they happen.

It owns no widget of its own; it binds the session's events to the transcript, the artifact
panel, the composer and the status line. One turn runs at a time, as an asyncio task that Stop
cancels; the session has already stored whatever arrived.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.artifact_content import slugify
from app.artifacts import extract_artifacts
from app.i18n import translate
from app.path_pages import PathMessage, PathPages
from app.retry_policy import RetryRefused, retry_refusal
from app.store import ArtifactVersion, Store, StoredMessage
from app.store_errors import StoreError
from app.tools.records import ToolCallRecord
from app.usage import Price
from widgets.artifact_panel import ArtifactPanel
from widgets.branch_actions import BranchActions
from widgets.chat_usage import conversation_usage
from widgets.composer import Composer
from widgets.message_keys import message_id_of, message_key
from widgets.stored_reply import show_outcome, show_stored_message
from widgets.tool_cards import ToolCards
from widgets.transcript import TranscriptView
from widgets.transcript_loader import TranscriptLoader
from widgets.welcome import welcome_html

if TYPE_CHECKING:
    from app.session import ChatSession
    from widgets.chat_turn import TurnView

log = logging.getLogger(__name__)

# Makes the session for a conversation (provider, key, prompt); raises ProviderError if it can't.
# app.session is imported when the first turn runs (widgets/app.py), not at start-up.
SessionFactory = Callable[[int], Awaitable["ChatSession"]]


class ChatController(QObject):
    """Runs turns for the conversation on screen."""

    # Something the status line shows (provider/model, tokens, speed).
    statusChanged = Signal(str)
    # The conversation list changed (a title, a new conversation, a new message).
    conversationsChanged = Signal()
    # A turn started (True) or ended (False).
    busyChanged = Signal(bool)

    def __init__(
        self,
        store: Store,
        transcript: TranscriptView,
        panel: ArtifactPanel,
        composer: Composer,
        session_factory: SessionFactory,
        prices: Callable[[], Mapping[str, Price]] = dict,
    ) -> None:
        super().__init__()
        self.prices = prices
        self.store = store
        self.transcript = transcript
        self.panel = panel
        self.composer = composer
        self.session_factory = session_factory
        self.conversation_id: int | None = None
        self.task: asyncio.Task[None] | None = None
        # Tool call cards and the approvals waiting on them (also the session's approver).
        self.tool_cards = ToolCards(transcript, message_key)
        # Edit, Regenerate and the ‹ 2/3 › switcher of the conversation tree.
        self.branches = BranchActions(store, transcript, composer, panel)
        # Shows a stored conversation's messages, the end first (see transcript_loader).
        self.loader = TranscriptLoader(transcript, self)
        composer.sendRequested.connect(self.send)
        composer.stopRequested.connect(self.stop)
        transcript.actionRequested.connect(self._on_action)
        panel.handEdited.connect(self.store_hand_edit)
        panel.restoreRequested.connect(self.restore_version)
        panel.fixRequested.connect(self.fix)

    @functools.cached_property
    def turn(self) -> TurnView:
        """The reply being streamed: the session's events on screen (widgets/chat_turn.py).

        Made at the first turn: its module and the session's event types are not needed for
        the first frame (widgets/warm_up.py imports them right after it)."""
        from widgets.chat_turn import TurnView

        return TurnView(self)

    # --- opening ---------------------------------------------------------------------------

    def open(self, conversation_id: int | None) -> None:
        """Show a stored conversation (None: a fresh, empty one not yet stored)."""
        if self.busy:
            self.stop()
        self.conversation_id = conversation_id
        self.composer.call_off_send()  # Send pressed for the conversation that was on screen
        self.branches.forget_edit()
        self.loader.cancel()
        self.tool_cards.forget_cards()
        self.transcript.clear()
        self.panel.clear(conversation_id)
        if conversation_id is None:
            self.transcript.set_empty_state(welcome_html())
            return
        # The end of the path now, older pages as they are shown (app/path_pages.py).
        path = PathPages(self.store, conversation_id)
        newest = path.older(self.loader.screenful())
        if not newest:
            self.transcript.set_empty_state(welcome_html())
        leaf = newest[-1].message.id if newest else None

        def show(item: PathMessage) -> None:
            message = item.message
            self._show_stored(message, item.versions, item.calls, last=message.id == leaf)
            self.transcript.add_files(message_key(message.id), item.files)
            points = {message.id: item.siblings} if item.siblings is not None else {}
            self.branches.decorate_message(message, points)

        # The visible end first, older messages in idle chunks (widgets/transcript_loader.py).
        self.loader.start(newest, path.older, lambda item: message_key(item.message.id), show)
        # Sent to the page already: what follows does not hold up its first paint.
        self.panel.load(self.store.path_versions(conversation_id))  # this branch's versions
        prices = self.prices()
        self.statusChanged.emit(conversation_usage(self.store, conversation_id, prices))

    def reveal(self, message_id: int) -> None:
        """Scroll to a message of the conversation on screen and mark it (a search hit)."""
        # An old message of a long conversation may not be on the page yet.
        self.loader.show_through(message_key(message_id))
        self.transcript.reveal_message(message_id)

    def conversation_usage(self) -> str:
        """Tokens (and cost, where priced) of the whole conversation on screen."""
        return conversation_usage(self.store, self.conversation_id, self.prices())

    def _show_stored(
        self,
        message: StoredMessage,
        versions: list[ArtifactVersion],
        calls: list[ToolCallRecord],
        *,
        last: bool,
    ) -> None:
        key = message_key(message.id)
        show_stored_message(self.transcript, self.tool_cards, key, message, versions, calls)
        if message.role == "assistant":
            self.show_outcome(key, message, last=last)

    def show_outcome(self, key: str, message: StoredMessage, *, last: bool) -> None:
        """The notice and footer under a stored reply (widgets/reply_outcome.py)."""
        show_outcome(self.transcript, key, message, self.prices(), last=last)

    # --- running a turn --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a reply is streaming."""
        return self.task is not None and not self.task.done()

    def send(self, text: str) -> None:
        """Send the composer's text, with the files in its tray, as the next user message."""
        files = self.composer.attachments()
        if self.busy or not (text.strip() or files):
            return
        editing = self.branches.take_edit()
        if editing is not None and self.conversation_id is not None:
            self.branches.clear_from(self.conversation_id, editing, keep=False)
            self._start(
                lambda session: session.edit(editing, text, self.turn.on_event, attachments=files)
            )
            return
        self._start(lambda session: session.send(text, self.turn.on_event, attachments=files))

    def fix(self, identifier: str, prompt: str) -> None:
        """Send an artifact's errors to the model; the version it makes is a "fix"."""
        if self.busy:
            return
        self._start(lambda session: session.send(prompt, self.turn.on_event, artifact_origin="fix"))

    def store_hand_edit(self, identifier: str, content: str) -> None:
        """The user's own edit of the code becomes the newest version (the model sees it)."""
        self._new_version(identifier, content, "hand")

    def restore_version(self, identifier: str, number: int) -> None:
        """An older version, stored again as the newest."""
        if self.conversation_id is None:
            return
        for version in self.store.artifact_versions(self.conversation_id, identifier):
            if version.version == number:
                self._new_version(identifier, version.content, "restore")

    def open_code_as_artifact(self, code: str) -> None:
        """A code block from the chat, run as an artifact of its own (the user asked)."""
        if self.conversation_id is None:
            return
        # The extractor sniffs the type and title from the content, as for any artifact.
        body = code.removesuffix("\n")  # a fenced block's source ends with its own newline
        [found] = extract_artifacts(f'<artifact identifier="snippet">\n{body}\n</artifact>')
        taken = {v.identifier for v in self.store.latest_artifacts(self.conversation_id)}
        base = slugify(found.title) if found.title != "snippet" else "snippet"
        identifier, n = base or "snippet", 2
        while identifier in taken:
            identifier, n = f"{base}-{n}", n + 1
        version = self.store.add_artifact_version(
            self.conversation_id,
            identifier,
            found.type,
            found.title if found.title != "snippet" else translate("Chat", "Code from the chat"),
            found.content,
            origin="hand",
        )
        self.panel.add_version(version)

    def _new_version(self, identifier: str, content: str, origin: str) -> None:
        if self.conversation_id is None:
            return
        latest = self.store.latest_artifact(self.conversation_id, identifier)
        if latest is None:
            return
        version = self.store.add_artifact_version(
            self.conversation_id, identifier, latest.type, latest.title, content, origin=origin
        )
        self.panel.add_version(version)

    def retry(self, message_id: int) -> None:
        """A new reply beside this one (a sibling; the old one stays a ‹ › away).

        Anything else is refused with a sentence (the session refuses it too).
        """
        if self.busy or self.conversation_id is None:
            return
        refusal = retry_refusal(self.store, self.conversation_id, message_id)
        if refusal is not None:
            self._notice_without_turn(refusal)
            return
        self.branches.clear_from(self.conversation_id, message_id, keep=False)
        self._start(lambda session: session.retry(message_id, self.turn.on_event))

    def continue_reply(self, message_id: int) -> None:
        """Resume a reply that was cut off at the length limit."""
        if self.busy:
            return
        self.transcript.remove_message(message_key(message_id))
        self._start(lambda session: session.continue_reply(message_id, self.turn.on_event))

    def stop(self) -> None:
        """Stop the streaming reply; what arrived stays, marked incomplete."""
        if self.busy and self.task is not None:
            self.task.cancel()

    def _start(self, run: Callable[[ChatSession], Awaitable[object]]) -> None:
        self.turn.reply_open = False
        self.task = asyncio.ensure_future(self._turn(run))
        self.composer.set_streaming(True)
        self.busyChanged.emit(True)

    async def _turn(self, run: Callable[[ChatSession], Awaitable[object]]) -> None:
        from app.events import ProviderError  # with the providers, after the first frame

        try:
            if self.conversation_id is None:
                self.conversation_id = self.store.create_conversation().id
                self.panel.clear(self.conversation_id)
                self.conversationsChanged.emit()
            session = await self.session_factory(self.conversation_id)
            await run(session)
        except (ProviderError, StoreError) as error:
            # Before anything was stored (no key, no provider, the disk full): the composer
            # keeps the text.
            self._notice_without_turn(str(error))
        except RetryRefused as error:
            self._notice_without_turn(str(error))
        except asyncio.CancelledError:
            pass
        except Exception as error:  # noqa: BLE001 - a bug in a turn is shown, never lost
            log.error("a turn failed", exc_info=error)
            self._show_failure(error)
        finally:
            self.composer.set_streaming(False)
            self.busyChanged.emit(False)
            self.conversationsChanged.emit()

    def _show_failure(self, error: Exception) -> None:
        """One sentence in the transcript; the reply so far and the composer's text stay."""
        text = translate("Chat", "Easel failed: {error}").format(
            error=f"{type(error).__name__}: {error}"
        )
        turn = self.turn
        if turn.reply_open and self.transcript.has_message(turn.reply_key):
            # The session could not end the reply itself (it says so when it can).
            turn.reply_open = False
            self.transcript.finish_message(turn.reply_key)
            self.transcript.set_message_state(turn.reply_key, "error")
            self.transcript.add_notice(
                turn.reply_key,
                translate("Chat", "{failure}. What arrived is shown above.").format(failure=text),
                kind="error",
            )
            self.transcript.scroll_to_bottom()
        else:
            kept = translate("Chat", " Your message is still in the box below.")
            kept = kept if self.composer.text().strip() else ""
            self._notice_without_turn(f"{text}.{kept}")

    def _notice_without_turn(self, text: str) -> None:
        key = f"notice-{time.monotonic_ns()}"
        self.transcript.add_message(key, "error")
        self.transcript.add_notice(key, text, kind="error")
        self.transcript.finish_message(key)
        self.transcript.scroll_to_bottom()

    # --- actions from the transcript -------------------------------------------------------

    def _on_action(self, action: str, key: str, argument: str) -> None:
        # The page only passes on its own buttons (they carry its nonce); still, an action must
        # name a message of the conversation on screen, or nothing (the welcome page's prompt).
        if action == "prompt":
            if not key:
                self.composer.set_text(argument)
                self.composer.focus()
            return
        if not self.transcript.has_message(key):
            log.warning("refused %r for %r: not a message on screen", action, key)
            return
        message_id = self._stored_message_id(key)
        if action in ("retry", "regenerate") and message_id is not None:
            self.retry(message_id)
        elif action == "edit" and message_id is not None and not self.busy:
            self.branches.begin_edit(self.store.get_message(message_id))
        elif action == "switch" and message_id is not None and not self.busy:
            if self.branches.switch(self.conversation_id, message_id, argument):
                self.open(self.conversation_id)
        elif action == "continue" and message_id is not None:
            self.continue_reply(message_id)
        elif action == "open-code-as-artifact" and argument.isdigit():
            code = self.transcript.code_block(key, int(argument))
            if code:
                self.open_code_as_artifact(code)
        elif action == "tool-approve":
            self.tool_cards.answer(key, argument)
        elif action == "open-artifact":
            identifier, _, version = argument.partition("@")
            self.panel.focus(identifier, int(version) if version.isdigit() else None)

    def _stored_message_id(self, key: str) -> int | None:
        """The id of the stored message behind a transcript key, if it is in this conversation."""
        message_id = message_id_of(key)
        if message_id is None or self.conversation_id is None:
            return None
        message = self.store.get_message(message_id)
        if message is None or message.conversation_id != self.conversation_id:
            return None
        return message.id
