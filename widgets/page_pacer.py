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
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer

# Text arriving faster than this (characters a second, ~15,000 tokens) is a firehose: no model
# streams that fast to be read.
FAST_STREAM_CHARS = 60_000
# Milliseconds between page updates in a firehose.
FAST_FRAME_MS = 250


class PagePacer:
    """Tells the view whether queued page updates go now or wait for the firehose's frame.

    A frame whose new text is over a frame's budget (FAST_STREAM_CHARS a second) starts a
    firehose; it ends once the text since the last page update is back under the budget for
    the time since then (a quiet frame in the middle of a burst does not end it).
    """

    def __init__(self, frame_ms: int) -> None:
        self._frame_ms = frame_ms
        self._chars = 0  # rendered since the last page update
        self._since_update = QElapsedTimer()
        self.firehose = False

    @property
    def interval(self) -> int:
        """Milliseconds between page updates now."""
        return FAST_FRAME_MS if self.firehose else self._frame_ms

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
        """Whether an update may go to the page now."""
        return not self.firehose or self._elapsed() >= FAST_FRAME_MS

    def updated(self) -> None:
        """An update went to the page."""
        self._chars = 0
        self._since_update.start()

    def _elapsed(self) -> int:
        return self._since_update.elapsed() if self._since_update.isValid() else 1 << 30
