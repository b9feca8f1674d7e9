"""The text cursor stops blinking while the user is away, so an idle window does no work at all.

A focused text box blinks its cursor twice a second, and each blink repaints the box and the
widgets under it: in a window left alone, that was all Easel's GUI thread did (~0.2 % CPU, where
a bare web view shows 0). As GTK does (its cursor-blink-timeout, 10 s), the cursor rests — shown,
not blinking — REST_AFTER_MS after it last woke, and blinks again at the next key (while the
user types, a key comes at once and nothing shows the difference).

While it rests, only the text box that has the focus is watched (an event filter on that box,
removed at once when the cursor wakes): its next key wakes the cursor, and so does the focus
leaving it. Typing never goes through Python for this, and nothing here is handed other
objects: a filter on the whole application, or a slot on its focus changes, is given objects
Qt is destroying, which PySide6 cannot always wrap (both crashed the test suite).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

# GTK's default cursor-blink-timeout.
REST_AFTER_MS = 10_000

# What counts as the user being back, on the text box that has the focus.
_WAKING = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.InputMethod,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.FocusOut,
    }
)


class CursorRest(QObject):
    """Rests the focused text box's cursor after `rest_after_ms` without input; stop() before
    the window goes (it gives the cursor its blink back)."""

    def __init__(
        self, app: QApplication, rest_after_ms: int = REST_AFTER_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._hints = app.styleHints()
        self._flash_ms = self._hints.cursorFlashTime()  # the platform's own blink
        self._watched: list[QWidget] = []  # the focused box while the cursor rests
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(rest_after_ms)
        self._timer.timeout.connect(self._rest)
        self._timer.start()

    @property
    def resting(self) -> bool:
        """Whether the cursor rests now."""
        return bool(self._watched)

    def wake(self) -> None:
        """The user is back: the cursor blinks again, and rests again after the next pause."""
        self._wake()
        self._timer.start()

    def stop(self) -> None:
        """Blink as the platform does and rest no more."""
        self._wake()
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """On the focused box while resting: its next key or click wakes the cursor."""
        if event.type() in _WAKING:
            self.wake()
        return False

    def _rest(self) -> None:
        if self._flash_ms <= 0:
            return  # the platform does not blink the cursor: nothing to rest
        widget = self._app.focusWidget()
        if widget is None:
            self._timer.start()  # nothing has the focus, so nothing blinks: look again later
            return
        # The box itself only: its viewport (where a text area's clicks land) is a widget Qt
        # made, and wrapping one the first time builds PySide6's enums of every widget class
        # (a 20-40 ms stall). Its next key, or the focus leaving it, wakes the cursor.
        self._watched = [widget]
        widget.installEventFilter(self)
        self._hints.setCursorFlashTime(0)  # the box shows its cursor steadily at once

    def _wake(self) -> None:
        watched, self._watched = self._watched, []
        if not watched:
            return
        for widget in watched:
            if shiboken6.isValid(widget):
                widget.removeEventFilter(self)
        self._hints.setCursorFlashTime(self._flash_ms)
