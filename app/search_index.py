"""What the search index holds of a message: its prose, never artifact markup.

The prose of a reply is its text with each artifact replaced by its title (what the reader sees
in the transcript: a card named by the title), edits and <think> reasoning left out; the
prose of any other message is its text. Migration m008 queues the messages whose prose needs
the extractor in `search_pending`; `index_pending` fills them in, run by the store after a
write and when it opens. A message with no mark that could open an artifact is its own prose
and never queued (the trigger indexes it directly), so the extractor runs once per reply that
might hold markup, when it ends, and only over the first INDEXED_CHARS characters.
"""

from __future__ import annotations

import sqlite3

from app.artifact_segments import ArtifactOpened, Prose
from app.artifacts import parse_reply
from app.migrations import INDEXED_CHARS, PROSE_END

# Messages indexed per transaction: a queue left by a migration goes in short steps.
_BATCH = 500


def prose(role: str, text: str) -> str:
    """The searchable text of one message: artifact titles in place of artifacts."""
    if role != "assistant":
        return text  # (parse_reply itself gives a text without marks back as its own prose)
    parts: list[str] = []
    for segment in parse_reply(text):
        if isinstance(segment, Prose):
            parts.append(segment.text)
        elif isinstance(segment, ArtifactOpened):
            # On a line of its own, so the title does not run into the words around it.
            parts.append(f"\n{segment.title}\n")
    return "".join(parts)


def has_queue(db: sqlite3.Connection) -> bool:
    """Whether this database keeps a prose index (migration m008 ran, with FTS5)."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_pending'").fetchone()
    return found is not None


def pending(db: sqlite3.Connection) -> bool:
    """Whether a message waits for its prose."""
    return db.execute("SELECT 1 FROM search_pending LIMIT 1").fetchone() is not None


def index_pending(db: sqlite3.Connection) -> int:
    """Index up to one batch of queued messages (inside the caller's transaction).

    Returns how many were taken off the queue; a message deleted, or streaming again, since
    it was queued just leaves the queue.
    """
    rows = db.execute(
        f"SELECT p.message_id, m.role, m.status, substr(m.content, 1, {INDEXED_CHARS})"
        " FROM search_pending p LEFT JOIN messages m ON m.id = p.message_id"
        f" LIMIT {_BATCH}"
    ).fetchall()
    for message_id, role, status, content in rows:
        db.execute("DELETE FROM messages_fts WHERE rowid = ?", (message_id,))
        if role is not None and status != "streaming":
            db.execute(
                "INSERT INTO messages_fts(rowid, prose) VALUES (?, ?)",
                (message_id, prose(role, content) + PROSE_END),
            )
        db.execute("DELETE FROM search_pending WHERE message_id = ?", (message_id,))
    return len(rows)
