"""Opening the history when its file is damaged: keep it aside, recover what can be read.

A garbage, truncated or damaged `easel.sqlite3` must not stop Easel. `open_history` moves the
damaged file (and its -wal/-shm companions) aside byte for byte as
`easel.sqlite3.corrupt-<date>` (numbered, never over an earlier one), then builds a new
database from what can still be read: with the `sqlite3` command's `.recover` when that
program is installed (it reads past damaged pages), else by copying every readable row, table
by table. The search index is then rebuilt from the rows. What happened is one notice for the
user; the damaged original is never touched again, so nothing is lost either way.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.config import home_dirs
from app.i18n import translate
from app.store import DB_FILE, Store
from app.store_errors import StoreError, StoreReadOnly, store_error

log = logging.getLogger(__name__)

# The tables whose rows are the user's history, in an order that satisfies foreign keys.
TABLES = ("conversations", "messages", "artifact_versions")
_COMPANIONS = ("-wal", "-shm")
_RECOVER_TIMEOUT = 600


class _Damaged(Exception):
    """quick_check found damage; str() is its first finding."""


@dataclass(frozen=True)
class OpenedHistory:
    """The store, and what the user must be told about opening it (None: nothing)."""

    store: Store
    notice: str | None = None
    aside: Path | None = None


def open_history(path: Path | None = None, *, check: bool = False) -> OpenedHistory:
    """Open the history database, recovering a damaged one. Raises StoreError (one sentence)
    only when no database can be opened at all (a read-only folder, a lock held too long).

    check: read every page first (PRAGMA quick_check, ~4 ms per MB), so damage that opening
    does not meet is found now; the window does when app/store_checkup.py finds it warranted
    (after an unclean end), the quick headless commands never do.
    """
    path = path or history_path()
    try:
        return OpenedHistory(_open_checked(path, check))
    except _Damaged as error:
        reason = str(error)
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise store_error(error, path) from None
        reason = str(error)
    except OSError as error:
        raise StoreReadOnly(_unwritable(error)) from None
    log.warning("the history database %s is damaged (%s): recovering", path, reason)
    return recover(path, reason)


def history_path() -> Path:
    """The user's history database; StoreReadOnly when its folder cannot be made."""
    try:
        return home_dirs()[1] / DB_FILE
    except OSError as error:
        raise StoreReadOnly(_unwritable(error)) from None


def start_empty(store: Store) -> tuple[Store, Path]:
    """Close `store`, keep its file aside as `<name>.recovered-<date>`, open an empty one."""
    path = store.path
    store.close()
    kept = set_aside(path, "recovered")
    return Store(path), kept


def is_damage(error: sqlite3.Error) -> bool:
    """Whether an SQLite error says the file is not a database or its pages are damaged."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _open_checked(path: Path, check: bool) -> Store:
    store = Store(path)
    if not check:
        return store
    try:
        # quick_check reads every page: damage found now is recovered now, not met later in
        # the middle of a reply.
        problems = store.quick_check()
    except BaseException:
        store.close()
        raise
    if problems:
        store.close()
        raise _Damaged(problems[0])
    # The search index is not checked here (its integrity-check reads it all: seconds for a
    # large history); a write or search that meets damage rebuilds it (Store._transaction).
    return store


def recover(path: Path, reason: str) -> OpenedHistory:
    """Set the damaged file aside, build a new one from what it holds, open that."""
    aside = set_aside(path)
    try:
        conversations, messages, how = _rebuild(aside, path)
    except (sqlite3.Error, OSError, StoreError) as error:
        log.warning("recovery from %s failed: %s", aside, error, exc_info=True)
        _discard(path)
        store = Store(path)
        notice = translate(
            "StoreRecovery",
            "The history database was damaged ({reason}). Easel kept it as {name} and "
            "started with an empty history: nothing could be read from it.",
        ).format(reason=reason, name=aside.name)
        return OpenedHistory(store, notice, aside)
    store = Store(path)
    store.rebuild_search_index()
    notice = translate(
        "StoreRecovery",
        "The history database was damaged ({reason}). Easel kept it as {name} and "
        "recovered {conversations} conversations ({messages} messages) from it {how}.",
    ).format(
        reason=reason, name=aside.name, conversations=conversations, messages=messages, how=how
    )
    return OpenedHistory(store, notice, aside)


def set_aside(path: Path, label: str = "corrupt") -> Path:
    """Move `path` and its -wal/-shm to `<name>.<label>-<date>` (numbered; never overwrites)."""
    stem = f"{path.name}.{label}-{time.strftime('%Y-%m-%d')}"
    number = 1
    while True:
        aside = path.with_name(stem if number == 1 else f"{stem}-{number}")
        taken = [aside] + [aside.with_name(aside.name + s) for s in _COMPANIONS]
        if not any(p.exists() for p in taken) and _move_new(path, aside):
            break
        number += 1
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _move_new(companion, aside.with_name(aside.name + suffix))
    return aside


def _move_new(source: Path, target: Path) -> bool:
    """Move without ever replacing: False when `target` exists (someone else took the name)."""
    try:
        os.link(source, target)  # fails if target exists, unlike rename
    except FileExistsError:
        return False
    except OSError:
        if target.exists():
            return False
        os.replace(source, target)  # a filesystem without hard links
        return True
    source.unlink()
    return True


def _rebuild(aside: Path, path: Path) -> tuple[int, int, str]:
    """Fill a new database at `path` from `aside` (read through a private copy)."""
    work = Path(tempfile.mkdtemp(prefix="easel-recover-", dir=path.parent))
    try:
        copy = work / "damaged.sqlite3"
        for suffix in ("",) + _COMPANIONS:
            source = aside.with_name(aside.name + suffix)
            if source.exists():
                shutil.copyfile(source, copy.with_name(copy.name + suffix))
        _pad_truncated(copy)
        target = work / "recovered.sqlite3"
        how = translate("StoreRecovery", "with sqlite3's .recover")
        if not _recover_with_cli(copy, target):
            how = translate("StoreRecovery", "row by row")
            target.unlink(missing_ok=True)
            _copy_rows(copy, target)
        counts = _finish(target)
        _discard(path)
        os.replace(target, path)
        return counts[0], counts[1], how
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _pad_truncated(path: Path) -> None:
    """Give a truncated copy back the length its header states, in zeroed pages.

    SQLite refuses to read even the schema of a file shorter than its header says; padded,
    every page that survived can be read again (the zero pages read as damaged, and skipped).
    """
    with open(path, "r+b") as file:
        header = file.read(100)
        if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
            return
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages = int.from_bytes(header[28:32], "big")
        size = file.seek(0, os.SEEK_END)
        if 0 < size < pages * page_size <= 2**40:
            file.truncate(pages * page_size)  # extends with zeros


def _recover_with_cli(damaged: Path, target: Path) -> bool:
    """`sqlite3 damaged .recover | sqlite3 target`; False when the program is missing or fails."""
    program = shutil.which("sqlite3")
    if program is None:
        return False
    try:
        dump = subprocess.run(
            [program, str(damaged), ".recover"],
            capture_output=True, timeout=_RECOVER_TIMEOUT, check=False,
        )  # fmt: skip
        if dump.returncode != 0 or not dump.stdout:
            log.warning(".recover failed: %s", dump.stderr.decode(errors="replace")[:500])
            return False
        load = subprocess.run(
            [program, str(target)],
            input=dump.stdout, capture_output=True, timeout=_RECOVER_TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("sqlite3 .recover could not run: %s", error)
        return False
    if load.returncode != 0:
        log.warning("loading the recovered SQL failed: %s", load.stderr.decode(errors="replace"))
        return False
    return _has_history_tables(target)


def _has_history_tables(path: Path) -> bool:
    db = sqlite3.connect(path)
    try:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        return False
    finally:
        db.close()
    return "conversations" in names and "messages" in names


def _copy_rows(damaged: Path, target: Path) -> None:
    """A fresh database at `target` holding every row of `damaged` that can be read."""
    Store(target).close()  # the current schema
    source = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    db = sqlite3.connect(target, isolation_level=None)
    try:
        db.execute("PRAGMA foreign_keys = OFF")  # orphans are given a conversation in _finish
        db.execute("BEGIN")
        for table in TABLES:
            columns = _common_columns(source, db, table)
            if not columns:
                continue
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            db.executemany(
                f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})",
                _readable_rows(source, table, names),
            )
        db.execute("COMMIT")
    finally:
        source.close()
        db.close()


def _common_columns(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str
) -> list[str]:
    try:
        have = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
    except sqlite3.DatabaseError:
        return []
    want = {row[1] for row in target.execute(f"PRAGMA table_info({table})")}
    return [name for name in have if name in want]


def _readable_rows(source: sqlite3.Connection, table: str, names: str) -> Iterator[tuple]:
    """Rows in rowid order, stepping over damaged pages (each skip doubles until rows come)."""
    last, skip, failures = -(2**63), 1, 0
    while failures < 500 and skip < 2**40:
        try:
            for row in source.execute(
                f"SELECT rowid, {names} FROM {table} WHERE rowid > ? ORDER BY rowid", (last,)
            ):
                yield row[1:]
                last, skip = row[0], 1
            return
        except sqlite3.DatabaseError:
            failures += 1
            last, skip = max(last, 0) + skip, skip * 2


def _finish(path: Path) -> tuple[int, int]:
    """Make a recovered database whole: a conversation for orphan messages, no row left
    "streaming" (its process is long gone). Returns (conversations, messages)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO conversations (id, title, created, updated) "
            "SELECT conversation_id, 'Recovered conversation', MIN(created), MAX(updated) "
            "FROM messages WHERE conversation_id NOT IN (SELECT id FROM conversations) "
            "GROUP BY conversation_id"
        )
        db.execute("UPDATE messages SET status = 'incomplete' WHERE status = 'streaming'")
        db.execute(
            "DELETE FROM artifact_versions "
            "WHERE conversation_id NOT IN (SELECT id FROM conversations)"
        )
        db.execute("COMMIT")
        (conversations,) = db.execute("SELECT COUNT(*) FROM conversations").fetchone()
        (messages,) = db.execute("SELECT COUNT(*) FROM messages").fetchone()
    finally:
        db.close()
    return conversations, messages


def _discard(path: Path) -> None:
    """Remove what is left at `path` after it was set aside (an empty file, its -shm)."""
    for suffix in ("",) + _COMPANIONS:
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _unwritable(error: OSError) -> str:
    where = error.filename or translate("StoreRecovery", "the data folder")
    return translate(
        "StoreRecovery",
        "Easel cannot write to {where} ({reason}): make it writable, or set "
        "EASEL_HOME to a folder you can write to.",
    ).format(where=where, reason=error.strerror or error)
