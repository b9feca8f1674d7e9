"""The conversation tree in the store: migration m007, paths, siblings, switching, deleting.

Real SQLite files throughout; the migration test builds a database exactly as the schema stood
before m007 (m001–m006), fills it with real rows, and opens it with today's store.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from app import store_tree
from app.migrations import MIGRATIONS, applied
from app.store import Store
from app.store_tree import BranchError


@pytest.fixture
def store(tmp_path: Path):
    opened = Store(tmp_path / "db.sqlite3")
    yield opened
    opened.close()


def _old_database(path: Path) -> None:
    """A database with only the migrations that shipped before the tree, and real rows."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    for migration in MIGRATIONS:
        if migration.__name__ >= "m007":
            continue
        applied(db)
        migration(db)
        db.execute("INSERT INTO _migrations VALUES (?, ?)", (migration.__name__, time.time()))
    now = time.time()
    for cid, title in ((1, "Snake game"), (2, "Kyoto trip")):
        db.execute(
            "INSERT INTO conversations (id, title, created, updated) VALUES (?, ?, ?, ?)",
            (cid, title, now, now),
        )
    rows = [
        (1, 1, "user", "Make a snake game"),
        (2, 2, "user", "Plan 3 days in 京都"),
        (3, 1, "assistant", 'Here:\n<artifact identifier="snake" type="text/html">x</artifact>'),
        (4, 2, "assistant", "Day one: temples."),
        (5, 1, "user", "Slower please"),
        (6, 1, "assistant", "Done, with a tool."),
    ]
    for mid, cid, role, content in rows:
        db.execute(
            "INSERT INTO messages (id, conversation_id, role, content, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (mid, cid, role, content, now + mid, now + mid),
        )
    db.execute(
        "INSERT INTO artifact_versions (conversation_id, identifier, version, type, title, "
        "content, message_id, created) VALUES (1, 'snake', 1, 'text/html', 'Snake', 'x', 3, ?)",
        (now,),
    )
    db.execute(
        "INSERT INTO tool_calls (message_id, step, position, call_id, name, state, result, "
        "created) VALUES (6, 0, 0, 'c1', 'time', 'done', '12:00', ?)",
        (now,),
    )
    db.execute("INSERT INTO artifact_storage VALUES (1, 'snake', 'best', '42', ?)", (now,))
    db.close()


def test_migration_turns_each_conversation_into_one_chain(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    _old_database(path)
    before = sqlite3.connect(path).execute("SELECT * FROM messages ORDER BY id").fetchall()
    store = Store(path)
    try:
        snake = store.all_messages(1)
        assert [m.id for m in snake] == [1, 3, 5, 6]
        assert [m.parent_id for m in snake] == [None, 1, 3, 5]
        assert [m.id for m in store.messages(1)] == [1, 3, 5, 6]
        assert [(m.id, m.parent_id) for m in store.messages(2)] == [(2, None), (4, 2)]
        # Nothing lost: every old column of every row, the version, the call, the storage.
        after = store.read(
            "SELECT id, conversation_id, role, content, reasoning, status, error, model, provider,"
            " input_tokens, output_tokens, reasoning_seconds, finish_reason, created, updated,"
            " owner FROM messages ORDER BY id"
        )
        assert [tuple(r) for r in after] == before
        assert [v.message_id for v in store.artifact_versions(1)] == [3]
        assert store.read("SELECT message_id, result FROM tool_calls") == [(6, "12:00")]
        assert store.read("SELECT value FROM artifact_storage") == [("42",)]
        # A new message goes at the end of the migrated chain.
        added = store.add_message(1, "user", "Faster now")
        assert added.parent_id == 6 and store.messages(1)[-1].id == added.id
    finally:
        store.close()


def _chain(store: Store, cid: int, *texts: str) -> list[int]:
    ids = []
    for n, text in enumerate(texts):
        ids.append(store.add_message(cid, "user" if n % 2 == 0 else "assistant", text).id)
    return ids


def test_siblings_paths_and_switching(store: Store):
    cid = store.create_conversation().id
    q1, a1, q2, a2 = _chain(store, cid, "q1", "a1", "q2", "a2")
    # Regenerate a1: a sibling under q1, and the path follows it.
    store_tree.end_path_at(store, q1)
    a1b = store.add_message(cid, "assistant", "a1b").id
    assert [m.id for m in store.messages(cid)] == [q1, a1b]
    assert store_tree.siblings(store, a1b) == store_tree.Siblings((a1, a1b), 1)
    assert store_tree.siblings(store, a1b).label == "2/2"
    assert store_tree.branch_points(store, cid) == {a1b: store_tree.Siblings((a1, a1b), 1)}
    # Back to the first answer: down to the leaf last seen under it (a2), not just a1.
    assert store_tree.switch_sibling(store, a1b, -1) == a2
    assert [m.content for m in store.messages(cid)] == ["q1", "a1", "q2", "a2"]
    # Edit q2 (a sibling user message) and answer it; then q2's branch has two leaves.
    q2b = store_tree.add_child(store, cid, a1, "user", "q2 edited").id
    a2b = store.add_message(cid, "assistant", "a2b").id
    assert [m.id for m in store.messages(cid)] == [q1, a1, q2b, a2b]
    assert store_tree.branch_points(store, cid) == {
        a1: store_tree.Siblings((a1, a1b), 0),
        q2b: store_tree.Siblings((q2, q2b), 1),
    }
    # Switching at a1 to a1b and back returns to the most recently visited leaf (a2b).
    assert store_tree.switch_sibling(store, a1, 1) == a1b
    assert store_tree.switch_sibling(store, a1b, -1) == a2b
    # Clamped at the ends.
    assert store_tree.switch_sibling(store, q2b, 5) == a2b
    # make_current on a message of another branch (a search hit) shows that branch.
    assert store_tree.make_current(store, q2) == a2
    assert [m.id for m in store.messages(cid)] == [q1, a1, q2, a2]
    assert store_tree.switch_sibling(store, a1, 1) == a1b
    assert store_tree.switch_sibling(store, a1b, -1) == a2  # the branch last seen, not the newest
    # An edited first message is a second root.
    root2 = store_tree.add_child(store, cid, None, "user", "q1 edited")
    assert root2.parent_id is None and store.messages(cid) == [root2]
    assert store_tree.siblings(store, root2.id).ids == (q1, root2.id)


def test_tree_operations_refuse_messages_of_another_conversation(store: Store):
    cid = store.create_conversation().id
    other = store.create_conversation().id
    foreign = store.add_message(other, "user", "elsewhere")
    with pytest.raises(BranchError, match="not part of conversation"):
        store_tree.add_child(store, cid, foreign.id, "user", "x")
    with pytest.raises(BranchError, match="not part of conversation"):
        store_tree.message_in(store, cid, foreign.id)
    with pytest.raises(BranchError, match="does not exist"):
        store_tree.siblings(store, 999)
    assert store.messages(cid) == []


def test_deleting_a_branch_takes_its_versions_and_tool_calls(store: Store):
    cid = store.create_conversation().id
    q1, a1 = _chain(store, cid, "q1", "a1")
    store.add_artifact_version(cid, "page", "text/html", "Page", "v1 on a1", message_id=a1)
    store_tree.end_path_at(store, q1)
    a1b = store.add_message(cid, "assistant", "a1b").id
    store.add_artifact_version(cid, "page", "text/html", "Page", "v2 on a1b", message_id=a1b)
    q2 = store.add_message(cid, "user", "q2").id
    a2 = store.add_message(cid, "assistant", "a2").id
    store.transaction(
        lambda db: db.execute(
            "INSERT INTO tool_calls (message_id, step, position, call_id, name, created) "
            "VALUES (?, 0, 0, 'c', 't', 0)",
            (a2,),
        )
    )
    hand = store.add_artifact_version(cid, "page", "text/html", "Page", "by hand", origin="hand")
    # On a1b's path the latest is the hand edit; on a1's path v2 (a1b's) is not shown.
    assert store.latest_artifact(cid, "page").content == "by hand"
    store_tree.switch_sibling(store, a1b, -1)
    assert [v.content for v in store.path_versions(cid)] == ["v1 on a1", "by hand"]
    store_tree.switch_sibling(store, a1, 1)
    store_tree.delete_branch(store, a1b)
    assert {m.id for m in store.all_messages(cid)} == {q1, a1}
    assert [m.id for m in store.messages(cid)] == [q1, a1]  # the path moved to what is left
    assert [v.content for v in store.artifact_versions(cid)] == ["v1 on a1", "by hand"]
    assert store.read("SELECT COUNT(*) FROM tool_calls") == [(0,)]
    assert hand.message_id is None and q2 and a2
    # Deleting the only root empties the conversation's path.
    store_tree.delete_branch(store, q1)
    assert store.messages(cid) == [] and store.all_messages(cid) == []
    assert store.add_message(cid, "user", "fresh").parent_id is None


def test_delete_message_keeps_the_chain_connected(store: Store):
    cid = store.create_conversation().id
    q1, a1, q2 = _chain(store, cid, "q1", "a1", "q2")
    store.delete_message(a1)
    assert [(m.id, m.parent_id) for m in store.messages(cid)] == [(q1, None), (q2, q1)]
    store.delete_message(q2)  # the leaf: the path ends at its parent
    assert [m.id for m in store.messages(cid)] == [q1]


def test_request_exports_and_usage_follow_the_current_path(store: Store):
    from app.history import build_messages
    from app.transcript_export import conversation_html, conversation_json, conversation_markdown

    cid = store.create_conversation("Pages").id
    q1 = store.add_message(cid, "user", "make a page").id
    a1 = store.add_message(cid, "assistant", "Blue page.").id
    store.add_artifact_version(cid, "page", "text/html", "Page", "<p>BLUE</p>", message_id=a1)
    store_tree.end_path_at(store, q1)
    a1b = store.add_message(cid, "assistant", "Red page.").id
    store.add_artifact_version(cid, "page", "text/html", "Page", "<p>RED</p>", message_id=a1b)
    store_tree.switch_sibling(store, a1b, -1)  # back to the blue branch
    turns, system = build_messages(store, cid, "SYS")
    assert [t.content for t in turns] == ["make a page", "Blue page."]
    assert "BLUE" in system and "RED" not in system
    conversation = store.get_conversation(cid)
    markdown = conversation_markdown(store, conversation)
    assert "Blue page." in markdown and "Red page." not in markdown
    page = conversation_html(store, conversation)
    assert "Blue page." in page and "Red page." not in page
    data = conversation_json(store, conversation)
    assert [m["id"] for m in data["messages"]] == [q1, a1, a1b]
    assert [m["parent_id"] for m in data["messages"]] == [None, q1, q1]
    assert data["current_path"] == [q1, a1]
