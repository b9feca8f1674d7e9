"""The history database's schema, as an ordered list of named migrations.

Each migration is a function that takes the connection; `_migrations` records the names that
have run. A new schema change is a new function appended to MIGRATIONS: never edit or reorder
one that has shipped, since users' databases have already recorded it by name.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None]


def m001_initial(db: sqlite3.Connection) -> None:
    """Conversations, their messages and the versions of their artifacts."""
    db.execute(
        """CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            created REAL NOT NULL,
            updated REAL NOT NULL,
            provider TEXT,
            model TEXT,
            system_prompt TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            reasoning TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'complete'
                CHECK (status IN ('complete', 'streaming', 'incomplete', 'error')),
            error TEXT,
            model TEXT,
            provider TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            reasoning_seconds REAL,
            finish_reason TEXT,
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX messages_by_conversation ON messages(conversation_id, id)")
    db.execute("CREATE INDEX messages_by_status ON messages(status)")
    db.execute(
        """CREATE TABLE artifact_versions (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            identifier TEXT NOT NULL,
            version INTEGER NOT NULL,
            type TEXT NOT NULL,
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'full'
                CHECK (origin IN ('full', 'edit', 'hand', 'fix', 'restore')),
            message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
            complete INTEGER NOT NULL DEFAULT 1,
            created REAL NOT NULL,
            UNIQUE (conversation_id, identifier, version)
        )"""
    )
    db.execute("CREATE INDEX artifacts_by_message ON artifact_versions(message_id)")


def m002_full_text_search(db: sqlite3.Connection) -> None:
    """FTS5 indexes over message text and titles, kept in step by triggers.

    The trigram tokenizer matches any substring (CJK text has no spaces to split words on);
    older SQLite builds get unicode61 words; a build without FTS5 gets no index and the
    store searches with LIKE instead.
    """
    tokenizer = _best_tokenizer(db)
    if tokenizer is None:
        log.warning("this SQLite has no FTS5: history search falls back to LIKE")
        return
    _external_fts(db, "messages_fts", "messages", "content", tokenizer)
    _external_fts(db, "conversations_fts", "conversations", "title", tokenizer)


def _best_tokenizer(db: sqlite3.Connection) -> str | None:
    for tokenizer in ("trigram", "unicode61"):
        try:
            db.execute(f"CREATE VIRTUAL TABLE temp.fts_probe USING fts5(x, tokenize='{tokenizer}')")
        except sqlite3.OperationalError:
            continue
        db.execute("DROP TABLE temp.fts_probe")
        return tokenizer
    return None


def _external_fts(
    db: sqlite3.Connection, fts: str, table: str, column: str, tokenizer: str
) -> None:
    """An external-content FTS5 table over table.column, with its three sync triggers."""
    db.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        f"content_rowid='id', tokenize='{tokenizer}')"
    )
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    remove = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    db.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END")
    db.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {remove} END")
    db.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN {remove} {insert} END"
    )
    db.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


MIGRATIONS: tuple[Migration, ...] = (m001_initial, m002_full_text_search)


def applied(db: sqlite3.Connection) -> list[str]:
    """The names of the migrations this database has run, in the order they ran."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied REAL)")
    return [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Run every migration not yet applied, each in its own transaction; return their names.

    The connection must be in autocommit mode (isolation_level=None). BEGIN IMMEDIATE takes
    the write lock first, so two processes opening a new database at once run each step once.
    """
    ran = []
    for migration in MIGRATIONS:
        name = migration.__name__
        db.execute("BEGIN IMMEDIATE")
        try:
            if name not in applied(db):
                migration(db)
                db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, time.time()))
                ran.append(name)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return ran
