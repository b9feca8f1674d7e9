"""When the transcript sends its queued updates to the page: each frame, or less in a firehose.

Rendering Markdown and updating the page are separate costs, and the second one is the larger.
Profiled on the 2-core machine with bench/stream.py's 80 KB reply: Markdown cost the GUI
thread ~130 ms per reply, while each page update cost ~13 ms more on the GUI thread (Qt takes
the new frame) and ~20 ms in the web engine (layout and paint), whatever its size, on top of
~400 ms for the reply's HTML itself; with the updates left out the engine used ~50 ms instead
of ~700 ms. So the view renders waiting text every frame, in small steps that keep the event
loop turning, but a stream far faster than anyone reads (a replay, a local model on a fast GPU)
reaches the page only every FAST_FRAME_MS: the same text in fewer updates. Measured with the
view alone fed that reply (medians of 5): every 250 ms the engine used 230 ms CPU, the app's
Chromium threads 70 ms and the last update took 47 ms to apply; every 100 ms 300, 110 and
34 ms; every 50 ms 400, 240 and 25 ms. The shorter wait at the end does not pay for the rest.

Text at a model's pace is not a firehose, but each page update still costs the engine a frame
whatever it holds, so an update per token made a fast model's reply cost more than the text
itself: at 30 tokens a second (bench/stream.py's paced reply) the window took ~16 % of a core
and a bare web view showing the same text 10 %. While text streams, the page takes an update at
most every READING_FRAME_MS, 25 a second, still smooth to read: measured 12 % at 30 tokens a
second and 16.5 % instead of 20 % at 60; at 15 a second nothing changes. The first text after
a pause, and every other update, goes at once.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer

# Text arriving faster than this (characters a second, ~15,000 tokens) is a firehose: no model
# streams that fast to be read.
FAST_STREAM_CHARS = 60_000
# Milliseconds between page updates in a firehose.
FAST_FRAME_MS = 250
# Milliseconds between page updates that carry streamed text, at least (25 a second).
READING_FRAME_MS = 40


class PagePacer:
    """Tells the view whether queued page updates go now or wait for their frame.

    An update with new text waits until READING_FRAME_MS have passed since the last one, or
    FAST_FRAME_MS in a firehose; any other goes now. A frame whose new text is over a frame's
    budget (FAST_STREAM_CHARS a second) starts a firehose; it ends once the text since the last
    page update is back under the budget for the time since then (a quiet frame in the middle
    of a burst does not end it).
    """

    def __init__(self, frame_ms: int) -> None:
        self._frame_ms = frame_ms
        self._chars = 0  # rendered since the last page update
        self._since_update = QElapsedTimer()
        self.firehose = False

    @property
    def interval(self) -> int:
        """Milliseconds between page updates now: a firehose's, streamed text's, or a frame."""
        if self.firehose:
            return FAST_FRAME_MS
        return max(self._frame_ms, READING_FRAME_MS) if self._chars else self._frame_ms

    def rendered(self, chars: int) -> None:
        """A frame took `chars` characters of new text to render."""
        self._chars += chars
        if chars * 1000 > FAST_STREAM_CHARS * self._frame_ms:
            self.firehose = True
        elif self.firehose:
            window = max(self._elapsed(), self._frame_ms)
            self.firehose = self._chars * 1000 > FAST_STREAM_CHARS * window

    def settle(self) -> None:
        """The text stopped arriving (the reply ended): back to an update every frame."""
        self.firehose = False

    def due(self) -> bool:
        """Whether an update may go to the page now (one with no new text always may)."""
        if not self.firehose and not self._chars:
            return True
        return self._elapsed() >= self.interval

    def updated(self) -> None:
        """An update went to the page."""
        self._chars = 0
        self._since_update.start()

    def _elapsed(self) -> int:
        return self._since_update.elapsed() if self._since_update.isValid() else 1 << 30
