"""User-visible text goes through `translate(context, text)` so Qt's translators can replace it.

Every string a user sees in the desktop app is written as `translate("Context", "Text")` with a
literal context and text: `pyside6-lupdate` finds exactly that call shape when it builds the
`.ts` sources, and Qt's installed translators answer it at run time. The headless commands never
load Qt, so without `PySide6.QtCore` imported the text comes back unchanged (the command line
speaks English, as its contract in DESIGN.md §5 does).
"""

from __future__ import annotations

import sys


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """`text` in the user's language, looked up under `context` (a literal, for lupdate)."""
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is None:
        return text
    return qtcore.QCoreApplication.translate(context, text, disambiguation, n)
