"""Builds the histories bench/scale.py measures: thousands of conversations, in seconds.

The schema is the real one: a `Store` opens the file first, so the migrations make every table,
index and search trigger. The bulk of the history (thousands of conversations of a few messages
each) then goes in with `executemany` inside one `Store.transaction`, into the same columns
`Store.create_conversation`, `Store.add_message` and `Store.add_artifact_version` write; the
search index is filled by the store's own triggers. The conversations the bench opens on screen
are written through the Store's methods, message by message, as the app writes them.

Some replies carry an artifact (and its stored version), some conversations are in Chinese.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from app.store import DB_FILE, Store

ARTIFACT_EVERY = 7  # one conversation in seven made an artifact
CHINESE_EVERY = 5  # one in five is in Chinese

_ENGLISH = [
    "How do I plan a {n}-day trip to Kyoto with a small budget and a lot of walking?",
    "Here is a plan for **day {n}**: start at the eastern temples early, before the crowds, "
    "then walk down to the river for lunch. Trains cost about ¥{n}00.\n\n"
    "- Morning: Kiyomizu-dera\n- Noon: Nishiki market\n- Evening: Gion\n",
    "Can you write a Python function that parses log line {n} and counts the errors?",
    "Sure. This reads each line once and keeps a counter per level:\n\n```python\n"
    "def count(lines):\n    seen = {{}}\n    for line in lines:\n"
    "        level = line.split()[0]\n        seen[level] = seen.get(level, 0) + 1\n"
    "    return seen\n```\n\nFor file {n} it returns a dict of levels.",
]
_CHINESE = [
    "请帮我写一份第{n}周的学习计划，重点是数学和英语。",
    "好的，这是第{n}周的计划：\n\n1. 周一：复习代数，做二十道练习题\n2. 周二：英语阅读两篇文章\n"
    "3. 周三：几何证明\n\n每天留出半小时整理笔记。",
]


def build_history(home: Path, conversations: int, messages: int) -> Path:
    """A history of `conversations` × `messages` in EASEL_HOME=`home`; the database's path."""
    path = home / "data" / DB_FILE
    store = Store(path)  # the migrations make the schema and the search triggers
    try:
        store.transaction(lambda db: _insert_bulk(db, conversations, messages))
    finally:
        store.close()
    return path


def add_conversation(home: Path, title: str, messages: int) -> int:
    """One conversation of `messages` messages written through the Store; its id."""
    store = Store(home / "data" / DB_FILE)
    try:
        conversation = store.create_conversation(title, provider="bench", model="m")
        for n in range(messages):
            role = "user" if n % 2 == 0 else "assistant"
            store.add_message(conversation.id, role, _text(n, chinese=n % 10 == 9), model="m")
        return conversation.id
    finally:
        store.close()


def _text(n: int, *, chinese: bool) -> str:
    lines = _CHINESE if chinese else _ENGLISH
    role_offset = n % 2  # even: a question, odd: an answer
    return lines[(n // 2 % (len(lines) // 2)) * 2 + role_offset].format(n=n)


def _artifact_reply(n: int) -> tuple[str, str]:
    """A reply holding one artifact, and that artifact's content."""
    content = f"<!DOCTYPE html><title>Counter {n}</title><button>Clicked 0 times</button>"
    reply = (
        f"Here is counter {n}:\n\n"
        f'<artifact identifier="counter-{n}" type="text/html" title="Counter {n}">\n'
        f"{content}\n</artifact>\n\nClick it to count."
    )
    return reply, content


def _insert_bulk(db: sqlite3.Connection, conversations: int, messages: int) -> None:
    now = time.time() - conversations * 60.0  # the oldest first, a minute apart
    db.executemany(
        "INSERT INTO conversations (id, title, created, updated, provider, model)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            (c, f"对话 {c}" if c % CHINESE_EVERY == 0 else f"Conversation {c}",
             now + c * 60, now + c * 60, "bench", "m")
            for c in range(1, conversations + 1)
        ),
    )  # fmt: skip
    db.executemany(
        "INSERT INTO messages (conversation_id, role, content, status, model, provider,"
        " created, updated, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        (
            (c, "user" if n % 2 == 0 else "assistant", _message(c, n, messages), "complete",
             "m", "bench", now + c * 60 + n, now + c * 60 + n)
            for c in range(1, conversations + 1)
            for n in range(messages)
        ),
    )  # fmt: skip
    # The artifact of each conversation that made one: written by its last reply.
    db.executemany(
        "INSERT INTO artifact_versions (conversation_id, identifier, version, type, title,"
        " content, origin, message_id, complete, created)"
        " SELECT ?, ?, 1, 'text/html', ?, ?, 'full', MAX(id), 1, ? FROM messages"
        " WHERE conversation_id = ?",
        (
            (c, f"counter-{c}", f"Counter {c}", _artifact_reply(c)[1], now + c * 60, c)
            for c in range(ARTIFACT_EVERY, conversations + 1, ARTIFACT_EVERY)
        ),
    )  # fmt: skip


def _message(conversation: int, n: int, messages: int) -> str:
    if conversation % ARTIFACT_EVERY == 0 and n == messages - 1 and n % 2 == 1:
        return _artifact_reply(conversation)[0]
    return _text(conversation * 100 + n, chinese=conversation % CHINESE_EVERY == 0)


def add_artifact_conversation(home: Path, artifacts: int) -> int:
    """A conversation whose one reply made `artifacts` artifacts, written through the Store."""
    store = Store(home / "data" / DB_FILE)
    try:
        conversation = store.create_conversation("Many artifacts", provider="bench", model="m")
        store.add_message(conversation.id, "user", "Make counters.")
        replies = [_artifact_reply(n) for n in range(1, artifacts + 1)]
        reply = store.add_message(
            conversation.id, "assistant", "\n".join(text for text, _ in replies), model="m"
        )
        for n, (_text, content) in enumerate(replies, start=1):
            store.add_artifact_version(
                conversation.id, f"counter-{n}", "text/html", f"Counter {n}", content,
                message_id=reply.id,
            )  # fmt: skip
        return conversation.id
    finally:
        store.close()
