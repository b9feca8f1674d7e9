"""The SQLite history: migrations, conversations, messages, artifact versions, search, crashes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app import migrations
from app.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path: Path):
    opened = Store(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


def test_migrations_from_empty_then_reopen(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    names = [m.__name__ for m in migrations.MIGRATIONS]
    assert migrations.applied(db) == names
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"conversations", "messages", "artifact_versions", "_migrations"} <= tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    # Commits flush the WAL without waiting for the disk (NORMAL = 1; FULL = 2 blocked them).
    store = Store(path)
    assert store.read("PRAGMA synchronous") == [(1,)]
    store.close()
    # Reopening runs nothing again.
    db = sqlite3.connect(path, isolation_level=None)
    assert migrations.migrate(db) == []
    db.close()


def test_reopen_keeps_data(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    first = Store(path)
    conversation = first.create_conversation("Trip to Kyoto", provider="deepseek", model="m")
    first.add_message(conversation.id, "user", "Plan 3 days 京都")
    first.add_artifact_version(conversation.id, "plan", "text/markdown", "Plan", "# Day 1")
    first.close()
    second = Store(path)
    [again] = second.list_conversations()
    assert (again.title, again.provider, again.model, again.message_count) == (
        "Trip to Kyoto", "deepseek", "m", 1,
    )  # fmt: skip
    assert second.messages(conversation.id)[0].content == "Plan 3 days 京都"
    assert second.latest_artifact(conversation.id, "plan").content == "# Day 1"
    second.close()


def test_open_default_lives_in_the_data_dir(easel_home: Path):
    store = Store.open_default()
    store.create_conversation()
    store.close()
    assert (easel_home / "data" / "easel.sqlite3").exists()


def test_conversations_most_recently_updated_first(store: Store):
    a = store.create_conversation("a")
    b = store.create_conversation("b")
    c = store.create_conversation("c")
    assert [x.title for x in store.list_conversations()] == ["c", "b", "a"]
    store.add_message(a.id, "user", "bump")
    assert [x.title for x in store.list_conversations()] == ["a", "c", "b"]
    store.add_artifact_version(b.id, "x", "text/html", "X", "<p>")
    assert [x.title for x in store.list_conversations()] == ["b", "a", "c"]
    assert store.get_conversation(c.id).message_count == 0
    assert store.get_conversation(a.id).message_count == 1
    assert store.get_conversation(999) is None


def test_rename_keeps_the_order(store: Store):
    a = store.create_conversation()
    b = store.create_conversation()
    store.rename_conversation(a.id, "Breakout game")
    assert store.get_conversation(a.id).title == "Breakout game"
    assert [x.id for x in store.list_conversations()] == [b.id, a.id]


def test_delete_conversation_cascades(store: Store):
    keep = store.create_conversation("keep")
    store.add_message(keep.id, "user", "stay")
    gone = store.create_conversation("gone")
    message = store.add_message(gone.id, "assistant", "<artifact …>")
    store.add_artifact_version(gone.id, "g", "text/html", "G", "<p>", message_id=message.id)
    store.delete_conversation(gone.id)
    assert [c.id for c in store.list_conversations()] == [keep.id]
    assert store.messages(gone.id) == [] and store.artifact_versions(gone.id) == []
    assert store.get_message(message.id) is None
    assert len(store.messages(keep.id)) == 1
    assert store.search("artifact") == []


def test_messages_round_trip_and_checkpoint(store: Store):
    conversation = store.create_conversation()
    user = store.add_message(conversation.id, "user", "Make a game")
    reply = store.add_message(
        conversation.id, "assistant", "", status="streaming", model="kimi", provider="moonshot"
    )
    assert (reply.status, reply.model, reply.provider, reply.content) == (
        "streaming", "kimi", "moonshot", "",
    )  # fmt: skip
    raw = 'Here:\n<artifact identifier="g" type="text/html" title="G">\n<canvas>'
    store.update_message(reply.id, content=raw, reasoning="thinking…")
    store.update_message(
        reply.id, status="complete", input_tokens=12, output_tokens=345,
        reasoning_seconds=2.5, finish_reason="stop",
    )  # fmt: skip
    [first, second] = store.messages(conversation.id)
    assert first == user
    assert second.content == raw and second.reasoning == "thinking…"
    assert (second.status, second.input_tokens, second.output_tokens) == ("complete", 12, 345)
    assert (second.reasoning_seconds, second.finish_reason, second.error) == (2.5, "stop", None)
    assert second.updated >= second.created
    store.update_message(reply.id)  # nothing given: nothing changes
    assert store.get_message(reply.id) == second


def test_error_status_and_text(store: Store):
    conversation = store.create_conversation()
    reply = store.add_message(conversation.id, "assistant", "part", status="streaming")
    store.update_message(reply.id, status="error", error="The API rejected the key.")
    stored = store.get_message(reply.id)
    assert (stored.status, stored.error, stored.content) == (
        "error", "The API rejected the key.", "part",
    )  # fmt: skip


def test_bad_values_are_refused(store: Store):
    conversation = store.create_conversation()
    with pytest.raises(ValueError):
        store.add_message(conversation.id, "wizard", "x")
    with pytest.raises(ValueError):
        store.add_message(conversation.id, "user", "x", status="done")
    with pytest.raises(ValueError):
        store.add_artifact_version(conversation.id, "a", "text/html", "A", "x", origin="magic")
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are on
        store.add_message(12345, "user", "orphan")


def test_delete_message_keeps_its_artifacts(store: Store):
    conversation = store.create_conversation()
    reply = store.add_message(conversation.id, "assistant", "…")
    store.add_artifact_version(conversation.id, "a", "text/html", "A", "<p>", message_id=reply.id)
    store.delete_message(reply.id)
    assert store.messages(conversation.id) == []
    [version] = store.artifact_versions(conversation.id)
    assert version.message_id is None and version.content == "<p>"


def test_artifact_versions_number_per_identifier(store: Store):
    conversation = store.create_conversation()
    other = store.create_conversation()
    v1 = store.add_artifact_version(conversation.id, "game", "text/html", "Game", "v1")
    store.add_artifact_version(conversation.id, "chart", "image/svg+xml", "Chart", "<svg/>")
    v2 = store.add_artifact_version(
        conversation.id, "game", "text/html", "Game", "v2", origin="edit", complete=False
    )
    elsewhere = store.add_artifact_version(other.id, "game", "text/html", "Game", "o1")
    assert (v1.version, v2.version, elsewhere.version) == (1, 2, 1)
    assert (v2.origin, v2.complete) == ("edit", False)
    assert [(a.identifier, a.version) for a in store.artifact_versions(conversation.id)] == [
        ("game", 1), ("game", 2), ("chart", 1),
    ]  # fmt: skip
    assert [a.content for a in store.artifact_versions(conversation.id, "game")] == ["v1", "v2"]
    assert store.artifact_versions(conversation.id, "game")[1] == v2
    assert store.latest_artifact(conversation.id, "game") == v2
    assert store.latest_artifact(conversation.id, "nope") is None


def test_latest_artifacts_in_order_of_first_appearance(store: Store):
    conversation = store.create_conversation()
    for identifier, content in [("b", "b1"), ("a", "a1"), ("b", "b2"), ("c", "c1"), ("a", "a2")]:
        store.add_artifact_version(conversation.id, identifier, "text/html", identifier, content)
    assert [(a.identifier, a.content) for a in store.latest_artifacts(conversation.id)] == [
        ("b", "b2"), ("a", "a2"), ("c", "c1"),
    ]  # fmt: skip
    restored = store.add_artifact_version(
        conversation.id, "b", "text/html", "b", "b1", origin="restore"
    )
    assert store.latest_artifacts(conversation.id)[0] == restored


def test_usage_totals(store: Store):
    conversation = store.create_conversation()
    assert store.usage_totals(conversation.id) == (0, 0)
    store.add_message(conversation.id, "user", "q")
    for tokens in ((10, 100), (20, 200)):
        reply = store.add_message(conversation.id, "assistant", "a")
        store.update_message(reply.id, input_tokens=tokens[0], output_tokens=tokens[1])
    assert store.usage_totals(conversation.id) == (30, 300)


# --- search ------------------------------------------------------------------------------------


@pytest.fixture
def searchable(store: Store):
    trip = store.create_conversation("Kyoto itinerary")
    store.add_message(trip.id, "user", "Plan three days in Kyoto with temples and 抹茶 tasting")
    game = store.create_conversation("Games")
    store.add_message(game.id, "user", 'Make a "breakout" game AND OR NOT near(me) with 100% fun_')
    return store, trip, game


def test_search_finds_messages_and_titles(searchable):
    store, trip, game = searchable
    [(conversation, snippet)] = store.search("temples")
    assert conversation.id == trip.id and "temples" in snippet
    assert [c.id for c, _ in store.search("itinerary")] == [trip.id]  # title only
    assert [c.id for c, _ in store.search("KYOTO")] == [trip.id]  # case-insensitive
    assert [c.id for c, _ in store.search("抹茶")] == [trip.id]  # short CJK: LIKE path
    assert [c.id for c, _ in store.search("抹茶 tasting")] == [trip.id]
    assert [c.id for c, _ in store.search("days Kyoto")] == [trip.id]  # every word, any order
    assert store.search("days breakout") == []  # words in different conversations
    assert store.search("   ") == []


@pytest.mark.parametrize(
    "query",
    ['"breakout', "AND OR", "NOT", "near(me)", "100%", "fun_", "game*", "a:b", "(", "'", "\\"],
)
def test_hostile_queries_are_text_not_syntax(searchable, query):
    store, trip, game = searchable
    results = store.search(query)  # never an FTS syntax error
    assert all(c.id in (trip.id, game.id) for c, _ in results)


def test_hostile_queries_still_match_literally(searchable):
    store, trip, game = searchable
    assert [c.id for c, _ in store.search('"breakout')] == [game.id]
    assert [c.id for c, _ in store.search("AND OR")] == [game.id]
    assert [c.id for c, _ in store.search("100%")] == [game.id]
    assert store.search("100x") == []  # % is not a wildcard
    assert store.search("fun") != [] and store.search("xfun_") == []


def test_search_results_newest_first_with_snippet(store: Store):
    old = store.create_conversation("old")
    store.add_message(old.id, "user", "x " * 200 + "needle" + " y" * 200)
    new = store.create_conversation("new")
    store.add_message(new.id, "user", "needle here")
    results = store.search("needle")
    assert [c.id for c, _ in results] == [new.id, old.id]
    snippet = results[1][1]
    assert "needle" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 200


def test_search_indexes_a_reply_once_it_ends(store: Store):
    conversation = store.create_conversation()
    reply = store.add_message(conversation.id, "assistant", "", status="streaming")
    store.update_message(reply.id, content="a partial answer about volcanoes")
    # Checkpoints of a streaming reply do not touch the index (that was quadratic).
    assert store.search("volcanoes") == []
    store.update_message(reply.id, content="a full answer about volcanoes", status="complete")
    assert [c.id for c, _ in store.search("volcanoes")] == [conversation.id]
    store.update_message(reply.id, content="rewritten about glaciers")
    assert store.search("volcanoes") == []
    assert [c.id for c, _ in store.search("glaciers")] == [conversation.id]
    # Continued: streaming again, it leaves the index until it ends again.
    store.update_message(reply.id, status="streaming")
    assert store.search("glaciers") == []
    store.update_message(reply.id, content="glaciers and fjords", status="incomplete")
    assert [c.id for c, _ in store.search("fjords")] == [conversation.id]
    store.delete_message(reply.id)
    assert store.search("glaciers") == [] and store.search("fjords") == []
    _assert_index_intact(store)


def _assert_index_intact(store: Store) -> None:
    db = sqlite3.connect(store.path)
    for name in ("messages_fts", "conversations_fts"):
        db.execute(f"INSERT INTO {name}({name}) VALUES ('integrity-check')")
    db.close()


# --- crashes and other processes ---------------------------------------------------------------

_CRASHING_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from app.store import Store

    store = Store(Path(sys.argv[1]))
    conversation = store.create_conversation("crash")
    store.add_message(conversation.id, "user", "Draw a cat")
    reply = store.add_message(conversation.id, "assistant", "", status="streaming")
    store.update_message(reply.id, content="<artifact identifier='cat'>\\n<svg")
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_writer_leaves_an_incomplete_reply(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", _CRASHING_WRITER, str(path)], cwd=ROOT, capture_output=True
    )
    assert done.returncode == -9, done.stderr.decode()
    store = Store(path)
    [conversation] = store.list_conversations()
    user, reply = store.messages(conversation.id)
    assert (user.role, user.content, user.status) == ("user", "Draw a cat", "complete")
    assert (reply.role, reply.status) == ("assistant", "incomplete")
    assert reply.content == "<artifact identifier='cat'>\n<svg"
    store.close()


def test_two_stores_share_one_database(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    app, cli = Store(path), Store(path)
    conversation = app.create_conversation("shared")
    cli.add_message(conversation.id, "user", "from the command line")
    assert [m.content for m in app.messages(conversation.id)] == ["from the command line"]
    app.close()
    cli.close()


def test_timestamps_are_unix_seconds(store: Store):
    before = time.time()
    conversation = store.create_conversation()
    assert before <= conversation.created <= time.time()
    assert conversation.created == conversation.updated


def test_search_without_fts5_falls_back_to_like(tmp_path: Path):
    # A database made by an SQLite without FTS5: the search migration ran but built no index.
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    migrations.m001_initial(db)
    migrations.applied(db)
    for migration in (migrations.m001_initial, migrations.m002_full_text_search):
        db.execute("INSERT INTO _migrations VALUES (?, 0)", (migration.__name__,))
    db.close()
    store = Store(path)
    conversation = store.create_conversation("Notes")
    store.add_message(conversation.id, "user", 'Quote "this" AND 50% off')
    assert [c.id for c, _ in store.search('"this" 50%')] == [conversation.id]
    assert [c.id for c, _ in store.search("notes")] == [conversation.id]
    assert store.search("50x") == []
    store.close()


def test_an_older_database_migrates_to_indexing_replies_at_their_end(tmp_path: Path):
    # A database as the first two migrations left it: every row indexed, streaming or not.
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    migrations.applied(db)
    for migration in (migrations.m001_initial, migrations.m002_full_text_search):
        migration(db)
        db.execute("INSERT INTO _migrations VALUES (?, 0)", (migration.__name__,))
    db.execute("INSERT INTO conversations (title, created, updated) VALUES ('Old', 0, 0)")
    db.execute(
        "INSERT INTO messages (conversation_id, role, content, status, created, updated) "
        "VALUES (1, 'assistant', 'finished answer about lagoons', 'complete', 0, 0), "
        "(1, 'assistant', 'cut answer about atolls', 'streaming', 0, 0)"
    )
    db.close()
    store = Store(path)  # m003 runs; the streaming row's process is long gone
    assert [c.id for c, _ in store.search("lagoons")] == [1]
    assert [c.id for c, _ in store.search("atolls")] == [1]  # recovered, then indexed
    assert store.messages(1)[1].status == "incomplete"
    _assert_index_intact(store)
    store.close()


def test_search_indexes_the_start_of_a_huge_reply_and_stays_consistent(tmp_path):
    from app.migrations import INDEXED_CHARS

    store = Store(tmp_path / "huge.sqlite3")
    conversation = store.create_conversation(provider="p", model="m").id
    huge = "zhaozhouqiao opening words " + "x " * INDEXED_CHARS + " tailword at the very end"
    message = store.add_message(conversation, "assistant", "", status="streaming")
    store.update_message(message.id, content=huge, status="complete")
    assert [c.id for c, _ in store.search("zhaozhouqiao")] == [conversation]
    assert store.search("tailword") == []  # past the indexed start: not searched
    store.update_message(message.id, content="replaced entirely", status="complete")
    assert store.search("zhaozhouqiao") == []
    assert [c.id for c, _ in store.search("replaced")] == [conversation]
    store.delete_conversation(conversation)
    assert not store.check_search_index()  # healthy: every delete matched what was indexed
