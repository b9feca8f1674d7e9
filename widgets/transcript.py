"""The chat transcript: a trusted web page fed batched updates at frame rate.

Python owns the state and pushes operations into ``assets/transcript/transcript.html`` with
``runJavaScript``; every value goes through :func:`js_call`, which JSON-encodes it. The page's
buttons come back as actions through :class:`widgets.transcript_page.TranscriptPage`, only when
they carry the page's secret nonce (a link in the model's text cannot). Streaming text is buffered and rendered by :mod:`app.markdown` once
per frame, so a fast stream costs one Markdown step and one ``runJavaScript`` per frame. A step
takes at most ~16 KB of new text: what waits (a stream faster than rendering, a stored 50 MB
reply) is rendered a step per frame, also after the message ends, until `rendering` is False.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from app.markdown import IncrementalMarkdown, MarkdownRenderer
from sandbox.links import confirm_and_open
from widgets.throttle import Throttle
from widgets.transcript_page import PAGE, TranscriptPage

log = logging.getLogger(__name__)


def js_call(function: str, *args: Any) -> str:  # noqa: ANN401 - any JSON value
    """JavaScript that calls `function` (a name from our own page) with JSON-encoded args."""
    return f"{function}({', '.join(json.dumps(arg) for arg in args)})"


@dataclass
class _Message:
    """What Python keeps of one message: its Markdown state and its sources (for copying)."""

    role: str
    segment: IncrementalMarkdown | None = None  # the prose block text currently flows into
    segment_number: int = -1
    segments: list[IncrementalMarkdown] = field(default_factory=list)
    pending: str = ""  # text not yet rendered (rendered once per frame)
    closing: list[int] = field(default_factory=list)  # ended segments with text still waiting
    source: list[str] = field(default_factory=list)
    reasoning_started: float | None = None
    reasoning_open: bool = False


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
    ) -> None:
        super().__init__(parent)
        # Off the record and not the default profile: the transcript shares nothing with
        # artifacts or anything else. Parented after the page so the page is deleted first.
        profile = QWebEngineProfile()
        page = TranscriptPage(profile, self)
        profile.setParent(self)
        page.actionClicked.connect(self._on_action)
        # A model's link may carry data in its address: the user sees it before it opens.
        page.externalLinkClicked.connect(lambda url: confirm_and_open(self, url, "The reply"))
        page.loadFinished.connect(self._on_load_finished)
        self.setPage(page)
        self._page = page
        self._renderer = renderer or MarkdownRenderer()
        self._messages: dict[str, _Message] = {}
        self._ops: list[list[Any]] = []
        self._loaded = False
        self._throttle = Throttle(self._send, interval_ms, self)
        self.load(page.home)

    # -- public API --------------------------------------------------------------------------

    def clear(self) -> None:
        """Remove every message."""
        self._messages.clear()
        self._push(["clear"])

    def add_message(self, key: str, role: str, *, header: str = "") -> None:
        """Start a message; role "user", "assistant" or "error"; header e.g. the model name."""
        self._messages[key] = _Message(role)
        self._push(["add", key, role, header])

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
        self._push(["reasoning", key, text])

    def add_artifact_card(
        self, key: str, identifier: str, title: str, type: str, version: int, state: str
    ) -> None:
        """Place an artifact card at this point of the message's flow."""
        if self._close_segment(key):
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
        if self._close_segment(key):
            self._push(["notice", key, text, kind, [list(pair) for pair in actions]])

    def add_tool_card(self, key: str, call_id: int, name: str, server: str, arguments: str) -> None:
        """Place a tool call's card at this point of the message's flow (once per call)."""
        if self._close_segment(key):
            self._push(["toolCard", key, call_id, name, server, arguments])

    def update_tool_card(
        self, key: str, call_id: int, state: str, result: str | None, seconds: float | None
    ) -> None:
        """A tool card's state; "waiting" shows the approval buttons. result: plain text."""
        if key in self._messages:
            shown = None if result is None else _preview(result)
            self._push(["toolUpdate", key, call_id, state, shown, seconds])

    def set_message_state(self, key: str, state: str) -> None:
        """Set the state: "streaming" (typing dots), "complete", "incomplete" (badge), "error"."""
        if key in self._messages:
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
        self._close_segment(key)
        self.flush()

    def rekey_message(self, old: str, new: str) -> None:
        """Give a message a new key (e.g. once it is stored)."""
        message = self._messages.pop(old, None)
        if message is not None:
            self._messages[new] = message
            self._push(["rekey", old, new])

    def has_message(self, key: str) -> bool:
        """Whether the transcript shows a message with this key."""
        return key in self._messages

    def remove_actions(self, action: str) -> None:
        """Take every button of one action off the page (e.g. Retry once a newer turn starts)."""
        self._push(["dropActions", action])

    def remove_message(self, key: str) -> None:
        """Remove one message."""
        if self._messages.pop(key, None) is not None:
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
        self._render_pending(key, message)
        for segment in message.segments:
            code = segment.code_block(index)
            if code is not None:
                return code
        return None

    def message_text(self, key: str) -> str:
        """Everything appended to a message with append_text, as written."""
        message = self._messages.get(key)
        return "".join(message.source) if message else ""

    @property
    def rendering(self) -> bool:
        """Whether text given to the view still waits to be rendered (a step per frame)."""
        return any(_waits(message) for message in self._messages.values())

    def flush(self) -> None:
        """Push pending updates now (text still waiting goes on over the next frames)."""
        self._throttle.trigger()
        self._throttle.flush()

    def run_js_for_test(self, script: str, callback: Callable[[Any], None]) -> None:
        """Run a script in the page and hand its result to callback."""
        self.page().runJavaScript(script, 0, callback)

    # -- batching ----------------------------------------------------------------------------

    def _push(self, op: list[Any]) -> None:
        # Text waiting for the frame goes first, so the page sees everything in order.
        if len(op) > 1 and op[0] not in _GLOBAL_OPS:
            message = self._messages.get(op[1])
            if message is not None:
                self._render_pending(op[1], message)
        if not _merge(self._ops, op):
            self._ops.append(op)
        self._throttle.trigger()

    def _send(self) -> None:
        for key, message in self._messages.items():
            self._render_pending(key, message)
            self._step_closing(key, message)
        if any(_waits(message) for message in self._messages.values()):
            self._throttle.trigger()  # the rest next frame: the loop turns in between
        if not self._loaded or not self._ops:
            return  # queued until the page has loaded
        ops, self._ops = self._ops, []
        self.page().runJavaScript(js_call("easel.apply", ops), 0)

    def _render_pending(self, key: str, message: _Message) -> None:
        if message.pending:
            text, message.pending = message.pending, ""
            segment = message.segment or self._open_segment(message)
            update = segment.append(text)
        elif message.segment is not None and message.segment.waiting:
            update = message.segment.step()
        else:
            return
        self._queue_prose(key, message, update.stable_html, update.tail_html)

    def _step_closing(self, key: str, message: _Message) -> None:
        """One step of each ended segment whose text is still waiting (see _close_segment)."""
        for number in list(message.closing):
            segment = message.segments[number]
            update = segment.step()
            self._queue_prose(key, message, update.stable_html, update.tail_html, number)
            if segment.done:
                message.closing.remove(number)

    def _open_segment(self, message: _Message) -> IncrementalMarkdown:
        """Start a new prose block; its code blocks are numbered after the earlier ones."""
        first = message.segments[-1].next_code_index if message.segments else 0
        message.segment = IncrementalMarkdown(self._renderer, first_code_index=first)
        message.segments.append(message.segment)
        message.segment_number += 1
        return message.segment

    def _close_segment(self, key: str) -> bool:
        """Finish the current prose block so that what comes next starts a new one."""
        message = self._messages.get(key)
        if message is None:
            return False
        if message.segment is None and message.pending:
            self._open_segment(message)
        if message.segment is not None:
            # Text not rendered yet goes into the final render: one Markdown pass, not two.
            text, message.pending = message.pending, ""
            update = message.segment.finish(text)
            # Queued even when empty: it places the segment's block before what follows it,
            # and the steps still to come (if much text waits) fill it in later frames.
            self._queue_prose(key, message, update.stable_html, update.tail_html)
            if not message.segment.done:
                message.closing.append(message.segment_number)
            message.segment = None
        return True

    def _queue_prose(
        self, key: str, message: _Message, stable: str, tail: str, number: int | None = None
    ) -> None:
        op = ["prose", key, message.segment_number if number is None else number, stable, tail]
        if not _merge(self._ops, op):
            self._ops.append(op)

    def _end_reasoning(self, key: str, message: _Message) -> None:
        if message.reasoning_open and message.reasoning_started is not None:
            message.reasoning_open = False
            seconds = time.monotonic() - message.reasoning_started
            self._push(["reasoningDone", key, round(seconds, 1)])

    # -- page events -------------------------------------------------------------------------

    def _on_load_finished(self, ok: bool) -> None:
        if self._loaded:
            return  # a refused navigation (an action, a link) also ends in loadFinished(False)
        if not ok:
            log.error("the transcript page failed to load: %s", PAGE)
            return
        self._loaded = True
        # First of all, the secret the page's own buttons carry (see transcript_page.py).
        self._page.runJavaScript(js_call("easel.init", self._page.nonce), 0)
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


TOOL_PREVIEW_CHARS = 4000  # of a result shown in its card (the model gets up to 60,000)


def _preview(result: str) -> str:
    if len(result) <= TOOL_PREVIEW_CHARS:
        return result
    return result[:TOOL_PREVIEW_CHARS] + f"\n… {len(result) - TOOL_PREVIEW_CHARS:,} more characters"


def _waits(message: _Message) -> bool:
    segment = message.segment
    return bool(message.pending or message.closing or (segment is not None and segment.waiting))


# Operations whose first argument is not a message key (as GLOBAL in transcript.js).
_GLOBAL_OPS = frozenset({"add", "clear", "empty", "scroll", "dropActions"})


def _merge(ops: list[list[Any]], op: list[Any]) -> bool:
    """Fold op into the last queued one when they concern the same text; True if folded."""
    if not ops:
        return False
    last = ops[-1]
    if op[0] == "prose" and last[0] == "prose" and last[1:3] == op[1:3]:
        last[3] += op[3]  # stable parts accumulate
        last[4] = op[4]  # the newest tail replaces the older one
        return True
    if op[0] in ("userText", "reasoning") and last[0] == op[0] and last[1] == op[1]:
        last[2] += op[2]
        return True
    return False
