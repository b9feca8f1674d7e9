"""Branches in the real window: Edit the second message, ‹ 1/2 › back to the first answer,
Regenerate a reply, and the artifact panel following the branch on screen.

The window runs against the loopback model server; its request bodies show that only the
current path is sent. The buttons are clicked in the page (they carry its nonce); the same
actions written as links in a reply do nothing. EASEL_TEST_SHOTS=DIR saves a picture of the
switcher.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.model_server import openai_text_reply
from tests.test_gui import _transcript_text
from tests.test_transcript_actions import (
    _js,
    _spy_own_urls,
    _until,
    chats,
    close_window,
    send_and_wait,
    start_window,
)


def _page(identifier: str, text: str) -> str:
    return (
        f'<artifact identifier="{identifier}" type="text/html" title="Counter">\n'
        f"<!DOCTYPE html><html><body><p>{text}</p></body></html>\n</artifact>\n"
    )


@pytest.fixture
def run(run_async):
    return run_async


async def _until_text(easel, wanted: str, *, absent: str = "") -> str:
    text = ""
    for _ in range(200):
        text = await _transcript_text(easel)
        if wanted in text and (not absent or absent not in text):
            return text
        await asyncio.sleep(0.05)
    raise AssertionError(f"{wanted!r} (without {absent!r}) never showed: {text!r}")


async def _click(easel, key: str, selector: str) -> None:
    clicked = await _js(
        easel.transcript,
        f"(() => {{ const b = document.querySelector('[data-key={key}] {selector}');"
        " if (!b) return false; b.click(); return true; })()",
    )
    assert clicked, f"no {selector} on {key}"


async def _switch_label(easel, key: str) -> Any:
    easel.transcript.flush()
    return await _js(
        easel.transcript,
        f"(document.querySelector('[data-key={key}] .branch-label') || {{}}).textContent || null",
    )


def _panel_version(easel) -> tuple[int, list[int]]:
    tab = easel.panel.tab("counter")
    assert tab is not None and tab.current is not None
    return tab.current.version, [v.version for v in tab.versions]


async def _shot(easel, name: str) -> None:
    folder = os.environ.get("EASEL_TEST_SHOTS")
    if folder:
        easel.transcript.flush()
        await asyncio.sleep(1.0)  # the web view paints a moment after its DOM changed
        easel.window.grab().save(os.path.join(folder, name))


def test_edit_switch_back_and_the_panel_follows(run, model_server):
    model_server.enqueue(
        openai_text_reply("Here it is.\n" + _page("counter", "ONE")),
        openai_text_reply("First answer.\n" + _page("counter", "BLUE")),
    )

    async def scenario():
        easel, task = await start_window(model_server)
        store = easel.store
        await send_and_wait(easel, "Make a counter")
        await send_and_wait(easel, "Make it blue")
        cid = easel.chat.conversation_id
        q1, a1, q2, a2 = store.messages(cid)
        await _until_text(easel, "First answer.")
        assert _panel_version(easel) == (2, [1, 2])
        # The reply to the edit carries links aimed at the branch actions: they do nothing.
        new_q2, new_a2 = f"m{a2.id + 1}", f"m{a2.id + 2}"
        hostile = (
            f"[Back](?action=switch&message={new_q2}&arg=previous) "
            f"[Edit](?action=edit&message=m{q1.id}) "
            f"[Again](?action=regenerate&message={new_a2})"
        )
        reply = f"Second answer. {hostile}\n" + _page("counter", "RED")
        model_server.enqueue(openai_text_reply(reply))
        await _click(easel, f"m{q2.id}", "button[data-action=edit]")
        assert easel.composer.text() == "Make it blue" and easel.chat.branches.bar.isVisible()
        easel.composer.edit.setPlainText("Make it red")
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
        await _until(lambda: not easel.chat.busy and len(store.all_messages(cid)) == 6)
        assert not easel.chat.branches.bar.isVisible()
        sent = [m["content"] for m in chats(model_server)[-1].json()["messages"][1:]]
        assert sent[0] == "Make a counter" and sent[-1] == "Make it red"
        assert "Make it blue" not in str(sent) and "First answer" not in str(sent)
        await _until_text(easel, "Second answer.", absent="First answer.")
        assert await _switch_label(easel, new_q2) == "2/2"
        assert _panel_version(easel) == (3, [1, 3])  # v2 was made on the other branch
        await _shot(easel, "branch-switcher.png")

        # Hostile links in the reply: the page judges them, nothing acts.
        seen = _spy_own_urls(easel.transcript.page())
        links = f"document.querySelectorAll('[data-key={new_a2}] .prose a')"
        for n in range(3):
            await _js(easel.transcript, f"{links}[{n}].click(), 1")
            await _until(lambda n=n: len(seen) == n + 1)
        await asyncio.sleep(0)
        assert await _switch_label(easel, new_q2) == "2/2"
        assert easel.composer.text() == "" and not easel.chat.busy
        assert len(chats(model_server)) == 3

        # ‹ : back to the first answer, with its version of the artifact.
        await _click(easel, new_q2, ".branch-switch button[data-arg=previous]")
        await _until_text(easel, "First answer.", absent="Second answer.")
        assert await _switch_label(easel, f"m{q2.id}") == "1/2"
        assert _panel_version(easel) == (2, [1, 2])
        assert [m.id for m in store.messages(cid)] == [q1.id, a1.id, q2.id, a2.id]
        # › : and forward again.
        await _click(easel, f"m{q2.id}", ".branch-switch button[data-arg=next]")
        await _until_text(easel, "Second answer.", absent="First answer.")
        assert _panel_version(easel) == (3, [1, 3])

        # Actions naming a message not on screen (another branch) or of the wrong role: nothing.
        path = [m.id for m in store.messages(cid)]
        easel.transcript.actionRequested.emit("switch", f"m{q2.id}", "previous")
        easel.transcript.actionRequested.emit("edit", new_a2, "")
        await asyncio.sleep(0.1)
        assert [m.id for m in store.messages(cid)] == path
        assert not easel.chat.branches.bar.isVisible()
        await close_window(easel, task)

    run(scenario())


def test_regenerate_keeps_the_old_reply_and_cancel_leaves_an_edit(run, model_server):
    model_server.enqueue(openai_text_reply("Old answer."), openai_text_reply("New answer."))

    async def scenario():
        easel, task = await start_window(model_server)
        store = easel.store
        await send_and_wait(easel, "Tell me something")
        cid = easel.chat.conversation_id
        question, old = store.messages(cid)
        await _until_text(easel, "Old answer.")
        await _click(easel, f"m{old.id}", "button[data-action=regenerate]")
        await _until(lambda: not easel.chat.busy and len(store.all_messages(cid)) == 3)
        new = store.messages(cid)[-1]
        assert new.content == "New answer." and new.parent_id == question.id
        assert [m["content"] for m in chats(model_server)[-1].json()["messages"][1:]] == [
            "Tell me something"
        ]
        await _until_text(easel, "New answer.", absent="Old answer.")
        assert await _switch_label(easel, f"m{new.id}") == "2/2"
        assert store.get_message(old.id) == old
        # Edit, then Cancel: nothing is sent and the composer gets its text back.
        easel.composer.edit.setPlainText("half typed")
        await _click(easel, f"m{question.id}", "button[data-action=edit]")
        assert easel.composer.text() == "Tell me something"
        await _shot(easel, "edit-bar.png")
        QTest.mouseClick(easel.chat.branches.bar.cancel, Qt.MouseButton.LeftButton)
        assert easel.composer.text() == "half typed" and not easel.chat.branches.bar.isVisible()
        assert len(chats(model_server)) == 2 and len(store.all_messages(cid)) == 3
        await close_window(easel, task)

    run(scenario())


def test_a_turn_at_the_end_of_a_long_conversation_decorates_its_own_messages(run, model_server):
    """The turn's question gets Edit and its reply Regenerate; the older messages still waiting
    to be shown are not pulled onto the page for it, and get theirs when they are shown."""
    model_server.enqueue(openai_text_reply("A short answer."))

    async def scenario():
        easel, task = await start_window(model_server)
        store = easel.store
        conversation = store.create_conversation("Long")
        for n in range(400):
            store.add_message(conversation.id, "user" if n % 2 == 0 else "assistant", f"m {n}")
        first = store.messages(conversation.id)[0]
        easel.chat.open(conversation.id)
        pulled: list[str] = []
        shown_through = easel.chat.loader.show_through
        easel.chat.loader.show_through = lambda key: pulled.append(key) or shown_through(key)
        await send_and_wait(easel, "One more question")
        question, reply = store.messages(conversation.id)[-2:]
        await _until_text(easel, "A short answer.")
        easel.transcript.flush()
        buttons = await _js(
            easel.transcript,
            f"[...document.querySelectorAll('[data-key=m{question.id}] button[data-action], "
            f"[data-key=m{reply.id}] button[data-action]')].map(b => b.dataset.action).join(' ')",
        )
        assert buttons == "copy edit copy regenerate"
        assert pulled == []  # the turn did not wait for 400 messages to be shown
        easel.chat.reveal(first.id)
        easel.transcript.flush()
        await _until(lambda: easel.transcript.has_message(f"m{first.id}"))
        edit = await _js(
            easel.transcript,
            f"!!document.querySelector('[data-key=m{first.id}] [data-action=edit]')",
        )
        assert edit
        await close_window(easel, task)

    run(scenario())
