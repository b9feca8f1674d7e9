"""The transcript's own actions need the page's secret nonce; links in a model's reply get none.

A reply once held ``[Show the sources](?action=retry&message=…)``: clicking it deleted a message
of another conversation and sent a billed request. These tests click such links, in the view
and in the real window against the loopback model server, and check that nothing happens,
while the app's own buttons still work.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import keyring.backends.fail
import pytest
from PySide6.QtCore import QPoint, Qt, QUrl, QUrlQuery
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWebEngineCore import QWebEnginePage

from tests import test_transcript as transcript_tests
from tests.model_server import openai_text_reply
from widgets.transcript import TranscriptView
from widgets.transcript_page import TranscriptPage

Link = QWebEnginePage.NavigationType.NavigationTypeLinkClicked


# The transcript view fixture and the JavaScript helper of the transcript's own tests.
view = transcript_tests.view
js = transcript_tests.js
_delete = transcript_tests._delete


def _spy_own_urls(page: TranscriptPage) -> list[str]:
    """Every navigation to the page's own URL, as the page judged it (refused or not)."""
    seen: list[str] = []
    judge = page._own_url

    def spy(query: QUrlQuery) -> None:
        seen.append(query.toString())
        judge(query)

    page._own_url = spy  # type: ignore[method-assign]
    return seen


def _hostile_links(target: str) -> list[str]:
    """Markdown a model could write to reach the app's actions (target: a message key)."""
    return [
        f"[Show the sources](?action=retry&message={target})",
        "[Fill](?action=prompt&message=&arg=delete%20everything)",
        f"[More](?action=continue&message={target})",
        f"[Code](?action=open-code-as-artifact&message={target}&arg=0)",
        f"[Open](transcript.html?action=open-artifact&message={target}&arg=x@1)",
        f"[Copy](?action=copy&message={target}&arg=)",
        f"[Empty nonce](?action=retry&message={target}&nonce=&arg=)",
        f"[Guessed nonce](?action=retry&message={target}&nonce=nonce)",
        f"[Attribute name](?action=retry&message={target}&data-nonce=1&nonce=undefined)",
        "[Reload](?)",
        "[Home](transcript.html)",
    ]


# Raw HTML a model could write: escaped by the renderer, so no element comes of it.
RAW_HTML = (
    '<a href="?action=retry&message=m1" data-action="retry">raw link</a> '
    '<button class="btn" data-action="retry" data-nonce="x">raw button</button> '
    '<div class="card" data-identifier="x" data-version="1">raw card</div>'
)


def test_links_in_model_text_never_reach_an_action(qtbot, view: TranscriptView) -> None:
    view.add_message("m1", "user")
    view.append_text("m1", "a question")
    view.add_message("m2", "assistant")
    view.append_text("m2", "\n\n".join([*_hostile_links("m2"), RAW_HTML]) + "\n")
    view.finish_message("m2")
    view.add_notice("m2", "Stopped.", kind="warning", actions=[("retry", "Retry")])
    actions: list[tuple[str, str, str]] = []
    view.actionRequested.connect(lambda *args: actions.append(args))
    seen = _spy_own_urls(view.page())
    assert js(qtbot, view, "document.querySelectorAll('[data-key=m2] .prose a').length") == 11
    # Raw HTML stays text: no element with a data-action, a nonce or a card came of it.
    assert (
        js(qtbot, view, "document.querySelectorAll('.prose [data-action], .prose .card').length")
        == 0
    )
    js(qtbot, view, "(window.marker = 'still the same page', 1)")
    for n in range(11):
        js(qtbot, view, f"(document.querySelectorAll('[data-key=m2] .prose a')[{n}].click(), 1)")
        qtbot.waitUntil(lambda n=n: len(seen) == n + 1, timeout=10_000)
    assert actions == []
    assert js(qtbot, view, "window.marker") == "still the same page"  # never reloaded
    assert js(qtbot, view, "document.querySelectorAll('article').length") == 2
    # The app's own button still works, with the page's nonce.
    with qtbot.waitSignal(view.actionRequested, timeout=10_000) as blocker:
        js(qtbot, view, "(document.querySelector('.notice button[data-action=retry]').click(), 1)")
    assert blocker.args == ["retry", "m2", ""]


def _mouse_click(qtbot, view: TranscriptView, selector: str) -> None:
    """A real left click (through Qt, as a user's) on the centre of an element."""
    box = js(
        qtbot,
        view,
        f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
        ".getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()",
    )
    target = view.focusProxy() or view
    QTest.mouseClick(target, Qt.MouseButton.LeftButton, pos=QPoint(int(box[0]), int(box[1])))


def test_a_real_mouse_click_on_a_model_link_does_nothing(qtbot, view: TranscriptView) -> None:
    view.add_message("m2", "assistant")
    view.append_text("m2", "[Show the sources](?action=retry&message=m2)\n")
    view.finish_message("m2")
    view.add_notice("m2", "Stopped.", kind="warning", actions=[("retry", "Retry")])
    actions: list[tuple[str, ...]] = []
    view.actionRequested.connect(lambda *args: actions.append(args))
    seen = _spy_own_urls(view.page())
    js(qtbot, view, "(document.querySelector('[data-key=m2] .prose a').scrollIntoView(), 1)")
    _mouse_click(qtbot, view, "[data-key=m2] .prose a")
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10_000)
    assert actions == []
    with qtbot.waitSignal(view.actionRequested, timeout=10_000) as blocker:
        _mouse_click(qtbot, view, "[data-key=m2] .notice button[data-action=retry]")
    assert blocker.args == ["retry", "m2", ""]


def test_the_nonce_is_never_in_the_page_and_cannot_be_replaced(qtbot, view: TranscriptView) -> None:
    page = view.page()
    assert isinstance(page, TranscriptPage) and len(page.nonce) >= 32
    view.add_message("m5", "assistant")
    view.append_text("m5", "Text that names the attribute: nonce, data-nonce, easel.init")
    view.finish_message("m5")
    html = js(qtbot, view, "document.documentElement.outerHTML")
    assert page.nonce not in html
    assert page.nonce not in js(qtbot, view, "location.href")
    # A later init (as a script would try) does not change the secret: the first call won.
    js(qtbot, view, "(easel.init('attacker-chosen'), 1)")
    with qtbot.waitSignal(view.actionRequested, timeout=10_000) as blocker:
        js(
            qtbot,
            view,
            "(document.querySelector('[data-key=m5] button[data-action=copy]').click(), 1)",
        )
    assert blocker.args == ["copy", "m5", ""]
    assert QGuiApplication.clipboard().text().startswith("Text that names the attribute")


def test_the_page_refuses_wrong_nonces_and_unknown_actions(qtbot, view: TranscriptView) -> None:
    page = view.page()
    actions: list[tuple[str, str, str]] = []
    page.actionClicked.connect(lambda *args: actions.append(args))

    def visit(**fields: str) -> bool:
        url = QUrl(page.home)
        query = QUrlQuery()
        for name, value in fields.items():
            query.addQueryItem(name, value)
        url.setQuery(query)
        return page.acceptNavigationRequest(url, Link, True)

    assert visit(action="retry", message="m1", nonce=page.nonce + "x") is False
    assert visit(action="retry", message="m1", nonce=page.nonce[:-1]) is False
    assert visit(action="retry", message="m1") is False
    assert visit(action="delete", message="m1", nonce=page.nonce) is False  # not an action
    assert page.acceptNavigationRequest(page.home, Link, True) is False  # no second load
    assert actions == []
    assert visit(action="retry", message="m1", nonce=page.nonce) is False  # refused, but acted
    assert actions == [("retry", "m1", "")]


def test_each_page_load_gets_its_own_nonce(qtbot) -> None:
    views = []
    for _ in range(2):
        view = TranscriptView()  # each waited for before the next: ready must not come early
        with qtbot.waitSignal(view.ready, timeout=30_000):
            pass
        views.append(view)
    first, second = views
    assert first.page().nonce != second.page().nonce
    for view in views:
        _delete(qtbot, view)


# --- in the real window ------------------------------------------------------------------


@pytest.fixture
def run(run_async):
    return run_async


async def _until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def _js(view, script: str) -> Any:
    future = asyncio.get_running_loop().create_future()
    view.page().runJavaScript(script, 0, lambda value: future.done() or future.set_result(value))
    return await asyncio.wait_for(future, 10)


async def start_window(server, *, keys=None, **options: Any):
    """The real window on the loopback server (or as options say); returns (app, its task)."""
    from app.secrets import KeyStore
    from tests.test_gui import _args
    from widgets.app import EaselApp

    if keys is None:
        keys = KeyStore(backend=keyring.backends.fail.Keyring())
    easel = EaselApp(_args(server, **options), asyncio.get_running_loop(), keys)
    task = asyncio.ensure_future(easel.run())
    await _until(lambda: easel.transcript_ready)
    return easel, task


async def close_window(easel, task) -> None:
    easel.window.close()
    await asyncio.wait_for(task, 10)


def chats(server) -> list:
    return [r for r in server.requests if r.method == "POST"]


async def send_and_wait(easel, text: str) -> None:
    chat = easel.chat
    before = len(easel.store.messages(chat.conversation_id)) if chat.conversation_id else 0
    easel.composer.edit.setPlainText(text)
    QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
    await _until(
        lambda: (
            chat.conversation_id is not None
            and not chat.busy
            and len(easel.store.messages(chat.conversation_id)) >= before + 2
        )
    )


def test_model_links_in_the_window_do_nothing_and_real_buttons_work(run, model_server):
    model_server.enqueue(openai_text_reply("Answer in the first conversation."))

    async def scenario():
        easel, task = await start_window(model_server)
        store = easel.store
        await send_and_wait(easel, "first question")
        first = easel.chat.conversation_id
        first_messages = store.messages(first)
        other = first_messages[-1].id
        easel.chat.open(None)
        # The next reply will be m{other + 2}; its links aim at itself and at the other chat.
        own = f"m{other + 2}"
        links = [*_hostile_links(f"m{other}"), *_hostile_links(own)]
        reply = "\n\n".join([*links, RAW_HTML, "```html\n<p id=x>a page</p>\n```"]) + "\n"
        # Cut off after the text: an incomplete reply, so its real Retry button is offered.
        model_server.enqueue(openai_text_reply(reply, chunk_chars=100_000, drop_after=2))
        await send_and_wait(easel, "show me the sources")
        second = easel.chat.conversation_id
        second_messages = store.messages(second)
        assert second_messages[-1].id == other + 2 and second_messages[-1].status == "incomplete"
        requests = len(chats(model_server))
        seen = _spy_own_urls(easel.transcript.page())
        count = f"document.querySelectorAll('[data-key={own}] .prose a').length"
        for _ in range(100):
            if await _js(easel.transcript, count) == len(links):
                break
            await asyncio.sleep(0.05)
        assert await _js(easel.transcript, count) == len(links)
        for n in range(len(links)):
            await _js(
                easel.transcript,
                f"document.querySelectorAll('[data-key={own}] .prose a')[{n}].click(), 1",
            )
            await _until(lambda n=n: len(seen) == n + 1)
        await asyncio.sleep(0)  # let any queued slot run before looking
        assert len(chats(model_server)) == requests  # no request reached the model
        assert not easel.chat.busy
        assert store.messages(first) == first_messages  # nothing deleted
        assert store.messages(second) == second_messages
        assert easel.composer.text() == ""  # no prompt was filled in
        assert easel.panel.current_tab() is None  # no artifact was opened
        assert easel.chat.conversation_id == second
        # The real buttons: Copy, Open as artifact, then Retry.
        await _js(
            easel.transcript,
            f"document.querySelector('[data-key={own}] "
            ".msg-actions button[data-action=copy]').click(), 1",
        )
        await _until(lambda: QGuiApplication.clipboard().text() == reply)
        await _js(
            easel.transcript, f"document.querySelector('[data-key={own}] .code-open').click(), 1"
        )
        await _until(lambda: easel.panel.current_tab() is not None)
        model_server.enqueue(openai_text_reply("A fresh answer."))
        await _js(
            easel.transcript,
            f"document.querySelector('[data-key={own}] "
            ".notice button[data-action=retry]').click(), 1",
        )
        await _until(
            lambda: not easel.chat.busy and store.messages(second)[-1].content == "A fresh answer."
        )
        assert len(chats(model_server)) == requests + 1
        assert store.messages(first) == first_messages
        await close_window(easel, task)

    run(scenario())


def test_an_action_for_a_message_of_another_conversation_is_refused(run, model_server):
    """Even with the nonce (a forged signal), the message must be one on screen."""
    from tests.model_server import error_reply

    model_server.enqueue(
        error_reply(400, {"error": {"message": "bad request"}}),
        openai_text_reply("An answer in the second conversation."),
    )

    async def scenario():
        easel, task = await start_window(model_server)
        await send_and_wait(easel, "first")
        first = easel.chat.conversation_id
        failed = easel.store.messages(first)[-1]
        assert failed.status == "error"
        easel.chat.open(None)
        await send_and_wait(easel, "second")
        second = easel.store.messages(easel.chat.conversation_id)
        requests = len(chats(model_server))
        for action in ("retry", "continue", "open-code-as-artifact"):
            easel.transcript.actionRequested.emit(action, f"m{failed.id}", "0")
        await asyncio.sleep(0)
        assert not easel.chat.busy and len(chats(model_server)) == requests
        assert easel.store.messages(first)[-1] == failed
        assert easel.store.messages(easel.chat.conversation_id) == second
        await close_window(easel, task)

    run(scenario())
