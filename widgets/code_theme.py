"""The look of code panes: colours of the warm-grey UI (light and dark), the monospace font,
scroll bars.

Shared by the Code view, its find bar and highlighter, and the diff view. A pane picks its
colours from its own palette (`colours_for`): the theme sets the application palette, every
widget gets a PaletteChange, and a pane recolours itself then, so the theme need not know them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QPalette

MONO_FAMILIES = ("JetBrains Mono", "Fira Code", "DejaVu Sans Mono", "Noto Sans Mono", "monospace")

# Colours of the light, warm-grey UI (assets/style.qss); accent #c96f3b.
BACKGROUND = "#fbfbfa"
FOREGROUND = "#2b2b28"
CURRENT_LINE = "#f3f1eb"
GUTTER_BG = "#f6f6f4"
GUTTER_FG = "#b3b1a9"
GUTTER_BORDER = "#ebeae5"
SELECTION = "#f2d9c8"
MATCH = "#fbe8b0"
CURRENT_MATCH = "#f0b48c"


@dataclass(frozen=True)
class CodeColours:
    """The colours of a code pane in one scheme."""

    dark: bool
    background: str
    foreground: str
    current_line: str
    gutter_bg: str
    gutter_fg: str
    gutter_border: str
    selection: str
    match: str
    current_match: str
    handle: str
    handle_hover: str
    muted: str  # fold markers, line numbers of the diff's other side


LIGHT = CodeColours(
    False,
    BACKGROUND,
    FOREGROUND,
    CURRENT_LINE,
    GUTTER_BG,
    GUTTER_FG,
    GUTTER_BORDER,
    SELECTION,
    MATCH,
    CURRENT_MATCH,
    "#d8d6cf",
    "#bdbbb3",
    "#8a8a82",
)
DARK = CodeColours(
    True,
    "#1c1c1b",
    "#e6e4de",
    "#262624",
    "#222220",
    "#6f6e68",
    "#34332f",
    "#5a3a26",
    "#5c4a1a",
    "#8a5a2e",
    "#45443f",
    "#5a5953",
    "#8d8c86",
)


def colours_for(palette: QPalette) -> CodeColours:
    """DARK when the palette's window colour is dark (the dark theme), else LIGHT."""
    return DARK if palette.color(QPalette.ColorRole.Window).lightness() < 128 else LIGHT


def repaint_on_scheme_change(event: QEvent, current: CodeColours) -> CodeColours | None:
    """The new colours when `event` is a palette change that switched scheme, else None."""
    kinds = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
    if event.type() not in kinds:
        return None
    colours = colours_for(QGuiApplication.palette())
    return colours if colours != current else None


def editor_style(name: str, colours: CodeColours = LIGHT) -> str:
    """The style sheet of a code pane named `name`: the scheme's colours, thin scroll bars."""
    c = colours
    return f"""
        #{name} {{ background: {c.background}; color: {c.foreground}; border: none;
            selection-background-color: {c.selection}; selection-color: {c.foreground}; }}
        #{name} QScrollBar:vertical {{ width: 11px; background: transparent; margin: 0; }}
        #{name} QScrollBar:horizontal {{ height: 11px; background: transparent; margin: 0; }}
        #{name} QScrollBar::handle {{ background: {c.handle}; border-radius: 4px; margin: 2px;
            min-height: 28px; min-width: 28px; }}
        #{name} QScrollBar::handle:hover {{ background: {c.handle_hover}; }}
        #{name} QScrollBar::add-line, #{name} QScrollBar::sub-line {{ width: 0; height: 0; }}
        #{name} QScrollBar::add-page, #{name} QScrollBar::sub-page {{ background: none; }}
        """


def monospace_font() -> QFont:
    """The first installed of MONO_FAMILIES, 10 pt."""
    families = set(QFontDatabase.families())
    family = next((name for name in MONO_FAMILIES if name in families), "monospace")
    font = QFont(family)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setFixedPitch(True)
    font.setPointSizeF(10.0)
    return font
