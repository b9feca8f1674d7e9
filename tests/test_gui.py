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
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.presets import PRESETS
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


async def _start_first_run(loop, server) -> tuple[EaselApp, asyncio.Task]:
    """The app with no provider set up yet: the first-run panel in the centre."""
    args = _args(server, base_url=None, model=None)
    easel = EaselApp(args, loop, await KeyStore.open_default())
    task = asyncio.ensure_future(easel.run())
    await _until(lambda: easel.transcript_ready)
    return easel, task


def _fill_custom(form, base_url: str, model: str, *, key: str = "", kind: str = "openai") -> None:
    """Fill the provider form for a custom server, as a user would."""
    form.choose(next(p for p in PRESETS if p.id == "custom"))
    form.base_url.setText(base_url)
    form.kind.setCurrentIndex(form.kind.findData(kind))
    form.model.setEditText(model)
    form.key.setText(key)


async def _close(easel: EaselApp, task: asyncio.Task) -> None:
    easel.window.close()
    await asyncio.wait_for(task, 10)


async def _type_and_send(easel: EaselApp, text: str) -> None:
    easel.composer.edit.setPlainText(text)
    QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)


async def _transcript_text(easel: EaselApp) -> str:
    """The transcript's text as a reader sees it, once every text given to it is rendered
    (a streaming reply's by the Markdown worker) and the page has rendered a frame: a block
    just added is laid out (content-visibility: auto) only in the next frame, and innerText
    skips it until then (seen in CI: a reply's code block missing)."""
    view = easel.transcript
    for _ in range(500):  # a streamed reply's last HTML comes from the Markdown worker
        if not view.rendering:
            break
        await asyncio.sleep(0.01)
    view.flush()
    await _js(view, "window.testFrames = 0; requestAnimationFrame(() => "
                    "requestAnimationFrame(() => { window.testFrames = 2; })); 0")  # fmt: skip
    for _ in range(200):
        if await _js(view, "window.testFrames") == 2:
            break
        await asyncio.sleep(0.01)
    return await _js(view, "document.body.innerText")


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
        # The conversation open on screen is the one marked in the list.
        current = again.sidebar.list.currentItem()
        assert current is not None and current.isSelected()
        assert current.data(Qt.ItemDataRole.UserRole) == conversation_id
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


def test_a_window_closed_as_it_becomes_ready_ends_cleanly(loop, run, model_server, caplog):
    """Closed in the very turn its first frame is ready (a user's quick Ctrl+Q, the start-up
    bench): the work deferred to after that frame does not start on a window being torn down."""

    async def scenario():
        easel = EaselApp(_args(model_server), loop, await KeyStore.open_default())
        easel.transcript.ready.connect(easel.window.close)
        task = asyncio.ensure_future(easel.run())
        assert await asyncio.wait_for(task, 20) == 0
        await asyncio.sleep(0.3)  # a zero-delay timer queued at the first frame has fired
        return easel

    with caplog.at_level("WARNING"):
        easel = run(scenario())
    assert easel.transcript_ready
    assert not easel.warmed_up.is_set() and easel.cursor_rest is None
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


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
        await _until(
            lambda: (
                len(easel.store.messages(easel.chat.conversation_id)) == 4 and not easel.chat.busy
            )
        )
        assert _chats(model_server)[-1].json()["model"] == "other-model"
        easel.transcript.flush()
        state = None
        for _ in range(100):
            state = json.loads(
                await _js(
                    easel.transcript,
                    """(() => {
                const d = document.querySelector('details');
                return JSON.stringify({open: d ? d.open : null, text: document.body.innerText});
            })()""",
                )
            )
            if "Second answer." in state["text"]:
                break
            await asyncio.sleep(0.05)
        assert state["open"] is False  # collapsed once the answer started
        assert "Thought for" in state["text"]
        assert "test-model" in state["text"] and "other-model" in state["text"]
        replies = [
            m for m in easel.store.messages(easel.chat.conversation_id) if m.role == "assistant"
        ]
        assert [m.model for m in replies] == ["test-model", "other-model"]
        assert replies[0].reasoning == "Let me think about it carefully."
        await _close(easel, task)

    run(scenario())


SNAKE = (
    "<!DOCTYPE html>\n<html><head><title>Snake</title></head><body><p id=speed></p>\n"
    "<script>\nconst SPEED = 100;\ndocument.title = 'speed ' + SPEED;\n</script>\n</body></html>"
)


def _artifact(identifier: str, title: str, content: str) -> str:
    return f'<artifact identifier="{identifier}" type="text/html" title="{title}">\n{content}\n</artifact>'


def _edit(identifier: str, find: str, replace: str) -> str:
    return (
        f'<artifact-edit identifier="{identifier}">\n<find>\n{find}\n</find>\n'
        f"<replace>\n{replace}\n</replace>\n</artifact-edit>"
    )


def _chats(server) -> list:
    """The chat requests the server received (the app also lists models)."""
    return [r for r in server.requests if r.method == "POST"]


async def _send_and_wait(easel: EaselApp, text: str) -> None:
    before = (
        len(easel.store.messages(easel.chat.conversation_id)) if easel.chat.conversation_id else 0
    )
    await _type_and_send(easel, text)
    await _until(
        lambda: (
            easel.chat.conversation_id is not None
            and not easel.chat.busy
            and len(easel.store.messages(easel.chat.conversation_id)) >= before + 2
        )
    )


def test_edit_reply_makes_v2_and_the_diff_shows_exactly_the_change(loop, run, model_server):
    model_server.enqueue(
        openai_text_reply("A snake game:\n" + _artifact("snake", "Snake", SNAKE)),
        openai_text_reply("Slower:\n" + _edit("snake", "const SPEED = 100;", "const SPEED = 160;")),
    )

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _send_and_wait(easel, "a snake game")
        tab = easel.panel.tab("snake")
        await _until(lambda: tab.view.title() == "speed 100")
        await _send_and_wait(easel, "slower")
        await _until(lambda: tab.current is not None and tab.current.version == 2)
        assert tab.current.origin == "edit"
        await _until(lambda: tab.view.title() == "speed 160")  # the preview runs v2
        assert tab.diff.left_version().version == 1 and tab.diff.right_version().version == 2
        assert tab.diff.has_differences()
        from app.diffing import unified_diff

        assert unified_diff(tab.versions[0].content, tab.versions[1].content).count("\n-") == 1
        assert [v.version for v in tab.versions] == [1, 2]
        await _close(easel, task)

    run(scenario())


def test_failing_edit_asks_for_a_full_version(loop, run, model_server):
    model_server.enqueue(
        openai_text_reply(_artifact("snake", "Snake", SNAKE)),
        openai_text_reply(_edit("snake", "const SPEED = 999;", "const SPEED = 1;")),
        openai_text_reply(_artifact("snake", "Snake", SNAKE.replace("100", "160"))),
    )

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _send_and_wait(easel, "a snake game")
        await _type_and_send(easel, "slower")
        await _until(
            lambda: (
                len(_chats(model_server)) >= 3
                and not easel.chat.busy
                and easel.panel.tab("snake").current.version == 2
            )
        )
        asked = _chats(model_server)[2].json()["messages"][-1]["content"]
        assert "could not be applied" in asked and "const SPEED = 999;" in asked
        assert "SPEED = 160" in easel.panel.tab("snake").current.content
        await _close(easel, task)

    run(scenario())


def test_fix_sends_the_error_and_the_result_is_a_fix_version(loop, run, model_server):
    broken = SNAKE.replace("document.title = 'speed ' + SPEED;", "undefinedFunction(SPEED);")
    model_server.enqueue(
        openai_text_reply(_artifact("snake", "Snake", broken)),
        openai_text_reply(
            _edit("snake", "undefinedFunction(SPEED);", "document.title = 'speed ' + SPEED;")
        ),
    )

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _send_and_wait(easel, "a snake game")
        tab = easel.panel.tab("snake")
        await _until(lambda: tab.fix_button.isVisibleTo(tab))
        tab.fix_button.click()
        await _until(lambda: tab.current.version == 2 and not easel.chat.busy)
        sent = _chats(model_server)[-1].json()["messages"][-1]["content"]
        assert "undefinedFunction" in sent and "<artifact-edit" in sent
        assert tab.current.origin == "fix"
        await _until(lambda: tab.view.title() == "speed 100")
        assert not tab.fix_button.isVisibleTo(tab)
        await _close(easel, task)

    run(scenario())


def test_hand_edit_becomes_a_version_and_the_next_request_carries_it(loop, run, model_server):
    model_server.enqueue(
        openai_text_reply(_artifact("snake", "Snake", SNAKE)), openai_text_reply("Looks good.")
    )

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _send_and_wait(easel, "a snake game")
        tab = easel.panel.tab("snake")
        tab.show_code()
        assert tab.code.find("100")  # the user selects the number and types over it
        QTest.keyClicks(tab.code, "42")
        await _until(lambda: tab.code.is_modified() and tab.run_button.isVisibleTo(tab))
        tab.run_button.click()
        await _until(lambda: tab.current.version == 2)
        assert tab.current.origin == "hand"
        await _until(lambda: tab.view.title() == "speed 42")
        await _send_and_wait(easel, "what do you think?")
        system = _chats(model_server)[-1].json()["messages"][0]["content"]
        assert "const SPEED = 42;" in system and 'version="2"' in system
        await _close(easel, task)

    run(scenario())


def test_save_through_the_dialog_writes_a_self_contained_file(loop, run, model_server, tmp_path):
    page = (
        "<!DOCTYPE html><html><head><title>Chart</title>"
        '<script src="https://cdn.jsdelivr.net/npm/chart.js@4"></script></head>'
        "<body><canvas id=c></canvas></body></html>"
    )
    model_server.enqueue(openai_text_reply(_artifact("chart", "Sales chart", page)))
    target = tmp_path / "saved.html"

    async def save_as(easel: EaselApp, path) -> None:
        easel.window.actions["save-artifact"].trigger()  # Ctrl+S
        await _until(lambda: easel.window.findChild(QFileDialog) is not None)
        dialog = easel.window.findChild(QFileDialog)
        assert dialog.selectedFiles()[0].endswith("sales-chart.html")  # suggested from the title
        dialog.selectFile(str(path))
        dialog.accept()
        await _until(lambda: easel.window.findChild(QFileDialog) is None)

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _send_and_wait(easel, "a chart")
        await save_as(easel, target)
        await _until(target.exists)
        await save_as(easel, tmp_path / "no-such-folder" / "x.html")
        await _until(lambda: easel.window.findChild(QMessageBox) is not None)
        box = easel.window.findChild(QMessageBox)
        assert "Could not save x.html" in box.text()
        box.close()
        await _close(easel, task)

    run(scenario())
    saved = target.read_text()
    assert 'src="https://cdn.jsdelivr.net' not in saved and "Chart" in saved
    assert len(saved) > 100_000  # Chart.js inlined


def test_first_run_sets_up_a_provider_then_chats(loop, run, model_server, easel_home):
    model_server.enqueue(openai_text_reply("Hello from the new provider."))

    async def scenario():
        easel, task = await _start_first_run(loop, model_server)
        assert easel.window.center.currentIndex() == 1  # the first-run panel
        # The empty artifact panel makes way for the form (beside it, the form was cut off).
        assert not easel.panel.isVisible() and easel.window.splitter.sizes()[2] == 0
        _fill_custom(easel.form, model_server.openai_base, "test-model", key="sk-test-123")
        easel.form.save_button.click()
        await _until(lambda: easel.window.center.currentIndex() == 0)
        await _until(lambda: easel.window.splitter.sizes()[2] > 200)  # the panel is back
        assert (
            easel.providers.profile is not None
            and easel.providers.profile.base_url == model_server.openai_base
        )
        assert "sk-test-123" not in (easel_home / "config" / "settings.json").read_text()
        await _send_and_wait(easel, "hi")
        sent = _chats(model_server)[-1]
        assert sent.headers["authorization"] == "Bearer sk-test-123"
        assert easel.store.messages(easel.chat.conversation_id)[-1].content == (
            "Hello from the new provider."
        )
        await _close(easel, task)

    run(scenario())


def test_a_server_that_cannot_list_models_can_be_saved_anyway(loop, run, model_server):
    model_server.enqueue_models(error_reply(404, {"error": {"message": "no such route"}}))

    async def scenario():
        easel, task = await _start_first_run(loop, model_server)
        form = easel.form
        _fill_custom(form, model_server.openai_base, "m")
        form.save_button.click()
        await _until(lambda: form.save_button.text() == "Save anyway")
        assert "404" in form.result.text() or "no such route" in form.result.text()
        form.save_button.click()
        await _until(lambda: easel.window.center.currentIndex() == 0)
        await _close(easel, task)

    run(scenario())


def test_a_code_block_in_the_chat_opens_as_an_artifact(loop, run, model_server):
    snippet = '<button class="primary">Buy now</button>'
    model_server.enqueue(openai_text_reply(f"A small example:\n\n```html\n{snippet}\n```\n"))

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _send_and_wait(easel, "an svg circle")
        assert easel.panel.current_tab() is None  # a short example stays in the chat
        key = f"m{easel.store.messages(easel.chat.conversation_id)[-1].id}"
        easel.transcript.actionRequested.emit("open-code-as-artifact", key, "0")
        await _until(lambda: easel.panel.current_tab() is not None)
        tab = easel.panel.current_tab()
        assert tab.current.type == "text/html" and tab.current.content == snippet
        assert tab.current.origin == "hand"
        await _close(easel, task)

    run(scenario())


def test_streaming_page_grows_in_the_preview_without_running_its_scripts(loop, run, model_server):
    page = (
        "<!DOCTYPE html>\n<html><head><title>Growing</title></head><body>\n"
        "<h1 id=h>Itinerary</h1>\n<script>document.title = 'ran';</script>\n"
        + "".join(f"<p>Day stop {i}: a long description of the place.</p>\n" for i in range(60))
        + "</body></html>"
    )
    model_server.enqueue(
        openai_text_reply(_artifact("trip", "Trip", page), chunk_chars=40, delay=0.03)
    )

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _type_and_send(easel, "a trip page")
        await _until(lambda: easel.panel.tab("trip") is not None)
        tab = easel.panel.tab("trip")
        seen_partial = False
        while easel.chat.busy:
            text = await _js(tab.view, "document.body ? document.body.innerText : ''")
            title = await _js(tab.view, "document.title")
            if "Itinerary" in (text or "") and tab.streaming:
                assert title != "ran"  # the partial page runs no script
                seen_partial = True
            await asyncio.sleep(0.05)
        assert seen_partial
        await _until(lambda: tab.view.title() == "ran")  # the finished page runs
        await _close(easel, task)

    run(scenario())


def test_stop_keeps_the_partial_reply_and_offers_retry(loop, run, model_server):
    model_server.enqueue(
        openai_text_reply("word " * 500, chunk_chars=5, delay=0.01),
        openai_text_reply("Fresh answer."),
    )

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _type_and_send(easel, "talk")
        await _until(lambda: easel.chat.busy and easel.chat.turn.chars > 50)
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Escape)
        await _until(lambda: not easel.chat.busy)
        reply = easel.store.messages(easel.chat.conversation_id)[-1]
        assert reply.status == "incomplete" and reply.content.startswith("word")
        text = ""
        for _ in range(100):
            text = await _transcript_text(easel)
            if "Incomplete" in text:
                break
            await asyncio.sleep(0.05)
        assert "Incomplete" in text and "Retry" in text
        easel.transcript.actionRequested.emit("retry", f"m{reply.id}", "")
        await _until(
            lambda: (
                not easel.chat.busy
                and easel.store.messages(easel.chat.conversation_id)[-1].content == "Fresh answer."
            )
        )
        await _close(easel, task)

    run(scenario())


def test_an_example_on_the_welcome_page_fills_the_composer(loop, run, model_server):
    async def scenario():
        easel, task = await _start(loop, model_server)
        for _ in range(100):
            if await _js(easel.transcript, "document.querySelectorAll('.example').length"):
                break
            await asyncio.sleep(0.05)
        await _js(easel.transcript, "document.querySelector('.example').click(), 1")
        await _until(lambda: easel.composer.text().startswith("Create a simple breakout game"))
        await _close(easel, task)

    run(scenario())


def test_only_the_artifact_in_front_runs_until_another_is_shown(loop, run, model_server):
    model_server.enqueue(
        openai_text_reply(
            _artifact("one", "One", SNAKE.replace("speed ", "one "))
            + "\n"
            + _artifact("two", "Two", SNAKE.replace("speed ", "two "))
        )
    )

    async def scenario():
        easel, task = await _start(loop, model_server)
        await _send_and_wait(easel, "two pages")
        await _close(easel, task)
        again, task = await _start(loop, model_server)
        one, two = again.panel.tab("one"), again.panel.tab("two")
        front, back = (one, two) if again.panel.current_tab() is one else (two, one)
        await _until(lambda: front.view.title().endswith("100"))
        assert back._pending_page is not None and back.view.url().isEmpty()
        again.panel.tabs.setCurrentWidget(back)
        await _until(lambda: back.view.title().endswith("100"))
        await _close(again, task)

    run(scenario())


def test_a_custom_anthropic_endpoint_can_be_set_up(loop, run, model_server):
    from tests.model_server import anthropic_text_reply

    model_server.enqueue(anthropic_text_reply("Hello from Messages."))

    async def scenario():
        easel, task = await _start_first_run(loop, model_server)
        _fill_custom(
            easel.form, model_server.url, "claude-test", key="sk-ant-test", kind="anthropic"
        )
        easel.form.save_button.click()
        await _until(lambda: easel.window.center.currentIndex() == 0)
        assert easel.providers.profile.kind == "anthropic"
        await _send_and_wait(easel, "hi")
        sent = _chats(model_server)[-1]
        assert sent.path == "/v1/messages" and sent.headers["x-api-key"] == "sk-ant-test"
        assert (
            easel.store.messages(easel.chat.conversation_id)[-1].content == "Hello from Messages."
        )
        await _close(easel, task)

    run(scenario())
