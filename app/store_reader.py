"""The history read on a connection of its own, from a worker thread.

Building a turn's request reads the conversation's whole current path: 12 ms for 2,000
messages and 69 ms for 10,000 on the 2-core machine, in one piece on the window's thread
before the request could go. A `StoreReader` makes the same reads as `app.store.Store` (the
path, and through `read` the tool calls and files) on a read-only connection opened on the
thread that uses it, so the window's loop keeps turning; SQLite runs each query without the
GIL. It sees what the store's own connection has committed (WAL), and the store commits each
write before a turn builds its request. It writes nothing: a write would fail.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Any

from app import store_artifacts, store_tree
from app.store_errors import BUSY_TIMEOUT_MS
from app.store_records import MESSAGE_COLUMNS, ArtifactVersion, StoredMessage


class StoreReader:
    """Read-only access to the history file at `path`, for one thread; a context manager."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
        )
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def __enter__(self) -> StoreReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._db.close()

    def read(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        """The rows of one query (as Store.read)."""
        return self._db.execute(sql, parameters).fetchall()

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """The conversation's current path, root to leaf (as Store.messages)."""
        rows = store_tree.path_rows(self._db, conversation_id, MESSAGE_COLUMNS)
        return [StoredMessage(*row) for row in rows]

    def latest_artifacts(self, conversation_id: int) -> list[ArtifactVersion]:
        """The newest version of each artifact on the current path (as Store.latest_artifacts)."""
        return store_artifacts.newest_on_path(self._db, conversation_id)
