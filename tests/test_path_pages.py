"""Reading a conversation's path from its end, a page at a time (app/path_pages.py).

A window opening a conversation reads only its last page before the first paint; the pages
read one after the other must still be exactly the whole path, with what each message shows
(its artifact versions, tool calls, files and siblings) as the whole-conversation readings
give it. Real SQLite files; branches, artifacts, calls and files written through the store.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from app import store_tree
from app.attachment_model import Attachment
from app.attachment_store import attachments_of_conversation, save_attachments
from app.path_pages import PathMessage, PathPages
from app.store import Store
from app.tools.records import add_call, calls_of_conversation


@pytest.fixture
def store(tmp_path: Path):
    opened = Store(tmp_path / "db.sqlite3")
    yield opened
    opened.close()


def _read_all(store: Store, conversation_id: int, count: int) -> list[PathMessage]:
    """Every page, older ones before, as the transcript ends up showing them."""
    pages = PathPages(store, conversation_id)
    shown: list[PathMessage] = []
    while page := pages.older(count):
        assert len(page) <= count
        shown = page + shown
    assert pages.done and pages.older(count) == []
    return shown


def _tree(store: Store) -> int:
    """A conversation with branches (a second root, regenerated replies, an edited question),
    artifacts (two in one reply, versions on other branches, one by hand), calls and files."""
    rng = random.Random(14)
    cid = store.create_conversation("Tree").id
    for n in range(60):
        role = "user" if n % 2 == 0 else "assistant"
        message = store.add_message(cid, role, f"{role} {n}")
        if role == "user" and n % 6 == 0:
            files = [Attachment(f"f{n}.txt", "text/plain", "text", b"x", "x")]
            save_attachments(store, cid, message.id, files)
        if role == "assistant" and n % 5 == 0:
            # Two artifacts in one reply, interleaved: a, b, then a again.
            for identifier in ("a", "b", "a"):
                store.add_artifact_version(
                    cid, identifier, "text/html", identifier, f"{identifier}@{n}",
                    message_id=message.id,
                )  # fmt: skip
        if role == "assistant" and n % 3 == 0:
            for position in range(2):
                add_call(
                    store, message.id, step=0, position=position, call_id=f"c{n}{position}",
                    name="time", server="", tool="time", arguments="{}", text_end=0,
                    reasoning_end=0,
                )  # fmt: skip
        if n % 9 == 8:
            # Regenerate or edit: a sibling of a message on the path; the path follows it.
            target = store.messages(cid)[-rng.randrange(1, 5)]
            text = f"sibling {n}"
            store_tree.add_child(store, cid, target.parent_id, target.role, text)
        if n == 2:  # the first question edited: a second root, with the rest under it
            store_tree.add_child(store, cid, None, "user", "question 0, edited")
    store.add_artifact_version(cid, "a", "text/html", "a", "by hand", origin="hand")
    return cid


@pytest.mark.parametrize("count", [1, 2, 3, 7, 24, 100])
def test_the_pages_together_are_the_path_with_what_each_message_shows(store: Store, count):
    cid = _tree(store)
    seen = {"versions": False, "calls": False, "files": False}
    # On each branch the tree has: the path switched around between readings.
    for step in range(4):
        path = store.messages(cid)
        shown = _read_all(store, cid, count)
        assert [item.message for item in shown] == path
        points = store_tree.branch_points(store, cid)
        assert points, "the tree has branches on its path"
        assert {i.message.id: i.siblings for i in shown if i.siblings} == points
        versions = store.artifact_versions(cid)
        calls = calls_of_conversation(store, cid)
        files = attachments_of_conversation(store, cid)
        for item in shown:
            own = [v for v in versions if v.message_id == item.message.id]
            # In the order the cards take them; a card needs no content, so none is read.
            assert item.versions == [replace(v, content="") for v in own]
            assert item.calls == calls.get(item.message.id, [])
            assert item.files == files.get(item.message.id, ())
        for name in seen:
            seen[name] = seen[name] or any(getattr(item, name) for item in shown)
        with_siblings = [m for m in path if store_tree.siblings(store, m.id).ids != (m.id,)]
        store_tree.switch_sibling(store, with_siblings[step % len(with_siblings)].id, -1)
    assert all(seen.values()), seen  # the paths read had each kind of thing to show


def test_an_empty_conversation_has_no_pages(store: Store):
    cid = store.create_conversation("Empty").id
    pages = PathPages(store, cid)
    assert pages.older(24) == [] and pages.done


def test_a_damaged_link_ends_the_pages_where_the_path_ends(store: Store):
    cid = store.create_conversation("Damaged").id
    ids = [store.add_message(cid, "user", f"m{n}").id for n in range(10)]
    # A parent newer than its child (a damaged file): the path stops there, and so do pages.
    store.transaction(
        lambda db: db.execute("UPDATE messages SET parent_id = ? WHERE id = ?", (ids[9], ids[4]))
    )
    assert [m.id for m in store.messages(cid)] == ids[4:]
    for count in (1, 2, 3, 6, 10):
        assert [i.message.id for i in _read_all(store, cid, count)] == ids[4:]


def test_path_versions_are_the_versions_made_on_the_path(store: Store):
    cid = _tree(store)
    for _ in range(6):
        on_path = set(store.path_ids(cid))
        everything = store.artifact_versions(cid)
        expected = [v for v in everything if v.message_id is None or v.message_id in on_path]
        assert store.path_versions(cid) == expected
        assert len(expected) < len(everything)  # some were made on other branches
        assert store.path_versions(cid, "b") == [v for v in expected if v.identifier == "b"]
        path = store.messages(cid)
        branching = [m for m in path if len(store_tree.siblings(store, m.id).ids) > 1]
        store_tree.switch_sibling(store, branching[0].id, 1)
