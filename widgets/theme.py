"""Light, dark, or the system's choice: the widgets' palette and style sheet, and the web pages'.

`ThemeController` owns the user's mode ("system", "light", "dark", from app/appearance.py) and
turns it into a scheme, light or dark. "system" reads Qt's colour-scheme hint and follows it
live (`QStyleHints.colorSchemeChanged`); where the platform has no hint (Unknown), light.

Applying a scheme sets, in this order, the application palette (dark colours, or the style's
standard palette), the style sheet (assets/style.qss, plus assets/style-dark.qss in dark), and
what web pages prefer (`sandbox.page_appearance`: the transcript's CSS and artifacts'
`prefers-color-scheme`). Code and diff views recolour themselves when their palette changes
(`widgets.code_theme.colours_for`), so nothing else has to be told.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.appearance import THEMES
from app.config import Settings
from app.resources import asset
from sandbox.page_appearance import apply_web_scheme

STYLE = asset("style.qss")
DARK_STYLE = asset("style-dark.qss")  # applied after STYLE in the dark theme
# The dark palette: warm greys beside the transcript's dark page (#1f1f1e) and the accent.
_DARK_ROLES = {
    QPalette.ColorRole.Window: "#252523",
    QPalette.ColorRole.WindowText: "#e8e6e1",
    QPalette.ColorRole.Base: "#1f1f1e",
    QPalette.ColorRole.AlternateBase: "#2a2a28",
    QPalette.ColorRole.Text: "#ecebe7",
    QPalette.ColorRole.Button: "#2f2f2c",
    QPalette.ColorRole.ButtonText: "#e8e6e1",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Highlight: "#b8653a",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#2f2f2c",
    QPalette.ColorRole.ToolTipText: "#ecebe7",
    QPalette.ColorRole.PlaceholderText: "#8d8c86",
    QPalette.ColorRole.Link: "#7aa7f0",
    QPalette.ColorRole.LinkVisited: "#b49af0",
    QPalette.ColorRole.Light: "#3a3a37",
    QPalette.ColorRole.Midlight: "#32322f",
    QPalette.ColorRole.Mid: "#45443f",
    QPalette.ColorRole.Dark: "#161615",
    QPalette.ColorRole.Shadow: "#0c0c0b",
}
# Disabled text is dimmed, as the standard palettes do.
_DARK_DISABLED = {
    QPalette.ColorRole.WindowText: "#7b7a75",
    QPalette.ColorRole.Text: "#7b7a75",
    QPalette.ColorRole.ButtonText: "#7b7a75",
}


def dark_palette() -> QPalette:
    """Easel's dark palette."""
    palette = QPalette()
    for role, colour in _DARK_ROLES.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


class ThemeController(QObject):
    """Applies the user's theme to the whole application, and again when the system changes."""

    # The scheme in force changed: "light" or "dark".
    schemeChanged = Signal(str)

    def __init__(self, app: QApplication, mode: str) -> None:
        # Owned by whoever made it (not the application): when that goes, so does the
        # connection to the system's scheme.
        super().__init__()
        self._app = app
        self._mode = mode if mode in THEMES else "system"
        self._applied = ""
        self._palette_set = False  # a palette of ours is set (the dark one, so far)
        self._applying = False
        self._light_sheet = _read(STYLE)
        self._dark_sheet = self._light_sheet + "\n" + _read(DARK_STYLE)
        app.styleHints().colorSchemeChanged.connect(self._on_system_scheme)

    @property
    def mode(self) -> str:
        """ "system", "light" or "dark"."""
        return self._mode

    def scheme(self) -> str:
        """The scheme the mode gives now: "light" or "dark"."""
        if self._mode != "system":
            return self._mode
        dark = self._app.styleHints().colorScheme() == Qt.ColorScheme.Dark
        return "dark" if dark else "light"

    def set_mode(self, mode: str) -> None:
        """Use `mode` from now on (the caller decides whether to save it)."""
        if mode not in THEMES:
            raise ValueError(f"Unknown theme {mode!r}: choose one of {', '.join(THEMES)}.")
        self._mode = mode
        self.apply()

    def apply(self, *, style_sheet: bool = True) -> None:
        """Palette, style sheet and web pages in the current scheme.

        style_sheet=False leaves the style sheet for apply_style_sheet(): at start-up it is set
        once the window's widgets are built, since each widget put into a parent under an
        application style sheet is polished again, with all its children (~15 ms of start-up).
        """
        if self._applying:  # the web step emits the hint's signal, which lands back here
            return
        self._applying = True
        try:
            scheme = self.scheme()
            dark = scheme == "dark"
            if dark:
                self._app.setPalette(dark_palette())
                self._palette_set = True
            elif self._palette_set:  # back from dark: the style's own light palette
                self._app.setPalette(self._app.style().standardPalette())
            # Else the application has the style's palette already. (Asking the style for it
            # makes PySide6 build QStyle's Python enums first: ~6 ms of every light start-up.)
            if style_sheet:
                self.apply_style_sheet()
            apply_web_scheme(None if self._mode == "system" else scheme)
        finally:
            self._applying = False
        if scheme != self._applied:
            self._applied = scheme
            self.schemeChanged.emit(scheme)

    def apply_style_sheet(self) -> None:
        """The style sheet of the scheme last applied (see apply)."""
        dark = self.scheme() == "dark"
        self._app.setStyleSheet(self._dark_sheet if dark else self._light_sheet)

    def _on_system_scheme(self, _scheme: Qt.ColorScheme) -> None:
        # A fixed choice ignores the desktop; "system" follows it when it really changed.
        if self._mode == "system" and not self._applying and self.scheme() != self._applied:
            self.apply()


def run_theme(args: object, settings: Settings) -> str:
    """The theme of this run: --theme (never saved), else the one chosen in View ▸ Theme."""
    return getattr(args, "theme", None) or settings.theme


def _read(path: Path) -> str:
    return path.read_text("utf-8") if path.is_file() else ""
