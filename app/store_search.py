"""History search over the store's full-text indexes (FTS5), with LIKE where FTS cannot help.

The query is the user's text: FTS syntax in it (quotes, AND, OR, NEAR, *) is matched literally.
A reply is in the index once it stops streaming (see migration m003); titles always are.
These functions read through the connection they are given; a damaged index raises
sqlite3.DatabaseError, which the store answers by rebuilding it.
"""

from __future__ import annotations

import re
import sqlite3

MATCH_LIMIT = 1000


def fts_tokenizer(db: sqlite3.Connection) -> str | None:
    """The message index's tokenizer ("trigram" or "unicode61"), or None with no FTS5 index."""
    row = db.execute("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").fetchone()
    if row is None:
        return None
    return "trigram" if "trigram" in row[0] else "unicode61"


def matches(
    db: sqlite3.Connection, tokenizer: str | None, terms: list[str]
) -> list[tuple[int, str]]:
    """(conversation id, matching text) pairs for every-word matches: messages, then titles."""
    # trigram FTS can't match a term shorter than 3 characters: LIKE can.
    if tokenizer and (tokenizer != "trigram" or min(map(len, terms)) >= 3):
        return _fts_matches(db, _fts_query(terms))
    return like_matches(db, terms)


def _fts_matches(db: sqlite3.Connection, fts_query: str) -> list[tuple[int, str]]:
    messages = db.execute(
        "SELECT m.conversation_id, m.content FROM messages_fts"
        " JOIN messages m ON m.id = messages_fts.rowid"
        f" WHERE messages_fts MATCH ? ORDER BY rank LIMIT {MATCH_LIMIT}",
        (fts_query,),
    ).fetchall()
    titles = db.execute(
        "SELECT rowid, title FROM conversations_fts WHERE conversations_fts MATCH ?",
        (fts_query,),
    ).fetchall()
    return messages + titles


def like_matches(db: sqlite3.Connection, terms: list[str]) -> list[tuple[int, str]]:
    """The same matches by LIKE: no index needed (short terms, no FTS5, a damaged index)."""
    patterns = ["%" + re.sub(r"([\\%_])", r"\\\1", t) + "%" for t in terms]

    def where(column: str) -> str:
        return " AND ".join(f"{column} LIKE ? ESCAPE '\\'" for _ in terms)

    messages = db.execute(
        f"SELECT conversation_id, content FROM messages WHERE {where('content')}"
        f" ORDER BY id DESC LIMIT {MATCH_LIMIT}",
        patterns,
    ).fetchall()
    titles = db.execute(
        f"SELECT id, title FROM conversations WHERE {where('title')}", patterns
    ).fetchall()
    return messages + titles


def damaged_indexes(db: sqlite3.Connection) -> list[str]:
    """The FTS5 tables whose integrity-check fails (index and content disagree, or unreadable)."""
    damaged = []
    for name in ("messages_fts", "conversations_fts"):
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is None:
            continue
        try:
            db.execute(f"INSERT INTO {name}({name}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError:
            damaged.append(name)
    return damaged


def _fts_query(terms: list[str]) -> str:
    """Each term as a quoted FTS5 string (quotes doubled), so nothing in it is syntax."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def snippet(text: str, terms: list[str], *, before: int = 40, after: int = 80) -> str:
    """A one-line excerpt of `text` around the first term found in it."""
    match = re.search("|".join(map(re.escape, terms)), text, re.IGNORECASE)
    start = max(0, match.start() - before) if match else 0
    end = (match.end() if match else 0) + after
    excerpt = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + excerpt + ("…" if end < len(text) else "")
