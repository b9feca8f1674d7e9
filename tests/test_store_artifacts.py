"""The newest artifact versions on the current path, read without reading every version whole.

Each request sends the newest version of every artifact on the path; it used to read every
version's content to find them. Hypothesis builds conversations with branches, versions made
on several of them and versions made by hand (no message), switches between branches, and
checks after every step that the newest versions are exactly the last of each artifact among
the path's versions read whole, in order of first appearance.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import store_artifacts, store_tree
from app.store import Store

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["reply", "reply", "branch", "switch", "version", "version", "hand"]),
        st.integers(min_value=0, max_value=1_000),
        st.sampled_from(["game", "notes", "chart"]),
    ),
    min_size=1,
    max_size=30,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "db.sqlite3")
    yield opened
    opened.close()


def _step(store: Store, cid: int, kind: str, pick: int, name: str) -> None:
    ids = [m.id for m in store.all_messages(cid)]
    target = ids[pick % len(ids)] if ids else None
    if kind == "reply" or target is None:
        store.add_message(cid, "user", f"q{pick}")
        store.add_message(cid, "assistant", f"a{pick}")
    elif kind == "branch":
        store_tree.add_child(store, cid, target, "assistant", f"b{pick}")
    elif kind == "switch":
        store_tree.switch_sibling(store, target, 1 if pick % 2 else -1)
    else:
        maker = None if kind == "hand" else target
        store.add_artifact_version(
            cid, name, "text/html", name.title(), f"<p>{name} {pick}</p>" * 50, message_id=maker
        )


def _reference(store: Store, cid: int) -> list:
    newest: dict = {}
    for version in store.path_versions(cid):
        newest[version.identifier] = version
    return list(newest.values())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_the_newest_versions_are_the_last_of_the_path_versions(steps) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "db.sqlite3")
        try:
            cid = store.create_conversation("t").id
            for step in steps:
                _step(store, cid, *step)
                expected = _reference(store, cid)
                assert store.latest_artifacts(cid) == expected, step
                for name in ("game", "notes", "chart"):
                    one = [v for v in expected if v.identifier == name]
                    assert store.latest_artifact(cid, name) == (one[0] if one else None)
        finally:
            store.close()


def test_only_the_newest_versions_are_read_whole(store: Store) -> None:
    """A game revised 30 times: the request reads one version's content, not 30."""
    cid = store.create_conversation("Game").id
    store.add_message(cid, "user", "a game")
    reply = store.add_message(cid, "assistant", "here")
    for n in range(30):
        store.add_artifact_version(
            cid, "game", "text/html", "Game", f"<p>v{n}</p>" * 1000, message_id=reply.id
        )
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    latest = store.latest_artifacts(cid)
    store._db.set_trace_callback(None)
    assert [v.version for v in latest] == [30]
    # Anywhere in a statement: a subquery that selects the content materialises it for every
    # version, however little the outer query keeps of it (a window function cannot be
    # flattened: 9 -> 85 ms for ten versions of a 2.6 MB page).
    whole = [s for s in statements if "content" in s]
    assert len(whole) == 1 and "WHERE id IN (" in whole[0]
    assert whole[0].rstrip().endswith(f"IN ({latest[0].id})")  # that one version only


def test_a_version_deleted_between_the_two_reads_is_left_out(store: Store) -> None:
    """Another process may delete a version (a branch deleted) between the two reads."""
    cid = store.create_conversation("Game").id
    store.add_artifact_version(cid, "game", "text/html", "Game", "<p>1</p>")
    second = store.add_artifact_version(cid, "notes", "text/markdown", "Notes", "n")
    real_execute = store._db.execute

    class Racing:
        """A connection whose second read finds the newest 'notes' gone."""

        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if "WHERE id IN" in sql:
                real_execute("DELETE FROM artifact_versions WHERE id = ?", (second.id,))
            return real_execute(sql, *args)

    found = store_artifacts.newest_on_path(Racing(), cid)  # type: ignore[arg-type]
    assert [v.identifier for v in found] == ["game"]
