"""The network wall in the real window: a model's hostile page runs beside the chat, reaches
nothing, and every attempt is a `blocked:` line in its console drawer.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from app.artifacts import may_hold_markup
from app.secrets import KeyStore
from tests.canary import Canary
from tests.model_server import openai_text_reply
from tests.search_queue import queued_for_search
from tests.test_gui import _args, _close, _transcript_text, _type_and_send, _until
from widgets.app import EaselApp

HOSTILE = Path(__file__).parent / "hostile"


async def _wall_blocked(loop, model_server, network_gate, port: int, *, timeout: float):
    """The window asked for the wall page: its tab ran it to the end and its console reports
    an attempt on the canary blocked. Returns the app, its task, the tab and its console lines."""
    keys = await KeyStore.open_default()
    easel = EaselApp(_args(model_server), loop, keys, network_gate)
    task = asyncio.ensure_future(easel.run())
    await _until(lambda: easel.transcript_ready)
    await _type_and_send(easel, "make a page")
    await _until(lambda: easel.panel.tab("wall") is not None)
    tab = easel.panel.tab("wall")
    await _until(lambda: tab.view.title() == "done", timeout=timeout)

    def lines() -> list[str]:
        return [tab.console.item(i).text() for i in range(tab.console.count())]

    await _until(lambda: any(line.startswith(f"blocked: 127.0.0.1:{port}") for line in lines()))
    return easel, task, tab, lines


def test_a_hostile_artifact_in_the_window_reaches_nothing(
    qasync_loop, run_async, model_server, network_gate
):
    canary = Canary()
    page = (HOSTILE / "wall.html").read_text(encoding="utf-8").replace("__PORT__", str(canary.port))
    reply = (
        "Here is the page:\n"
        f'<artifact identifier="wall" type="text/html" title="Wall">\n{page}\n</artifact>\n'
    )
    model_server.enqueue(openai_text_reply(reply, chunk_chars=400))

    async def scenario() -> list[str]:
        easel, task, tab, lines = await _wall_blocked(
            qasync_loop, model_server, network_gate, canary.port, timeout=30
        )
        await asyncio.sleep(2)
        if os.environ.get("EASEL_TEST_SHOTS"):
            tab.console.setVisible(True)
            easel.window.grab().save(os.path.join(os.environ["EASEL_TEST_SHOTS"], "wall.png"))
        seen = lines()
        await _close(easel, task)
        return seen

    try:
        lines = run_async(scenario())
        assert canary.contacts == 0, (canary.tcp_contacts, canary.udp_contacts, canary.hits)
    finally:
        canary.close()
    target = f"127.0.0.1:{canary.port}"
    assert any(line.startswith(f"blocked: WebRTC stun:{target}") for line in lines), lines
    assert f"blocked: WebTransport https://{target}/wt" in lines


# Markup that only looks like ours, in every case, the kind the content scan now jumps over or
# stops at: none of it may end the artifact, and the page must still run whole, behind the wall.
LOOK_ALIKES = (
    "<!-- <Artifact-x> </artifact_> <antartifactz </ARTIFACTS> <ARTIFACT-EDITOR> -->\n"
    '<pre hidden>\n```html\n<artifact identifier="quoted" type="text/html">\n```\n</pre>\n'
    "<p hidden>&lt;/artifact&gt; written as text</p>\n"
)


def test_a_hostile_page_full_of_tag_look_alikes_stays_one_artifact_and_reaches_nothing(
    qasync_loop, run_async, model_server, network_gate
):
    canary = Canary()
    wall = (HOSTILE / "wall.html").read_text(encoding="utf-8").replace("__PORT__", str(canary.port))
    page = wall.replace("<body>", "<body>\n" + LOOK_ALIKES * 40, 1)
    reply = (
        "Here is the page:\n"
        f'<ARTIFACT identifier="wall" type="text/html" title="Wall">\n{page}\n</Artifact >\n'
        f'After it, as text: <img src="http://127.0.0.1:{canary.port}/after">\n'
    )
    model_server.enqueue(openai_text_reply(reply, chunk_chars=7))  # tags cut anywhere
    model_server.enqueue(openai_text_reply("Noted.", chunk_chars=7))

    def chats() -> list:
        return [r for r in model_server.requests if r.method == "POST"]

    async def scenario() -> tuple[list[str], str, object]:
        easel, task, _tab, lines = await _wall_blocked(
            qasync_loop, model_server, network_gate, canary.port, timeout=60
        )
        await _until(lambda: not easel.chat.busy)
        versions = easel.store.artifact_versions(easel.chat.conversation_id)
        await _type_and_send(easel, "thanks")  # the next request sends the reply compacted
        await _until(lambda: len(chats()) == 2 and not easel.chat.busy)
        await asyncio.sleep(2)
        seen = lines()
        await _close(easel, task)
        return seen, page, versions

    try:
        lines, page, versions = run_async(scenario())
        assert canary.contacts == 0, (canary.tcp_contacts, canary.udp_contacts, canary.hits)
    finally:
        canary.close()
    assert [(v.identifier, v.complete) for v in versions] == [("wall", True)]
    assert versions[0].content == page  # every look-alike stayed content
    target = f"127.0.0.1:{canary.port}"
    assert any(line.startswith(f"blocked: WebRTC stun:{target}") for line in lines), lines
    [_system, *turns] = chats()[1].json()["messages"]
    earlier_reply = turns[1]["content"]
    assert "[content omitted: its current version is in the system prompt]" in earlier_reply
    assert "Artifact-x" not in earlier_reply and f"{target}/after" in earlier_reply


def test_replies_read_through_the_markup_shortcut_reach_nothing_streamed_or_opened_again(
    qasync_loop, run_async, model_server, network_gate
):
    """A tag the shortcut cannot judge (a dotless ı, which the parser's IGNORECASE folds to i)
    is left to the parser and becomes a walled artifact; a long reply with no mark, full of
    remote images, scripts and preconnects, is read as prose without the parser, streamed
    through the Markdown worker's outbox, opened again and indexed for search on a thread of
    its own: nothing reaches the canary, and the page's attempts are reported."""
    canary = Canary()
    target = f"127.0.0.1:{canary.port}"
    wall = (HOSTILE / "wall.html").read_text(encoding="utf-8").replace("__PORT__", str(canary.port))
    first = (
        "Here is the page:\n"
        f'<artıfact identifier="wall" type="text/html" title="Wall">\n{wall}\n</artifact>\n'
    )
    hostile = (
        f"![pixel](http://{target}/md.png) <img src=http://{target}/raw.png> "
        f"<script>fetch('http://{target}/script')</script> "
        f'<link rel="preconnect" href="http://{target}"> [a link](http://{target}/link)\n\n'
        f"```javascript\nfetch('http://{target}/fenced');\n```\n\n"
    )
    second = "Notes quixotically kept.\n\n" + hostile * 1500  # ~400 KB, no artifact mark
    assert may_hold_markup(first) and not may_hold_markup(second)
    model_server.enqueue(openai_text_reply(first, chunk_chars=400))
    model_server.enqueue(openai_text_reply(second, chunk_chars=16384))

    async def scenario() -> tuple[list[str], str, list]:
        keys = await KeyStore.open_default()
        easel = EaselApp(_args(model_server), qasync_loop, keys, network_gate)
        task = asyncio.ensure_future(easel.run())
        await _until(lambda: easel.transcript_ready)
        await _type_and_send(easel, "make a page")

        def lines() -> list[str]:  # the tab asked each time: the panel may make it anew
            tab = easel.panel.tab("wall")
            return [tab.console.item(i).text() for i in range(tab.console.count())] if tab else []

        await _until(lambda: any(f"blocked: WebRTC stun:{target}" in x for x in lines()), 60)
        await _until(lambda: not easel.chat.busy)
        await _type_and_send(easel, "some notes")
        await _until(lambda: len(easel.store.messages(easel.chat.conversation_id)) == 4)
        await _until(lambda: not easel.chat.busy and easel.transcript.shown, timeout=60)
        conversation = easel.chat.conversation_id
        easel.chat.open(None)
        easel.chat.open(conversation)  # read back: the shortcut's path for stored replies
        await _until(lambda: easel.transcript.shown and not easel.chat.loader.loading, 60)
        text = await _transcript_text(easel)
        # Indexed for search by the worker thread's own connection, not by a search's drain.
        await _until(lambda: queued_for_search(easel.store.path) == 0, timeout=60)
        hits = easel.store.search_hits("quixotically")
        await asyncio.sleep(2)
        seen = lines()
        await _close(easel, task)
        return seen, text, hits

    try:
        lines, text, hits = run_async(scenario())
        assert canary.contacts == 0, (canary.tcp_contacts, canary.udp_contacts, canary.hits)
    finally:
        canary.close()
    assert any(line.startswith(f"blocked: WebRTC stun:{target}") for line in lines), lines
    assert f"<img src=http://{target}/raw.png>" in text  # markup in prose is text
    assert f"<script>fetch('http://{target}/script')</script>" in text
    assert len(hits) == 1


def test_a_hostile_reply_at_a_models_pace_reaches_nothing(
    qasync_loop, run_async, model_server, network_gate
):
    """Streamed at a model's pace (page updates held for the reading frame, a card's progress
    paced with the text): hostile reasoning and prose stay text in the transcript, the page runs
    behind the wall, nothing reaches the canary and every attempt is reported."""
    canary = Canary()
    target = f"127.0.0.1:{canary.port}"
    page = (HOSTILE / "wall.html").read_text(encoding="utf-8").replace("__PORT__", str(canary.port))
    thinking = f'<img src="http://{target}/think"><script>fetch("http://{target}/s")</script>'
    reply = (
        f'![x](http://{target}/prose) <iframe src="http://{target}/frame"></iframe>\n\n'
        f'<artifact identifier="wall" type="text/html" title="Wall">\n{page}\n</artifact>\n'
    )
    model_server.enqueue(openai_text_reply(reply, reasoning=thinking, chunk_chars=30, delay=0.02))

    async def scenario() -> tuple[list[str], str]:
        easel, task, _tab, lines = await _wall_blocked(
            qasync_loop, model_server, network_gate, canary.port, timeout=30
        )
        await _until(lambda: not easel.chat.busy)
        await asyncio.sleep(1)
        text = await _transcript_text(easel)
        seen = lines()
        await _close(easel, task)
        return seen, text

    try:
        lines, text = run_async(scenario())
        assert canary.contacts == 0, (canary.tcp_contacts, canary.udp_contacts, canary.hits)
    finally:
        canary.close()
    assert any(line.startswith(f"blocked: WebRTC stun:{target}") for line in lines), lines
    assert f"blocked: WebTransport https://{target}/wt" in lines
    assert "<iframe" in text  # the model's tags are shown as text, never made
