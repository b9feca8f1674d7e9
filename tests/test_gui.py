"""The real window, offscreen, on a qasync loop, against the loopback model server."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.secrets import KeyStore
from tests.model_server import error_reply, openai_text_reply
from widgets.app import EaselApp

GAME = (
    "<!DOCTYPE html>\n<html><head><title>Breakout</title></head><body>"
    "<canvas id=c width=200 height=100></canvas><p id=msg>ready</p>"
    "<script>document.title = 'Breakout running';</script></body></html>"
)


@pytest.fixture
def loop(qasync_loop):
    return qasync_loop


@pytest.fixture
def run(run_async):
    return run_async


def _args(server, **extra) -> argparse.Namespace:
    values = dict(
        provider=None,
        base_url=server.openai_base,
        model="test-model",
        api_key_env=None,
        kind=None,
        screenshot=None,
    )
    values.update(extra)
    return argparse.Namespace(**values)


async def _until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def _js(view, script: str):
    future = asyncio.get_running_loop().create_future()
    view.page().runJavaScript(script, 0, lambda value: future.done() or future.set_result(value))
    return await asyncio.wait_for(future, 10)


async def _start(loop, server) -> tuple[EaselApp, asyncio.Task]:
    keys = await KeyStore.open_default()
    easel = EaselApp(_args(server), loop, keys)
    task = asyncio.ensure_future(easel.run())
    await _until(lambda: easel.transcript_ready)
    return easel, task


async def _close(easel: EaselApp, task: asyncio.Task) -> None:
    easel.window.close()
    await asyncio.wait_for(task, 10)


async def _type_and_send(easel: EaselApp, text: str) -> None:
    easel.composer.edit.setPlainText(text)
    QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)


def _transcript_text(easel: EaselApp):
    return _js(easel.transcript, "document.body.innerText")


def test_send_streams_reply_and_conversation_survives_restart(loop, run, model_server):
    reply = (
        "Here is your game:\n"
        f'<artifact identifier="breakout" type="text/html" title="Breakout">\n{GAME}\n</artifact>\n'
        "Use the arrow keys.\n\n```python\nprint('hi')\n```\n"
    )
    model_server.enqueue(openai_text_reply(reply, chunk_chars=6, delay=0.002))

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _type_and_send(easel, "create a simple breakout game")
        await _until(
            lambda: (
                not easel.chat.busy
                and easel.chat.conversation_id is not None
                and easel.store.messages(easel.chat.conversation_id)[-1].status == "complete"
            )
        )
        assert easel.composer.text() == ""
        easel.transcript.flush()
        text = await _transcript_text(easel)
        assert "create a simple breakout game" in text
        assert "Use the arrow keys." in text and "print('hi')" in text
        assert "Breakout" in text  # the artifact card
        tab = easel.panel.tab("breakout")
        assert tab is not None and tab.current.version == 1
        await _until(lambda: tab.view.title() == "Breakout running")
        conversation_id = easel.chat.conversation_id
        await _close(easel, task)

        again, task = await _start(loop, model_server)
        assert again.chat.conversation_id == conversation_id
        assert again.sidebar.list.count() == 1
        text = None
        for _ in range(100):
            text = await _transcript_text(again)
            if "Use the arrow keys." in text:
                break
            await asyncio.sleep(0.05)
        assert "create a simple breakout game" in text and "Use the arrow keys." in text
        assert again.panel.tab("breakout") is not None
        await _close(again, task)

    run(scenario())


def test_failed_send_keeps_text_and_offers_retry(loop, run, model_server):
    model_server.enqueue(
        error_reply(500, {"error": {"message": "upstream exploded"}}),
        error_reply(500, {"error": {"message": "upstream exploded"}}),
        error_reply(500, {"error": {"message": "upstream exploded"}}),
        error_reply(500, {"error": {"message": "upstream exploded"}}),
        openai_text_reply("Recovered."),
    )

    async def scenario():
        easel, task = await _start(loop, model_server)
        easel.chat.session_factory = _no_wait(easel.chat.session_factory)
        await _type_and_send(easel, "hello")
        await _until(lambda: not easel.chat.busy and easel.chat.conversation_id is not None)
        messages = easel.store.messages(easel.chat.conversation_id)
        assert messages[-1].status == "error" and "upstream exploded" in messages[-1].error
        easel.transcript.flush()
        text = ""
        for _ in range(100):
            text = await _transcript_text(easel)
            if "upstream exploded" in text:
                break
            await asyncio.sleep(0.05)
        assert "upstream exploded" in text and "Retry" in text
        easel.chat.retry(messages[-1].id)
        await _until(lambda: not easel.chat.busy)
        await _until(
            lambda: easel.store.messages(easel.chat.conversation_id)[-1].content == "Recovered."
        )
        await _close(easel, task)

    run(scenario())


def _no_wait(factory):
    """Sessions that skip the backoff sleeps (the waits are tested in test_session.py)."""

    async def make(conversation_id: int):
        session = await factory(conversation_id)

        async def no_sleep(_seconds: float) -> None:
            return None

        session._sleep = no_sleep
        return session

    return make


def test_thinking_collapses_and_each_reply_shows_its_model(loop, run, model_server):
    model_server.enqueue(
        openai_text_reply("First answer.", reasoning="Let me think about it carefully."),
        openai_text_reply("Second answer."),
    )

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _type_and_send(easel, "first")
        await _until(lambda: not easel.chat.busy and easel.chat.conversation_id is not None)
        easel.composer.model_combo.setCurrentText("other-model")
        easel.composer.model_combo.lineEdit().editingFinished.emit()
        await _type_and_send(easel, "second")
        await _until(lambda: len(easel.store.messages(easel.chat.conversation_id)) == 4
                     and not easel.chat.busy)
        assert model_server.requests[-1].json()["model"] == "other-model"
        easel.transcript.flush()
        state = None
        for _ in range(100):
            state = json.loads(await _js(easel.transcript, """(() => {
                const d = document.querySelector('details');
                return JSON.stringify({open: d ? d.open : null, text: document.body.innerText});
            })()"""))
            if "Second answer." in state["text"]:
                break
            await asyncio.sleep(0.05)
        assert state["open"] is False  # collapsed once the answer started
        assert "Thought for" in state["text"]
        assert "test-model" in state["text"] and "other-model" in state["text"]
        replies = [m for m in easel.store.messages(easel.chat.conversation_id)
                   if m.role == "assistant"]
        assert [m.model for m in replies] == ["test-model", "other-model"]
        assert replies[0].reasoning == "Let me think about it carefully."
        await _close(easel, task)

    run(scenario())
