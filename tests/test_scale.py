"""A history that scales: long conversations open at their end, closed tabs free their pages.

Real parts: a real SQLite store, the real transcript page offscreen, the real artifact profile.
No test here measures time (bench/scale.py does, as ratios); they check what the speed rests on:
the end is shown before the older messages, every message still arrives in order, closed tabs
leave no page behind, and the bench script itself still runs.
"""

from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path

import pytest
import shiboken6

from app.publish import Publisher
from app.store import Store
from tests.bench_quick import quick_result
from widgets.artifact_panel import ArtifactPanel
from widgets.chat import ChatController, message_key
from widgets.composer import Composer
from widgets.transcript import TranscriptView
from widgets.transcript_loader import PAGE_MESSAGES, TranscriptLoader

ROOT = Path(__file__).resolve().parents[1]
LONG = 2000


def _store_with(easel_home: Path, count: int) -> tuple[Store, int, list[str]]:
    store = Store(easel_home / "data" / "easel.sqlite3")
    conversation = store.create_conversation("Long")
    keys = []
    for n in range(count):
        role = "user" if n % 2 == 0 else "assistant"
        text = f"Question {n}?" if role == "user" else f"Answer **{n}**:\n\n- one\n- two\n"
        keys.append(message_key(store.add_message(conversation.id, role, text).id))
    return store, conversation.id, keys


@pytest.fixture
def chat(qtbot, profile, easel_home):
    transcript = TranscriptView()
    transcript.resize(900, 700)
    transcript.show()
    panel = ArtifactPanel(lambda: profile, Publisher())
    store = Store(easel_home / "data" / "easel.sqlite3")
    made = ChatController(store, transcript, panel, Composer(), lambda *_: None, prices=dict)
    with qtbot.waitSignal(transcript.ready, timeout=20_000):
        pass
    yield made
    made.loader.cancel()
    transcript.close()
    transcript.deleteLater()
    panel.deleteLater()
    store.close()
    qtbot.wait(1)


def _js(qtbot, transcript: TranscriptView, script: str):
    result = []
    transcript.run_js_for_test(script, result.append)
    qtbot.waitUntil(lambda: bool(result), timeout=20_000)
    return result[0]


def test_a_long_conversation_shows_its_end_first_then_every_message_in_order(
    qtbot, chat, easel_home
):
    store, conversation_id, keys = _store_with(easel_home, LONG)
    chat.store = store
    chat.open(conversation_id)
    transcript = chat.transcript
    # The end is on the page at once; the start is still to come (that is what makes it fast).
    tail = chat.loader.screenful()
    assert transcript.has_message(keys[-1]) and transcript.has_message(keys[-tail])
    assert not transcript.has_message(keys[-tail - 1]) and not transcript.has_message(keys[0])
    assert chat.loader.loading
    last = json.dumps(keys[-1])
    qtbot.waitUntil(
        lambda: _js(
            qtbot,
            transcript,
            f"document.querySelector('#messages > article:last-of-type').dataset.key === {last}"
            " && document.documentElement.scrollHeight - scrollY - innerHeight < 4",
        ),
        timeout=20_000,
    )
    # The older messages arrive in idle chunks, each placed before the ones shown already.
    qtbot.waitUntil(lambda: not chat.loader.loading, timeout=60_000)
    shown = _js(qtbot, transcript, "JSON.stringify([...document.querySelectorAll("
                "'#messages > article')].map(a => a.dataset.key))")  # fmt: skip
    assert json.loads(shown) == keys
    # Scrolling to the top reaches the first message.
    first = _js(
        qtbot,
        transcript,
        "window.scrollTo(0, 0); document.elementFromPoint(innerWidth / 2, 40)"
        ".closest('article').dataset.key",
    )
    assert first == keys[0]
    assert "Question 0?" in _js(qtbot, transcript, "document.body.innerText.slice(0, 400)")
    store.close()


def test_show_through_an_unknown_key_puts_every_message_on_the_page_now(qtbot, chat, easel_home):
    store, conversation_id, keys = _store_with(easel_home, 120)
    chat.store = store
    chat.open(conversation_id)
    assert not chat.transcript.has_message(keys[0])
    chat.loader.show_through("")  # no message has this key: all of them
    assert all(chat.transcript.has_message(key) for key in keys)
    assert not chat.loader.loading
    store.close()


def test_the_first_update_fills_the_window_even_with_one_line_messages(qtbot, chat, easel_home):
    store = Store(easel_home / "data" / "easel.sqlite3")
    conversation = store.create_conversation("Short lines")
    keys = [
        message_key(store.add_message(conversation.id, role, "ok").id)
        for role in ["user", "assistant"] * 40
    ]
    chat.store = store
    chat.open(conversation.id)
    chat.loader.cancel()  # only what the first update showed stays on the page
    shown = [key for key in keys if chat.transcript.has_message(key)]
    assert shown == keys[-len(shown) :] and len(shown) < len(keys)
    # Scrolled to the end, the oldest message shown starts above the top of the window.
    top = _js(
        qtbot,
        chat.transcript,
        "document.documentElement.scrollHeight - scrollY - innerHeight < 4"
        " && document.querySelector('#messages > article').getBoundingClientRect().top",
    )
    assert top is not False and top < 0, "the first update left the top of the window empty"
    store.close()


def test_a_search_hit_in_an_old_message_is_shown_without_the_whole_conversation(
    qtbot, chat, easel_home
):
    store, conversation_id, keys = _store_with(easel_home, LONG)
    chat.store = store
    chat.open(conversation_id)
    old = 1500  # older than the first update and the first page read after it
    assert not chat.transcript.has_message(keys[old])
    chat.reveal(int(keys[old].removeprefix("m")))
    # Shown as far as the hit (and a screenful before it), everything after it in order; not
    # every older message yet.
    assert all(chat.transcript.has_message(key) for key in keys[old:])
    assert not chat.transcript.has_message(keys[old - PAGE_MESSAGES])
    revealed = json.dumps(keys[old])
    in_view = (
        f"(() => {{ const a = document.querySelector(`article[data-key=${{{revealed}}}]`);"
        " const box = a.getBoundingClientRect();"
        " return box.bottom > 0 && box.top < innerHeight && a.classList.contains('revealed');"
        " })()"
    )
    qtbot.waitUntil(lambda: _js(qtbot, chat.transcript, in_view), timeout=20_000)
    # The older ones still arrive, in order, before it; the reader stays where the hit is.
    qtbot.waitUntil(lambda: not chat.loader.loading, timeout=60_000)
    still = in_view.replace(" && a.classList.contains('revealed')", "")
    assert still != in_view and _js(qtbot, chat.transcript, still)
    shown = _js(qtbot, chat.transcript, "JSON.stringify([...document.querySelectorAll("
                "'#messages > article')].map(a => a.dataset.key))")  # fmt: skip
    assert json.loads(shown) == keys
    store.close()


def test_a_reader_at_the_top_stays_put_while_older_messages_arrive(qtbot, chat, easel_home):
    store, conversation_id, keys = _store_with(easel_home, LONG)
    chat.store = store
    chat.open(conversation_id)
    # Up to the oldest message shown so far, at the very top of the page (where the engine's
    # own scroll anchoring does not keep the reader's place).
    qtbot.waitUntil(
        lambda: _js(qtbot, chat.transcript, "document.querySelectorAll('article').length > 0"),
        timeout=20_000,
    )
    # The scroll event the page reads "stop following the end" from, at once (the engine's
    # comes a frame later: an update in between would still follow the end).
    reading = _js(
        qtbot,
        chat.transcript,
        "window.scrollTo(0, 0); window.dispatchEvent(new Event('scroll'));"
        " document.elementFromPoint(innerWidth / 2, 40).closest('article').dataset.key",
    )
    assert chat.loader.loading and reading != keys[0]
    qtbot.waitUntil(lambda: not chat.loader.loading, timeout=60_000)
    qtbot.waitUntil(lambda: chat.transcript.has_message(keys[0]))
    still = _js(
        qtbot,
        chat.transcript,
        f"(() => {{ const a = document.querySelector('article[data-key={reading}]');"
        " const box = a.getBoundingClientRect(); return box.bottom > 0 && box.top < innerHeight;"
        " })()",
    )
    assert still, "the older messages pushed what the reader was reading off the window"
    store.close()


def test_a_loader_whose_window_closed_stops(qtbot, easel_home):
    transcript = TranscriptView()
    loader = TranscriptLoader(transcript)
    with qtbot.waitSignal(transcript.ready, timeout=20_000):
        transcript.show()
    pages = iter([[f"k{n}" for n in range(k, k + 10)] for k in range(0, 50, 10)])
    shown: list[str] = []

    def show(key: str) -> None:
        shown.append(key)
        transcript.add_message(key, "user")

    loader.start(["k50"], lambda _count: next(pages, []), str, show)
    assert loader.loading
    transcript.close()
    transcript.deleteLater()
    qtbot.wait(50)  # the loader's timer fires for a transcript that is gone: no error
    assert not loader.loading
    loader.deleteLater()


def test_opening_another_conversation_stops_the_older_messages(qtbot, chat, easel_home):
    store, conversation_id, keys = _store_with(easel_home, 200)
    other = store.create_conversation("Short")
    reply = store.add_message(other.id, "user", "Hello")
    chat.store = store
    chat.open(conversation_id)
    chat.open(other.id)
    qtbot.wait(200)  # turns of the loop in which a stale loader would add old messages
    assert not chat.loader.loading
    assert not any(chat.transcript.has_message(key) for key in keys)
    assert chat.transcript.has_message(message_key(reply.id))
    store.close()


def _artifacts(store: Store, count: int) -> int:
    conversation = store.create_conversation("Counters")
    reply = store.add_message(conversation.id, "assistant", "Counters.")
    for n in range(count):
        html = f"<!DOCTYPE html><title>C{n}</title><p>Counter {n}</p>"
        store.add_artifact_version(
            conversation.id, f"c{n}", "text/html", f"C{n}", html, message_id=reply.id
        )
    return conversation.id


def test_closed_artifact_tabs_leave_no_page_behind_and_give_memory_back(
    qtbot, profile, easel_home, monkeypatch
):
    released = []
    # Connected when the panel is made: patched before.
    monkeypatch.setattr("widgets.artifact_panel.release_freed_memory", lambda: released.append(1))
    store = Store(easel_home / "data" / "easel.sqlite3")
    conversation_id = _artifacts(store, 4)
    panel = ArtifactPanel(lambda: profile, Publisher())
    panel.resize(900, 700)
    panel.show()
    panel.clear(conversation_id)
    panel.load(store.artifact_versions(conversation_id))
    pages, tabs = [], []
    for index in range(panel.tabs.count()):
        tab = panel.tabs.widget(index)
        with qtbot.waitSignal(tab.view.loaded, timeout=20_000):
            panel.tabs.setCurrentIndex(index)
        pages.append(tab.view.artifact_page)
        tabs.append(weakref.ref(tab))
    assert len(pages) == 4 and all(shiboken6.isValid(page) for page in pages)
    panel.clear(None)  # another conversation: every tab closes
    qtbot.waitUntil(lambda: not any(shiboken6.isValid(page) for page in pages), timeout=10_000)
    del tab
    gc.collect()
    assert all(ref() is None for ref in tabs)  # nothing in Python holds a closed tab
    qtbot.waitUntil(lambda: bool(released), timeout=10_000)
    panel.deleteLater()
    store.close()
    qtbot.wait(1)


def test_the_scale_bench_runs_in_its_quick_mode():
    figures = quick_result("scale.py")
    assert set(figures) == {
        "startup_ratio_10k", "open_2000_ratio", "search_ms_10k", "artifact_tabs_leak_mb",
        "turn_2000_stall_ratio", "turn_2000_stall_ms",
    }  # fmt: skip
    assert all(isinstance(value, int | float) for value in figures.values())


def test_a_busy_page_gets_one_update_for_many_frames_not_a_queue(qtbot, chat):
    transcript = chat.transcript
    transcript.add_message("r", "assistant")
    transcript.flush()
    # Count the batches the page applies: one MutationObserver callback per update.
    _js(qtbot, transcript, "window.batches = 0; new MutationObserver(() => window.batches++)"
        ".observe(document.getElementById('messages'), {subtree: true, childList: true,"
        " characterData: true}); 0")  # fmt: skip
    # The page is busy (as with thousands of messages) while twenty frames of text arrive.
    transcript.run_js_for_test(
        "(() => { const end = performance.now() + 1500; while (performance.now() < end); })()",
        lambda _value: None,
    )
    for n in range(20):
        transcript.append_text("r", f"word{n} ")
        qtbot.wait(40)
    qtbot.waitUntil(lambda: "word19" in _js(qtbot, transcript, "document.body.innerText"),
                    timeout=20_000)  # fmt: skip
    # One update was on its way when the page got busy; the rest waited and went as one or two.
    assert _js(qtbot, transcript, "window.batches") <= 4
