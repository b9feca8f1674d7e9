"""Coalesce bursts of calls to at most one per interval (a frame, by default).

Streaming delivers text far faster than a screen refreshes; the transcript triggers a throttle on
every chunk and sends one batched update per frame.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QObject, QTimer


class Throttle(QObject):
    """Call ``callback`` at most once per ``interval_ms``, however often it is triggered.

    The first trigger after a quiet period fires promptly (on the next turn of the event loop,
    so calls made together still share one callback); later ones wait for the interval to pass.
    """

    def __init__(
        self, callback: Callable[[], object], interval_ms: int = 16, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._callback = callback
        self._interval = interval_ms
        self._pending = False
        self._since_call = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)

    def trigger(self) -> None:
        """Ask for a call: it happens promptly, or at the end of the current interval."""
        self._pending = True
        if self._timer.isActive():
            return
        elapsed = self._since_call.elapsed() if self._since_call.isValid() else self._interval
        self._timer.start(max(0, self._interval - elapsed))

    @property
    def interval(self) -> int:
        """Milliseconds between calls."""
        return self._interval

    def set_interval(self, interval_ms: int) -> None:
        """Change the interval from the next call on."""
        self._interval = interval_ms

    def flush(self) -> None:
        """Make the pending call now, if there is one."""
        self._timer.stop()
        self._fire()

    def _fire(self) -> None:
        if not self._pending:
            return
        self._pending = False
        self._since_call.start()
        self._callback()
