"""The app's side of the Markdown worker (app/markdown_worker.py): the process and its segments.

`MarkdownWorker` starts the process and carries frames; the caller watches `fileno()` for
answers (widgets/transcript_worker.py does, with a QSocketNotifier) and calls `receive()`.
A `RemoteSegment` stands where an app.markdown_stream.IncrementalMarkdown would in the transcript: its
text goes to the worker, and its HTML comes back later as the worker's answers.

Nothing here waits on the worker. A send goes into the socket as far as it takes it; the rest
waits in an outbox that `flush()` sends on (the link calls it when the socket has room): a
worker busy rendering does not read, and a reply's last text can be megabytes, which a blocking
send held the window for (110 ms and more at the end of a 10 MB reply). A worker that has
taken nothing for SEND_TIMEOUT_S is stopped and taken for dead. Whatever
goes wrong (the process cannot start, dies, sends garbage), `alive` turns False and the app
renders the segments itself from the text each segment keeps.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.markdown_worker import FrameReader, encode
from app.render_cache import MAX_TEXT_CHARS

log = logging.getLogger(__name__)

SEND_TIMEOUT_S = 5.0


class MarkdownWorker:
    """The worker process, the app's end of its socket, and what it still owes."""

    def __init__(self, process: subprocess.Popen | None, sock: socket.socket | None) -> None:
        self._process = process
        self._sock = sock
        self._reader = FrameReader()
        self.ready = False  # the worker said it can render
        self.alive = sock is not None
        self.outstanding: dict[int, int] = {}  # sid -> requests not answered yet
        self._next_sid = 0
        # Called as the worker stops, before its socket closes (whoever watches the socket
        # stops watching it first: a closed descriptor's number may soon be another's).
        self.on_stop: Callable[[], None] | None = None
        # Sent data the socket has not taken yet, in order; since when it takes none.
        self._outbox: deque[memoryview] = deque()
        self._stalled_since: float | None = None
        # Called with True when data starts waiting in the outbox, False once it all went.
        self.on_backlog: Callable[[bool], None] | None = None
        self._backlogged = False

    @classmethod
    def start(cls) -> MarkdownWorker:
        """Start the process (not ready until its "ready" arrives); a dead one if it can't."""
        ours, theirs = socket.socketpair()
        # Where this `app` package lives (a checkout, or site-packages once installed).
        spec = importlib.util.find_spec("app")
        root = str(Path(next(iter(spec.submodule_search_locations))).parent) if spec else ""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "app.markdown_worker", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except (OSError, ValueError) as error:  # ValueError: no pass_fds on this system
            log.warning("could not start the Markdown worker: %s", error)
            ours.close()
            return cls(None, None)
        finally:
            theirs.close()
        ours.setblocking(False)
        return cls(process, ours)

    def fileno(self) -> int:
        """The socket to watch for answers (-1 once dead)."""
        return self._sock.fileno() if self._sock is not None else -1

    @property
    def busy(self) -> bool:
        """Whether some text sent is not rendered yet."""
        return bool(self.outstanding)

    def new_sid(self) -> int:
        """A number for a new segment."""
        self._next_sid += 1
        return self._next_sid

    @property
    def backlog(self) -> bool:
        """Whether sent data still waits for room in the socket."""
        return bool(self._outbox)

    def send(self, message: list[Any], *, request: int | None = None) -> bool:
        """Send a message (never waits: what the socket does not take now waits in the
        outbox); request: the sid it asks an answer for. False if the worker is dead."""
        if self._sock is None:
            return False
        self._outbox.append(memoryview(encode(message)))
        if request is not None:
            self.outstanding[request] = self.outstanding.get(request, 0) + 1
        self.flush()
        return self.alive

    def flush(self) -> None:
        """Send on what waits, as far as the socket takes it now; a worker that has taken
        nothing for SEND_TIMEOUT_S is stopped (also when nothing was asked of it since)."""
        while self._outbox and self._sock is not None:
            head = self._outbox[0]
            try:
                sent = self._sock.send(head)
            except (BlockingIOError, InterruptedError):
                now = time.monotonic()
                if self._stalled_since is None:
                    self._stalled_since = now
                elif now - self._stalled_since > SEND_TIMEOUT_S:
                    self.stop("the Markdown worker stopped reading")
                    return
                break
            except OSError as error:
                self.stop(f"could not send to the Markdown worker: {error}")
                return
            self._stalled_since = None
            if sent < len(head):
                self._outbox[0] = head[sent:]
            else:
                self._outbox.popleft()
        self._tell_backlog()

    def _tell_backlog(self) -> None:
        waiting = bool(self._outbox)
        if waiting != self._backlogged:
            self._backlogged = waiting
            if self.on_backlog is not None:
                self.on_backlog(waiting)

    def forget(self, sids: list[int]) -> None:
        """These segments are gone: their answers are not awaited any more."""
        for sid in sids:
            self.outstanding.pop(sid, None)
        if sids:
            self.send(["forget", sids])

    def receive(self) -> list[list[Any]]:
        """The answers that have arrived (never waits); the worker's death ends them."""
        if self._sock is None:
            return []
        chunks = []
        while True:
            try:
                data = self._sock.recv(1 << 16)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as error:
                self.stop(f"the Markdown worker's socket failed: {error}")
                break
            if not data:
                self.stop("the Markdown worker stopped")
                break
            chunks.append(data)
        try:
            answers = self._reader.feed(b"".join(chunks))
        except ValueError as error:
            self.stop(f"the Markdown worker sent something unreadable: {error}")
            return []
        for answer in answers:
            if answer[0] == "ready":
                self.ready = True
            elif answer[0] in ("update", "failed") and answer[1] in self.outstanding:
                left = self.outstanding[answer[1]] - answer[2]
                if left > 0 and answer[0] == "update":
                    self.outstanding[answer[1]] = left
                else:
                    del self.outstanding[answer[1]]
        return answers

    def stop(self, reason: str = "") -> None:
        """End the process; `alive` is False from now on."""
        if reason:
            log.warning("%s; the window renders Markdown itself now", reason)
        if self.alive and self.on_stop is not None:
            self.on_stop()
        self.alive = self.ready = False
        self.outstanding.clear()
        self._outbox.clear()
        self._stalled_since = None
        self._tell_backlog()
        if self._sock is not None:
            self._sock.close()  # the worker reads the end of its input and exits
            self._sock = None
        if self._process is not None:
            try:
                self._process.wait(0.5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


class RemoteSegment:
    """A prose segment rendered by the worker; it keeps its text in case the worker dies."""

    def __init__(self, worker: MarkdownWorker, after: RemoteSegment | None) -> None:
        self.worker = worker
        self.sid = worker.new_sid()
        self.parts: list[str] = []  # every text sent, in order
        self.finishing = False
        self.done = False
        self._sent_at = time.monotonic()
        self.next_code_index = 0
        self._code: dict[int, str] = {}
        self._tail_code: dict[int, str] = {}
        # The HTML answered for good, in order; None once the text is too long to be kept.
        self._stable: list[str] | None = []
        self._chars = 0
        # Once done: the segment's whole text and HTML (its one-pass render: app/render_cache.py).
        self.rendered: tuple[str, str] | None = None
        worker.send(["open", self.sid, after.sid if after is not None else None])

    @property
    def waiting(self) -> int:
        """0: the transcript has no steps to take for it (the worker answers when it has)."""
        return 0

    @property
    def text(self) -> str:
        """All of the segment's text so far."""
        return "".join(self.parts)

    def since_sent_ms(self) -> float:
        """Milliseconds since text last went to the worker (or since the segment opened)."""
        return (time.monotonic() - self._sent_at) * 1000

    def append(self, chunk: str) -> None:
        """More text for the worker to render."""
        self._sent_at = time.monotonic()
        self.parts.append(chunk)
        self._count(chunk)
        self.worker.send(["text", self.sid, chunk], request=self.sid)

    def finish(self, chunk: str = "") -> None:
        """The segment's last text: the worker renders everything as final."""
        self.parts.append(chunk)
        self._count(chunk)
        self.finishing = True
        self.worker.send(["finish", self.sid, chunk], request=self.sid)

    def take(self, answer: list[Any]) -> tuple[str, str]:
        """An "update" answer taken in: the HTML to append for good and the new tail."""
        _, _, _, stable, tail, code, tail_code, next_code_index, done = answer
        self._code.update((int(i), source) for i, source in code.items())
        self._tail_code = {int(i): source for i, source in tail_code.items()}
        self.next_code_index = next_code_index
        self.done = bool(done)
        if self._stable is not None:
            self._stable.append(stable)
        if self.done:
            if self._stable is not None:
                self.rendered = ("".join(self.parts), "".join(self._stable))
            self._stable = None
            self.parts = []  # kept only to render it here should the worker fail it
        return stable, tail

    def _count(self, chunk: str) -> None:
        self._chars += len(chunk)
        if self._chars > MAX_TEXT_CHARS:
            self._stable = None  # too long to be kept (app/render_cache.py): nothing gathered

    def code_sources(self) -> dict[int, str]:
        """The code blocks' sources by index, those rendered for good."""
        return dict(self._code)

    def code_blocks(self) -> tuple[dict[int, str], dict[int, str]]:
        """The code blocks' sources by index, as far as the worker has rendered: those final,
        and those of the tail (as app.markdown_stream.IncrementalMarkdown.code_blocks)."""
        return dict(self._code), dict(self._tail_code)
