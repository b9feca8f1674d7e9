"""Exceptions in slots and tasks are logged and shown, never silently lost."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.i18n import translate

log = logging.getLogger(__name__)


def install_excepthook() -> None:
    """Log an uncaught exception and show it in a box over the active window."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
        window = QApplication.activeWindow()
        if window is not None:
            # open(), not the static warning(): a nested event loop would stall asyncio.
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                translate("EaselApp", "Something went wrong"),
                f"{kind.__name__}: {error}",
                QMessageBox.StandardButton.Ok,
                window,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            QTimer.singleShot(0, box.open)

    sys.excepthook = hook
