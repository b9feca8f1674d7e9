"""How late a timer runs on the GUI thread: the event loop's stalls, sampled (the benches' probe).

A precise timer fires every `interval_ms`; each tick records how late it ran. With memory=True
it also keeps the peak RSS of the process tree, read every 100 ticks.
"""

from __future__ import annotations

import time

from bench.process_tree import rss_tree_kb


class LagProbe:
    """How late a timer firing every `interval_ms` runs: the event loop's stalls, sampled."""

    def __init__(self, interval_ms: int = 2, *, memory: bool = True) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000
        self.lags: list[float] = []  # milliseconds late, one per tick
        self.peak_kb = 0
        self._memory = memory
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._memory:
            self.peak_kb = max(self.peak_kb, rss_tree_kb())

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lags.append(max(0.0, (now - self._last - self.interval) * 1000))
        self._last = now
        if self._memory and len(self.lags) % 100 == 0:
            self.peak_kb = max(self.peak_kb, rss_tree_kb())


def percentile(values: list[float], q: float) -> float:
    """The value at quantile q (0..1) of values, by rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
