"""The look of code panes: colours of the light, warm-grey UI, the monospace font, scroll bars.

Shared by the Code view, its find bar and highlighter, and the diff view.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

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


def editor_style(name: str) -> str:
    """The style sheet of a code pane named `name`: warm light colours, thin scroll bars."""
    return f"""
        #{name} {{ background: {BACKGROUND}; color: {FOREGROUND}; border: none;
            selection-background-color: {SELECTION}; selection-color: {FOREGROUND}; }}
        #{name} QScrollBar:vertical {{ width: 11px; background: transparent; margin: 0; }}
        #{name} QScrollBar:horizontal {{ height: 11px; background: transparent; margin: 0; }}
        #{name} QScrollBar::handle {{ background: #d8d6cf; border-radius: 4px; margin: 2px;
            min-height: 28px; min-width: 28px; }}
        #{name} QScrollBar::handle:hover {{ background: #bdbbb3; }}
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
