"""The history database's errors: what a failed SQLite call means, in one sentence.

Store methods raise these instead of sqlite3's errors, so a caller (the window, `ask`) can say
what happened and what to do: the disk is full, the file is damaged, the folder is read-only,
another program holds the lock.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from app.i18n import translate

# Milliseconds a write waits for another process's write lock before it fails.
BUSY_TIMEOUT_MS = 5_000


class StoreError(Exception):
    """The history database cannot do what was asked. str() is one sentence for the user."""

    exit_code = 1


class DiskFull(StoreError):
    """SQLITE_FULL: the disk (or the database's size limit) has no room for the write."""


class StoreDamaged(StoreError):
    """The file is not a database, or its pages are damaged."""


class StoreReadOnly(StoreError):
    """The database or its folder cannot be written."""


class StoreBusy(StoreError):
    """Another process held the database locked for longer than the busy timeout."""


def store_error(error: sqlite3.Error, path: Path) -> StoreError:
    """The StoreError that says in one sentence what an SQLite error means for the user."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_FULL:
        return DiskFull(
            translate(
                "StoreErrors", "The disk is full: Easel cannot save to {path}. Free some space."
            ).format(path=path)
        )
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StoreDamaged(
            translate("StoreErrors", "The history database {path} is damaged ({error}).").format(
                path=path, error=error
            )
        )
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
        return StoreReadOnly(
            translate(
                "StoreErrors",
                "Easel cannot write its history at {path} ({error}): make the folder writable, "
                "or set EASEL_HOME to a folder you can write to.",
            ).format(path=path, error=error)
        )
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreBusy(
            translate(
                "StoreErrors",
                "The history database {path} stayed locked by another program for {seconds} s; "
                "try again.",
            ).format(path=path, seconds=BUSY_TIMEOUT_MS // 1000)
        )
    return StoreError(
        translate("StoreErrors", "The history database {path} failed: {error}.").format(
            path=path, error=error
        )
    )


def is_corrupt(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_CORRUPT


def set_wal(db: sqlite3.Connection) -> None:
    """WAL mode, waiting for a second process that is creating the same new file.

    Switching a new file to WAL needs a moment of exclusive access, and that request does not
    wait through busy_timeout: two first starts at once got "database is locked". Retry it.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            code = getattr(error, "sqlite_errorcode", 0) & 0xFF
            if code not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
