"""The text cursor stops blinking while the user is away, so an idle window does no work at all.

A focused text box blinks its cursor twice a second, and each blink repaints the box and the
widgets under it: in a window left alone, that was all Easel's GUI thread did (~0.2 % CPU, where
a bare web view shows 0). As GTK does (its cursor-blink-timeout, 10 s), the cursor rests — shown,
not blinking — after REST_AFTER_MS with no key or click, and blinks again at the next one.

Only the wait for that next key or click needs to see the application's events, so the event
filter is installed while the cursor rests and removed at once when it wakes: typing never goes
through Python for this.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication

# GTK's default cursor-blink-timeout.
REST_AFTER_MS = 10_000

# What counts as the user being back.
_WAKING = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.InputMethod,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
    }
)


class CursorRest(QObject):
    """Rests the application's text cursors after `rest_after_ms` without input."""

    def __init__(self, app: QGuiApplication, rest_after_ms: int = REST_AFTER_MS) -> None:
        super().__init__(app)
        self._app = app
        self._hints = app.styleHints()
        self._flash_ms = self._hints.cursorFlashTime()  # the platform's own blink
        self.resting = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(rest_after_ms)
        self._timer.timeout.connect(self._rest)
        self._timer.start()

    def _rest(self) -> None:
        if self._flash_ms <= 0:
            return  # the platform does not blink the cursor: nothing to rest
        self.resting = True
        self._hints.setCursorFlashTime(0)  # text boxes show the cursor steadily at once
        self._app.installEventFilter(self)

    def wake(self) -> None:
        """The user is back: the cursor blinks again, and rests again after the next pause."""
        if self.resting:
            self.resting = False
            self._app.removeEventFilter(self)
            self._hints.setCursorFlashTime(self._flash_ms)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Installed only while resting: the first key or click wakes the cursor."""
        if event.type() in _WAKING:
            self.wake()
        return False
