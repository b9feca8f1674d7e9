"""What the window says when the history database could not be opened as it was.

A damaged database was kept aside and recovered (app/store_recovery.py): a message box says so
and offers to start with an empty history instead (the recovered file is kept aside too). A
history that cannot be opened at all (a read-only folder) stops the start with one sentence.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from app.i18n import translate

# The buttons' English text (a test finds the button by it); shown through translate().
KEEP = "Keep the recovered history"
START_EMPTY = "Start with an empty history"


def show_recovery_notice(
    parent: QWidget, notice: str, start_empty: Callable[[], None]
) -> QMessageBox:
    """A non-modal box with the notice; START_EMPTY calls `start_empty`."""
    title = translate("HistoryNotice", "History recovered")
    box = QMessageBox(QMessageBox.Icon.Warning, title, notice, parent=parent)
    box.setObjectName("history-recovered")
    keep_text = translate("HistoryNotice", "Keep the recovered history")
    empty_text = translate("HistoryNotice", "Start with an empty history")
    keep = box.addButton(keep_text, QMessageBox.ButtonRole.AcceptRole)
    empty = box.addButton(empty_text, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def clicked(button: QAbstractButton) -> None:
        if button is empty:
            start_empty()

    box.buttonClicked.connect(clicked)
    # open(), not exec(): a nested event loop would stall the asyncio loop (PITFALLS.md).
    box.open()
    return box


def cannot_start(sentence: str, *, interactive: bool) -> int:
    """Say why the window cannot start (stderr, and a box when someone can read it); exit 1."""
    print(sentence, file=sys.stderr)
    if interactive:
        # Before the window and the turn loop exist, so a modal box stalls nothing.
        QMessageBox(
            QMessageBox.Icon.Critical, translate("HistoryNotice", "Easel cannot start"), sentence
        ).exec()
    return 1
