"""A page's console, bounded: the last lines kept, every line and every error still counted.

A page can log in a tight loop (a game's frame handler that throws sixty times a second, or a
hostile page flooding on purpose); keeping every line grew the app by megabytes a second.
`ConsoleLog` keeps the last `capacity` lines in a ring and counts the older ones as dropped;
errors are tallied as they arrive (`app.fix.ErrorTally`), so the Fix request and the error count
see every error, not only the kept lines. Adding a line is O(1).

Two more bounds, because the page chooses what it logs: each message and source is cut to
`MAX_TEXT_CHARS` (one `console.log` of a 10 MB string would otherwise be kept whole), and
requests the sandbox blocked (level "blocked") have a ring of their own, so a flood of console
lines cannot push the evidence of a blocked request out of sight.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterator

from app.fix import ConsoleLine, ErrorGroup, ErrorTally

CAPACITY = 1000  # console lines kept per page
BLOCKED_CAPACITY = 200  # blocked requests kept per page, apart from the console lines
MAX_TEXT_CHARS = 2000  # of one message (or source); the rest is cut with a note


class ConsoleLog:
    """The last lines a page logged, and counts of everything it logged since `clear()`."""

    def __init__(self, capacity: int = CAPACITY, blocked_capacity: int = BLOCKED_CAPACITY) -> None:
        # (arrival number, line): the number orders the two rings back into one list.
        self._lines: deque[tuple[int, ConsoleLine]] = deque(maxlen=capacity)
        self._blocked: deque[tuple[int, ConsoleLine]] = deque(maxlen=blocked_capacity)
        self._tally = ErrorTally()
        self.total = 0

    def add(self, line: ConsoleLine) -> ConsoleLine:
        """Keep `line` (cut to size), dropping the oldest beyond capacity; return what was kept."""
        line = _bounded(line)
        ring = self._blocked if line.level == "blocked" else self._lines
        ring.append((self.total, line))
        self._tally.add(line)
        self.total += 1
        return line

    @property
    def dropped(self) -> int:
        """Lines seen but no longer kept."""
        return self.total - len(self._lines) - len(self._blocked)

    @property
    def error_count(self) -> int:
        """Every error and blocked request seen, kept or not."""
        return self._tally.total

    def errors(self) -> list[ErrorGroup]:
        """The different errors seen (identical ones collapsed, with counts), for Fix."""
        return self._tally.groups()

    def lines(self) -> list[ConsoleLine]:
        """The kept lines in the order they arrived."""
        return [line for _, line in self.numbered()]

    def numbered(self) -> Iterator[tuple[int, ConsoleLine]]:
        """The kept lines with their arrival numbers (0 for the first since `clear()`)."""
        return heapq.merge(self._lines, self._blocked, key=lambda pair: pair[0])

    def clear(self) -> None:
        """Forget everything (a new version runs)."""
        self._lines.clear()
        self._blocked.clear()
        self._tally.clear()
        self.total = 0


def format_line(line: ConsoleLine) -> str:
    """The line as `render --console` and the console drawer show it (DESIGN.md §5)."""
    if line.level == "blocked":
        return f"blocked: {line.message}"
    return f"{line.level}: {line.message} ({line.source}:{line.line})"


def dropped_note(count: int, capacity: int = CAPACITY) -> str:
    """The marker that stands for lines no longer kept."""
    noun = "line" if count == 1 else "lines"
    return f"dropped: {count:,} earlier {noun} (only the last {capacity:,} are kept)"


def _bounded(line: ConsoleLine) -> ConsoleLine:
    if len(line.message) <= MAX_TEXT_CHARS and len(line.source) <= MAX_TEXT_CHARS:
        return line
    return ConsoleLine(line.level, _cut(line.message), _cut(line.source), line.line)


def _cut(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return f"{text[:MAX_TEXT_CHARS]}… ({len(text):,} characters in all)"
