"""SQLite history: conversations, their messages, artifact versions, and search.

Every write is one short transaction committed at once, so a crash loses at most the text
that arrived since the last checkpoint, and the user's prompt is never lost. The database is
in WAL mode with a busy timeout, so a second process (`main.py ask` while the app is open) can
read and write beside the app. Commits do not wait for the disk (`synchronous = NORMAL`, still
crash-safe in WAL mode: a power cut may lose the last commits, never the file's consistency). A streaming reply records its owner process; one left
"streaming" by a process that is gone is marked "incomplete" the next time a store opens,
while a reply another live Easel is writing is left alone (app/store_owner.py).

A write that fails is rolled back and raised as a StoreError whose str() is one sentence (the
disk is full, the file is damaged...); a damaged search index is rebuilt and the write tried
again (app/store_index_upkeep.py). Opening a damaged file is app/store_recovery.py's job.

Messages form a tree (app/store_tree.py): `messages()` is the conversation's current path,
`all_messages()` every branch; a new message goes under the current leaf unless told otherwise.

The store is used from one thread (the GUI's event loop); its reads and writes are small. The
one exception is `index_pending_apart`: a batch of the search queue on a connection of its own,
for a worker thread.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from app import store_artifacts, store_owner, store_search, store_tree
from app.config import home_dirs
from app.migrations import migrate
from app.store_errors import BUSY_TIMEOUT_MS, is_corrupt, set_wal, store_error
from app.store_index_upkeep import SearchIndexUpkeep
from app.store_records import (
    ARTIFACT_COLUMNS,
    MESSAGE_COLUMNS,
    ArtifactVersion,
    Conversation,
    StoredMessage,
    artifact_from_row,
)
from app.store_search import SearchHit
from app.store_tree import LEAF, Parent

log = logging.getLogger(__name__)
T = TypeVar("T")
ROLES = ("user", "assistant", "error")
STATUSES = ("complete", "streaming", "incomplete", "error")
ORIGINS = ("full", "edit", "hand", "fix", "restore")
DB_FILE = "easel.sqlite3"


_CONVERSATION_COLUMNS = """c.id, c.title, c.created, c.updated, c.provider, c.model,
    (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)"""
_SEARCH_LIMIT = 100


class Store:
    """The history database. One instance per process; close() it when done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are explicit (see _transaction), so none stays open
        # by accident.
        self._db = sqlite3.connect(path, isolation_level=None)
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            set_wal(self._db)
            self._db.execute("PRAGMA synchronous = NORMAL")  # see the module's docstring
            self._db.execute("PRAGMA foreign_keys = ON")
            migrate(self._db)
            self._index = SearchIndexUpkeep(self._db, path, self._attempt)
            # What a migration or another connection queued: one batch now, so a long queue
            # (m008 over years of history) never holds up an open; the rest goes in steps
            # (index_pending_step) or before the first search or write.
            self._index.index_pending(batches=1)
            self._owner = store_owner.this_process()
            # False: writes leave queued prose to index_pending_step, which the window runs
            # once a turn is over (a search drains the queue first either way).
            self.index_on_write = True
            # Called after anything was deleted from the history: what keeps copies of its
            # text elsewhere drops them (the window's rendered replies, app/render_cache.py).
            self.on_delete: Callable[[], None] | None = None
            self._recover_interrupted()
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def open_default(cls) -> Store:
        """The user's history database in the data folder (EASEL_HOME/data under tests)."""
        return cls(home_dirs()[1] / DB_FILE)

    def close(self) -> None:
        """Close the connection; the store is unusable afterwards."""
        self._db.close()

    def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(db)` as one write transaction (for the store's companion modules)."""
        return self._transaction(work)

    def read(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        """The rows of one query (for the store's companion modules)."""
        return self._db.execute(sql, parameters).fetchall()

    def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """_write, then (index_on_write) the prose the write queued for the search index."""
        result = self._write(work)
        # One batch: this write queued a few messages at most; a long queue left by a
        # migration goes in steps (a search drains all of it before it reads the index).
        if self.index_on_write:
            self._index.index_pending(batches=1)
        return result

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in one transaction; on failure roll back and raise a StoreError.

        A failure that comes from a damaged search index (the triggers write to it) rebuilds
        the index and runs `work` once more, so a damaged index never stops a send.
        """
        try:
            return self._attempt(work)
        except sqlite3.IntegrityError:
            raise  # a caller's mistake (a constraint), not the database's state
        except sqlite3.DatabaseError as error:
            if not is_corrupt(error) or not self._index.repair():
                raise store_error(error, self.path) from error
        try:
            return self._attempt(work)
        except sqlite3.DatabaseError as error:
            raise store_error(error, self.path) from error

    def _attempt(self, work: Callable[[sqlite3.Connection], T]) -> T:
        # IMMEDIATE takes the write lock up front, so busy_timeout applies instead of a
        # deadlock error when another process writes at the same moment.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            result = work(self._db)
            self._db.execute("COMMIT")
        except BaseException:
            # Without this, the transaction stays open and every later write fails with
            # "cannot start a transaction within a transaction".
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        return result

    def index_pending_step(self) -> bool:
        """Index one batch of queued messages; True while more wait (for a caller that
        drains the queue in steps between other work)."""
        self._index.index_pending(batches=1)
        return self._index.more_pending()

    def index_pending_apart(self) -> bool:
        """index_pending_step on a connection of its own: callable from a worker thread."""
        return self._index.index_pending_apart()

    def check_search_index(self) -> bool:
        """Rebuild the search index if it is damaged; True when it had to be rebuilt."""
        return self._index.repair()

    def rebuild_search_index(self) -> None:
        """Build every search index anew from the rows (after a recovery)."""
        self._index.rebuild_all()

    def quick_check(self) -> list[str]:
        """What SQLite's quick_check finds wrong with the file (reads every page); [] if ok."""
        rows = [row[0] for row in self._db.execute("PRAGMA quick_check")]
        return [] if rows == ["ok"] else rows

    def _recover_interrupted(self) -> None:
        """Replies "streaming" whose process is gone were cut off by a crash: keep them, as
        incomplete. Replies another live process is streaming stay as they are."""
        rows = self._db.execute(
            "SELECT id, owner, updated FROM messages WHERE status = 'streaming'"
        ).fetchall()
        now = time.time()
        dead = [
            (message_id,)
            for message_id, owner, updated in rows
            if store_owner.is_abandoned(owner, updated, now, self._owner)
        ]
        if dead:
            self._transaction(
                lambda db: db.executemany(
                    "UPDATE messages SET status = 'incomplete' "
                    "WHERE id = ? AND status = 'streaming'",
                    dead,
                )
            )

    # --- conversations ------------------------------------------------------------------------

    def create_conversation(
        self, title: str = "New chat", *, provider: str | None = None, model: str | None = None
    ) -> Conversation:
        """A new, empty conversation."""
        now = time.time()
        cursor = self._transaction(
            lambda db: db.execute(
                "INSERT INTO conversations (title, created, updated, provider, model) "
                "VALUES (?, ?, ?, ?, ?)",
                (title, now, now, provider, model),
            )
        )
        return Conversation(cursor.lastrowid, title, now, now, provider, model, 0)

    def get_conversation(self, conversation_id: int) -> Conversation | None:
        """The conversation with this id, or None."""
        row = self._db.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = ?",
            (conversation_id,),
        ).fetchone()
        return Conversation(*row) if row else None

    def list_conversations(self, limit: int | None = None, offset: int = 0) -> list[Conversation]:
        """Conversations, most recently updated first: every one, or `limit` from `offset`."""
        rows = self._db.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c "
            "ORDER BY c.updated DESC, c.id DESC LIMIT ? OFFSET ?",
            (-1 if limit is None else limit, offset),
        )
        return [Conversation(*row) for row in rows]

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """Give a conversation a new title (its place in the list does not change)."""
        self._transaction(
            lambda db: db.execute(
                "UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id)
            )
        )

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation with its messages and artifact versions."""
        self._transaction(
            lambda db: db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        )
        self.deleted()

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
        parent_id: Parent = LEAF,
    ) -> StoredMessage:
        """Add a message, committed before this returns; it becomes the current leaf.

        parent_id: the message it answers or follows (None: a root); by default the current
        leaf, so the message goes at the end of the path on screen (app/store_tree.py).
        """
        _check(role, ROLES, "role")
        _check(status, STATUSES, "status")
        now = time.time()
        owner = self._owner.encode() if status == "streaming" else None

        def insert(db: sqlite3.Connection) -> sqlite3.Cursor:
            leaf = parent_id is LEAF
            parent = store_tree.current_leaf(db, conversation_id) if leaf else parent_id
            cursor = db.execute(
                "INSERT INTO messages (conversation_id, role, content, status, model, provider,"
                " created, updated, owner, parent_id, visited)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, role, content, status, model, provider, now, now, owner,
                 parent, 0),
            )  # fmt: skip
            store_tree.set_leaf(db, conversation_id, cursor.lastrowid)
            self._touch(db, conversation_id, now)
            return cursor

        cursor = self._transaction(insert)
        message = self.get_message(cursor.lastrowid)
        assert message is not None  # just written in this connection
        return message

    def get_message(self, message_id: int) -> StoredMessage | None:
        """One message by id, or None."""
        row = self._db.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
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
        changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        if not changes:
            return
        if status is not None:
            # A reply that streams again (continued) belongs to this process from now on.
            changes["owner"] = self._owner.encode() if status == "streaming" else None
        now = time.time()
        assignments = ", ".join(f"{name} = ?" for name in changes)

        def update(db: sqlite3.Connection) -> None:
            db.execute(
                f"UPDATE messages SET {assignments}, updated = ? WHERE id = ?",
                (*changes.values(), now, message_id),
            )
            db.execute(
                "UPDATE conversations SET updated = ? "
                "WHERE id = (SELECT conversation_id FROM messages WHERE id = ?)",
                (now, message_id),
            )

        self._transaction(update)

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """The conversation's current path, root to leaf: what is shown and sent."""
        rows = store_tree.path_rows(self._db, conversation_id, MESSAGE_COLUMNS)
        return [StoredMessage(*row) for row in rows]

    def all_messages(self, conversation_id: int) -> list[StoredMessage]:
        """Every message of every branch, in the order they were added."""
        rows = self._db.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [StoredMessage(*row) for row in rows]

    def path_page(
        self, conversation_id: int, count: int, start: int | None = None
    ) -> tuple[list[StoredMessage], int | None]:
        """Up to `count` messages of the current path ending at `start` (None: the leaf), root
        to leaf, and where the part before them ends (None: nothing is before them)."""
        rows, before = store_tree.path_segment(
            self._db, conversation_id, count, start, MESSAGE_COLUMNS
        )
        return [StoredMessage(*row) for row in rows], before

    def path_ids(self, conversation_id: int) -> list[int]:
        """The ids of the current path, root to leaf."""
        return store_tree.path_ids(self._db, conversation_id)

    def delete_message(self, message_id: int) -> None:
        """Delete one message; its children move up to its parent, artifact versions it made
        stay, no longer tied to it (a whole branch goes with store_tree.delete_branch)."""

        self._transaction(lambda db: store_tree.delete_one(db, message_id))
        self.deleted()

    def deleted(self) -> None:
        """Something was deleted: tell on_delete (if set)."""
        if self.on_delete is not None:
            self.on_delete()

    def usage_totals(self, conversation_id: int) -> tuple[int, int]:
        """(input tokens, output tokens) summed over the conversation's messages and the model
        calls its artifacts made."""
        row = self._db.execute(
            "SELECT COALESCE(SUM(i), 0), COALESCE(SUM(o), 0) FROM ("
            " SELECT input_tokens AS i, output_tokens AS o FROM messages"
            " WHERE conversation_id = ?"
            " UNION ALL SELECT input_tokens, output_tokens FROM artifact_calls"
            " WHERE conversation_id = ?)",
            (conversation_id, conversation_id),
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

        def insert(db: sqlite3.Connection) -> tuple[int, sqlite3.Cursor]:
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
            return version, cursor

        version, cursor = self._transaction(insert)
        return ArtifactVersion(
            cursor.lastrowid, conversation_id, identifier, version, type, title, content,
            origin, message_id, complete, now,
        )  # fmt: skip

    def complete_artifact_version(
        self, version_id: int, content: str, *, complete: bool = True
    ) -> ArtifactVersion:
        """Finish a version that was cut off (a reply continued): same number, new content."""
        self._transaction(
            lambda db: db.execute(
                "UPDATE artifact_versions SET content = ?, complete = ? WHERE id = ?",
                (content, int(complete), version_id),
            )
        )
        row = self._db.execute(
            f"SELECT {ARTIFACT_COLUMNS} FROM artifact_versions WHERE id = ?", (version_id,)
        ).fetchone()
        if row is None:
            raise LookupError(f"artifact version {version_id} does not exist")
        return artifact_from_row(row)

    def artifact_versions(
        self, conversation_id: int, identifier: str | None = None
    ) -> list[ArtifactVersion]:
        """Versions ordered by their identifier's first appearance, then by version."""
        return store_artifacts.versions(self._db, conversation_id, identifier)

    def latest_artifacts(self, conversation_id: int) -> list[ArtifactVersion]:
        """The newest version of each artifact made on the current path (or by no message),
        in order of first appearance."""
        return store_artifacts.newest_on_path(self._db, conversation_id)

    def latest_artifact(self, conversation_id: int, identifier: str) -> ArtifactVersion | None:
        """The newest version of one artifact on the current path, or None."""
        found = store_artifacts.newest_on_path(self._db, conversation_id, identifier)
        return found[0] if found else None

    def path_versions(
        self, conversation_id: int, identifier: str | None = None
    ) -> list[ArtifactVersion]:
        """Versions made on the current path or by no message (the user's own), in
        artifact_versions order: one made only on another branch is left out."""
        return store_artifacts.path_versions(self._db, conversation_id, identifier)

    # --- search -------------------------------------------------------------------------------

    def search_hits(
        self, query: str, limit: int = 50, per_conversation: int = 3
    ) -> list[SearchHit]:
        """Where `query` matches, best first: titles, then the prose of messages (never
        artifact markup), each with a snippet and where the words are in it."""
        self._index.index_pending()
        bounds = {"limit": limit, "per_conversation": per_conversation}
        try:
            return store_search.search(self._db, self._index.fts, query, **bounds)
        except sqlite3.DatabaseError:
            # A damaged index: rebuild it for next time, answer this one without it.
            self._index.repair()
            return store_search.like_search(self._db, query, **bounds)

    def search(self, query: str) -> list[tuple[Conversation, str]]:
        """Conversations with a hit for `query` (see search_hits), newest first, each with the
        snippet of its best hit."""
        snippets: dict[int, str] = {}
        for hit in self.search_hits(query, _SEARCH_LIMIT, per_conversation=1):
            snippets.setdefault(hit.conversation_id, hit.snippet)
        found = [self.get_conversation(cid) for cid in snippets]
        ordered = sorted(
            (c for c in found if c is not None), key=lambda c: (c.updated, c.id), reverse=True
        )
        return [(c, snippets[c.id]) for c in ordered]


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
