"""The appearance choices Easel remembers: the colour theme and the zoom of web content.

Pure values and their validation, shared by settings.json (`app/config.py`), the command line
(`--theme`) and the window (`widgets/theme.py`, `widgets/zoom.py`). A value that makes no sense
(a theme nobody offers, a zoom of 0 or 40) gives the default and a log line, never an error.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

# "system" follows the desktop's light/dark preference, live; the others are fixed.
THEMES = ("system", "light", "dark")
DEFAULT_THEME = "system"
# Zoom steps of the transcript and artifacts (a browser's usual ladder), and their range.
ZOOM_STEPS = (0.5, 0.67, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
DEFAULT_ZOOM = 1.0


def theme_from_json(value: Any) -> str:
    """The saved theme, or the default when it is missing or unknown."""
    if value is None or value in THEMES:
        return value or DEFAULT_THEME
    log.warning("theme in settings must be one of %s; using %s", ", ".join(THEMES), DEFAULT_THEME)
    return DEFAULT_THEME


def zoom_from_json(value: Any) -> float:
    """The saved zoom factor, or 1.0 when it is missing or outside the steps' range."""
    if value is None:
        return DEFAULT_ZOOM
    low, high = ZOOM_STEPS[0], ZOOM_STEPS[-1]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high:
        return float(value)
    log.warning("zoom in settings must be %g to %g; using %g", low, high, DEFAULT_ZOOM)
    return DEFAULT_ZOOM


def zoom_in(factor: float) -> float:
    """The next step up from `factor` (the largest step stays)."""
    return next((step for step in ZOOM_STEPS if step > factor + 1e-6), ZOOM_STEPS[-1])


def zoom_out(factor: float) -> float:
    """The next step down from `factor` (the smallest step stays)."""
    return next((s for s in reversed(ZOOM_STEPS) if s < factor - 1e-6), ZOOM_STEPS[0])


def zoom_label(factor: float) -> str:
    """The zoom as the View menu shows it: "110 %"."""
    return f"{round(factor * 100)} %"
