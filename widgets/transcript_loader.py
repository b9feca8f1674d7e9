"""Shows a long stored conversation newest end first: the screenful now, the rest in idle chunks.

Opening a conversation of 2,000 messages rendered every message's Markdown and built every
article before the first paint (seconds). The loader shows the last `TAIL_MESSAGES` messages at
once, as one update to the page, so the visible end paints about as fast as a short
conversation's. The older messages follow in chunks, newest first, each placed before the oldest
one shown (`TranscriptView.batched(before=...)`), a chunk per turn of the event loop taking at
most `CHUNK_MS` of it, so the window stays responsive while they arrive; the page keeps the
reader's place as they are added above. Scrolling up reaches the first message once they are all
in (a second or two for 2,000); `show_all()` finishes at once for whoever needs every message on
the page now (revealing a search hit, exporting the page).

This module decides how the messages are rendered, never which: the caller hands over the keys
of the messages to show, in order, and a function that shows one of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from widgets.transcript import TranscriptView

# Enough to fill a tall window even with one-line messages.
TAIL_MESSAGES = 24
# Work per chunk of older messages: about half a frame, so the loop still turns at frame rate.
CHUNK_MS = 8.0


class TranscriptLoader(QObject):
    """Shows stored messages into a transcript: the end now, older ones in idle chunks."""

    # Every message handed to start() is on the page.
    finished = Signal()

    def __init__(self, transcript: TranscriptView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._transcript = transcript
        self._keys: Sequence[str] = ()
        self._show: Callable[[int], None] = lambda _index: None
        self._first = 0  # index of the oldest message shown so far
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._chunk)

    @property
    def loading(self) -> bool:
        """Whether older messages are still to be shown."""
        return self._first > 0

    def start(self, keys: Sequence[str], show: Callable[[int], None]) -> None:
        """Show the messages with these keys, in order; `show(i)` adds the one at keys[i].

        The last TAIL_MESSAGES are shown before this returns (one update to the page); the rest
        follow on later turns of the event loop. A start() replaces any loading in progress.
        """
        self.cancel()
        self._keys, self._show = keys, show
        self._first = max(0, len(keys) - TAIL_MESSAGES)
        with self._transcript.batched():
            # In the same update as the end: the page shows it scrolled there at once.
            self._transcript.scroll_to_bottom()
            for index in range(self._first, len(keys)):
                show(index)
        self._next_or_finish()

    def show_all(self) -> None:
        """Show every message still waiting, now."""
        if self.loading:
            self._timer.stop()
            self._chunk(budget_ms=float("inf"))

    def cancel(self) -> None:
        """Stop showing older messages (another conversation is opened)."""
        self._timer.stop()
        self._first = 0
        self._keys = ()

    def _chunk(self, budget_ms: float = CHUNK_MS) -> None:
        """Older messages, newest first, each before the one after it, for up to budget_ms."""
        deadline = time.perf_counter() + budget_ms / 1000
        # Sent at the transcript's frame rate, several chunks at a time (one layout each).
        with self._transcript.batched(at_once=budget_ms == float("inf")):
            while self._first > 0:
                following = self._keys[self._first]
                if not self._transcript.has_message(following):
                    self._first = 0  # the conversation on screen changed under us
                    break
                self._first -= 1
                with self._transcript.batched(before=following):
                    self._show(self._first)
                if time.perf_counter() >= deadline:
                    break
        self._next_or_finish()

    def _next_or_finish(self) -> None:
        if self.loading:
            self._timer.start()
        else:
            self._keys = ()
            self._transcript.flush()  # the last chunk goes now, not at the next frame
            self.finished.emit()
