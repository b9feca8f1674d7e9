"""Retry adds a sibling reply, never deleting one; a failed edit gets one automatic repair.

Against the real loopback model server: the session directly, the window, and `main.py ask`.
What the server received is the evidence (how many requests, and whether each history is
well-formed: roles alternate and the user speaks last).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.providers import make_provider
from app.retry_policy import RetryRefused
from app.session import ChatSession, EditRepair, SessionEvent, TurnEnded
from app.store import Store
from tests.model_server import error_reply, openai_text_reply
from tests.test_gui import _transcript_text
from tests.test_transcript_actions import (
    _js,
    _until,
    chats,
    close_window,
    send_and_wait,
    start_window,
)

ROOT = Path(__file__).resolve().parents[1]
FAILING_EDIT = (
    "Made it slower:\n"
    '<artifact-edit identifier="snake">\n<find>\nconst SPEED = 999;\n</find>\n'
    "<replace>\nconst SPEED = 1;\n</replace>\n</artifact-edit>\n"
)


def _well_formed(body: dict[str, Any]) -> None:
    roles = [m["role"] for m in body["messages"] if m["role"] != "system"]
    assert roles and roles[-1] == "user", roles
    assert all(a != b for a, b in zip(roles, roles[1:], strict=False)), roles
    assert roles[0] == "user", roles


def _session_run(
    server, store: Store, scenario: Callable[[ChatSession, list[SessionEvent]], Awaitable[Any]]
) -> list[SessionEvent]:
    events: list[SessionEvent] = []

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=server.openai_base, api_key="k", name="Test"
            )
            cid = store.create_conversation().id
            session = ChatSession(store, cid, provider, "test-model", system_prompt="SYS")
            await scenario(session, events)

    asyncio.run(go())
    return events


def test_retry_adds_a_sibling_reply_and_sends_only_the_current_path(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    model_server.enqueue(
        openai_text_reply("Answer one."),
        error_reply(400, {"error": {"message": "bad request"}}),
        openai_text_reply("Answer two."),
        openai_text_reply("Answer one, again."),
    )

    async def scenario(session: ChatSession, events: list[SessionEvent]) -> None:
        first = await session.send("one", events.append)
        failed = await session.send("two", events.append)
        assert first.status == "complete" and failed.status == "error"
        before = store.messages(session.conversation_id)
        for wrong in (before[0].id, before[2].id):  # user turns
            with pytest.raises(RetryRefused, match="Only a reply of the model"):
                await session.retry(wrong, events.append)
        other = store.create_conversation().id
        stranger = store.add_message(other, "assistant", "", status="error")
        with pytest.raises(RetryRefused, match="not part of this conversation"):
            await session.retry(stranger.id, events.append)
        assert store.messages(session.conversation_id) == before  # nothing changed or sent
        assert len(model_server.requests) == 2
        again = await session.retry(failed.id, events.append)
        assert again.content == "Answer two." and again.parent_id == failed.parent_id
        _well_formed(model_server.requests[-1].json())
        assert [m["content"] for m in model_server.requests[-1].json()["messages"][1:]] == [
            "one",
            "Answer one.",
            "two",
        ]
        assert store.get_message(failed.id) == failed  # kept, one "‹ 1/2 ›" away
        # A complete, earlier reply: a new branch starts there; the request ends at "one".
        fresh = await session.retry(first.id, events.append)
        assert fresh.content == "Answer one, again." and fresh.parent_id == first.parent_id
        assert [m["content"] for m in model_server.requests[-1].json()["messages"][1:]] == ["one"]
        assert [m.id for m in store.messages(session.conversation_id)] == [before[0].id, fresh.id]
        assert store.get_message(first.id) == first and store.get_message(again.id) == again

    _session_run(model_server, store, scenario)
    assert len(model_server.requests) == 4


def test_failing_edits_get_one_automatic_repair(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    model_server.enqueue(*[openai_text_reply(FAILING_EDIT) for _ in range(10)])

    async def scenario(session: ChatSession, events: list[SessionEvent]) -> None:
        await session.send("make it slower", events.append)

    events = _session_run(model_server, store, scenario)
    assert len(model_server.requests) == 2
    repairs = [e for e in events if isinstance(e, EditRepair)]
    assert [r.asked for r in repairs] == [True, False]
    assert "only once per message you send" in repairs[1].text
    _well_formed(model_server.requests[1].json())
    assert "could not be applied" in model_server.requests[1].json()["messages"][-1]["content"]


def test_an_edited_message_gets_one_repair_and_a_regenerated_reply_none(
    model_server, tmp_path: Path
):
    store = Store(tmp_path / "db.sqlite3")
    failing = [openai_text_reply(FAILING_EDIT) for _ in range(9)]
    model_server.enqueue(openai_text_reply("A1"), *failing)

    async def scenario(session: ChatSession, events: list[SessionEvent]) -> None:
        first = await session.send("hello", events.append)
        question = store.get_message(first.parent_id)
        await session.edit(question.id, "make it slower", events.append)
        assert len(model_server.requests) == 3  # the edit's reply, then one repair
        _well_formed(model_server.requests[1].json())
        assert [m["content"] for m in model_server.requests[1].json()["messages"][1:]] == [
            "make it slower"
        ]
        await session.regenerate(events.append)  # answers the repair prompt again: no repair
        assert len(model_server.requests) == 4

    events = _session_run(model_server, store, scenario)
    assert [r.asked for r in events if isinstance(r, EditRepair)].count(True) == 1


def test_an_unexpected_error_ends_the_reply_with_a_sentence(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    model_server.enqueue(openai_text_reply("Some text that arrives.", chunk_chars=5))
    ended: list[TurnEnded] = []

    def listener(event: SessionEvent) -> None:
        if isinstance(event, TurnEnded):
            ended.append(event)
        elif len(ended) == 0 and type(event).__name__ == "ParsedSegment":
            raise RuntimeError("the screen broke")

    async def scenario(session: ChatSession, events: list[SessionEvent]) -> None:
        message = await session.send("hello", listener)
        assert message.status == "incomplete"  # some text had arrived: kept
        assert "RuntimeError: the screen broke" in message.error
        stored = store.messages(session.conversation_id)
        assert [m.role for m in stored] == ["user", "assistant"]
        assert stored[0].content == "hello"

    _session_run(model_server, store, scenario)
    assert len(ended) == 1 and ended[0].error is not None and ended[0].error.exit_code == 1


def test_the_notice_under_a_reply_offers_retry_only_where_it_may_act(tmp_path: Path):
    from widgets.reply_outcome import Notice, outcome_notice

    store = Store(tmp_path / "db.sqlite3")
    cid = store.create_conversation().id
    failed = store.add_message(cid, "assistant", "", status="error")
    stopped = store.add_message(cid, "assistant", "half", status="incomplete")
    store.update_message(stopped.id, error="Stopped.")
    stopped = store.get_message(stopped.id)
    done = store.add_message(cid, "assistant", "All here.", status="complete")
    assert outcome_notice(failed, last=True) == Notice(
        "The request failed.", "error", (("retry", "Retry"),)
    )
    assert outcome_notice(failed, last=False).actions == ()
    assert outcome_notice(stopped, last=True).text == "Incomplete — Stopped."
    assert outcome_notice(stopped, last=False).actions == ()
    assert outcome_notice(done, last=True) is None


# --- the window ------------------------------------------------------------------------------


@pytest.fixture
def run(run_async):
    return run_async


async def _until_text(easel, wanted: str) -> str:
    text = ""
    for _ in range(200):
        text = await _transcript_text(easel)
        if wanted in text:
            return text
        await asyncio.sleep(0.05)
    raise AssertionError(f"{wanted!r} never appeared in the transcript: {text!r}")


def test_retry_in_the_window_adds_a_sibling_and_keeps_every_reply(run, model_server):
    bad = error_reply(400, {"error": {"message": "bad request"}})
    model_server.enqueue(bad, openai_text_reply("Answer one."), bad, openai_text_reply("Two."))
    retry_buttons = "document.querySelectorAll('button[data-action=retry]')"

    async def scenario():
        easel, task = await start_window(model_server)
        store = easel.store
        await send_and_wait(easel, "zero")
        await send_and_wait(easel, "one")
        await send_and_wait(easel, "two")
        conversation = easel.chat.conversation_id
        early, first, failed = [m for m in store.messages(conversation) if m.role == "assistant"]
        assert early.status == failed.status == "error" and first.status == "complete"
        await _until_text(easel, "bad request")
        # The notice's Retry is on the last, failed reply only (the early one lost it).
        assert await _js(easel.transcript, f"{retry_buttons}.length") == 1
        last_key = f"{retry_buttons}[0].closest('article').dataset.key"
        assert await _js(easel.transcript, last_key) == f"m{failed.id}"
        await _js(easel.transcript, f"{retry_buttons}[0].click(), 1")
        await _until(
            lambda: not easel.chat.busy and store.messages(conversation)[-1].content == "Two."
        )
        _well_formed(chats(model_server)[-1].json())
        new = store.messages(conversation)[-1]
        assert new.parent_id == failed.parent_id
        assert store.get_message(failed.id) == failed and store.get_message(first.id) == first
        assert await _js(easel.transcript, f"{retry_buttons}.length") == 0  # all complete now
        assert "2/2" in await _until_text(easel, "Two.")
        # Opened again: the early failed reply still offers no Retry (it is not the last).
        easel.chat.open(conversation)
        await _until_text(easel, "Two.")
        assert await _js(easel.transcript, f"{retry_buttons}.length") == 0
        await close_window(easel, task)

    run(scenario())


def test_the_window_repairs_a_failing_edit_once(run, model_server):
    model_server.enqueue(*[openai_text_reply(FAILING_EDIT) for _ in range(10)])

    async def scenario():
        easel, task = await start_window(model_server)
        await send_and_wait(easel, "make it slower")
        await _until(lambda: len(easel.store.messages(easel.chat.conversation_id)) == 4)
        await _until(lambda: not easel.chat.busy)
        assert len(chats(model_server)) == 2
        text = await _until_text(easel, "only once per message you send")
        assert "Asking the model once for a full version" in text
        assert len(chats(model_server)) == 2
        await close_window(easel, task)

    run(scenario())


def test_an_unexpected_error_in_the_window_is_shown_and_keeps_the_text(run, model_server):
    model_server.enqueue(openai_text_reply("Partial text that arrives.", chunk_chars=5))

    async def scenario():
        easel, task = await start_window(model_server)
        original = easel.chat.turn._on_segment

        def broken(event):
            raise RuntimeError("the screen broke")

        easel.chat.turn._on_segment = broken
        await send_and_wait(easel, "hello")
        reply = easel.store.messages(easel.chat.conversation_id)[-1]
        assert reply.status == "incomplete" and "RuntimeError: the screen broke" in reply.error
        await _until_text(easel, "RuntimeError: the screen broke")
        easel.chat.turn._on_segment = original

        # Before anything is stored (making the session fails): the composer keeps the text.
        async def failing_factory(conversation_id: int):
            raise OSError(28, "No space left on device")

        easel.chat.session_factory = failing_factory
        easel.composer.edit.setPlainText("keep me")
        easel.chat.send("keep me")
        await _until(lambda: not easel.chat.busy)
        await _until_text(easel, "No space left on device")
        assert easel.composer.text() == "keep me"
        await close_window(easel, task)

    run(scenario())


# --- ask --------------------------------------------------------------------------------------


def test_ask_repairs_a_failing_edit_once(model_server, easel_home: Path):
    model_server.enqueue(*[openai_text_reply(FAILING_EDIT) for _ in range(10)])
    environment = {**os.environ, "EASEL_HOME": str(easel_home)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "ask", "--base-url", model_server.openai_base]
        + ["--model", "test-model", "--json", "make it slower"],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert len(model_server.requests) == 2
    events = [json.loads(line) for line in result.stdout.splitlines()]
    repairs = [e for e in events if e["type"] == "repair"]
    assert [e["asked"] for e in repairs] == [True, False]
    assert "only once per message you send" in result.stderr
    assert events[-1]["type"] == "done"
    _well_formed(model_server.requests[1].json())
