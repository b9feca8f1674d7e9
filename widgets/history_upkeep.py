"""The history's upkeep: the search queue (after the first frame and after each turn), the
full check.

Start-up does neither (app/store.py indexes one batch when it opens, app/store_checkup.py
skips the full check after a clean end). Once the window is on screen, `upkeep` gives queued
messages their search prose a batch at a time, yielding to the event loop between batches,
then, when it is due, reads every page of the database on a worker thread. Damage found
there is told in a non-modal box: the next start sets the file aside and recovers it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import translate
from app.store import Store
from app.store_checkup import HistoryCheckup
from app.store_errors import StoreError

log = logging.getLogger(__name__)


async def upkeep(
    store: Callable[[], Store], checkup: HistoryCheckup, parent: QWidget
) -> QMessageBox | None:
    """Drain the search queue in steps, then check the file when due; the box if damaged.

    `store` gives the current store (the user may swap it for an empty one meanwhile).
    """
    await index_queued(store)
    if not checkup.due():
        return None
    finding = await asyncio.to_thread(checkup.check)
    if finding is None:
        return None
    return show_damage_found(parent, finding)


async def index_queued(store: Callable[[], Store]) -> None:
    """Give queued messages their search prose, a batch at a time on a worker thread with a
    connection of its own (the window's store leaves it to this, see Store.index_on_write):
    indexing a long reply took the window's thread 0.2-0.5 s per MB of prose."""
    try:
        while await asyncio.to_thread(store().index_pending_apart):
            await asyncio.sleep(0)
    except (StoreError, sqlite3.Error) as error:  # closed or failing: a search drains it
        log.warning("could not index queued messages: %s", error)


def show_damage_found(parent: QWidget, finding: str) -> QMessageBox:
    """A non-modal box: the history is damaged, and a restart recovers it."""
    text = translate(
        "HistoryUpkeep",
        "Easel found damage in the history database ({finding}). Quit Easel and start it "
        "again to recover it: the damaged file will be kept aside and everything that can "
        "still be read will be copied into a new one.",
    ).format(finding=finding)
    box = QMessageBox(
        QMessageBox.Icon.Warning, translate("HistoryUpkeep", "History damaged"), text,
        QMessageBox.StandardButton.Ok, parent,
    )  # fmt: skip
    box.setObjectName("history-damaged")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # not exec(): a nested event loop would stall the asyncio loop (PITFALLS.md)
    return box
