"""The real window, offscreen, on a qasync loop, against the loopback model server."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable

import pytest
import qasync
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


@pytest.fixture(scope="module")
def loop(qapp):
    """A qasync loop that runs inside Qt's event processing (pytest-qt's waits drive it).

    Never run_until_complete here: each one ends with QApplication.exit(), whose aboutToQuit
    tears down QtWebEngine's context, and the next test's web views would crash.
    """
    qapp.setQuitOnLastWindowClosed(False)  # as main.py does: run() decides when to end
    event_loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(event_loop)
    hooks = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(
        firstiter=event_loop._asyncgen_firstiter_hook, finalizer=event_loop._asyncgen_finalizer_hook
    )
    yield event_loop
    sys.set_asyncgen_hooks(*hooks)
    # Join the executor's threads (keyring calls ran there): Qt aborts on live QThreads.
    executor = event_loop._QEventLoop__default_executor
    if executor is not None:
        executor.shutdown()
    asyncio.set_event_loop(None)


@pytest.fixture
def run(loop, qtbot):
    """Run a scenario coroutine to its end while Qt processes events."""

    def runner(scenario) -> None:
        future = asyncio.ensure_future(scenario)
        qtbot.waitUntil(future.done, timeout=90_000)
        future.result()

    return runner


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
