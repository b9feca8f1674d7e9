"""Search in the window: type a query, read the highlighted hits, open one at its message; the
empty state; hostile text stays text; the conversation list loads a page at a time."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.store import Conversation, Store
from tests.test_gui import _close, _js, _start, _until
from tests.test_search import REPLY
from widgets.sidebar import PAGE, Sidebar

FILLER = 2 * PAGE + 20


def _history() -> tuple[int, int, int]:
    """Filler conversations, a long trip with the hit early on, and a hostile one (newest)."""
    store = Store.open_default()
    try:
        for n in range(FILLER):
            store.create_conversation(f"Filler {n}")
        trip = store.create_conversation("Weekend in Hebei")
        store.add_message(trip.id, "user", "Plan a day trip")
        hit = store.add_message(trip.id, "assistant", REPLY)
        for n in range(30):
            store.add_message(trip.id, "user", f"Question {n}\n\n" + "More words. " * 40)
            store.add_message(trip.id, "assistant", f"Answer {n}\n\n" + "Long answer. " * 60)
        hostile = store.create_conversation("Pasted page")
        store.add_message(hostile.id, "user", 'see <img src=x onerror="document.title=1"> here')
        return trip.id, hit.id, hostile.id
    finally:
        store.close()


async def _shot(easel, name: str) -> None:
    """A picture of the window to look at, when EASEL_TEST_SHOTS names a folder."""
    folder = os.environ.get("EASEL_TEST_SHOTS")
    if folder:
        await asyncio.sleep(1.0)  # the web view paints a moment after its DOM changed
        easel.window.grab().save(str(Path(folder) / name))


def test_search_shows_hits_and_opens_the_conversation_at_the_message(
    qasync_loop, run_async, model_server, easel_home
):
    trip, hit_id, hostile = _history()

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        sidebar = easel.sidebar
        # A page of rows at start; more as the list is scrolled to its end.
        assert sidebar.list.count() == PAGE
        bar = sidebar.list.verticalScrollBar()
        bar.setValue(bar.maximum())
        await _until(lambda: sidebar.list.count() == 2 * PAGE)

        sidebar.focus_search()
        sidebar.search.insert("赵州桥")  # as an input method commits it (keyClicks is Latin-only)
        await _until(lambda: sidebar.results.isVisible() and sidebar.results.count() == 1)
        assert not sidebar.list.isVisible() and not sidebar.results.empty.isVisible()
        [label] = sidebar.results.labels()
        assert "Weekend in Hebei" in label.text() and "<b>赵州桥</b> day trip" in label.text()
        await _shot(easel, "search-results.png")

        # Markup in the prose is text in the results, never an element.
        sidebar.search.setText("onerror")
        await _until(lambda: sidebar.results.count() == 1)
        [label] = sidebar.results.labels()
        assert "&lt;img src=x <b>onerror</b>=&quot;document.title=1&quot;&gt;" in label.text()
        assert "<img" not in label.text()

        sidebar.search.setText("identifier")  # only in the artifact's markup
        await _until(lambda: sidebar.results.empty.isVisible())
        assert sidebar.results.count() == 0
        assert sidebar.results.empty.text() == "No conversations match"
        await _shot(easel, "search-empty.png")

        sidebar.search.setText("stone arches")
        await _until(lambda: sidebar.results.count() == 1)
        item = sidebar.results.item(0)
        QTest.mouseClick(
            sidebar.results.viewport(),
            Qt.MouseButton.LeftButton,
            pos=sidebar.results.visualItemRect(item).center(),
        )
        await _until(lambda: easel.chat.conversation_id == trip)
        key = f"m{hit_id}"
        where = (
            f"(() => {{ const a = document.querySelector('article[data-key=\"{key}\"]');"
            " if (!a || !a.classList.contains('revealed')) return null;"
            " const r = a.getBoundingClientRect();"
            " return JSON.stringify([r.top, r.bottom, innerHeight, scrollY,"
            " document.documentElement.scrollHeight]); })()"
        )
        found = None
        for _ in range(200):
            found = await _js(easel.transcript, where)
            if found:
                break
            await asyncio.sleep(0.05)
        assert found, "the hit's message was not revealed"
        top, bottom, height, scrolled, total = json.loads(found)
        assert top < height and bottom > 0  # on screen
        assert scrolled + height < total - 100  # not left at the end of the conversation
        await _shot(easel, "search-revealed.png")
        assert easel.window.windowTitle() != "1"

        sidebar.search.clear()
        await _until(lambda: sidebar.list.isVisible() and not sidebar.results.isVisible())
        sidebar.focus_search()
        QTest.keyClicks(sidebar.search, "Hebei")
        await _until(lambda: sidebar.results.count() == 2)
        sidebar.focus_search()
        assert sidebar.search.selectedText() == "Hebei"
        await _close(easel, task)

    run_async(scenario())


def test_the_current_conversation_is_loaded_however_far_down_the_list(qtbot):
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    conversations = [Conversation(n, f"Chat {n}", n, n, None, None) for n in range(1000, 0, -1)]
    sidebar.set_conversations(conversations, conversations[250].id)
    assert sidebar.list.count() == 3 * PAGE  # the pages up to it, no more
    assert sidebar.list.currentItem().text() == conversations[250].title
    sidebar.set_conversations(conversations[:PAGE], None)
    assert sidebar.list.count() == PAGE
    sidebar.list.verticalScrollBar().setValue(sidebar.list.verticalScrollBar().maximum())
    assert sidebar.list.count() == PAGE  # an empty page: nothing more to read
