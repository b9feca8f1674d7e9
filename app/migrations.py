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


def m003_owners_and_search_at_the_end(db: sqlite3.Connection) -> None:
    """Streaming rows record their owner; the search index skips them until they end.

    `owner` names the process streaming a reply (see app/store_owner.py), so another process
    opening the database leaves a live reply alone. The message index used to be rewritten on
    every checkpoint (the whole reply re-tokenised each time: quadratic in a long reply); now
    its content is the view `messages_indexed` (every message not streaming), so a reply is
    indexed once, when it ends or is recovered, and 'rebuild' builds exactly that.
    """
    db.execute("ALTER TABLE messages ADD COLUMN owner TEXT")
    tokenizer = _current_tokenizer(db)
    if tokenizer is None:
        return
    for suffix in ("ai", "ad", "au"):
        db.execute(f"DROP TRIGGER IF EXISTS messages_fts_{suffix}")
    db.execute("DROP TABLE IF EXISTS messages_fts")
    create_message_index(db, tokenizer)


def _current_tokenizer(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").fetchone()
    if row is None:
        return None
    return "trigram" if "trigram" in row[0] else "unicode61"


# The search index takes the first million characters of a message: tokenising a 50 MB reply
# when it ended was the longest stall left on the GUI thread (seconds), and nobody searches for
# the middle of such a reply.
INDEXED_CHARS = 1_000_000


def create_message_index(db: sqlite3.Connection, tokenizer: str) -> None:
    """The message index over `messages_indexed`, its triggers, built from what is stored."""
    db.execute(
        "CREATE VIEW IF NOT EXISTS messages_indexed AS "
        f"SELECT id, substr(content, 1, {INDEXED_CHARS}) AS content FROM messages "
        "WHERE status != 'streaming'"
    )
    db.execute(
        "CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages_indexed', "
        f"content_rowid='id', tokenize='{tokenizer}')"
    )
    # A row enters the index when it stops streaming and leaves it with exactly the values it
    # entered with ('delete' of a row never indexed would damage the index).
    insert = (
        "INSERT INTO messages_fts(rowid, content) "
        f"SELECT new.id, substr(new.content, 1, {INDEXED_CHARS})"
    )
    remove = (
        "INSERT INTO messages_fts(messages_fts, rowid, content) "
        f"SELECT 'delete', old.id, substr(old.content, 1, {INDEXED_CHARS})"
    )
    db.execute(
        "CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages "
        f"BEGIN {insert} WHERE new.status != 'streaming'; END"
    )
    db.execute(
        "CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages "
        f"BEGIN {remove} WHERE old.status != 'streaming'; END"
    )
    db.execute(
        "CREATE TRIGGER messages_fts_au AFTER UPDATE OF content, status ON messages BEGIN "
        f"{remove} WHERE old.status != 'streaming'; "
        f"{insert} WHERE new.status != 'streaming'; END"
    )
    db.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")


def recreate_index(db: sqlite3.Connection, name: str, tokenizer: str) -> None:
    """Drop a search index whose own pages are unreadable and build it again from the rows."""
    table = "messages" if name == "messages_fts" else "conversations"
    for suffix in ("ai", "ad", "au"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
    try:
        db.execute(f"DROP TABLE IF EXISTS {name}")
    except sqlite3.DatabaseError:
        _forget_virtual_table(db, name)
    if table == "messages" and _has_prose_queue(db):
        create_prose_index(db, tokenizer)
    elif table == "messages":
        create_message_index(db, tokenizer)
    else:
        _external_fts(db, name, table, "title", tokenizer)


def _forget_virtual_table(db: sqlite3.Connection, name: str) -> None:
    """Remove an FTS table whose records are too damaged for DROP TABLE to load it.

    The table's line in the schema goes by hand (writable_schema; the schema version is bumped
    so every connection reloads it), then its shadow tables, which are plain tables.
    """
    (version,) = db.execute("PRAGMA schema_version").fetchone()
    db.execute("PRAGMA writable_schema = ON")
    db.execute("DELETE FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    db.execute("PRAGMA writable_schema = OFF")
    db.execute(f"PRAGMA schema_version = {version + 1}")
    for shadow in ("data", "idx", "content", "docsize", "config"):
        db.execute(f"DROP TABLE IF EXISTS {name}_{shadow}")


def m004_artifact_storage_and_calls(db: sqlite3.Connection) -> None:
    """What artifacts keep (window.storage) and the model calls they made, per artifact.

    Both belong to a conversation and go with it. Calls count in the conversation's usage.
    """
    db.execute(
        """CREATE TABLE artifact_storage (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            identifier TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated REAL NOT NULL,
            PRIMARY KEY (conversation_id, identifier, key)
        )"""
    )
    db.execute(
        """CREATE TABLE artifact_calls (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            identifier TEXT NOT NULL,
            model TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            error TEXT NOT NULL DEFAULT '',
            created REAL NOT NULL
        )"""
    )
    db.execute(
        "CREATE INDEX artifact_calls_by_artifact ON artifact_calls(conversation_id, identifier)"
    )
    db.execute(
        """CREATE TABLE artifact_grants (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            identifier TEXT NOT NULL,
            grant TEXT NOT NULL,
            created REAL NOT NULL,
            PRIMARY KEY (conversation_id, identifier, grant)
        )"""
    )


def m005_tool_calls(db: sqlite3.Connection) -> None:
    """The tool calls a reply made and what they returned, replayed in later requests.

    A reply that used tools is still one message; each call row says which step of the tool
    loop made it and where that step's text and reasoning end in the message (`text_end`,
    `reasoning_end`), so the history can be sent back turn by turn exactly as it happened.
    """
    db.execute(
        """CREATE TABLE tool_calls (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            step INTEGER NOT NULL,
            position INTEGER NOT NULL,
            call_id TEXT NOT NULL,
            name TEXT NOT NULL,
            server TEXT NOT NULL DEFAULT '',
            tool TEXT NOT NULL DEFAULT '',
            arguments TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'running', 'done', 'failed', 'denied', 'stopped')),
            result TEXT NOT NULL DEFAULT '',
            is_error INTEGER NOT NULL DEFAULT 0,
            text_end INTEGER NOT NULL DEFAULT 0,
            reasoning_end INTEGER NOT NULL DEFAULT 0,
            reasoning_signature TEXT NOT NULL DEFAULT '',
            duration REAL,
            created REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX tool_calls_by_message ON tool_calls(message_id, step, position)")


def _drop_message_index(db: sqlite3.Connection) -> None:
    """The message index, its triggers and the view it read, gone (to be made anew)."""
    for suffix in ("ai", "ad", "au"):
        db.execute(f"DROP TRIGGER IF EXISTS messages_fts_{suffix}")
    db.execute("DROP TABLE IF EXISTS messages_fts")
    db.execute("DROP VIEW IF EXISTS messages_indexed")


def m006_index_the_start_of_huge_messages(db: sqlite3.Connection) -> None:
    """The message index takes the first INDEXED_CHARS characters of each message (a 50 MB
    reply stalled the window for seconds as it was indexed at its end)."""
    tokenizer = _current_tokenizer(db)
    if tokenizer is None:
        return
    _drop_message_index(db)
    create_message_index(db, tokenizer)


def m007_message_tree(db: sqlite3.Connection) -> None:
    """Messages form a tree: each has a parent, and the conversation names its current leaf.

    `parent_id` is NULL for a conversation's first message (and for an edited first message,
    its sibling). The current branch is one column, `conversations.current_leaf_id`: the path
    shown and sent is the walk from that leaf up to the root, so no per-message choice can
    disagree with another. `messages.visited` says when a message was last on the current
    path; switching to a sibling descends through the most recently visited child each time,
    which lands on the leaf the user last saw under it. No foreign key on `parent_id`: a branch
    is deleted by app/store_tree.py as a set (a cascade recurses once per level, which SQLite
    bounds). Existing conversations become one chain, each message under the one before it.
    """
    db.execute("ALTER TABLE messages ADD COLUMN parent_id INTEGER")
    db.execute("ALTER TABLE messages ADD COLUMN visited REAL NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE conversations ADD COLUMN current_leaf_id INTEGER")
    db.execute(
        "UPDATE messages SET visited = created, parent_id = (SELECT MAX(p.id) FROM messages p "
        "WHERE p.conversation_id = messages.conversation_id AND p.id < messages.id)"
    )
    db.execute(
        "UPDATE conversations SET current_leaf_id = "
        "(SELECT MAX(m.id) FROM messages m WHERE m.conversation_id = conversations.id)"
    )
    db.execute("CREATE INDEX messages_by_parent ON messages(parent_id, visited)")


def m008_search_prose_not_markup(db: sqlite3.Connection) -> None:
    """The message index holds each message's prose: a reply's text with every artifact
    replaced by its title, so "identifier" or an attribute value no longer matches every reply.

    SQL cannot run the artifact extractor, so the index keeps its own copy of the prose (an
    FTS5 table with content) and the triggers queue each message that ends streaming in
    `search_pending`; the store fills in its prose (app/search_index.py) after the write, and
    when it opens. A message with nothing that could be markup (no "<", ":::" or fence) is its
    own prose and the trigger indexes it at once, so rows any connection writes are found.
    Every message is queued here and indexed by the first store that opens the database.

    Also an index of conversations by their last update: the sidebar reads them a page at a
    time, newest first, which with 10,000 conversations was a sort of all of them per page.
    """
    db.execute("CREATE INDEX IF NOT EXISTS conversations_by_updated ON conversations(updated, id)")
    tokenizer = _current_tokenizer(db)
    if tokenizer is None:
        return
    _drop_message_index(db)
    db.execute("CREATE TABLE IF NOT EXISTS search_pending (message_id INTEGER PRIMARY KEY)")
    create_prose_index(db, tokenizer)


def _has_prose_queue(db: sqlite3.Connection) -> bool:
    return (
        db.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_pending'").fetchone()
        is not None
    )


# Appended to every indexed prose so that a term of one or two characters at the very end still
# begins a trigram (app/store_search.py finds short terms through the trigrams they begin).
PROSE_END = "\n\n"


def create_prose_index(db: sqlite3.Connection, tokenizer: str) -> None:
    """The prose index `messages_fts(prose)` and its triggers, filled from what is stored:
    text with no possible markup at once, the rest queued for the extractor. A message that
    ends streaming (or changes after) is queued without its text being read (_update_trigger)."""
    db.execute(f"CREATE VIRTUAL TABLE messages_fts USING fts5(prose, tokenize='{tokenizer}')")
    enter = (
        f"{_enter_plain('new')} WHERE new.status != 'streaming' AND NOT ({_markup('new')});"
        " INSERT OR IGNORE INTO search_pending(message_id) SELECT new.id"
        f" WHERE new.status != 'streaming' AND ({_markup('new')});"
    )
    db.execute(f"CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN {enter} END")
    db.execute(f"CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN {_LEAVE} END")
    db.execute(_update_trigger())
    db.execute(
        f"{_enter_plain('m')} FROM messages m WHERE m.status != 'streaming'"
        f" AND NOT ({_markup('m')})"
    )
    db.execute(
        "INSERT INTO search_pending(message_id) SELECT m.id FROM messages m"
        f" WHERE m.status != 'streaming' AND ({_markup('m')})"
    )


_LEAVE = (
    "DELETE FROM messages_fts WHERE rowid = old.id;"
    " DELETE FROM search_pending WHERE message_id = old.id;"
)


def _update_trigger() -> str:
    """The trigger of a message's update: it leaves the index, and enters the queue once it
    no longer streams. Checkpoints of a streaming reply touch neither table.

    It reads none of the message's text: a reply ends streaming in one update, on the window's
    thread, and may hold megabytes. Looking for marks in it there (as the insert trigger does
    for a new message) made the last write of a 10 MB reply 164 ms instead of 37, and 1.3 s in
    the window beside a renderer laying the reply out; the queue's worker reads it apart.
    """
    return (
        "CREATE TRIGGER messages_fts_au AFTER UPDATE OF content, status ON messages"
        " WHEN old.status != 'streaming' OR new.status != 'streaming'"
        f" BEGIN {_LEAVE} INSERT OR IGNORE INTO search_pending(message_id) SELECT new.id"
        " WHERE new.status != 'streaming'; END"
    )


def _enter_plain(row: str) -> str:
    """The INSERT ... SELECT of a row's text as its own prose (ended by PROSE_END)."""
    return (
        f"INSERT INTO messages_fts(rowid, prose) SELECT {row}.id,"
        f" substr({row}.content, 1, {INDEXED_CHARS}) || char(10, 10)"
    )


def _markup(row: str) -> str:
    """Whether a row might hold markup: only a reply can hold artifacts, and none opens
    without one of these marks (search_index.prose then reads only a text with one of the
    marks the extractor acts on, app.artifacts.may_hold_markup)."""
    marks = ("'<'", "':::'", "'```'", "'~~~'")
    found = " OR ".join(f"instr({row}.content, {mark})" for mark in marks)
    return f"{row}.role = 'assistant' AND ({found})"


def m009_attachments(db: sqlite3.Connection) -> None:
    """Files attached to user messages (`app.attachment_store`), kept with the conversation.

    Each row belongs to the message it was sent with and goes with it, and with the
    conversation. It needs only the tables of m001, so it runs whether or not m007 (message
    tree) and m008 (search) ran before it.
    """
    db.execute(
        """CREATE TABLE IF NOT EXISTS attachments (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            mime TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('image', 'text', 'pdf')),
            data BLOB NOT NULL,
            text TEXT NOT NULL DEFAULT '',
            pages INTEGER NOT NULL DEFAULT 0,
            width INTEGER NOT NULL DEFAULT 0,
            height INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL
        )"""
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS attachments_by_message ON attachments(message_id, position)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS attachments_by_name ON attachments(conversation_id, name)"
    )


def m010_queue_ended_replies_unread(db: sqlite3.Connection) -> None:
    """A reply that ends streaming is queued for the search index without the trigger reading
    its text (see _update_trigger): the last write of a long reply no longer scans it."""
    if not _has_prose_queue(db):
        return  # no prose index here (m008 found no FTS5): nothing to change
    db.execute("DROP TRIGGER IF EXISTS messages_fts_au")
    db.execute(_update_trigger())


MIGRATIONS: tuple[Migration, ...] = (
    m001_initial,
    m002_full_text_search,
    m003_owners_and_search_at_the_end,
    m004_artifact_storage_and_calls,
    m005_tool_calls,
    m006_index_the_start_of_huge_messages,
    m007_message_tree,
    m008_search_prose_not_markup,
    m009_attachments,
    m010_queue_ended_replies_unread,
)


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
