"""A turn's request is read on a worker thread, on a read-only connection of its own
(app/store_reader.py, app.history.build_messages_apart), and says exactly what reading it on
the window's connection says.

Real parts: a real SQLite file written through the Store, with branches, artifact versions
(one made by hand), tool calls and an attached file; the reader opens the same file.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

import app.history as history
from app.attachment_model import Attachment
from app.attachment_store import save_attachments
from app.history import build_messages, build_messages_apart
from app.store import Store
from app.store_reader import StoreReader
from app.store_tree import add_child
from app.tools.records import add_call
from tests.test_store_tree import store  # noqa: F401 - a Store on a file of the test's own

GAME = '<artifact identifier="game" type="text/html" title="Game">\n<p>v{n}</p>\n</artifact>'


def _conversation(store: Store) -> int:  # noqa: F811
    cid = store.create_conversation("Long").id
    for n in range(40):
        user = store.add_message(cid, "user", f"Question {n}?")
        if n == 3:
            note = Attachment("notes.txt", "text/plain", "text", b"milk", text="milk")
            save_attachments(store, cid, user.id, [note])
        reply = store.add_message(cid, "assistant", f"Answer {n}.\n\n" + GAME.format(n=n))
        store.add_artifact_version(
            cid, "game", "text/html", "Game", f"<p>v{n}</p>", message_id=reply.id
        )
        if n == 5:
            add_call(
                store, reply.id, step=0, position=0, call_id="c5", name="time", server="",
                tool="time", arguments="{}", text_end=len("Answer 5."), reasoning_end=0,
            )  # fmt: skip
        if n == 20:  # a regenerated reply: the path follows the newer sibling
            add_child(store, cid, user.id, "assistant", "A second answer to 20.")
    store.add_artifact_version(cid, "game", "text/html", "Game", "<p>by hand</p>", origin="hand")
    return cid


def test_the_reader_reads_what_the_store_reads(store: Store):  # noqa: F811
    cid = _conversation(store)
    with StoreReader(store.path) as reader:
        assert reader.messages(cid) == store.messages(cid)
        assert reader.latest_artifacts(cid) == store.latest_artifacts(cid)
        sql = "SELECT id, title FROM conversations ORDER BY id"
        assert reader.read(sql) == store.read(sql)


def test_the_reader_writes_nothing(store: Store):  # noqa: F811
    cid = _conversation(store)
    with StoreReader(store.path) as reader, pytest.raises(sqlite3.OperationalError):
        reader.read("DELETE FROM messages WHERE conversation_id = ?", (cid,))
    assert len(store.messages(cid)) == 80


def test_a_request_read_apart_is_the_request_read_here(store: Store):  # noqa: F811
    cid = _conversation(store)
    continuing = store.messages(cid)[-1]
    for kwargs in ({}, {"continuing": continuing}):
        here = build_messages(store, cid, "Be brief.", **kwargs)
        apart = asyncio.run(build_messages_apart(store, cid, "Be brief.", **kwargs))
        assert apart == here
    turns, system = here
    assert "by hand" in system and turns[-1].content == history.CONTINUE_PROMPT
    assert any(turn.attachments for turn in turns) and any(turn.role == "tool" for turn in turns)


def test_the_read_happens_on_another_thread_and_sees_the_last_write(store: Store, monkeypatch):  # noqa: F811
    cid = _conversation(store)
    threads = []

    class Recording(StoreReader):
        def __init__(self, path: Path) -> None:
            threads.append(threading.get_ident())
            super().__init__(path)

    monkeypatch.setattr(history, "StoreReader", Recording)
    store.add_message(cid, "user", "The newest question")  # committed before the request
    turns, _system = asyncio.run(build_messages_apart(store, cid, None))
    assert threads and threads[0] != threading.get_ident()
    assert turns[-1].content.endswith("The newest question")


def test_a_store_with_no_file_or_a_reader_that_fails_is_read_here(tmp_path: Path, monkeypatch):
    memory = Store(Path(":memory:"))
    cid = _conversation(memory)
    assert asyncio.run(build_messages_apart(memory, cid, None)) == build_messages(memory, cid, None)
    memory.close()

    class Failing(StoreReader):
        def __init__(self, path: Path) -> None:
            raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(history, "StoreReader", Failing)
    on_file = Store(tmp_path / "other.sqlite3")
    cid = _conversation(on_file)
    assert asyncio.run(build_messages_apart(on_file, cid, None)) == build_messages(
        on_file, cid, None
    )
    on_file.close()


def test_a_small_conversation_is_read_here_and_a_big_one_apart(store: Store, monkeypatch):  # noqa: F811
    """The hop to a thread costs more than reading a few short messages: those are read on the
    loop. Many messages, long ones, or large attached files still go apart."""
    made = []

    class Recording(StoreReader):
        def __init__(self, path: Path) -> None:
            made.append(path)
            super().__init__(path)

    monkeypatch.setattr(history, "StoreReader", Recording)
    small = store.create_conversation("Small").id
    store.add_message(small, "user", "Hello?")
    store.add_message(small, "assistant", "Hi.")
    question = store.add_message(small, "user", "And now?")
    assert asyncio.run(build_messages_apart(store, small, None)) == build_messages(
        store, small, None
    )
    assert made == []

    long_text = store.create_conversation("Long text").id
    store.add_message(long_text, "user", "x" * (history.READ_HERE_BYTES + 1))
    many = store.create_conversation("Many").id
    for n in range(history.READ_HERE_MESSAGES + 1):
        store.add_message(many, "user", f"{n}")
    big_file = Attachment("photo.png", "image/png", "image", b"\x89PNG" * 70_000)
    save_attachments(store, small, question.id, [big_file])
    for cid in (long_text, many, small):
        made.clear()
        assert asyncio.run(build_messages_apart(store, cid, None)) == build_messages(
            store, cid, None
        )
        assert made == [store.path]


def test_a_long_conversation_is_counted_not_measured(store: Store, monkeypatch):  # noqa: F811
    """Deciding where to read costs a long conversation one count from the index: its text is
    not read on the loop (the reason the request is read apart at all)."""
    many = store.create_conversation("Many").id
    for n in range(history.READ_HERE_MESSAGES + 1):
        store.add_message(many, "user", "x" * 1000 + str(n))
    asked = []
    read = store.read
    monkeypatch.setattr(
        store, "read", lambda sql, params=(): asked.append(sql) or read(sql, params)
    )
    asyncio.run(build_messages_apart(store, many, None))
    assert len(asked) == 1 and "count(*)" in asked[0] and "length" not in asked[0]
