"""History search: prose and titles only (never artifact markup), English and Chinese, ranked,
with highlighted snippets; migration m008 from the schema before it; `history --search`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app import migrations
from app.search_index import prose
from app.store import Store
from tests.test_cli import _main

REPLY = """Here is the itinerary you asked for.

<antArtifact identifier="zhaozhou-bridge-trip" type="text/html" title="赵州桥 day trip">
<!DOCTYPE html><html><body><h1 class="identifier">Stops</h1>
<p data-role="antArtifact">secretattribute planner</p></body></html>
</antArtifact>

Enjoy the stone arches of 赵州 in Hebei."""


@pytest.fixture
def store(tmp_path: Path):
    opened = Store(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


def _trip(store: Store) -> tuple[int, int]:
    trip = store.create_conversation("Weekend in Hebei")
    store.add_message(trip.id, "user", "Plan a day trip to the old bridge")
    reply = store.add_message(trip.id, "assistant", REPLY)
    return trip.id, reply.id


def _where(store: Store, query: str) -> list[tuple[int, int | None]]:
    return [(hit.conversation_id, hit.message_id) for hit in store.search_hits(query)]


def test_prose_replaces_each_artifact_by_its_title():
    text = prose("assistant", REPLY)
    assert "赵州桥 day trip" in text and "Here is the itinerary" in text
    assert "identifier" not in text and "antArtifact" not in text and "secretattribute" not in text
    assert prose("user", "<b>identifier</b>") == "<b>identifier</b>"  # a user's text is as typed


def test_prose_of_plain_text_is_the_text_the_extractor_would_give():
    # The trigger indexes markup-free replies without the extractor: the two must agree.
    for text in ("Just words.\n\nTwo paragraphs, 中文 too.", "a: b :: c ` `` ~ ~~", ""):
        assert prose("assistant", text) == text
        assert prose("assistant", "<i>" + text) == "<i>" + text  # through the extractor


def test_markup_never_matches_but_prose_and_titles_do(store: Store):
    trip, reply = _trip(store)
    for markup in ("identifier", "antArtifact", "zhaozhou-bridge", "secretattribute", "DOCTYPE"):
        assert store.search_hits(markup) == [], markup
    assert _where(store, "stone arches") == [(trip, reply)]
    assert set(_where(store, "day trip")) == {(trip, reply - 1), (trip, reply)}  # a title too
    assert _where(store, "Hebei") == [(trip, None), (trip, reply)]  # the title first


def test_chinese_in_a_reply_and_in_a_title(store: Store):
    trip, reply = _trip(store)
    other = store.create_conversation("赵州桥 photos")
    store.add_message(other.id, "user", "Which lens for old bridges?")
    assert _where(store, "赵州桥") == [(other.id, None), (trip, reply)]
    # Two characters: fewer than a trigram, found through the trigrams that begin with them.
    assert _where(store, "赵州") == [(other.id, None), (trip, reply)]
    assert _where(store, "桥") == [(other.id, None), (trip, reply)]
    assert _where(store, "赵州 arches") == [(trip, reply)]
    assert store.search_hits("赵县") == []


def test_a_short_term_at_the_very_end_of_a_message_is_found(store: Store):
    conversation = store.create_conversation("x")
    message = store.add_message(conversation.id, "user", "我们去赵州")
    assert _where(store, "赵州") == [(conversation.id, message.id)]
    assert _where(store, "州") == [(conversation.id, message.id)]


def test_snippet_highlights_every_match(store: Store):
    conversation = store.create_conversation("Notes")
    store.add_message(
        conversation.id, "user", "x " * 100 + "the Bridge and the bridge" + " y" * 100
    )
    [hit] = store.search_hits("bridge")
    assert hit.title == "Notes" and hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["Bridge", "bridge"]
    assert "the **Bridge** and the **bridge**" in hit.marked()


def test_best_match_first(store: Store):
    once = store.create_conversation("a")
    store.add_message(once.id, "user", "volcano " + "filler words about nothing at all " * 20)
    often = store.create_conversation("b")
    store.add_message(often.id, "user", "volcano volcano volcano, the volcano")
    newer = store.create_conversation("c")
    store.add_message(newer.id, "user", "one volcano " + "more filler text of the same kind " * 20)
    assert [hit.conversation_id for hit in store.search_hits("volcano")][0] == often.id


def test_a_reply_enters_the_index_once_it_ends(store: Store):
    conversation = store.create_conversation("x")
    reply = store.add_message(conversation.id, "assistant", "", status="streaming")
    store.update_message(reply.id, content='<artifact identifier="g" title="Pong">p</artifact>')
    assert store.search_hits("Pong") == []  # still streaming
    store.update_message(reply.id, status="complete")
    assert _where(store, "Pong") == [(conversation.id, reply.id)]
    store.delete_message(reply.id)
    assert store.search_hits("Pong") == []


def test_hostile_text_is_text(store: Store):
    conversation = store.create_conversation("x")
    store.add_message(conversation.id, "user", 'look <img src=x onerror="alert(1)"> here')
    [hit] = store.search_hits("onerror")
    assert '<img src=x onerror="alert(1)">' in hit.snippet  # kept as text; the view escapes it
    for query in ('"', "AND", "NEAR(", "*", "%", "_", "赵*"):
        store.search_hits(query)  # never an FTS syntax error


def test_a_damaged_index_still_answers_by_prose(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    store = Store(path)
    trip, reply = _trip(store)
    store.close()
    db = sqlite3.connect(path)
    db.execute("DELETE FROM messages_fts_data WHERE id > 1")
    db.commit()
    db.close()
    store = Store(path)
    try:
        assert _where(store, "stone arches") == [(trip, reply)]
        assert store.search_hits("identifier") == []
        assert store.check_search_index() is False  # rebuilt by the first search
    finally:
        store.close()


def _before_m008(path: Path, with_m007: bool) -> None:
    """A database as the releases before m008 left it (with or without m007), with rows."""
    db = sqlite3.connect(path, isolation_level=None)
    for migration in migrations.MIGRATIONS:
        name = migration.__name__
        if name >= "m008" or (name.startswith("m007") and not with_m007):
            continue
        migration(db)
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied REAL)")
        db.execute("INSERT INTO _migrations VALUES (?, 0)", (name,))
    db.execute("INSERT INTO conversations (id, title, created, updated) VALUES (1, '旅行', 1, 1)")
    db.execute(
        "INSERT INTO messages (conversation_id, role, content, created, updated)"
        " VALUES (1, 'user', 'plan it', 1, 1), (1, 'assistant', ?, 2, 2)",
        (REPLY,),
    )
    assert db.execute(
        "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'identifier'"
    ).fetchone() == (1,)  # what m008 fixes
    db.close()


@pytest.mark.parametrize("with_m007", [False, True])
def test_migration_from_the_schema_before(tmp_path: Path, with_m007: bool):
    if with_m007 and not any(m.__name__.startswith("m007") for m in migrations.MIGRATIONS):
        pytest.skip("this branch has no m007 (the message tree) yet")
    path = tmp_path / "old.sqlite3"
    _before_m008(path, with_m007)
    store = Store(path)
    try:
        assert store.search_hits("identifier") == []
        assert [(h.conversation_id, h.message_id) for h in store.search_hits("stone")] == [(1, 2)]
        assert [h.message_id for h in store.search_hits("赵州桥")] == [2]
        assert [h.message_id for h in store.search_hits("旅行")] == [None]
        store.add_message(1, "user", "more about 赵州")
        assert [h.message_id for h in store.search_hits("赵州")] == [3, 2]
    finally:
        store.close()


def test_history_search_text_and_json(easel_home: Path):
    store = Store.open_default()
    trip, reply = _trip(store)
    store.close()
    text = _main("history", "--search", "赵州桥", home=easel_home)
    assert text.returncode == 0, text.stderr
    [line] = text.stdout.splitlines()
    assert line.split()[:3] == [str(trip), str(reply), "Weekend"]
    assert "**赵州桥** day trip" in line
    listed = json.loads(_main("history", "--search", "Hebei", "--json", home=easel_home).stdout)
    assert listed == [
        {
            "conversation_id": trip,
            "message_id": None,
            "title": "Weekend in Hebei",
            "snippet": "Weekend in **Hebei**",
        },
        {
            "conversation_id": trip,
            "message_id": reply,
            "title": "Weekend in Hebei",
            "snippet": listed[1]["snippet"],
        },
    ]
    assert "**Hebei**" in listed[1]["snippet"]
    none = _main("history", "--search", "identifier", "--json", home=easel_home)
    assert none.returncode == 0 and json.loads(none.stdout) == []
    quiet = _main("history", "--search", "identifier", home=easel_home)
    assert quiet.stdout == "" and "No conversations match." in quiet.stderr
    empty = _main("history", "--search", "  ", home=easel_home)
    assert empty.returncode == 2 and "at least one word" in empty.stderr


def test_rows_another_connection_writes_are_found_by_prose(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)  # no store: the triggers alone see these rows
    db.execute("INSERT INTO conversations (id, title, created, updated) VALUES (7, 't', 1, 1)")
    db.execute(
        "INSERT INTO messages (id, conversation_id, role, content, created, updated)"
        " VALUES (1, 7, 'user', 'plain words here', 1, 1), (2, 7, 'assistant', ?, 2, 2)",
        (REPLY,),
    )
    db.commit()
    assert db.execute("SELECT message_id FROM search_pending").fetchall() == [(2,)]
    db.close()
    store = Store(path)  # gives the queued reply its prose
    try:
        assert [h.message_id for h in store.search_hits("plain words")] == [1]
        assert [h.message_id for h in store.search_hits("stone arches")] == [2]
        assert store.search_hits("identifier") == []
    finally:
        store.close()


def test_rebuilding_after_a_recovery_makes_the_prose_again_from_the_messages(store: Store):
    trip, reply = _trip(store)
    # A recovered file can bring back prose whose message was lost.
    store.read("INSERT INTO messages_fts(rowid, prose) VALUES (999, 'ghost words')")
    assert [h.message_id for h in store.search_hits("ghost")] == []  # no such message
    store.rebuild_search_index()
    assert store.read("SELECT count(*) FROM messages_fts WHERE prose LIKE '%ghost%'") == [(0,)]
    assert _where(store, "stone arches") == [(trip, reply)]


def test_a_store_that_indexes_later_keeps_a_reply_queued_until_a_step_or_a_search(
    tmp_path: Path,
):
    store = Store(tmp_path / "h.sqlite3")
    try:
        store.index_on_write = False  # as the window's store: indexed once the turn is over
        conversation = store.create_conversation()
        reply = store.add_message(conversation.id, "assistant", "", status="streaming")
        store.update_message(reply.id, content=REPLY, status="complete")

        def queued() -> int:
            return store.read("SELECT COUNT(*) FROM search_pending")[0][0]

        def indexed(message_id: int) -> bool:
            found = store.read("SELECT COUNT(*) FROM messages_fts WHERE rowid = ?", (message_id,))
            return found[0][0] == 1

        assert queued() == 1 and not indexed(reply.id)  # the write did not index it
        assert store.index_pending_step() is False  # one step: nothing more waits
        assert queued() == 0 and indexed(reply.id)
        later = store.add_message(conversation.id, "assistant", REPLY.replace("stone", "slate"))
        assert not indexed(later.id)
        assert [h.message_id for h in store.search_hits("slate arches")] == [later.id]
        store.index_on_write = True  # the command line's store: indexed with the write
        third = store.add_message(conversation.id, "assistant", REPLY)
        assert indexed(third.id) and queued() == 0
    finally:
        store.close()


def _update_trigger(db: sqlite3.Connection | Store) -> str:
    query = "SELECT sql FROM sqlite_master WHERE name = 'messages_fts_au'"
    rows = db.read(query) if isinstance(db, Store) else db.execute(query).fetchall()
    return rows[0][0]


def test_a_reply_that_ends_is_queued_without_its_text_being_read(store: Store):
    """The last write of a reply runs on the window's thread and may hold megabytes: the
    trigger scans none of it (a plain reply is queued like any other, and found after a step)."""
    assert "content" not in _update_trigger(store).split(" BEGIN ", 1)[1]
    store.index_on_write = False  # as the window's store
    conversation = store.create_conversation("x")
    reply = store.add_message(conversation.id, "assistant", "", status="streaming")
    store.update_message(reply.id, content="plain words of a long reply", status="complete")
    assert store.read("SELECT message_id FROM search_pending") == [(reply.id,)]
    assert store.index_pending_step() is False
    assert _where(store, "long reply") == [(conversation.id, reply.id)]
    store.update_message(reply.id, status="streaming")  # continued: out of the index meanwhile
    assert store.search_hits("long reply") == []
    store.update_message(reply.id, content="plain words of a longer reply", status="complete")
    assert _where(store, "longer reply") == [(conversation.id, reply.id)]  # a search drains


# The update trigger as databases made before m010 hold it: it scans the text for marks.
_MARKS = (
    "new.role = 'assistant' AND (instr(new.content, '<') OR instr(new.content, ':::')"
    " OR instr(new.content, '```') OR instr(new.content, '~~~'))"
)
M008_UPDATE_TRIGGER = (
    "CREATE TRIGGER messages_fts_au AFTER UPDATE OF content, status ON messages"
    " WHEN old.status != 'streaming' OR new.status != 'streaming' BEGIN"
    " DELETE FROM messages_fts WHERE rowid = old.id;"
    " DELETE FROM search_pending WHERE message_id = old.id;"
    " INSERT INTO messages_fts(rowid, prose) SELECT new.id,"
    " substr(new.content, 1, 1000000) || char(10, 10)"
    f" WHERE new.status != 'streaming' AND NOT ({_MARKS});"
    " INSERT OR IGNORE INTO search_pending(message_id) SELECT new.id"
    f" WHERE new.status != 'streaming' AND ({_MARKS}); END"
)


def test_m010_gives_an_older_database_the_trigger_that_reads_no_text(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied REAL)")
    for migration in migrations.MIGRATIONS:
        if migration.__name__ >= "m010":
            break
        migration(db)
        db.execute("INSERT INTO _migrations VALUES (?, 0)", (migration.__name__,))
    db.execute("DROP TRIGGER messages_fts_au")
    db.execute(M008_UPDATE_TRIGGER)  # as m008 made it until m010
    db.close()
    store = Store(path)
    try:
        assert "content" not in _update_trigger(store).split(" BEGIN ", 1)[1]
        conversation = store.create_conversation("x")
        reply = store.add_message(conversation.id, "assistant", "", status="streaming")
        store.update_message(reply.id, content=REPLY, status="complete")
        assert _where(store, "stone arches") == [(conversation.id, reply.id)]
        assert store.search_hits("identifier") == []
    finally:
        store.close()
