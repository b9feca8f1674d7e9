"""The window's history upkeep after its first frame (widgets/history_upkeep.py), offscreen.

After a clean end the window starts without reading every page; the check it then runs in the
background finds a damaged page and says so in a box, and the next start recovers the file. A
long search queue left by a migration is not drained before the window: the upkeep drains it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from app.store import Store
from tests.model_server import openai_text_reply
from tests.search_queue import queued_for_search
from tests.test_gui import _close, _start, _until
from tests.test_gui_history import _recovery_box
from tests.test_store_recovery import _history, _smash, _table_pages


async def _close_settled(easel, task) -> None:
    """Close once the start-up's background work (client, model list) is done, so no request
    of this window is still open when the next one starts."""
    providers = easel.providers
    await _until(
        lambda: providers.profile is None or providers.profile.name in providers.models, 60
    )
    await _until(lambda: not easel._tasks, 60)  # client, model list, tool servers: all done
    await _close(easel, task)


def _damage_box() -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.objectName() == "history-damaged":
            if widget.isVisible():
                return widget
    return None


def test_damage_after_a_clean_end_is_told_after_the_first_frame(
    qasync_loop, run_async, model_server, easel_home: Path
):
    data = easel_home / "data"
    path = data / "easel.sqlite3"
    data.mkdir()
    _history(path, conversations=40, messages=30)
    session = data / "easel.sqlite3.session"

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)  # no state: no check first
        await _until(lambda: json.loads(session.read_text())["checked"] > 0, 60)
        await _close_settled(easel, task)
        assert json.loads(session.read_text())["clean"] is True
        pages = _table_pages(path, "messages")
        _smash(path, pages[len(pages) // 2])

        easel, task = await _start(qasync_loop, model_server)
        assert _recovery_box() is None  # a clean end: the window did not read every page...
        await _close_settled(easel, task)
        # ...and now a check is due (the last passed long ago). Written once that window is
        # closed: written while it ran, its own after-first-frame check could find the damage
        # first, and the next start would recover at once instead of telling.
        state = json.loads(session.read_text())
        state["checked"] = 0
        session.write_text(json.dumps(state))

        easel, task = await _start(qasync_loop, model_server)
        await _until(lambda: _damage_box() is not None, 60)
        assert "Quit Easel and start it again" in _damage_box().text()
        _damage_box().close()
        await _close_settled(easel, task)

        easel, task = await _start(qasync_loop, model_server)  # recovered before the window
        await _until(lambda: _recovery_box() is not None)
        assert "recovered 40 conversations" in _recovery_box().text()
        _recovery_box().close()
        await _close_settled(easel, task)

    run_async(scenario(), timeout=240)


def test_a_long_search_queue_is_drained_after_the_first_frame(
    qasync_loop, run_async, model_server, easel_home: Path
):
    path = easel_home / "data" / "easel.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)  # rows no store indexed, as m008 leaves an older history
    db.execute("INSERT INTO conversations (id, title, created, updated) VALUES (1, 't', 1, 1)")
    db.executemany(
        "INSERT INTO messages (id, conversation_id, role, content, created, updated, parent_id)"
        " VALUES (?, 1, 'assistant', ?, ?, ?, ?)",
        [(n, f"<b>word{n}</b> nimbus", n, n, n - 1 if n > 1 else None) for n in range(1, 1601)],
    )
    db.commit()
    assert db.execute("SELECT COUNT(*) FROM search_pending").fetchone()[0] == 1600
    db.close()

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        await _until(lambda: queued_for_search(path) == 0, 60)
        assert [h.message_id for h in easel.store.search_hits("word1234")] == [1234]
        await _close_settled(easel, task)

    run_async(scenario())


def test_a_reply_is_indexed_once_its_turn_is_over(
    qasync_loop, run_async, model_server, easel_home: Path
):
    reply = (
        'The plan:\n\n<artifact identifier="plan" type="text/html" title="Plan">\n'
        "<p>nimbus markup</p>\n</artifact>\n\nWalk along the cobalt harbour."
    )
    model_server.enqueue(openai_text_reply(reply, chunk_chars=8))

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        store = easel.store
        assert store.index_on_write is False  # the write at the end of a reply only queues it
        shown_when_indexed = []
        threads = []
        step = store.index_pending_apart

        def watched_step() -> bool:
            # Only steps with something to index: the start-up upkeep also calls it, to drain
            # what a migration left, whatever the page is doing then. (On the worker's thread:
            # the store's own connection is not for it.)
            if queued_for_search(store.path):
                shown_when_indexed.append(easel.transcript.shown)
                threads.append(threading.get_ident())
            return step()

        store.index_pending_apart = watched_step
        easel.chat.send("plan a walk")
        await _until(lambda: easel.chat.conversation_id is not None and not easel.chat.busy)
        [_user, answer] = store.messages(easel.chat.conversation_id)
        # Indexed after the turn, without a search draining the queue first.
        await _until(
            lambda: (
                store.read("SELECT COUNT(*) FROM messages_fts WHERE rowid = ?", (answer.id,))
                == [(1,)]
            )
        )
        assert store.read("SELECT COUNT(*) FROM search_pending") == [(0,)]
        # Never while the page still waited for the reply's last update, and never on the
        # window's thread (the store's own connection stays there).
        assert shown_when_indexed and all(shown_when_indexed)
        assert threading.get_ident() not in threads
        assert [h.message_id for h in store.search_hits("cobalt harbour")] == [answer.id]
        assert store.search_hits("nimbus") == []  # artifact markup is never indexed
        await _close_settled(easel, task)

    run_async(scenario())


def test_opening_a_store_indexes_one_batch_and_a_search_the_rest(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO conversations (id, title, created, updated) VALUES (1, 't', 1, 1)")
    db.executemany(
        "INSERT INTO messages (id, conversation_id, role, content, created, updated)"
        " VALUES (?, 1, 'assistant', ?, ?, ?)",
        [(n, f"<b>word{n}</b> nimbus", n, n) for n in range(1, 1601)],
    )
    db.commit()
    db.close()
    store = Store(path)  # the window's start: no drain over the whole queue
    try:
        waiting = store.read("SELECT COUNT(*) FROM search_pending")[0][0]
        assert 0 < waiting < 1600
        assert [h.message_id for h in store.search_hits("word1599")] == [1599]  # drained first
        assert store.read("SELECT COUNT(*) FROM search_pending")[0][0] == 0
    finally:
        store.close()
