"""The transcript's link to the Markdown worker: a streaming reply's prose rendered off the GUI
thread (app/markdown_worker.py), its HTML placed as the answers arrive.

A reply's segments go to the worker while it streams (`MessageFlow.live`) once the worker is
ready; a reply whose first segment was rendered here stays here, so that code blocks keep one
numbering. Each answer becomes a "prose" page operation for the segment's block, which the
segment placed in the page when it opened (so cards and notices after it stay after it). When
the worker fails a segment, or dies, the segments it still owed are rendered here from their
text, from the start ("prose" with reset), and the window goes on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from app.markdown import MarkdownRenderer, code_labels
from app.markdown_remote import MarkdownWorker, RemoteSegment
from app.markdown_stream import IncrementalMarkdown
from app.render_cache import ANY_FIRST
from widgets.transcript_flow import MessageFlow

log = logging.getLogger(__name__)

# In a firehose (widgets/page_pacer.py) a segment's text goes to the worker at most this often.
FIREHOSE_SEND_MS = 50
# While sends wait for room, how often the link asks whether the worker still reads at all.
STALL_CHECK_MS = 1000


class WorkerLink(QObject):
    """Sends live segments to the worker and turns its answers into page operations."""

    # The worker is ready, or has failed to start or died (`usable` tells which).
    settled = Signal()
    # The worker has answered everything, and the last answer ended a segment: a reply that
    # ended is complete on the page with the next update, which need not wait for a frame.
    caught_up = Signal()

    def __init__(
        self,
        worker: MarkdownWorker,
        renderer: MarkdownRenderer,
        messages: dict[str, MessageFlow],
        queue: Callable[[list[Any]], None],
        waiting: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        """queue: queues a page operation for the next update; waiting: a message's text waits
        to be rendered here (it takes a step per frame)."""
        super().__init__(parent)
        self.worker = worker
        self._renderer = renderer
        self._messages = messages
        self._queue = queue
        self._waiting = waiting
        self._segments: dict[int, tuple[MessageFlow, int, RemoteSegment]] = {}
        self._labels: dict[str, str] | None = None
        self._notifier: QSocketNotifier | None = None
        self._ended = False  # the worker's end is taken care of (what it owed rendered here)
        # While sends wait for room in the socket: the socket's room, and the worker's time.
        self._writer: QSocketNotifier | None = None
        self._stall_check = QTimer(self)
        self._stall_check.setInterval(STALL_CHECK_MS)
        self._stall_check.timeout.connect(worker.flush)
        if worker.alive:
            self._notifier = QSocketNotifier(worker.fileno(), QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self._read)
            self._writer = QSocketNotifier(worker.fileno(), QSocketNotifier.Type.Write, self)
            self._writer.setEnabled(False)
            self._writer.activated.connect(lambda _socket: worker.flush())
            worker.on_stop = self._stopping
            worker.on_backlog = self._backlog
        else:
            QTimer.singleShot(0, self._read)  # never started: settled, and renders here

    @property
    def usable(self) -> bool:
        """Whether a new segment may go to the worker."""
        return self.worker.alive and self.worker.ready

    @property
    def busy(self) -> bool:
        """Whether the worker still owes HTML for text sent to it (or, gone, has not yet had
        what it owed rendered here)."""
        return self.worker.busy or (not self.worker.alive and not self._ended)

    def open(self, message: MessageFlow) -> IncrementalMarkdown | RemoteSegment:
        """Open the message's next segment: in the worker if it is live and may go there."""
        worker = self.worker
        if not (message.live and self.usable):
            return message.open_segment(self._renderer)
        labels = code_labels()
        if labels != self._labels:  # the worker has no translator
            self._labels = labels
            worker.send(["labels", labels])
        segment = message.open_segment(self._renderer, lambda last: RemoteSegment(worker, last))
        if isinstance(segment, RemoteSegment):
            number = message.segment_number
            self._segments[segment.sid] = (message, number, segment)
            # Its block goes in the page now, before anything that follows it in the message.
            self._queue(["prose", message.key, number, "", ""])
        return segment

    def holds(self, segment: object, *, firehose: bool) -> bool:
        """Whether this segment's new text waits (in the message) instead of going now.

        It waits while the worker owes an answer for the segment's earlier text, and in a
        firehose until FIREHOSE_SEND_MS have passed since the last send (the page takes an
        update only every FAST_FRAME_MS then). Each send wakes the worker, and on a loaded
        2-core machine a wake-up often costs the GUI thread its core for a scheduler slice
        (measured: ~2 ms a send, ~40 ms a fast reply when sent every frame); 50 ms rather
        than 100 leaves less text for the worker to render once the reply ends.
        """
        if not isinstance(segment, RemoteSegment):
            return False
        if segment.sid in self.worker.outstanding:
            return True
        return firehose and segment.since_sent_ms() < FIREHOSE_SEND_MS

    def forget(self, message: MessageFlow) -> None:
        """The message left the window: the worker's answers for it are not wanted."""
        sids = [s.sid for s in message.segments if isinstance(s, RemoteSegment)]
        for sid in sids:
            self._segments.pop(sid, None)
        self.worker.forget(sids)

    def stop(self) -> None:
        """End the worker; what it still owed is rendered here."""
        self.worker.stop()
        self._read()

    def _backlog(self, waiting: bool) -> None:
        """Sends wait for room in the socket (or no longer do): watch for it meanwhile."""
        if self._writer is not None:
            self._writer.setEnabled(waiting)
        if waiting:
            self._stall_check.start()
        else:
            self._stall_check.stop()

    def _stopping(self) -> None:
        """The worker is stopping (a failed send, garbage, or stop()): its socket closes now.
        What it owed is rendered here once the current call is over (it may be a send from
        inside a frame's rendering)."""
        for notifier in (self._notifier, self._writer):
            if notifier is not None:
                notifier.setEnabled(False)
        self._notifier = self._writer = None
        self._stall_check.stop()
        QTimer.singleShot(0, self._read)

    def _read(self) -> None:
        was_ready = self.worker.ready
        ended = False
        for answer in self.worker.receive():
            entry = self._segments.get(answer[1]) if len(answer) > 1 else None
            if entry is None:
                continue
            message, number, segment = entry
            if self._messages.get(message.key) is not message:
                del self._segments[segment.sid]  # removed from the window meanwhile
            elif answer[0] == "update":
                stable, tail = segment.take(answer)
                self._queue(["prose", message.key, number, stable, tail])
                if segment.done:
                    del self._segments[segment.sid]
                    self._keep(segment)
                    ended = True
            elif answer[0] == "failed":
                log.warning("the Markdown worker could not render a reply: %s", answer[3])
                self._render_here(message, number, segment)
        if not self.worker.alive:
            if self._ended:
                return
            self._ended = True
            if self._notifier is not None:
                self._notifier.setEnabled(False)
                self._notifier = None
            for message, number, segment in list(self._segments.values()):
                if self._messages.get(message.key) is message:
                    self._render_here(message, number, segment)
            self._segments.clear()
            self.settled.emit()
        elif self.worker.ready and not was_ready:
            self.settled.emit()
        elif ended and not self.worker.busy:
            self.caught_up.emit()

    def _keep(self, segment: RemoteSegment) -> None:
        """A finished segment's HTML, the one-pass render of its whole text, is kept for the
        next time the reply is shown (app/render_cache.py), a start among them."""
        cache = self._renderer.cache
        if cache is None or segment.rendered is None:
            return
        text, html = segment.rendered
        codes = segment.code_sources()
        # The same text IncrementalMarkdown renders: its line ends made "\n".
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        cache.put(text, min(codes, default=ANY_FIRST), (html, codes, []))

    def _render_here(self, message: MessageFlow, number: int, segment: RemoteSegment) -> None:
        """Render a segment the worker gave up from its text, in its place, from the start."""
        self._segments.pop(segment.sid, None)
        if message.segments[number] is not segment:
            return
        first = message.segments[number - 1].next_code_index if number else 0
        local = IncrementalMarkdown(self._renderer, first_code_index=first)
        update = local.finish(segment.text) if segment.finishing else local.append(segment.text)
        message.segments[number] = local
        if message.segment is segment:
            message.segment = local
        self._queue(["prose", message.key, number, update.stable_html, update.tail_html, True])
        if segment.finishing and not local.done:
            message.closing.append(number)  # the rest a step per frame, as a closing segment
            self._waiting(message.key)
        elif local.waiting:
            self._waiting(message.key)
