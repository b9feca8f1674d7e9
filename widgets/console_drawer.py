"""The console drawer under an artifact: the last lines its page logged, every line counted.

Lines go into a bounded `app.console_log.ConsoleLog` (O(1) a line, errors tallied as they
come); the list is redrawn from it at most a few times a second (open or closed, so it always
reads as the page's console). A page that logs in a tight loop therefore costs a bounded amount
of memory and one small redraw per interval, however fast it logs; the counts stay exact.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from app.console_log import CAPACITY, ConsoleLog, dropped_note
from app.fix import ConsoleLine, ErrorGroup
from widgets.throttle import Throttle

# How often the drawer and the counts are brought up to date while lines pour in.
REFRESH_MS = 200


class ConsoleDrawer(QListWidget):
    """A list of the page's console lines, bounded, redrawn at most every REFRESH_MS."""

    # The counts changed: (lines seen since the last clear, errors and blocked requests seen).
    countsChanged = Signal(int, int)

    def __init__(self, parent: QWidget | None = None, *, capacity: int = CAPACITY) -> None:
        super().__init__(parent)
        self.setObjectName("console")
        self.setUniformItemSizes(True)  # a thousand rows lay out without measuring each
        self.log = ConsoleLog(capacity)
        self._capacity = capacity
        self._drawn = -1  # log.total when the list was last drawn
        self._throttle = Throttle(self._refresh, REFRESH_MS, self)

    def add(self, line: ConsoleLine) -> None:
        """A line from the page (level "blocked" for a refused request)."""
        self.log.add(line)
        self._throttle.trigger()

    def clear_log(self) -> None:
        """Forget every line (a new version runs)."""
        self.log.clear()
        self._drawn = -1  # the count alone could match the old list's
        self._throttle.flush()
        self._refresh()

    def errors(self) -> list[ErrorGroup]:
        """The different errors seen, identical ones collapsed, for the Fix request."""
        return self.log.errors()

    def flush(self) -> None:
        """Bring the list and the counts up to date now (tests, and before a Fix request)."""
        self._throttle.flush()

    def _refresh(self) -> None:
        self.countsChanged.emit(self.log.total, self.log.error_count)
        self._draw()

    def _draw(self) -> None:
        if self._drawn == self.log.total:
            return
        bar = self.verticalScrollBar()
        following = bar.value() >= bar.maximum()
        self.setUpdatesEnabled(False)
        self.clear()
        if self.log.dropped:
            marker = QListWidgetItem(dropped_note(self.log.dropped, self._capacity), self)
            marker.setForeground(self.palette().placeholderText())
        self.addItems([_shown(line) for line in self.log.lines()])
        self.setUpdatesEnabled(True)
        self._drawn = self.log.total
        if following:
            self.scrollToBottom()


def _shown(line: ConsoleLine) -> str:
    """One row: "error: message (file:line)", the source cut to its file name."""
    if line.level == "blocked":
        return f"blocked: {line.message}"
    where = f" ({line.source.rsplit('/', 1)[-1] or 'page'}:{line.line})" if line.line else ""
    return f"{line.level}: {line.message}{where}"
