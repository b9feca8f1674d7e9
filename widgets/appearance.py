"""Theme and zoom as the user sees them: the View menu's actions, applied and remembered.

The theme comes from the settings, or from `--theme` for one run (never saved: only a choice
made in View ▸ Theme is). The zoom is one factor for the transcript and every artifact alike,
whichever has the focus: the keys work wherever the user is typing (usually the composer),
and the chat and its artifacts stay in proportion. It is saved as soon as it changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWebEngineWidgets import QWebEngineView

from app.appearance import DEFAULT_ZOOM, zoom_in, zoom_label, zoom_out
from app.config import Settings
from app.i18n import translate
from sandbox.page_appearance import apply_web_scheme, apply_web_zoom, follow_app_appearance
from widgets.appearance_menu import THEME_ACTIONS
from widgets.theme import ThemeController


class Appearance(QObject):
    """Connects View ▸ Theme and the zoom actions to the theme controller and the pages."""

    def __init__(
        self,
        theme: ThemeController,
        settings: Settings,
        save: Callable[[], None],
        actions: dict[str, QAction],
        transcript: QWebEngineView,
    ) -> None:
        super().__init__(theme)
        self._theme = theme
        self._settings = settings
        self._save = save
        self._actions = actions
        # The transcript was made before the theme reached the pages: follow, and switch now.
        follow_app_appearance(transcript.page())
        apply_web_scheme(None if theme.mode == "system" else theme.scheme())
        for mode, name in THEME_ACTIONS.items():
            actions[name].setChecked(mode == theme.mode)
            actions[name].triggered.connect(lambda _=False, mode=mode: self.choose_theme(mode))
        actions["zoom-in"].triggered.connect(lambda: self.set_zoom(zoom_in(self.zoom)))
        actions["zoom-out"].triggered.connect(lambda: self.set_zoom(zoom_out(self.zoom)))
        actions["zoom-reset"].triggered.connect(lambda: self.set_zoom(DEFAULT_ZOOM))
        apply_web_zoom(settings.zoom)
        self._show_zoom()

    @property
    def zoom(self) -> float:
        """The zoom factor of the transcript and the artifacts."""
        return self._settings.zoom

    def choose_theme(self, mode: str) -> None:
        """The user picked a theme: use it and keep it."""
        self._theme.set_mode(mode)
        self._actions[THEME_ACTIONS[mode]].setChecked(True)
        self._settings.theme = mode
        self._save()

    def set_zoom(self, factor: float) -> None:
        """Zoom the transcript and every artifact, and remember it."""
        if abs(factor - self._settings.zoom) < 1e-6:
            return
        self._settings.zoom = factor
        apply_web_zoom(factor)
        self._show_zoom()
        self._save()

    def _show_zoom(self) -> None:
        text = translate("MainWindow", "Zoom: %1").replace("%1", zoom_label(self.zoom))
        self._actions["zoom-level"].setText(text)
        self._actions["zoom-out"].setEnabled(zoom_out(self.zoom) < self.zoom)
        self._actions["zoom-in"].setEnabled(zoom_in(self.zoom) > self.zoom)
