"""The transcript's Markdown: each message's text rendered into its prose blocks, as page
operations for the next frame.

Text waits in `MessageFlow.pending` until a frame renders it, a step at a time
(app.markdown_stream.IncrementalMarkdown); a streaming reply's segments go to the Markdown worker
instead once it is ready (widgets/transcript_worker.py), and its answers come back as the same
"prose" operations. `TranscriptView` (widgets/transcript.py) owns the messages, the queue and
the frames; this module decides what each frame renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.markdown import MarkdownRenderer
from app.markdown_stream import IncrementalMarkdown
from widgets.transcript_flow import MessageFlow

# Text a streaming reply sends the Markdown worker in one request, at most (the rest waits for
# its answer, as one segment has one request in flight).
SEND_CHARS = 256 * 1024

if TYPE_CHECKING:  # the Markdown worker's modules load with it, after the first frame
    from PySide6.QtCore import QObject

    from app.markdown_remote import MarkdownWorker
    from widgets.transcript_flow import Segment
    from widgets.transcript_worker import WorkerLink


class MessageProse:
    """Renders the messages' waiting text, here or in the worker, into page operations."""

    def __init__(
        self,
        renderer: MarkdownRenderer,
        messages: dict[str, MessageFlow],
        queue: Callable[[list[Any]], None],
        waiting: Callable[[str], None],
        trigger: Callable[[], None],
        firehose: Callable[[], bool],
    ) -> None:
        """queue: queues a page operation; waiting: a message has text left for the next
        frames; trigger: asks for a frame; firehose: whether text arrives faster than anyone
        reads (widgets/page_pacer.py)."""
        self._renderer = renderer
        self._messages = messages
        self._queue = queue
        self._waiting = waiting
        self._trigger = trigger
        self._firehose = firehose
        self._worker: WorkerLink | None = None
        # Code blocks rendered plain at start-up, to highlight later: key -> index -> (lang, code).
        self._plain_code: dict[str, dict[int, tuple[str, str]]] = {}

    # -- highlighting deferred at start-up --------------------------------------------------------

    def defer_highlighting(self) -> None:
        """Until highlight_deferred(), show code plain where its lexer would need compiling."""
        self._renderer.defer_uncompiled = True

    def highlight_deferred(self) -> list[list[Any]]:
        """Stop deferring; the "code" operations that colour the code shown plain so far."""
        self._renderer.defer_uncompiled = False
        ops = [
            ["code", key, index, self._renderer.highlight_code(code, lang)]
            for key, blocks in self._plain_code.items()
            for index, (lang, code) in blocks.items()
        ]
        self._plain_code.clear()
        return ops

    # -- the worker -------------------------------------------------------------------------------

    def use_worker(self, worker: MarkdownWorker, parent: QObject) -> WorkerLink:
        """Render streaming replies in this worker from now on (once it is ready)."""
        from widgets.transcript_worker import WorkerLink

        if self._worker is not None:
            self._worker.stop()
        self._worker = WorkerLink(
            worker, self._renderer, self._messages, self._queue_answer, self._text_waits, parent
        )
        return self._worker

    def stop_worker(self) -> None:
        """End the worker; what it still owed is rendered here."""
        if self._worker is not None:
            self._worker.stop()

    @property
    def worker_busy(self) -> bool:
        """Whether the worker still owes HTML for text sent to it."""
        return self._worker is not None and self._worker.busy

    def forget(self, message: MessageFlow) -> None:
        """The message left the window (its plain code and the worker's answers with it)."""
        self._plain_code.pop(message.key, None)
        if self._worker is not None:
            self._worker.forget(message)

    # -- rendering ------------------------------------------------------------------------------

    def render_pending(self, key: str, message: MessageFlow) -> None:
        """Render a step of the message's waiting text (or send it to the worker)."""
        segment = message.segment
        if message.pending:
            segment = segment or self._open_segment(message)
            if self._worker is not None and self._worker.holds(segment, firehose=self._firehose()):
                return  # sent with what comes next: fewer wake-ups of the worker
            if isinstance(segment, IncrementalMarkdown):
                text, message.pending = message.pending, ""
            else:  # at most SEND_CHARS a request: the worker answers a huge reply in steps too
                text, message.pending = message.pending[:SEND_CHARS], message.pending[SEND_CHARS:]
            update = segment.append(text)
            if update is None:
                return  # the worker renders it (widgets/transcript_worker.py)
        elif segment is not None and segment.waiting:
            update = segment.step()
        else:
            return
        if segment.waiting:
            self._waiting(key)  # the rest in the next frames
        self._queue_prose(key, message, update.stable_html, update.tail_html)

    def step_closing(self, key: str, message: MessageFlow) -> None:
        """One step of each ended segment whose text is still waiting (see close_segment)."""
        for number in list(message.closing):
            segment = message.segments[number]
            update = segment.step()
            self._queue_prose(key, message, update.stable_html, update.tail_html, number)
            if segment.done:
                message.closing.remove(number)

    def close_segment(self, key: str) -> bool:
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
            if update is None:  # the worker renders it; its block is in place already
                message.segment = None
                return True
            # Queued even when empty: it places the segment's block before what follows it,
            # and the steps still to come (if much text waits) fill it in later frames.
            self._queue_prose(key, message, update.stable_html, update.tail_html)
            if not message.segment.done:
                message.closing.append(message.segment_number)
                self._waiting(key)
            message.segment = None
        return True

    def code_block(self, message: MessageFlow, index: int) -> str | None:
        """The source of the message's code block `index`."""
        return self._code_blocks(message).get(index)

    def last_code_block(self, message: MessageFlow) -> str | None:
        """The source of the message's last code block."""
        blocks = self._code_blocks(message)
        return blocks[max(blocks)] if blocks else None

    def _code_blocks(self, message: MessageFlow) -> dict[int, str]:
        """The message's code blocks by index, as far as its text goes: those of a segment the
        worker has not answered for yet are read from its text here (Ctrl+Shift+C right as a
        reply ends must not copy what the worker has yet to send)."""
        blocks: dict[int, str] = {}
        for segment in message.segments:
            if isinstance(segment, IncrementalMarkdown) or segment.done:
                committed, tail = segment.code_blocks()
                blocks.update(committed)
                blocks.update(tail)
                continue
            text = segment.text + (message.pending if segment is message.segment else "")
            first = max(blocks, default=-1) + 1
            tokens = self._renderer.parse(text, {"references": {}}, first)
            blocks.update(
                (token.meta["code_index"], token.content)
                for token in tokens
                if token.type in ("fence", "code_block")
            )
        return blocks

    def _open_segment(self, message: MessageFlow) -> Segment:
        if self._worker is None:
            return message.open_segment(self._renderer)
        return self._worker.open(message)

    def _queue_prose(
        self, key: str, message: MessageFlow, stable: str, tail: str, number: int | None = None
    ) -> None:
        number = message.segment_number if number is None else number
        self._queue_op(["prose", key, number, stable, tail])  # sent with the frame rendering it

    def _queue_op(self, op: list[Any]) -> None:
        if self._renderer.plain_code:  # rendered plain at start-up: highlighted later
            blocks = self._plain_code.setdefault(op[1], {})
            blocks.update((i, (lang, code)) for i, lang, code in self._renderer.plain_code)
            self._renderer.plain_code.clear()
        self._queue(op)

    def _queue_answer(self, op: list[Any]) -> None:
        """An operation from the worker's answer (or its fallback): sent with the next frame."""
        self._queue_op(op)
        self._trigger()

    def _text_waits(self, key: str) -> None:
        self._waiting(key)
        self._trigger()
