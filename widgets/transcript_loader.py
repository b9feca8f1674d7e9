"""Shows a long stored conversation newest end first: the screenful now, the rest in idle chunks.

Opening a conversation of 2,000 messages rendered every message's Markdown and built every
article before the first paint (seconds). The caller reads and hands over only the last
`screenful()` messages, as many as surely fill the window; the loader shows them at once, as
one update to the page, so the visible end paints about as fast as a short conversation's.
Once the page has applied that update, the older messages follow in chunks, newest first, each
placed before the oldest one shown (`TranscriptView.batched(before=...)`), a chunk per turn of
the event loop taking at most `CHUNK_MS` of it, so the window stays responsive while they
arrive; the page keeps the reader's place as they are added above. They are read as they are
needed, `PAGE_MESSAGES` at a time, from a function the caller gives (app/path_pages.py reads a
conversation's path that way).
Scrolling up reaches the first message once they are all in (a second or two for 2,000);
`show_through(key)` shows them at once as far as one message (revealing a search hit), or all
of them for a key not among them.

This module decides how the messages are rendered, never which: the caller hands over the
messages, a function giving older ones, and functions that show one and name its key.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from widgets.transcript import TranscriptView

T = TypeVar("T")
# The most messages the first update shows: enough for a very tall window of one-line messages.
TAIL_MESSAGES = 24
# No message takes less height on the page than this, in CSS pixels (a one-line message with
# its actions row and margin takes ~120): this many to a window's height surely fill it.
MIN_MESSAGE_PX = 48
# Older messages read from the store at a time (one query each for them and what they show).
PAGE_MESSAGES = 100
# Work per chunk of older messages: about half a frame, so the loop still turns at frame rate.
CHUNK_MS = 8.0


class TranscriptLoader(QObject):
    """Shows stored messages into a transcript: the end now, older ones in idle chunks."""

    # Every message there is to show is on the page.
    finished = Signal()

    def __init__(self, transcript: TranscriptView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._transcript = transcript
        # Read but not shown yet, oldest first (the next to show is the last).
        self._waiting: list[Any] = []
        self._older: Callable[[int], Sequence[Any]] = lambda _count: ()
        self._key: Callable[[Any], str] = str
        self._show: Callable[[Any], None] = lambda _item: None
        self._more = False  # whether _older may still give messages
        self._oldest = ""  # key of the oldest message shown so far
        self._generation = 0  # of start() calls: an answer for an earlier one is ignored
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._chunk)

    def screenful(self) -> int:
        """How many of the newest messages surely fill the transcript's window (at most
        TAIL_MESSAGES; all of those while the window is not shown): the first update's.

        The rest follow a moment later in chunks; each message the first update carries makes
        it later (Markdown in Python, layout on the page).
        """
        view = self._transcript
        if not view.isVisible() or view.height() <= 0:
            return TAIL_MESSAGES
        page_height = view.height() / max(view.zoomFactor(), 0.25)  # CSS pixels
        return max(1, min(TAIL_MESSAGES, math.ceil(page_height / MIN_MESSAGE_PX) + 1))

    @property
    def loading(self) -> bool:
        """Whether older messages are still to be shown."""
        return bool(self._waiting) or self._more

    def start(
        self,
        newest: Sequence[T],
        older: Callable[[int], Sequence[T]],
        key: Callable[[T], str],
        show: Callable[[T], None],
    ) -> None:
        """Show `newest` (the conversation's end, in order) now, as one update to the page;
        then, on later turns of the event loop, what `older(count)` gives: the next `count`
        messages before those already given, in order ([] when there are no more).

        `show(m)` adds message m to the transcript; `key(m)` is its key there. A start()
        replaces any loading in progress.
        """
        self.cancel()
        self._generation += 1
        self._older, self._key, self._show = older, key, show
        with self._transcript.batched():
            # In the same update as the end: the page shows it scrolled there at once.
            self._transcript.scroll_to_bottom()
            for message in newest:
                show(message)
        if newest:
            self._oldest = key(newest[0])
            self._more = True
        if self.loading:
            # The older messages start once the page has applied this update (a script run
            # after it answers after it): until then neither the window's thread nor the
            # page's is taken from the first paint.
            generation = self._generation
            self._transcript.page().runJavaScript(
                "0", 0, lambda _result: self._may_go_on(generation)
            )
        else:
            self._next_or_finish()

    def _may_go_on(self, generation: int) -> None:
        if shiboken6.isValid(self) and generation == self._generation:
            self._next_or_finish()

    def show_through(self, key: str) -> None:
        """Show older messages now, as far as the one with this key and a screenful before it
        (it can then be scrolled to the middle of the window); all if none has this key."""
        if self.loading and not self._transcript.has_message(key):
            self._timer.stop()
            self._chunk(budget_ms=float("inf"), through=key)
            self._timer.stop()
            self._chunk(budget_ms=float("inf"), count=self.screenful())

    def cancel(self) -> None:
        """Stop showing older messages (another conversation is opened)."""
        self._timer.stop()
        self._waiting = []
        self._more = False
        self._oldest = ""

    def _chunk(self, budget_ms: float = CHUNK_MS, through: str = "", count: int = 0) -> None:
        """Older messages, newest first, each before the one after it, for up to budget_ms
        (or until `through` is shown, or `count` messages are)."""
        if not shiboken6.isValid(self._transcript):
            self.cancel()  # the window closed while older messages were arriving
            return
        deadline = time.perf_counter() + budget_ms / 1000
        # Sent at the transcript's frame rate, several chunks at a time (one layout each).
        with self._transcript.batched(at_once=budget_ms == float("inf")):
            while self.loading:
                if not self._transcript.has_message(self._oldest):
                    self.cancel()  # the conversation on screen changed under us
                    break
                if not self._waiting:
                    self._waiting = list(self._older(PAGE_MESSAGES))
                    self._more = bool(self._waiting)
                    continue
                message = self._waiting.pop()
                with self._transcript.batched(before=self._oldest):
                    self._show(message)
                self._oldest = self._key(message)
                count -= 1
                if self._oldest == through or count == 0 or time.perf_counter() >= deadline:
                    break
        self._next_or_finish()

    def _next_or_finish(self) -> None:
        if self.loading:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._transcript.flush()  # the last chunk goes now, not at the next frame
            self.finished.emit()
