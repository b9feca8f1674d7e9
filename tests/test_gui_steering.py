"""Issue 12's "Done when", end to end in the real window against the loopback model server.

A user edits their second message and compares the two answers with ‹ 1/2 › / ‹ 2/2 › (the
request for the edited branch holds only its path); finds last week's 赵州桥 itinerary by
searching the sidebar (the hit on a branch that is not the current one, and a hit on an old
message of a 300-message conversation); drops a CSV on the window and gets a chart the
artifact drew from its rows through window.fs.readFile. Plus the gaps these flows showed:
Send pressed while a file is still being read, and Retry on a failed reply.

EASEL_TEST_SHOTS=DIR saves pictures of each step to look at.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.attachment_store import attachments_of_message
from app.store import Store
from tests.attachment_files import CSV_ROWS, write_csv
from tests.model_server import error_reply, openai_text_reply
from tests.test_attachments_artifact import CHART
from tests.test_attachments_gui import _drop
from tests.test_gui import _no_wait, _transcript_text
from tests.test_gui_branches import _until_text
from tests.test_transcript_actions import (
    _js,
    _until,
    chats,
    close_window,
    send_and_wait,
    start_window,
)


@pytest.fixture
def run(run_async):
    return run_async


async def _click(easel, key: str, selector: str) -> None:
    """Click a button of a message in the page, as the user does (it carries the nonce)."""
    easel.transcript.flush()
    clicked = await _js(
        easel.transcript,
        f"(() => {{ const b = document.querySelector('[data-key={key}] {selector}');"
        " if (!b) return false; b.click(); return true; })()",
    )
    assert clicked, f"no {selector} on {key}"


async def _switch_label(easel, key: str) -> str | None:
    easel.transcript.flush()
    return await _js(
        easel.transcript,
        f"(document.querySelector('[data-key={key}] .branch-label') || {{}}).textContent || null",
    )


async def _shot(easel, name: str) -> None:
    """A picture of the window to look at, when EASEL_TEST_SHOTS names a folder."""
    folder = os.environ.get("EASEL_TEST_SHOTS")
    if folder:
        easel.transcript.flush()
        await asyncio.sleep(1.0)  # the web view paints a moment after its DOM changed
        easel.window.grab().save(str(Path(folder) / name))


def _sent(server) -> list[tuple[str, str]]:
    """The role and text of each message of the last chat request, the system prompt left out."""
    messages = chats(server)[-1].json()["messages"]
    return [(m["role"], str(m["content"])) for m in messages if m["role"] != "system"]


def test_edit_the_second_message_and_compare_the_answers(run, model_server):
    model_server.enqueue(
        openai_text_reply("Morning: the old town walls."),
        openai_text_reply("Lunch: donkey-meat burgers by the gate."),
        openai_text_reply("Tea: a teahouse beside the bridge."),
        openai_text_reply("Evening: take the 18:40 train back."),
    )

    async def scenario():
        easel, task = await start_window(model_server)
        store = easel.store
        await send_and_wait(easel, "Plan a day in Zhengding")
        await send_and_wait(easel, "Add a lunch stop")
        cid = easel.chat.conversation_id
        q1, a1, q2, a2 = store.messages(cid)
        await _until_text(easel, "donkey-meat burgers")

        # Edit on the second message: its text comes back in the composer to be changed.
        await _click(easel, f"m{q2.id}", "button[data-action=edit]")
        await _until(easel.chat.branches.bar.isVisible)  # the page's action arrives
        assert easel.composer.text() == "Add a lunch stop"
        easel.composer.edit.setPlainText("Add a tea stop instead")
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
        await _until(lambda: not easel.chat.busy and len(store.all_messages(cid)) == 6)
        e2, b2 = store.messages(cid)[2:]
        assert (e2.parent_id, b2.parent_id) == (a1.id, e2.id)
        assert _sent(model_server) == [
            ("user", "Plan a day in Zhengding"),
            ("assistant", "Morning: the old town walls."),
            ("user", "Add a tea stop instead"),
        ]
        await _until_text(easel, "teahouse beside the bridge", absent="donkey-meat")
        assert await _switch_label(easel, f"m{e2.id}") == "2/2"
        await _shot(easel, "steer-edit-2of2.png")

        # ‹ : the first answer again, the edited branch a click away.
        await _click(easel, f"m{e2.id}", ".branch-switch button[data-arg=previous]")
        await _until_text(easel, "donkey-meat burgers", absent="teahouse")
        assert await _switch_label(easel, f"m{q2.id}") == "1/2"
        assert "Add a lunch stop" in await _transcript_text(easel)
        await _shot(easel, "steer-edit-1of2.png")
        # › : back to the edit, and a follow-up there is sent with that path only.
        await _click(easel, f"m{q2.id}", ".branch-switch button[data-arg=next]")
        await _until_text(easel, "teahouse beside the bridge", absent="donkey-meat")
        await send_and_wait(easel, "And the way home?")
        assert _sent(model_server) == [
            ("user", "Plan a day in Zhengding"),
            ("assistant", "Morning: the old town walls."),
            ("user", "Add a tea stop instead"),
            ("assistant", "Tea: a teahouse beside the bridge."),
            ("user", "And the way home?"),
        ]
        assert [m.id for m in store.messages(cid)][:4] == [q1.id, a1.id, e2.id, b2.id]
        assert store.get_message(a2.id) == a2  # the first answer is kept, unchanged
        await close_window(easel, task)

    run(scenario())


ITINERARY = (
    "Last week's plan: take the early train to Shijiazhuang, then the bus to 赵州桥 — "
    "the 1,400-year-old stone arch bridge — and lunch in Zhao county."
)


def _page(title: str, body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"


def _reply_with_page(prose: str, title: str, body: str) -> str:
    return (
        f'{prose}\n<artifact identifier="itinerary" type="text/html" title="Day trip">\n'
        f"{_page(title, body)}\n</artifact>\n"
    )


def _history() -> dict[str, int]:
    """Stored before the window opens: other conversations, the trip whose itinerary is on a
    branch that is not the current one, and a 300-message conversation with an early hit."""
    store = Store.open_default()
    try:
        for n in range(12):
            other = store.create_conversation(f"Errand {n}")
            store.add_message(other.id, "user", f"Shopping list {n}")
            store.add_message(other.id, "assistant", f"Milk, eggs and rice ({n}).")
        trip = store.create_conversation("Hebei weekend")
        question = store.add_message(trip.id, "user", "Plan a day trip from Beijing")
        # Each answer made its own version of the itinerary page.
        hit_text = _reply_with_page(ITINERARY, "Zhaozhou", "<h1>Zhaozhou Bridge</h1>")
        hit = store.add_message(trip.id, "assistant", hit_text, parent_id=question.id)
        store.add_artifact_version(trip.id, "itinerary", "text/html", "Day trip",
                                   _page("Zhaozhou", "<h1>Zhaozhou Bridge</h1>"),
                                   message_id=hit.id)  # fmt: skip
        wall_text = _reply_with_page("Try the Great Wall at Mutianyu.", "Mutianyu", "<h1>Wall</h1>")
        wall = store.add_message(trip.id, "assistant", wall_text, parent_id=question.id)
        store.add_artifact_version(trip.id, "itinerary", "text/html", "Day trip",
                                   _page("Mutianyu", "<h1>Wall</h1>"),
                                   message_id=wall.id)  # fmt: skip
        store.add_message(trip.id, "user", "Something quieter?")
        store.add_message(trip.id, "assistant", "The Fragrant Hills in autumn.")
        long = store.create_conversation("A long reading diary")
        early = 0
        for n in range(150):
            user = store.add_message(long.id, "user", f"Chapter {n}: what did you think?")
            words = "the lotus pond by moonlight" if n == 3 else "more of the same story"
            store.add_message(long.id, "assistant", f"Notes on chapter {n}: {words}. " * 4)
            if n == 3:
                early = user.id + 1
        return {"trip": trip.id, "hit": hit.id, "long": long.id, "early": early}
    finally:
        store.close()


async def _revealed(easel, message_id: int) -> list[float]:
    """Where the revealed message is on screen, once the page has marked it."""
    where = (
        f"(() => {{ const a = document.querySelector('article[data-key=\"m{message_id}\"]');"
        " if (!a || !a.classList.contains('revealed')) return null;"
        " const r = a.getBoundingClientRect();"
        " return JSON.stringify([r.top, r.bottom, innerHeight]); })()"
    )
    for _ in range(200):
        found = await _js(easel.transcript, where)
        if found:
            return json.loads(found)
        await asyncio.sleep(0.05)
    raise AssertionError(f"message {message_id} was not revealed")


def _choose(sidebar, row: int) -> None:
    results = sidebar.results
    QTest.mouseClick(
        results.viewport(),
        Qt.MouseButton.LeftButton,
        pos=results.visualItemRect(results.item(row)).center(),
    )


def test_search_finds_the_itinerary_on_another_branch_and_an_old_message(
    run, model_server, easel_home
):
    ids = _history()

    async def scenario():
        easel, task = await start_window(model_server)
        store, sidebar = easel.store, easel.sidebar
        assert ids["hit"] not in [m.id for m in store.messages(ids["trip"])]

        sidebar.focus_search()
        sidebar.search.insert("赵州桥")  # as an input method commits it
        await _until(lambda: sidebar.results.isVisible() and sidebar.results.count() == 1)
        [label] = sidebar.results.labels()
        assert "Hebei weekend" in label.text() and "<b>赵州桥</b>" in label.text()
        await _shot(easel, "steer-search-hit.png")
        _choose(sidebar, 0)
        await _until(lambda: easel.chat.conversation_id == ids["trip"])
        # Choosing it made its branch the current one: the itinerary is on screen, with ‹ 1/2 ›.
        assert ids["hit"] in [m.id for m in store.messages(ids["trip"])]
        top, bottom, height = await _revealed(easel, ids["hit"])
        assert top < height and bottom > 0
        text = await _transcript_text(easel)
        assert "赵州桥" in text and "Mutianyu" not in text and "Fragrant Hills" not in text
        assert await _switch_label(easel, f"m{ids['hit']}") == "1/2"
        # The artifact panel follows: the version that answer made, not the other branch's.
        tab = easel.panel.tab("itinerary")
        assert tab is not None and [v.version for v in tab.versions] == [1]
        await _until(lambda: tab.view.title() == "Zhaozhou")
        await _shot(easel, "steer-search-branch.png")
        # A follow-up goes on from the branch that was found, with that path only.
        model_server.enqueue(openai_text_reply("Dinner: the night market in Zhao county."))
        await send_and_wait(easel, "Add a dinner stop")
        sent = _sent(model_server)
        assert [role for role, _ in sent] == ["user", "assistant", "user"]
        assert sent[0][1] == "Plan a day trip from Beijing" and "赵州桥" in sent[1][1]
        assert sent[2][1] == "Add a dinner stop"
        assert "Mutianyu" not in str(sent) and "Fragrant Hills" not in str(sent)

        # An early message of a 300-message conversation: loaded, scrolled to, marked.
        sidebar.search.setText("lotus pond")
        await _until(lambda: sidebar.results.count() == 1)
        _choose(sidebar, 0)
        await _until(lambda: easel.chat.conversation_id == ids["long"])
        assert len(store.messages(ids["long"])) == 300
        top, bottom, height = await _revealed(easel, ids["early"])
        assert top < height and bottom > 0
        shown = await _js(easel.transcript, "document.querySelectorAll('article').length")
        assert shown == 300
        await _shot(easel, "steer-search-old.png")
        await close_window(easel, task)

    run(scenario())


async def _drawn_rows(tab) -> str | None:
    """What the chart page wrote of the rows it parsed, once it has read the file."""
    rows = "document.getElementById('rows') && document.getElementById('rows').textContent"
    drawn = None
    for _ in range(200):
        drawn = await _js(tab.view, rows)
        if drawn and drawn != "reading":
            break
        await asyncio.sleep(0.05)
    return drawn


def test_drop_a_csv_and_get_a_chart_of_its_rows(run, model_server, tmp_path):
    csv = write_csv(tmp_path / "sales.csv")
    reply = (
        "Here is a bar chart of your sales.\n"
        f'<artifact identifier="sales-chart" type="text/html" title="Sales">\n{CHART}\n'
        "</artifact>\n"
    )
    model_server.enqueue(openai_text_reply(reply, chunk_chars=40))

    async def scenario():
        easel, task = await start_window(model_server)
        tray = easel.composer.tray
        _drop(easel.window, [csv])
        await _until(lambda: len(tray.attachments()) == 1 and not tray.busy())
        await send_and_wait(easel, "Chart this CSV")
        assert CSV_ROWS in _sent(model_server)[-1][1]  # the model saw the rows
        tab = easel.panel.tab("sales-chart")
        assert tab is not None
        assert await _drawn_rows(tab) == "Jan:120 Feb:95 Mar:143 Apr:171"
        data = await _js(
            tab.view,
            "JSON.stringify([window.chart.data.labels, window.chart.data.datasets[0].data])",
        )
        assert json.loads(data) == [["Jan", "Feb", "Mar", "Apr"], [120, 95, 143, 171]]
        # The bars were painted: the canvas is not blank.
        painted = await _js(
            tab.view,
            "(() => { const c = document.getElementById('c');"
            " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()",
        )
        assert painted > 500
        await _shot(easel, "steer-csv-chart.png")
        cid = easel.chat.conversation_id
        await close_window(easel, task)

        # Next time the app opens, the chart is drawn again from the stored file.
        easel, task = await start_window(model_server)
        assert easel.chat.conversation_id == cid
        tab = easel.panel.tab("sales-chart")
        assert tab is not None
        assert await _drawn_rows(tab) == "Jan:120 Feb:95 Mar:143 Apr:171"
        await close_window(easel, task)

    run(scenario())


def test_an_edited_message_keeps_its_files_unless_removed(run, model_server, tmp_path):
    csv = write_csv(tmp_path / "sales.csv")
    notes = tmp_path / "notes.txt"
    notes.write_text("to do: call the bank\n", encoding="utf-8")
    model_server.enqueue(openai_text_reply("A bar chart."), openai_text_reply("A line chart."))

    async def scenario():
        easel, task = await start_window(model_server)
        store, tray = easel.store, easel.composer.tray

        def names() -> list[str]:
            return [a.name for a in tray.attachments()]

        _drop(easel.window, [csv])
        await _until(lambda: names() == ["sales.csv"] and not tray.busy())
        await send_and_wait(easel, "Chart this CSV")
        cid = easel.chat.conversation_id
        question, _ = store.messages(cid)
        # Something half-made in the composer, then Edit: the message's own text and file.
        easel.composer.edit.setPlainText("half typed")
        _drop(easel.window, [notes])
        await _until(lambda: names() == ["notes.txt"] and not tray.busy())
        await _click(easel, f"m{question.id}", "button[data-action=edit]")
        await _until(easel.chat.branches.bar.isVisible)  # the page's action arrives
        assert easel.composer.text() == "Chart this CSV" and names() == ["sales.csv"]
        assert tray.isVisible()
        await _shot(easel, "steer-edit-with-file.png")
        # Cancel gives the half-made message back, its file too.
        QTest.mouseClick(easel.chat.branches.bar.cancel, Qt.MouseButton.LeftButton)
        assert easel.composer.text() == "half typed" and names() == ["notes.txt"]
        # Edit and send: the new branch's question carries the CSV, and so does the request.
        await _click(easel, f"m{question.id}", "button[data-action=edit]")
        await _until(easel.chat.branches.bar.isVisible)  # the page's action arrives
        easel.composer.edit.setPlainText("Chart it as a line")
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
        await _until(lambda: not easel.chat.busy and len(store.all_messages(cid)) == 4)
        edited = store.messages(cid)[0]
        assert edited.id != question.id and edited.content == "Chart it as a line"
        assert [a.name for a in attachments_of_message(store, edited.id)] == ["sales.csv"]
        [(role, body)] = _sent(model_server)
        assert role == "user" and "Chart it as a line" in body and CSV_ROWS in body
        assert "call the bank" not in body
        await _until(lambda: not tray.attachments())
        await close_window(easel, task)

    run(scenario())


def test_send_while_a_file_is_being_read_waits_for_it(run, model_server, tmp_path):
    csv = write_csv(tmp_path / "sales.csv")
    bad = tmp_path / "tool.bin"
    bad.write_bytes(b"\x00\x01\x02")
    model_server.enqueue(openai_text_reply("I see four months."))

    async def scenario():
        easel, task = await start_window(model_server)
        tray = easel.composer.tray
        easel.composer.edit.setPlainText("Sum these")
        # Dropped and sent at once: the file is read on a thread and cannot be ready yet.
        _drop(easel.window, [csv])
        assert tray.busy() and tray.pending_labels() == ["sales.csv — reading…"]
        assert tray.isVisible()
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
        assert not easel.chat.busy and not chats(model_server)  # nothing went without the file
        assert "Sending as soon as the files are read" in tray.message.text()
        if os.environ.get("EASEL_TEST_SHOTS"):
            easel.composer.grab().save(os.environ["EASEL_TEST_SHOTS"] + "/steer-reading.png")
        await _until(lambda: easel.chat.conversation_id is not None and not easel.chat.busy)
        await _until(lambda: not tray.attachments() and not tray.pending_labels())
        body = _sent(model_server)[-1][1]
        assert "Sum these" in body and CSV_ROWS in body
        assert easel.composer.text() == "" and not tray.message.isVisible()

        # A file refused while Send waited: nothing is sent, the text stays, the reason shows.
        easel.composer.edit.setPlainText("And this one?")
        _drop(easel.window, [bad])
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
        await _until(lambda: not tray.busy())
        assert "cannot attach tool.bin" in tray.message.text()
        assert "Sending as soon" not in tray.message.text()
        await asyncio.sleep(0.1)
        assert len(chats(model_server)) == 1 and easel.composer.text() == "And this one?"

        # Esc calls a waiting Send off; so does going to another conversation.
        for call_off in (
            lambda: QTest.keyClick(easel.composer.edit, Qt.Key.Key_Escape),
            lambda: QTest.mouseClick(easel.sidebar.new_button, Qt.MouseButton.LeftButton),
        ):
            tray.clear()
            _drop(easel.window, [csv])
            QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
            assert "Sending as soon" in tray.message.text()
            call_off()
            assert "Sending as soon" not in tray.message.text()
            await _until(lambda: not tray.busy())
            await asyncio.sleep(0.1)
            assert len(chats(model_server)) == 1 and not easel.chat.busy
            assert easel.composer.text() == "And this one?"
            assert [a.name for a in tray.attachments()] == ["sales.csv"]
        await close_window(easel, task)

    run(scenario())


def test_retry_on_a_failed_reply_makes_a_sibling(run, model_server):
    failure = error_reply(500, {"error": {"message": "upstream exploded"}})
    model_server.enqueue(failure, failure, failure, failure, openai_text_reply("Recovered."))

    async def scenario():
        easel, task = await start_window(model_server)
        easel.chat.session_factory = _no_wait(easel.chat.session_factory)
        await send_and_wait(easel, "hello")
        cid = easel.chat.conversation_id
        question, failed = easel.store.messages(cid)
        assert failed.status == "error"
        await _until_text(easel, "upstream exploded")
        await _click(easel, f"m{failed.id}", "button[data-action=retry]")
        await _until(lambda: not easel.chat.busy and len(easel.store.all_messages(cid)) == 3)
        new = easel.store.messages(cid)[-1]
        assert new.content == "Recovered." and new.parent_id == question.id
        assert easel.store.get_message(failed.id) == failed  # kept, a ‹ › away
        assert _sent(model_server) == [("user", "hello")]
        await _until_text(easel, "Recovered.", absent="upstream exploded")
        assert await _switch_label(easel, f"m{new.id}") == "2/2"
        await _click(easel, f"m{new.id}", ".branch-switch button[data-arg=previous]")
        await _until_text(easel, "upstream exploded", absent="Recovered.")
        await close_window(easel, task)

    run(scenario())
