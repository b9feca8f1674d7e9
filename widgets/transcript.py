"""The chat transcript: a trusted web page fed batched updates at frame rate.

Python owns the state and pushes operations into ``assets/transcript/transcript.html`` with
``runJavaScript``; every value goes through :func:`js_call`, which JSON-encodes it. The page's
buttons come back as actions through :class:`widgets.transcript_page.TranscriptPage`, only when
they carry the page's secret nonce (a link in the model's text cannot). Streaming text is buffered and rendered by :mod:`app.markdown` once
per frame, so a fast stream costs one Markdown step per frame and one ``runJavaScript`` per
page update (streamed text reaches the page at most 25 times a second, a firehose's 4 times:
widgets/page_pacer.py). A step
takes at most ~8 KB of new text: what waits (a stream faster than rendering, a stored 50 MB
reply) is rendered a step per frame, also after the message ends, until `rendering` is False.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from app.attachment_model import Attachment
from app.i18n import translate
from app.markdown import MarkdownRenderer
from sandbox.links import confirm_and_open
from sandbox.page_appearance import load_followed
from widgets.language import CHINESE, running_language
from widgets.page_pacer import PagePacer
from widgets.throttle import Throttle
from widgets.transcript_flow import (
    GLOBAL_OPS,
    MessageFlow,
    js_call,
    queue_op,
    tool_preview,
)
from widgets.transcript_page import PAGE, TranscriptPage
from widgets.transcript_prose import MessageProse
from widgets.transcript_strings import page_strings

if TYPE_CHECKING:  # the Markdown worker's modules load with it, after the first frame
    from app.markdown_remote import MarkdownWorker
    from widgets.transcript_worker import WorkerLink

log = logging.getLogger(__name__)


class TranscriptView(QWebEngineView):
    """The conversation as a web page: messages, reasoning, artifact cards, notices."""

    # The page finished loading and the calls queued before it were sent.
    ready = Signal()
    # The user asked for an action: action, message key, argument ("copy" is done already).
    actionRequested = Signal(str, str, str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        renderer: MarkdownRenderer | None = None,
        interval_ms: int = 16,
        page: TranscriptPage | None = None,
    ) -> None:
        """page: the transcript's page, already loading (widgets/early_start.py); else one is
        made and loaded here."""
        super().__init__(parent)
        loading = page is not None
        if page is None:
            # Off the record and not the default profile: the transcript shares nothing with
            # artifacts or anything else. Parented after the page so the page is deleted first.
            profile = QWebEngineProfile()
            page = TranscriptPage(profile, self)
            profile.setParent(self)
        else:
            page.setParent(self)  # its profile is its child: deleted after it
        page.actionClicked.connect(self._on_action)
        # A model's link may carry data in its address: the user sees it before it opens.
        page.externalLinkClicked.connect(
            lambda url: confirm_and_open(self, url, translate("Transcript", "The reply"))
        )
        page.loadFinished.connect(self._on_load_finished)
        page.renderProcessTerminated.connect(self._forget_applying)
        self.setPage(page)
        self._page = page
        self._messages: dict[str, MessageFlow] = {}
        # Keys of messages that may have text waiting: a frame visits these, not all messages
        # (visiting 2,000 stored ones per frame, and per message shown, made opening quadratic).
        self._active: set[str] = set()
        self._ops: list[list[Any]] = []
        self._held = 0  # inside batched(): flush() renders but sends once, at the end
        # Updates the page has not finished applying. A frame sends nothing while one is: a
        # page slower than the frame rate (thousands of messages) gets fewer, larger updates
        # instead of a queue that kept it seconds behind the window.
        self._applying = 0
        self._forced = False  # flush(): send even while an update is being applied
        self._before = ""  # inside batched(before=...): where new messages are placed
        self._loaded = False
        self._throttle = Throttle(self._send, interval_ms, self)
        self._pacer = PagePacer(interval_ms)  # streamed text reaches the page less often
        # Streamed characters queued since the last frame outside the Markdown (reasoning, a
        # streaming card's progress): paced like the text.
        self._streamed = 0
        # The messages' Markdown, rendered here or by the worker, as page operations.
        self._prose = MessageProse(
            renderer or MarkdownRenderer(),
            self._messages,
            lambda op: queue_op(self._ops, op),
            self._active.add,
            self._throttle.trigger,
            lambda: self._pacer.firehose,
        )
        # An early page may have loaded before this view existed: it is ready once shown.
        self._loaded_unseen = loading and page.first_load is not None
        if not loading:
            load_followed(page, page.home)  # under the app's colour scheme (page_appearance)

    # -- public API --------------------------------------------------------------------------

    def defer_highlighting(self) -> None:
        """Until highlight_deferred(), show code plain where its lexer would need compiling."""
        self._prose.defer_highlighting()

    def highlight_deferred(self) -> None:
        """Highlight the code shown plain since defer_highlighting(), and stop deferring."""
        for op in self._prose.highlight_deferred():
            self._push(op)

    def use_markdown_worker(self, worker: MarkdownWorker) -> WorkerLink:
        """Render streaming replies' Markdown in this worker process from now on (once it
        is ready: the link's `settled`)."""
        link = self._prose.use_worker(worker, self)
        link.caught_up.connect(self.flush)  # a reply's last HTML goes without waiting a frame
        return link

    def stop_markdown_worker(self) -> None:
        """End the worker (what it still owed is rendered here)."""
        self._prose.stop_worker()

    def clear(self) -> None:
        """Remove every message."""
        for message in self._messages.values():
            self._prose.forget(message)
        self._messages.clear()
        self._active.clear()
        self._push(["clear"])

    def add_message(self, key: str, role: str, *, header: str = "") -> None:
        """Start a message; role "user", "assistant" or "error"; header e.g. the model name."""
        self._messages[key] = MessageFlow(role, key)
        op: list[Any] = ["add", key, role, header]
        if self._before:
            op.append(self._before)
        self._push(op)

    def append_text(self, key: str, text: str) -> None:
        """Stream text into the message: Markdown (escaped plain text for user messages)."""
        message = self._messages.get(key)
        if message is None or not text:
            return
        message.source.append(text)
        if message.role == "user":
            self._push(["userText", key, text])
            return
        self._end_reasoning(key, message)
        message.pending += text
        self._active.add(key)
        self._throttle.trigger()

    def append_reasoning(self, key: str, text: str, *, seconds: float | None = None) -> None:
        """Stream text into the message's collapsible "Thinking" section.

        seconds: how long the model thought, for a stored reply shown again (a streaming one is
        timed here, from its first reasoning to its first text).
        """
        message = self._messages.get(key)
        if message is None or not text:
            return
        if message.reasoning_started is None:
            message.reasoning_started = time.monotonic() - (seconds or 0.0)
            message.reasoning_open = True
        self._streamed += len(text)
        self._push(["reasoning", key, text])

    def add_files(self, key: str, files: Sequence[Attachment]) -> None:
        """Chips for the files sent with a user message: their names, always as plain text."""
        if files and key in self._messages:
            self._push(["files", key, [[f.label(), f.kind] for f in files]])

    def add_artifact_card(
        self, key: str, identifier: str, title: str, type: str, version: int, state: str
    ) -> None:
        """Place an artifact card at this point of the message's flow."""
        if self._prose.close_segment(key):
            self._push(["card", key, identifier, title, type, version, state])

    def update_artifact_card(
        self,
        key: str,
        identifier: str,
        *,
        state: str | None = None,
        version: int | None = None,
        progress: str = "",
    ) -> None:
        """Change the latest card of `identifier` in the message (state, version, progress)."""
        if key in self._messages:
            if state is None and version is None:
                self._streamed += len(progress)  # progress alone: it comes with every chunk
            self._push(["cardUpdate", key, identifier, state, version, progress])

    def add_notice(
        self,
        key: str,
        text: str,
        *,
        kind: str = "info",
        actions: Sequence[tuple[str, str]] = (),
    ) -> None:
        """A line in the message (kind "info", "warning", "error") with (action, label) buttons."""
        if self._prose.close_segment(key):
            self._push(["notice", key, text, kind, [list(pair) for pair in actions]])

    def add_tool_card(self, key: str, call_id: int, name: str, server: str, arguments: str) -> None:
        """Place a tool call's card at this point of the message's flow (once per call)."""
        if self._prose.close_segment(key):
            self._push(["toolCard", key, call_id, name, server, arguments])

    def update_tool_card(
        self, key: str, call_id: int, state: str, result: str | None, seconds: float | None
    ) -> None:
        """A tool card's state; "waiting" shows the approval buttons. result: plain text."""
        if key in self._messages:
            shown = None if result is None else tool_preview(result)
            self._push(["toolUpdate", key, call_id, state, shown, seconds])

    def add_action(self, key: str, action: str, label: str) -> None:
        """A button of the app's own among the message's actions (once per action)."""
        if key in self._messages:
            self._push(["action", key, action, label])

    def set_branch(self, key: str, index: int, count: int, previous: str, next_: str) -> None:
        """The message's "‹ index+1/count ›" switcher; previous/next_: the arrows' tooltips."""
        if key in self._messages:
            self._push(["branch", key, index, count, previous, next_])

    def set_message_state(self, key: str, state: str) -> None:
        """Set the state: "streaming" (typing dots), "complete", "incomplete" (badge), "error"."""
        if key in self._messages:
            self._messages[key].live = state == "streaming"
            self._push(["state", key, state])

    def set_message_footer(self, key: str, text: str) -> None:
        """A quiet line under the message, e.g. "1,234 tokens · 56 tok/s"."""
        if key in self._messages:
            self._push(["footer", key, text])

    def finish_message(self, key: str) -> None:
        """The message is complete: render what is left of its Markdown and send it now."""
        message = self._messages.get(key)
        if message is None:
            return
        self._end_reasoning(key, message)
        self._prose.close_segment(key)
        self._pacer.settle()  # the rest of a long reply is not held for a firehose's frame
        self.flush()

    def rekey_message(self, old: str, new: str) -> None:
        """Give a message a new key (e.g. once it is stored)."""
        message = self._messages.pop(old, None)
        if message is not None:
            self._messages[new] = message
            message.key = new
            if old in self._active:
                self._active.discard(old)
                self._active.add(new)
            self._push(["rekey", old, new])

    def has_message(self, key: str) -> bool:
        """Whether the transcript shows a message with this key."""
        return key in self._messages

    def remove_actions(self, action: str) -> None:
        """Take every button of one action off the page (e.g. Retry once a newer turn starts)."""
        self._push(["dropActions", action])

    def remove_message(self, key: str) -> None:
        """Remove one message."""
        message = self._messages.pop(key, None)
        if message is not None:
            self._prose.forget(message)
            self._active.discard(key)
            self._push(["remove", key])

    def scroll_to_bottom(self) -> None:
        """Scroll to the end and follow new content again."""
        self._push(["scroll"])

    def reveal_message(self, message_id: int) -> None:
        """Scroll a stored message into view and highlight it for a moment (a search hit)."""
        self._push(["reveal", f"m{message_id}"])  # stored messages' keys: chat.message_key

    def set_empty_state(self, html: str) -> None:
        """Trusted HTML from the app, shown centred while there are no messages."""
        self._push(["empty", html])

    def code_block(self, key: str, index: int) -> str | None:
        """The source of code block `index` of a message (as in the actions' argument)."""
        message = self._messages.get(key)
        if message is None:
            return None
        self._prose.render_pending(key, message)
        return self._prose.code_block(message, index)

    def last_code_block(self) -> str | None:
        """The source of the last code block of the last reply on screen (Ctrl+Shift+C)."""
        replies = [key for key, m in self._messages.items() if m.role == "assistant"]
        if not replies:
            return None
        message = self._messages[replies[-1]]
        self._prose.render_pending(replies[-1], message)
        return self._prose.last_code_block(message)

    def message_text(self, key: str) -> str:
        """Everything appended to a message with append_text, as written."""
        message = self._messages.get(key)
        return "".join(message.source) if message else ""

    @property
    def rendering(self) -> bool:
        """Whether text given to the view still waits to be rendered (a step per frame)."""
        return self._prose.worker_busy or any(self._messages[key].waits for key in self._active)

    @property
    def shown(self) -> bool:
        """Whether the page has applied everything given to the view (nothing rendering,
        queued, or sent and not yet applied)."""
        return not self.rendering and not self._ops and not self._applying

    def flush(self) -> None:
        """Push pending updates now (text still waiting goes on over the next frames)."""
        self._throttle.trigger()
        if not self._held:
            self._forced = True
            self._throttle.flush()
            self._forced = False

    @contextmanager
    def batched(self, *, before: str = "", at_once: bool = True) -> Iterator[None]:
        """Show many messages as one update to the page, sent when the block ends.

        before: the key of a shown message; messages added in the block go before it (older
        messages shown after the newer ones, see widgets/transcript_loader.py).
        at_once: False leaves the update to the next frame, with whatever else comes by then
        (each update makes the page lay itself out again: fewer are cheaper).
        """
        outer = self._before
        self._held += 1
        self._before = before if before in self._messages else outer
        try:
            yield
        finally:
            self._held -= 1
            self._before = outer
        if at_once:
            self.flush()
        else:
            self._throttle.trigger()

    def run_js_for_test(self, script: str, callback: Callable[[Any], None]) -> None:
        """Run a script in the page and hand its result to callback."""
        self.page().runJavaScript(script, 0, callback)

    # -- batching ----------------------------------------------------------------------------

    def _push(self, op: list[Any]) -> None:
        # Text waiting for the frame goes first, so the page sees everything in order.
        if len(op) > 1 and op[0] not in GLOBAL_OPS:
            message = self._messages.get(op[1])
            if message is not None:
                self._prose.render_pending(op[1], message)
        queue_op(self._ops, op)
        self._throttle.trigger()

    def _send(self) -> None:
        # Markdown renders every frame; streamed text reaches the page less often (page_pacer.py).
        active = [(key, self._messages.get(key)) for key in list(self._active)]
        pending = sum(len(m.pending) for _key, m in active if m is not None)
        self._pacer.rendered(pending + self._streamed)
        self._streamed = 0
        for key, message in active:
            if message is not None:
                self._prose.render_pending(key, message)
                self._prose.step_closing(key, message)
            if message is None or not message.waits:
                self._active.discard(key)
        if self._active:
            self._throttle.trigger()  # the rest next frame: the loop turns in between
        if not self._loaded or not self._ops:
            return  # queued until the page has loaded
        if self._applying and not self._forced:
            return  # sent with what comes next, once the page has applied the last update
        if not self._forced and not self._pacer.due():
            self._throttle.trigger()  # held for the next page update (page_pacer.py)
            return
        ops, self._ops = self._ops, []
        self._pacer.updated()
        self._applying += 1
        self.page().runJavaScript(js_call("easel.apply", ops), 0, self._on_applied)

    def _on_applied(self, _count: object) -> None:
        self._applying = max(0, self._applying - 1)
        if self._ops and shiboken6.isValid(self._throttle):
            self._throttle.trigger()

    def _forget_applying(self, *_status: object) -> None:
        """A dead renderer answers nothing: updates wait for no answer from it."""
        self._applying = 0

    def _end_reasoning(self, key: str, message: MessageFlow) -> None:
        if message.reasoning_open and message.reasoning_started is not None:
            message.reasoning_open = False
            seconds = time.monotonic() - message.reasoning_started
            self._push(["reasoningDone", key, round(seconds, 1)])

    # -- page events -------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._loaded_unseen:
            # The page loaded before the window was built: ready now, as the window shows it
            # (its loadFinished came before anyone could listen to `ready`).
            self._loaded_unseen = False
            QTimer.singleShot(0, lambda: self._on_load_finished(bool(self._page.first_load)))

    def _on_load_finished(self, ok: bool) -> None:
        if self._loaded:
            return  # a refused navigation (an action, a link) also ends in loadFinished(False)
        if not ok:
            log.error("the transcript page failed to load: %s", PAGE)
            return
        self._loaded = True
        self._applying = 0
        # First of all, the secret the page's own buttons carry (see transcript_page.py).
        language = "zh-CN" if running_language() == CHINESE else "en"
        init = js_call("easel.init", self._page.nonce, page_strings(), language)
        self._page.runJavaScript(init, 0)
        self.flush()
        self.ready.emit()

    def _on_action(self, action: str, key: str, argument: str) -> None:
        if action == "copy":
            self._copy(key, argument)
        self.actionRequested.emit(action, key, argument)

    def _copy(self, key: str, argument: str) -> None:
        if argument:
            text = self.code_block(key, int(argument)) if argument.isdigit() else None
        else:
            text = self.message_text(key)
        if text is not None:
            QGuiApplication.clipboard().setText(text)
