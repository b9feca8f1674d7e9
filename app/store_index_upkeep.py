"""Keeping the store's search indexes whole and filled (app/store.py's companion).

Messages' prose is queued by triggers and indexed after each write (app/search_index.py); a
damaged FTS index is rebuilt from the rows, or made anew when its own pages are unreadable, so
a damaged index never stops a write or a search.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import search_index, store_search
from app.migrations import recreate_index
from app.store_errors import BUSY_TIMEOUT_MS, is_corrupt

log = logging.getLogger(__name__)
# Runs one piece of work in a write transaction (Store._attempt: no repair, no retry).
Attempt = Callable[[Callable[[sqlite3.Connection], Any]], Any]


class SearchIndexUpkeep:
    """Fills the prose index from its queue and rebuilds a damaged index."""

    def __init__(self, db: sqlite3.Connection, path: Path, attempt: Attempt) -> None:
        self._db = db
        self._path = path
        self._attempt = attempt
        # The messages index's tokenizer ("trigram", "unicode61"), None without one.
        self.fts = store_search.fts_tokenizer(db)
        # Whether the prose of messages is queued for indexing (migration m008 ran).
        self._prose = search_index.has_queue(db)

    def repair(self) -> bool:
        """Rebuild every damaged FTS index from the rows; True when one was damaged."""
        try:
            damaged = store_search.damaged_indexes(self._db)
        except sqlite3.DatabaseError:
            return False
        for name in damaged:
            log.warning("the search index %s of %s is damaged: rebuilding it", name, self._path)
            if not self._rebuild_index(name):
                return False
        return bool(damaged)

    def _rebuild_index(self, name: str) -> bool:
        try:
            self._attempt(lambda db: db.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')"))
            return True
        except sqlite3.DatabaseError:
            pass  # the index's own pages are unreadable: make it anew
        try:
            self._attempt(lambda db: recreate_index(db, name, self.fts or "unicode61"))
            return True
        except sqlite3.DatabaseError:
            log.warning("could not rebuild %s", name, exc_info=True)
            return False

    def index_pending(self, *, repair: bool = True, batches: int | None = None) -> None:
        """Put the prose of queued messages in the search index (app/search_index.py).

        The write that queued them is saved already: a failure here is logged, and a damaged
        index rebuilt (which queues every message again) and filled once more. `batches`
        bounds the work (None: until the queue is empty).
        """
        if not self._prose:
            return
        try:
            while (batches is None or batches > 0) and search_index.pending(self._db):
                self._attempt(search_index.index_pending)
                batches = None if batches is None else batches - 1
        except sqlite3.DatabaseError as error:
            log.warning("could not index messages for search: %s", error)
            if repair and is_corrupt(error) and self.repair():
                self.index_pending(repair=False, batches=batches)

    def index_pending_apart(self) -> bool:
        """One batch of the queue on a connection of its own, for a worker thread; True
        while more wait. The trigram insert of a long reply's prose (~0.2-0.5 s for 1 MB)
        runs inside SQLite without the GIL, so the window's thread goes on meanwhile (a
        write of the window's waits for it: busy_timeout). A failure is raised: the window's
        next search drains the queue, repairing a damaged index."""
        if not self._prose:
            return False
        db = sqlite3.connect(self._path, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA synchronous = NORMAL")  # as the store's own connection
            db.execute("BEGIN IMMEDIATE")
            try:
                search_index.index_pending(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            return search_index.pending(db)
        finally:
            db.close()

    def more_pending(self) -> bool:
        """Whether queued messages still wait for the index."""
        return self._prose and search_index.pending(self._db)

    def rebuild_all(self) -> None:
        """Build every search index anew from the rows (after a recovery)."""
        for name in ("messages_fts", "conversations_fts"):
            if not self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = ?", (name,)
            ).fetchone():
                continue
            if name == "messages_fts" and self._prose:
                # The index's own copy of the prose came back with the rows it could: make it
                # again from the messages that did.
                self._attempt(lambda db: recreate_index(db, "messages_fts", self.fts or "trigram"))
            else:
                self._rebuild_index(name)
        self.index_pending()
