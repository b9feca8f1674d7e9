"""Where the main window opens: fitted to the screen on first launch, clamped to it later.

The saved geometry is the window's own normal rectangle (x, y, width, height and whether it was
maximized), not Qt's `saveGeometry` blob: that blob holds the frame, and restoring it after
`show()` made the window drift and grow by the frame's size from run to run on some window
managers. The rectangle is restored before the window is shown, shrunk to the screen it lands
on, and never below what the window's layout needs; an older blob is still read once.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# The size the window would like on a large screen.
PREFERRED = QSize(1440, 900)
# Room left for the window manager's frame and title bar (the rectangle is the client area).
FRAME_ALLOWANCE = QSize(16, 48)
PREFIX = "rect:"


def available_geometry(point: QPoint | None = None) -> QRect:
    """The usable part of the screen holding `point` (the primary screen by default)."""
    screen = QGuiApplication.screenAt(point) if point is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 720)


def first_launch_rect(available: QRect) -> QRect:
    """The preferred size, shrunk to fit the screen's usable area, centred on it."""
    return clamp_rect(QRect(QPoint(0, 0), PREFERRED), available, centre=True)


def clamp_rect(rect: QRect, available: QRect, *, centre: bool = False) -> QRect:
    """`rect` no larger than the usable area (less the frame) and moved inside it."""
    width = min(rect.width(), available.width() - FRAME_ALLOWANCE.width())
    height = min(rect.height(), available.height() - FRAME_ALLOWANCE.height())
    size = QSize(max(width, 1), max(height, 1))
    if centre:
        left = available.left() + (available.width() - size.width()) // 2
        top = available.top() + (available.height() - size.height()) // 2
    else:
        left = min(max(rect.left(), available.left()), available.right() + 1 - size.width())
        top = min(max(rect.top(), available.top()), available.bottom() + 1 - size.height())
    return QRect(QPoint(left, top), size)


def geometry_text(window: QWidget) -> str:
    """What to save: the window's normal rectangle and whether it is maximized."""
    rect = window.normalGeometry() if window.isMaximized() else window.geometry()
    maximized = int(window.isMaximized())
    return f"{PREFIX}{rect.x()},{rect.y()},{rect.width()},{rect.height()},{maximized}"


def restore_window(window: QWidget, saved: str | None) -> None:
    """Place the window before it is shown: the saved rectangle clamped, or a first launch."""
    parsed = _parse(saved)
    if parsed is None and saved and not saved.startswith(PREFIX):
        # An older settings file holds Qt's blob: let Qt read it, then clamp what it chose.
        if window.restoreGeometry(QByteArray.fromBase64(saved.encode())):
            parsed = (window.geometry(), window.isMaximized())
    if parsed is None:
        rect = first_launch_rect(available_geometry())
        maximized = False
    else:
        rect, maximized = parsed
        rect = clamp_rect(rect, available_geometry(rect.center()))
    window.setGeometry(rect)
    if maximized:
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def _parse(saved: str | None) -> tuple[QRect, bool] | None:
    if not saved or not saved.startswith(PREFIX):
        return None
    try:
        x, y, width, height, maximized = (int(part) for part in saved[len(PREFIX) :].split(","))
    except ValueError:
        return None  # a hand-edited value: start as on a first launch
    if width <= 0 or height <= 0:
        return None
    return QRect(x, y, width, height), bool(maximized)
