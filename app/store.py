"""SQLite history: conversations, their messages, artifact versions, and search.

Every write is one short transaction committed at once, so a crash loses at most the text
that arrived since the last checkpoint, and the user's prompt is never lost. The database is
in WAL mode with a busy timeout, so a second process (`main.py ask` while the app is open) can
read and write beside the app. A reply left "streaming" when its process died is marked
"incomplete" the next time the store opens.

The store is used from one thread (the GUI's event loop); its reads and writes are small.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config import home_dirs
from app.migrations import migrate

ROLES = ("user", "assistant", "error")
STATUSES = ("complete", "streaming", "incomplete", "error")
ORIGINS = ("full", "edit", "hand", "fix", "restore")
DB_FILE = "easel.sqlite3"


@dataclass(frozen=True)
class Conversation:
    """One chat as the history lists it."""

    id: int
    title: str
    created: float
    updated: float
    provider: str | None
    model: str | None
    message_count: int = 0


@dataclass(frozen=True)
class StoredMessage:
    """One message as stored; content is the raw text exactly as the model wrote it."""

    id: int
    conversation_id: int
    role: str
    content: str
    reasoning: str
    status: str
    error: str | None
    model: str | None
    provider: str | None
    input_tokens: int | None
    output_tokens: int | None
    reasoning_seconds: float | None
    finish_reason: str | None
    created: float
    updated: float


@dataclass(frozen=True)
class ArtifactVersion:
    """One version of one artifact; versions count 1, 2, … per (conversation, identifier)."""

    id: int
    conversation_id: int
    identifier: str
    version: int
    type: str
    title: str
    content: str
    origin: str
    message_id: int | None
    complete: bool
    created: float


_CONVERSATION_COLUMNS = """c.id, c.title, c.created, c.updated, c.provider, c.model,
    (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)"""
_MESSAGE_COLUMNS = """id, conversation_id, role, content, reasoning, status, error, model,
    provider, input_tokens, output_tokens, reasoning_seconds, finish_reason, created, updated"""
_ARTIFACT_COLUMNS = """id, conversation_id, identifier, version, type, title, content, origin,
    message_id, complete, created"""
_SEARCH_LIMIT = 100


class Store:
    """The history database. One instance per process; close() it when done."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are explicit (see _write), so none stays open by accident.
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 5000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA foreign_keys = ON")
        migrate(self._db)
        self._fts = self._fts_tokenizer()
        self._recover_interrupted()

    @classmethod
    def open_default(cls) -> Store:
        """The user's history database in the data folder (EASEL_HOME/data under tests)."""
        return cls(home_dirs()[1] / DB_FILE)

    def close(self) -> None:
        """Close the connection; the store is unusable afterwards."""
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so busy_timeout applies instead of a
        # deadlock error when another process writes at the same moment.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _fts_tokenizer(self) -> str | None:
        row = self._db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'messages_fts'"
        ).fetchone()
        if row is None:
            return None
        return "trigram" if "trigram" in row[0] else "unicode61"

    def _recover_interrupted(self) -> None:
        """A reply still "streaming" at open was cut off by a crash: keep it, as incomplete."""
        with self._write() as db:
            db.execute("UPDATE messages SET status = 'incomplete' WHERE status = 'streaming'")

    # --- conversations ------------------------------------------------------------------------

    def create_conversation(
        self, title: str = "New chat", *, provider: str | None = None, model: str | None = None
    ) -> Conversation:
        """A new, empty conversation."""
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO conversations (title, created, updated, provider, model) "
                "VALUES (?, ?, ?, ?, ?)",
                (title, now, now, provider, model),
            )
        return Conversation(cursor.lastrowid, title, now, now, provider, model, 0)

    def get_conversation(self, conversation_id: int) -> Conversation | None:
        """The conversation with this id, or None."""
        row = self._db.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = ?",
            (conversation_id,),
        ).fetchone()
        return Conversation(*row) if row else None

    def list_conversations(self) -> list[Conversation]:
        """Every conversation, most recently updated first."""
        rows = self._db.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c "
            "ORDER BY c.updated DESC, c.id DESC"
        )
        return [Conversation(*row) for row in rows]

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """Give a conversation a new title (its place in the list does not change)."""
        with self._write() as db:
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation with its messages and artifact versions."""
        with self._write() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def _touch(self, db: sqlite3.Connection, conversation_id: int, now: float) -> None:
        db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))

    # --- messages -----------------------------------------------------------------------------

    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str,
        *,
        status: str = "complete",
        model: str | None = None,
        provider: str | None = None,
    ) -> StoredMessage:
        """Append a message, committed before this returns."""
        _check(role, ROLES, "role")
        _check(status, STATUSES, "status")
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO messages (conversation_id, role, content, status, model, provider,"
                " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, role, content, status, model, provider, now, now),
            )
            self._touch(db, conversation_id, now)
        message = self.get_message(cursor.lastrowid)
        assert message is not None  # just written in this connection
        return message

    def get_message(self, message_id: int) -> StoredMessage | None:
        """One message by id, or None."""
        row = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        return StoredMessage(*row) if row else None

    def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        reasoning: str | None = None,
        status: str | None = None,
        error: str | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        reasoning_seconds: float | None = None,
        finish_reason: str | None = None,
    ) -> None:
        """The checkpoint: set the given fields (None leaves one as it is) in one transaction."""
        if status is not None:
            _check(status, STATUSES, "status")
        fields = {
            "content": content,
            "reasoning": reasoning,
            "status": status,
            "error": error,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "reasoning_seconds": reasoning_seconds,
            "finish_reason": finish_reason,
        }
        changes = {name: value for name, value in fields.items() if value is not None}
        if not changes:
            return
        now = time.time()
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self._write() as db:
            db.execute(
                f"UPDATE messages SET {assignments}, updated = ? WHERE id = ?",
                (*changes.values(), now, message_id),
            )
            db.execute(
                "UPDATE conversations SET updated = ? "
                "WHERE id = (SELECT conversation_id FROM messages WHERE id = ?)",
                (now, message_id),
            )

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """A conversation's messages in the order they were added."""
        rows = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [StoredMessage(*row) for row in rows]

    def delete_message(self, message_id: int) -> None:
        """Delete one message; artifact versions it made stay, no longer tied to it."""
        with self._write() as db:
            db.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    def usage_totals(self, conversation_id: int) -> tuple[int, int]:
        """(input tokens, output tokens) summed over the conversation's messages."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0) "
            "FROM messages WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchone()
        return int(row[0]), int(row[1])

    # --- artifacts ----------------------------------------------------------------------------

    def add_artifact_version(
        self,
        conversation_id: int,
        identifier: str,
        type: str,
        title: str,
        content: str,
        *,
        origin: str = "full",
        message_id: int | None = None,
        complete: bool = True,
    ) -> ArtifactVersion:
        """Store the next version (previous highest + 1) of an artifact."""
        _check(origin, ORIGINS, "origin")
        now = time.time()
        with self._write() as db:
            (version,) = db.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM artifact_versions "
                "WHERE conversation_id = ? AND identifier = ?",
                (conversation_id, identifier),
            ).fetchone()
            cursor = db.execute(
                "INSERT INTO artifact_versions (conversation_id, identifier, version, type, title,"
                " content, origin, message_id, complete, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, identifier, version, type, title, content, origin,
                 message_id, int(complete), now),
            )  # fmt: skip
            self._touch(db, conversation_id, now)
        return ArtifactVersion(
            cursor.lastrowid, conversation_id, identifier, version, type, title, content,
            origin, message_id, complete, now,
        )  # fmt: skip

    def complete_artifact_version(
        self, version_id: int, content: str, *, complete: bool = True
    ) -> ArtifactVersion:
        """Finish a version that was cut off (a reply continued): same number, new content."""
        with self._write() as db:
            db.execute(
                "UPDATE artifact_versions SET content = ?, complete = ? WHERE id = ?",
                (content, int(complete), version_id),
            )
        row = self._db.execute(
            f"SELECT {_ARTIFACT_COLUMNS} FROM artifact_versions WHERE id = ?", (version_id,)
        ).fetchone()
        if row is None:
            raise LookupError(f"artifact version {version_id} does not exist")
        return _artifact(row)

    def artifact_versions(
        self, conversation_id: int, identifier: str | None = None
    ) -> list[ArtifactVersion]:
        """Versions ordered by their identifier's first appearance, then by version."""
        rows = self._db.execute(
            f"SELECT {_ARTIFACT_COLUMNS} FROM ("
            f"  SELECT {_ARTIFACT_COLUMNS}, MIN(id) OVER (PARTITION BY identifier) AS first"
            "   FROM artifact_versions WHERE conversation_id = ?"
            ") WHERE ? IS NULL OR identifier = ? ORDER BY first, version",
            (conversation_id, identifier, identifier),
        )
        return [_artifact(row) for row in rows]

    def latest_artifacts(self, conversation_id: int) -> list[ArtifactVersion]:
        """The newest version of each artifact, in order of first appearance."""
        newest: dict[str, ArtifactVersion] = {}
        for version in self.artifact_versions(conversation_id):
            newest[version.identifier] = version  # insertion order = first appearance
        return list(newest.values())

    def latest_artifact(self, conversation_id: int, identifier: str) -> ArtifactVersion | None:
        """The newest version of one artifact, or None."""
        row = self._db.execute(
            f"SELECT {_ARTIFACT_COLUMNS} FROM artifact_versions"
            " WHERE conversation_id = ? AND identifier = ? ORDER BY version DESC LIMIT 1",
            (conversation_id, identifier),
        ).fetchone()
        return _artifact(row) if row else None

    # --- search -------------------------------------------------------------------------------

    def search(self, query: str) -> list[tuple[Conversation, str]]:
        """Conversations whose messages or title hold every word of `query`, newest first.

        Each comes with a snippet of the first matching message (or the title). The query is
        the user's text: FTS syntax in it (quotes, AND, OR, NEAR, *) is matched literally.
        """
        terms = query.split()
        if not terms:
            return []
        hits: dict[int, str] = {}
        for conversation_id, text in self._matches(terms):
            hits.setdefault(conversation_id, _snippet(text, terms))
        found = [self.get_conversation(cid) for cid in hits]
        ordered = sorted(
            (c for c in found if c is not None), key=lambda c: (c.updated, c.id), reverse=True
        )
        return [(c, hits[c.id]) for c in ordered[:_SEARCH_LIMIT]]

    def _matches(self, terms: list[str]) -> list[tuple[int, str]]:
        """(conversation id, matching text) pairs: messages first, then titles."""
        # trigram FTS can't match a term shorter than 3 characters: LIKE can.
        if self._fts and (self._fts != "trigram" or min(map(len, terms)) >= 3):
            return self._fts_matches(_fts_query(terms))
        return self._like_matches(terms)

    def _fts_matches(self, fts_query: str) -> list[tuple[int, str]]:
        messages = self._db.execute(
            "SELECT m.conversation_id, m.content FROM messages_fts"
            " JOIN messages m ON m.id = messages_fts.rowid"
            " WHERE messages_fts MATCH ? ORDER BY rank LIMIT 1000",
            (fts_query,),
        ).fetchall()
        titles = self._db.execute(
            "SELECT rowid, title FROM conversations_fts WHERE conversations_fts MATCH ?",
            (fts_query,),
        ).fetchall()
        return messages + titles

    def _like_matches(self, terms: list[str]) -> list[tuple[int, str]]:
        patterns = ["%" + re.sub(r"([\\%_])", r"\\\1", t) + "%" for t in terms]

        def where(column: str) -> str:
            return " AND ".join(f"{column} LIKE ? ESCAPE '\\'" for _ in terms)

        messages = self._db.execute(
            f"SELECT conversation_id, content FROM messages WHERE {where('content')}"
            " ORDER BY id DESC LIMIT 1000",
            patterns,
        ).fetchall()
        titles = self._db.execute(
            f"SELECT id, title FROM conversations WHERE {where('title')}", patterns
        ).fetchall()
        return messages + titles


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")


def _artifact(row: Any) -> ArtifactVersion:
    fields = list(row)
    fields[9] = bool(fields[9])  # complete is stored as 0/1
    return ArtifactVersion(*fields)


def _fts_query(terms: list[str]) -> str:
    """Each term as a quoted FTS5 string (quotes doubled), so nothing in it is syntax."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _snippet(text: str, terms: list[str], *, before: int = 40, after: int = 80) -> str:
    """A one-line excerpt of `text` around the first term found in it."""
    match = re.search("|".join(map(re.escape, terms)), text, re.IGNORECASE)
    start = max(0, match.start() - before) if match else 0
    end = (match.end() if match else 0) + after
    excerpt = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + excerpt + ("…" if end < len(text) else "")
