"""The Markdown of a streaming reply, rendered in a process of its own.

markdown-it-py parses ~1 MB/s here: a fast 80 KB reply cost the GUI thread ~80 ms of parsing
while the same thread also read and decoded the stream (bench/stream.py). In a second process
the parse runs on the other core and the GUI thread only sends text and places HTML. It also
keeps a reply whose Markdown is pathologically slow to parse from freezing the window.

The process is `python -m app.markdown_worker FD`, FD one end of a socket pair. Each side sends
frames: a 4-byte big-endian length, then a UTF-8 JSON array (lone surrogates pass, as Python
strings may hold them). What the app sends (`sid`: a segment of prose, numbered by the app):

    ["labels", {"code": …, "copy": …, "open": …}]   the code blocks' labels, translated
    ["open", sid, after]      a new segment; its code blocks are numbered after segment `after`'s
                              (null: from 0)
    ["text", sid, text]       more text of the segment
    ["finish", sid, text]     its last text: render everything as final
    ["forget", [sid, …]]      the segments are gone from the window

and what the worker sends back: ["ready"] once it can render, then for each segment that
changed, after reading everything the app had sent by then,

    ["update", sid, requests, stable, tail, code, tail_code, next_code_index, done]

(`requests`: how many "text"/"finish" frames of the segment this answers; `stable` and `tail`
as app.markdown_stream.MarkdownUpdate, merged over those frames; `code`: code blocks newly final,
index → source; `tail_code`: those of the tail), or ["failed", sid, requests, reason] when the
segment could not be rendered (the app renders it itself then).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024  # a frame's length past this is a broken stream, not a frame
ANSWER_CHARS = 256 * 1024  # a long render is answered in parts of about this much HTML


def encode(message: list[Any]) -> bytes:
    """One frame: the message's length, then the message as UTF-8 JSON."""
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )
    return _HEADER.pack(len(body)) + body


class FrameReader:
    """Messages out of a byte stream that arrives in pieces of any size."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[list[Any]]:
        """The messages completed by `data`; ValueError when the stream is not frames."""
        buffer = self._buffer
        buffer += data
        messages: list[list[Any]] = []
        start = 0
        while len(buffer) - start >= _HEADER.size:
            (length,) = _HEADER.unpack_from(buffer, start)
            if length > MAX_FRAME:
                raise ValueError(f"a frame of {length:,} bytes")
            end = start + _HEADER.size + length
            if len(buffer) < end:
                break
            body = bytes(buffer[start + _HEADER.size : end]).decode("utf-8", "surrogatepass")
            message = json.loads(body)
            if not isinstance(message, list) or not message:
                raise ValueError("a frame that is not a message")
            messages.append(message)
            start = end
        del buffer[:start]
        return messages


class SegmentRenderer:
    """The worker's side: each segment's app.markdown_stream.IncrementalMarkdown, fed in order."""

    def __init__(self, emit: Callable[[list[Any]], None] | None = None) -> None:
        """emit: sends an answer at once (a long render's earlier parts, ANSWER_CHARS of HTML
        each); None: they come first in handle()'s list."""
        from app.markdown import MarkdownRenderer
        from app.markdown_stream import IncrementalMarkdown

        self._early: list[list[Any]] = []
        self._emit = emit or self._early.append
        self._make = IncrementalMarkdown
        self.renderer = MarkdownRenderer()
        self._segments: dict[int, Any] = {}  # sid -> IncrementalMarkdown
        self._sent_code: dict[int, set[int]] = {}  # sid -> indices of final code already sent

    def handle(self, messages: list[list[Any]]) -> list[list[Any]]:
        """Render what `messages` ask, in order; one answer per segment that changed."""
        answers: dict[int, list[Any]] = {}
        run: list[str] = []  # consecutive "text" of one segment, rendered as one append
        run_sid: int | None = None
        for message in messages:
            kind = message[0]
            if kind == "text" and (run_sid is None or run_sid == message[1]):
                run_sid = message[1]
                run.append(message[2])
                continue
            if run_sid is not None:
                self._render(run_sid, "".join(run), len(run), False, answers)
                run, run_sid = [], None
            if kind == "text":
                run_sid, run = message[1], [message[2]]
            elif kind == "finish":
                self._render(message[1], message[2], 1, True, answers)
            elif kind == "open":
                self._open(message[1], message[2])
            elif kind == "forget":
                for sid in message[1]:
                    self._segments.pop(sid, None)
                    self._sent_code.pop(sid, None)
                    answers.pop(sid, None)
            elif kind == "labels":
                self.renderer.labels = dict(message[1])
        if run_sid is not None:
            self._render(run_sid, "".join(run), len(run), False, answers)
        early, self._early[:] = list(self._early), []
        return early + list(answers.values())

    def _open(self, sid: int, after: int | None) -> None:
        previous = self._segments.get(after) if after is not None else None
        first = previous.next_code_index if previous is not None else 0
        self._segments[sid] = self._make(self.renderer, first_code_index=first)
        self._sent_code[sid] = set()

    def _render(
        self, sid: int, text: str, requests: int, final: bool, answers: dict[int, list[Any]]
    ) -> None:
        segment = self._segments.get(sid)
        answer = answers.get(sid)
        if segment is None:  # forgotten (or never opened): nothing to show it in
            return
        if answer is not None and answer[0] == "failed":
            answer[2] += requests
            return
        try:
            update = segment.finish(text) if final else segment.append(text)
            stable = [update.stable_html]
            size = len(update.stable_html)
            while segment.waiting or (final and not segment.done):
                update = segment.step()
                stable.append(update.stable_html)
                size += len(update.stable_html)
                if size >= ANSWER_CHARS and (segment.waiting or not segment.done):
                    # A long render goes out in parts, so the app never takes in one huge
                    # answer (a 50 MB reply is ~150 MB of HTML): what this batch had for the
                    # segment first, then this part; the requests are counted by the last.
                    if answer is not None:
                        self._emit(answers.pop(sid))
                        answer = None
                    self._emit(self._answer(sid, segment, 0, "".join(stable), update.tail_html))
                    stable, size = [], 0
        except Exception as error:  # noqa: BLE001 - the app renders it itself, and says why
            log.exception("could not render a segment")
            self._segments.pop(sid, None)
            done = answer[2] if answer is not None else 0
            answers[sid] = ["failed", sid, done + requests, f"{type(error).__name__}: {error}"]
            return
        if answer is None:
            answers[sid] = self._answer(sid, segment, requests, "".join(stable), update.tail_html)
            return
        latest = self._answer(sid, segment, requests, "".join(stable), update.tail_html)
        answer[2] += latest[2]
        answer[3] += latest[3]
        answer[4] = latest[4]
        answer[5].update(latest[5])
        answer[6:] = latest[6:]

    def _answer(self, sid: int, segment: Any, requests: int, stable: str, tail: str) -> list[Any]:  # noqa: ANN401
        """An "update" answer: its code blocks newly final, those of the tail, and the rest."""
        committed, tail_code = segment.code_blocks()
        sent = self._sent_code[sid]
        new_code = {i: code for i, code in committed.items() if i not in sent}
        sent.update(new_code)
        return [
            "update", sid, requests, stable, tail, new_code, tail_code,
            segment.next_code_index, segment.done,
        ]  # fmt: skip


def serve(sock: socket.socket) -> None:
    """Answer the app on `sock` until it closes its end."""
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def write() -> None:
        # Sends never wait on parsing, and parsing never waits on a send: the app may be busy.
        while (data := outbox.get()) is not None:
            try:
                sock.sendall(data)
            except OSError:
                os._exit(0)  # the app is gone

    threading.Thread(target=write, name="markdown-writer", daemon=True).start()
    # A lexer is compiled when its first block comes (30-100 ms, here: the window does not
    # wait); compiling the common ones up front cost ~4.5 MB and ~0.4 s of CPU each start.
    rendering = SegmentRenderer(lambda answer: outbox.put(encode(answer)))
    outbox.put(encode(["ready"]))
    reader = FrameReader()
    while True:
        data = sock.recv(1 << 16)
        if not data:
            break
        chunks = [data]
        while True:  # everything sent by now, rendered together (fewer, larger answers)
            try:
                more = sock.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            if not more:
                break
            chunks.append(more)
        for answer in rendering.handle(reader.feed(b"".join(chunks))):
            outbox.put(encode(answer))
    outbox.put(None)


def main(argv: list[str]) -> int:
    """The worker's entry point: argv[0] is the file descriptor of its end of the socket."""
    logging.basicConfig(level=logging.WARNING, format="markdown worker: %(message)s")
    if hasattr(os, "SCHED_BATCH"):
        # A batch task does not preempt the task that woke it: the app's send of more text
        # no longer hands its core to this process mid-frame (measured on 2 loaded cores:
        # 1-3 ms lost per send); it runs on whatever core is free.
        try:
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        except OSError as error:
            log.info("could not run as a batch task: %s", error)
    sock = socket.socket(fileno=int(argv[0]))
    try:
        serve(sock)
    except (OSError, ValueError) as error:  # the app went away mid-frame, or sent garbage
        log.warning("stopped: %s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
