"""How many messages wait for the search index, read on a connection of its own (from any
thread: the store's connection belongs to the window's)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def queued_for_search(path: Path) -> int:
    """The messages in the history file's `search_pending` queue."""
    probe = sqlite3.connect(path)
    try:
        return probe.execute("SELECT COUNT(*) FROM search_pending").fetchone()[0]
    finally:
        probe.close()
