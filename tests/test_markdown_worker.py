"""The Markdown worker: its frames, its rendering (the same HTML as rendering here, for any
chunking), the real process, and the transcript streaming through it, including when the
worker fails a segment, dies mid-reply, or sends garbage."""

from __future__ import annotations

import json
import random
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from app.markdown import MarkdownRenderer, code_labels, render_markdown
from app.markdown_remote import MarkdownWorker
from app.markdown_worker import MAX_FRAME, FrameReader, SegmentRenderer, encode
from tests.test_transcript import _delete as delete_view
from tests.test_transcript import shown_transcript

REPLY = (
    "# Plan\n\nSome *prose* with `code` and a [link][ref].\n\n"
    "- one\n- two\n\n"
    "```python\nprint('hi')\n```\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "[ref]: https://example.com\n\n"
    "```html\n<p>page</p>\n```\n\nThe end, with a lone surrogate \ud800 in it.\n"
)


def chunks(text: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    parts, start = [], 0
    while start < len(text):
        end = start + rng.randint(1, 40)
        parts.append(text[start:end])
        start = end
    return parts


def test_frames_survive_any_split() -> None:
    messages = [["text", 1, "a\ud800b ü"], ["open", 2, None], ["forget", [1, 2]]]
    stream = b"".join(encode(m) for m in messages)
    for size in (1, 3, 7, len(stream)):
        reader = FrameReader()
        got: list[list[Any]] = []
        for i in range(0, len(stream), size):
            got += reader.feed(stream[i : i + size])
        assert got == messages


@pytest.mark.parametrize(
    "data",
    [
        (MAX_FRAME + 1).to_bytes(4, "big"),  # a length no frame has
        b"\x00\x00\x00\x04{}{}",  # JSON but not a message
        b"\x00\x00\x00\x02[]",  # an empty message
        b"\x00\x00\x00\x03[1,",  # not JSON
    ],
)
def test_a_broken_stream_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        FrameReader().feed(data)


def render_remotely(parts: list[str], segments: int = 1) -> tuple[str, dict[int, str]]:
    """The HTML the worker's answers add up to, the text split into `segments` segments."""
    renderer = SegmentRenderer()
    renderer.handle([["labels", code_labels()]])
    html, code = "", {}
    per = -(-len(parts) // segments)
    for number in range(segments):
        sid = number + 1
        mine = parts[number * per : (number + 1) * per]
        requests = [["open", sid, sid - 1 if number else None]]
        requests += [["text", sid, part] for part in mine[:-1]]
        requests.append(["finish", sid, mine[-1] if mine else ""])
        tail = ""
        # Answers come a few requests at a time, as the app's frames send them.
        for start in range(0, len(requests), 3):
            for answer in renderer.handle(requests[start : start + 3]):
                assert answer[0] == "update" and answer[1] == sid
                html += answer[3]
                tail = answer[4]
                code.update({int(i): c for i, c in answer[5].items()})
        assert tail == ""  # finished: everything is stable
        assert answer[8] is True
    return html, code


@pytest.mark.parametrize("seed", range(5))
def test_worker_renders_what_the_app_would(seed: int) -> None:
    html, code = render_remotely(chunks(REPLY, seed))
    assert html == render_markdown(REPLY)
    assert code == {0: "print('hi')\n", 1: "<p>page</p>\n"}


def test_code_blocks_are_numbered_across_segments() -> None:
    first, second = "```js\na()\n```\n", "```js\nb()\n```\n"
    html, code = render_remotely([first, second], segments=2)
    assert html == render_markdown(first) + render_markdown(second, first_code_index=1)
    assert code == {0: "a()\n", 1: "b()\n"}


def test_a_failing_segment_is_reported_and_the_rest_goes_on() -> None:
    renderer = SegmentRenderer()
    answers = renderer.handle(
        [["labels", {"code": "c"}], ["open", 1, None], ["finish", 1, "```js\nx\n```\n"]]
    )
    assert answers[0][0] == "failed" and "KeyError" in answers[0][3]
    answers = renderer.handle([["labels", code_labels()], ["open", 2, None], ["finish", 2, "ok"]])
    assert answers == [["update", 2, 1, "<p>ok</p>\n", "", {}, {}, 0, True]]


def test_forgotten_segments_get_no_answer() -> None:
    renderer = SegmentRenderer()
    assert renderer.handle([["open", 1, None], ["text", 1, "hi"], ["forget", [1]]]) == []
    assert renderer.handle([["text", 1, "more"]]) == []


# -- the real process ---------------------------------------------------------------------------


@pytest.fixture
def worker() -> Iterator[MarkdownWorker]:
    worker = MarkdownWorker.start()
    yield worker
    worker.stop()


def answers_until(worker: MarkdownWorker, done, timeout: float = 30) -> list[list[Any]]:
    got: list[list[Any]] = []
    deadline = time.monotonic() + timeout
    while not done(got):
        assert time.monotonic() < deadline, f"no answer in time; got {got}"
        if worker.fileno() >= 0:
            select.select([worker.fileno()], [], [], 0.1)
        got += worker.receive()
    return got


def test_the_process_renders_and_ends_with_its_socket(worker: MarkdownWorker) -> None:
    answers_until(worker, lambda got: worker.ready)
    worker.send(["labels", code_labels()])
    worker.send(["open", 1, None])
    for part in chunks(REPLY, 1):
        worker.send(["text", 1, part], request=1)
    worker.send(["finish", 1, ""], request=1)
    assert worker.busy
    got = answers_until(worker, lambda got: not worker.busy)
    assert "".join(a[3] for a in got) == render_markdown(REPLY)
    process = worker._process
    worker.stop()
    assert process.poll() is not None and not worker.alive


def test_a_dead_process_is_noticed(worker: MarkdownWorker) -> None:
    answers_until(worker, lambda got: worker.ready)
    worker._process.kill()
    answers_until(worker, lambda got: not worker.alive)
    assert not worker.send(["open", 1, None])


def test_a_process_that_cannot_start_is_dead_from_the_start(monkeypatch) -> None:
    monkeypatch.setattr("app.markdown_remote.sys.executable", "/nonexistent/python")
    worker = MarkdownWorker.start()
    assert not worker.alive and worker.fileno() == -1 and worker.receive() == []


# -- the transcript, streaming through it -------------------------------------------------------


def page_prose(qtbot, view, key: str) -> list[str]:
    view.flush()
    results: list[Any] = []
    script = (
        f"JSON.stringify([...document.querySelectorAll('[data-key=\"{key}\"] .prose')]"
        ".map(p => p.innerHTML))"
    )
    view.run_js_for_test(script, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return json.loads(results[0])


@pytest.fixture
def view(qtbot):
    view = shown_transcript(qtbot)
    yield view
    view.stop_markdown_worker()
    delete_view(qtbot, view)


def linked(qtbot, view) -> MarkdownWorker:
    worker = MarkdownWorker.start()
    link = view.use_markdown_worker(worker)
    with qtbot.waitSignal(link.settled, timeout=30_000):
        pass
    assert link.usable
    return worker


def stream(qtbot, view, key: str, parts: list[str], *, card_after: int | None = None) -> None:
    view.add_message(key, "assistant")
    view.set_message_state(key, "streaming")
    for number, part in enumerate(parts):
        view.append_text(key, part)
        if number == card_after:
            view.add_artifact_card(key, "game", "Game", "text/html", 1, "streaming")
        if number % 5 == 0:
            qtbot.wait(5)  # frames go by while it streams
    view.finish_message(key)
    view.set_message_state(key, "complete")


def expected(parts: list[str], card_after: int | None) -> list[str]:
    """What the page's prose blocks hold when rendered here: stable part, empty tail."""
    if card_after is None:
        texts = ["".join(parts)]
    else:
        texts = ["".join(parts[: card_after + 1]), "".join(parts[card_after + 1 :])]
    out, index = [], 0
    renderer = MarkdownRenderer()
    for text in texts:
        html = renderer.render(text, first_code_index=index)
        index += html.count('<div class="code-block"')
        out.append(f'<div class="stable">{html}</div><div class="tail"></div>')
    return out


def test_a_streamed_reply_renders_in_the_worker_as_it_would_here(qtbot, view) -> None:
    worker = linked(qtbot, view)
    parts = chunks(REPLY * 3, 7)
    card = len(parts) // 2
    sent: list[int] = []
    original = worker.send
    worker.send = lambda message, **kw: sent.append(message[0] == "text") or original(message, **kw)
    stream(qtbot, view, "r1", parts, card_after=card)
    qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)
    assert any(sent), "the text went to the worker"
    assert page_prose(qtbot, view, "r1") == expected(parts, card)
    # The card stays between the two prose blocks it came between.
    order = page_order(qtbot, view, "r1")
    assert order == ["prose", "card", "prose"]
    assert view.code_block("r1", 1) == "<p>page</p>\n"


def page_order(qtbot, view, key: str) -> list[str]:
    view.flush()
    results: list[Any] = []
    view.run_js_for_test(
        f"JSON.stringify([...document.querySelector('[data-key=\"{key}\"] .msg-body').children]"
        ".map(c => c.classList[0]))",
        results.append,
    )
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return json.loads(results[0])


def test_a_worker_that_dies_mid_reply_loses_nothing(qtbot, view) -> None:
    worker = linked(qtbot, view)
    parts = chunks(REPLY * 3, 3)
    half = len(parts) // 2
    view.add_message("r1", "assistant")
    view.set_message_state("r1", "streaming")
    for part in parts[:half]:
        view.append_text("r1", part)
    qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)  # some HTML came from it
    assert page_prose(qtbot, view, "r1")[0] != '<div class="stable"></div><div class="tail"></div>'
    worker._process.kill()
    for part in parts[half:]:
        view.append_text("r1", part)
    view.finish_message("r1")
    qtbot.waitUntil(lambda: not worker.alive and not view.rendering, timeout=30_000)
    assert page_prose(qtbot, view, "r1") == expected(parts, None)
    # The next reply renders here, as before there was a worker.
    stream(qtbot, view, "r2", ["Plain *text*."])
    qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)
    assert page_prose(qtbot, view, "r2") == expected(["Plain *text*."], None)


def test_a_segment_the_worker_fails_is_rendered_here(qtbot, view) -> None:
    worker = linked(qtbot, view)
    view._prose._worker._labels = (
        code_labels()
    )  # so the link sends no others: the worker keeps these
    worker.send(["labels", {"code": "c"}])  # it cannot render a code block with them
    parts = chunks(REPLY, 2)
    stream(qtbot, view, "r1", parts)
    qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)
    assert page_prose(qtbot, view, "r1") == expected(parts, None)
    assert worker.alive  # one bad segment does not end it


def peer_worker(qtbot, view) -> tuple[MarkdownWorker, Any, socket.socket]:
    """A worker whose other end the test holds, on a real socket, already "ready"; and a
    message streaming to it."""
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    worker = MarkdownWorker(None, ours)
    link = view.use_markdown_worker(worker)
    with qtbot.waitSignal(link.settled, timeout=10_000):
        theirs.sendall(encode(["ready"]))
    view.add_message("r1", "assistant")
    view.set_message_state("r1", "streaming")
    return worker, link, theirs


def test_a_worker_sending_garbage_is_dropped(qtbot, view) -> None:
    # The peer then sends a frame that claims 4 GB (a broken or hostile worker).
    worker, link, theirs = peer_worker(qtbot, view)
    view.append_text("r1", "Some **text** first")
    qtbot.waitUntil(lambda: view.rendering and worker.busy, timeout=10_000)
    with qtbot.waitSignal(link.settled, timeout=10_000):
        theirs.sendall(b"\xff\xff\xff\xff")
    assert not worker.alive
    view.append_text("r1", ", then more.")
    view.finish_message("r1")
    qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)
    assert page_prose(qtbot, view, "r1") == expected(["Some **text** first, then more."], None)
    theirs.close()


def test_stored_messages_never_go_to_the_worker(qtbot, view) -> None:
    worker = linked(qtbot, view)
    sent: list[list[Any]] = []
    original = worker.send
    worker.send = lambda message, **kw: sent.append(message) or original(message, **kw)
    view.add_message("m1", "assistant")  # not streaming: a stored reply shown again
    view.append_text("m1", REPLY)
    view.finish_message("m1")
    assert page_prose(qtbot, view, "m1") == expected([REPLY], None)
    assert sent == []


def test_a_reply_given_its_stored_key_mid_stream_keeps_its_answers(qtbot, view) -> None:
    linked(qtbot, view)
    parts = chunks(REPLY * 2, 5)
    view.add_message("streaming", "assistant")
    view.set_message_state("streaming", "streaming")
    for part in parts[:-1]:
        view.append_text("streaming", part)
    view.rekey_message("streaming", "m7")  # the reply is stored while the worker renders
    view.append_text("m7", parts[-1])
    view.finish_message("m7")
    qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)
    assert page_prose(qtbot, view, "m7") == expected(parts, None)


def test_a_removed_reply_takes_its_answers_with_it(qtbot, view) -> None:
    worker = linked(qtbot, view)
    view.add_message("r1", "assistant")
    view.set_message_state("r1", "streaming")
    view.append_text("r1", REPLY * 20)
    view.flush()
    view.remove_message("r1")
    assert not view.rendering and not worker.busy
    stream(qtbot, view, "r2", ["after"])
    qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)
    assert page_prose(qtbot, view, "r2") == expected(["after"], None)
    assert page_prose(qtbot, view, "r1") == []


def test_a_send_that_fails_ends_the_worker_and_loses_nothing(qtbot, view) -> None:
    worker, link, theirs = peer_worker(qtbot, view)
    view.append_text("r1", "Some **text**")
    view.flush()
    assert worker.busy  # sent, never answered
    theirs.close()  # the worker is gone: the next send fails before the loop notices
    view.append_text("r1", " and the end.")
    with qtbot.waitSignal(link.settled, timeout=10_000):
        view.finish_message("r1")  # sends the last text: it fails, and the worker is ended
        assert not worker.alive
    qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)
    assert page_prose(qtbot, view, "r1") == expected(["Some **text** and the end."], None)


def test_a_long_render_is_answered_in_parts_in_order() -> None:
    from app.markdown_worker import ANSWER_CHARS

    text = "".join(f"Paragraph {i} with *some* words to render.\n\n" for i in range(30_000))
    emitted: list[list[Any]] = []
    renderer = SegmentRenderer(emitted.append)
    last = renderer.handle([["open", 1, None], ["text", 1, text[:100]], ["finish", 1, text[100:]]])
    answers = emitted + last
    assert len(answers) > 3  # ~1.5 MB of HTML, in parts
    assert all(len(a[3]) < 2 * ANSWER_CHARS for a in answers)
    # Each request is counted once, the finish by the last part (the app waits until then).
    assert [a[2] for a in answers] == [1] + [0] * (len(answers) - 2) + [1]
    assert "".join(a[3] for a in answers) == render_markdown(text)
    assert answers[-1][8] is True and not any(a[8] for a in answers[:-1])


def test_a_huge_streamed_reply_goes_through_the_worker_in_steps(qtbot, view) -> None:
    worker = linked(qtbot, view)
    sizes: list[int] = []
    original = worker.send
    worker.send = lambda m, **kw: (
        sizes.append(len(m[2]) if m[0] == "text" else 0) or original(m, **kw)
    )
    text = "".join(f"Line {i} of a *long* reply.\n\n" for i in range(40_000))  # ~1.1 MB
    view.add_message("r1", "assistant")
    view.set_message_state("r1", "streaming")
    view.append_text("r1", text[:500_000])
    qtbot.waitUntil(lambda: len([n for n in sizes if n]) >= 2, timeout=30_000)
    view.append_text("r1", text[500_000:])
    view.finish_message("r1")
    qtbot.waitUntil(lambda: not view.rendering, timeout=60_000)
    from widgets.transcript_prose import SEND_CHARS

    assert max(sizes) <= SEND_CHARS  # one request never carried the whole of it
    assert page_prose(qtbot, view, "r1") == expected([text], None)


def test_code_blocks_the_worker_still_owes_are_read_from_the_text(qtbot, view) -> None:
    # The peer never answers: what Ctrl+Shift+C and a code block's buttons ask for comes from
    # the text itself meanwhile, numbered as the worker would number it.
    worker, link, theirs = peer_worker(qtbot, view)
    view.append_text("r1", "```js\nfirst()\n```\n\ntext\n\n```py\nsecond()\n")
    view.flush()
    assert worker.busy
    assert view.last_code_block() == "second()\n"  # the open block, as far as it goes
    view.append_text("r1", "more()\n```\n")
    view.finish_message("r1")
    assert view.code_block("r1", 0) == "first()\n"
    assert view.last_code_block() == "second()\nmore()\n"
    theirs.close()


def test_a_hostile_reply_through_the_worker_stays_text_and_reaches_nothing(qtbot, view) -> None:
    from tests.canary import Canary

    canary = Canary()
    try:
        url = canary.url
        linked(qtbot, view)
        results: list[Any] = []
        view.run_js_for_test(
            "window.refused = []; document.addEventListener('securitypolicyviolation',"
            " e => window.refused.push(e.blockedURI)); 1",
            results.append,
        )
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
        reply = (
            f'Raw HTML: <img src="{url}/img" onerror="document.title=1"> '
            f"<script>fetch('{url}/fetch')</script> <iframe src=\"{url}/frame\"></iframe>\n\n"
            f"<style>@import url({url}/import);</style>\n\n"
            f"A Markdown image: ![x]({url}/md-image)\n\n"
            f"[a link]({url}/link) and [script](javascript:fetch('{url}/js'))\n\n"
            f"```html\n</code></pre><svg onload=\"fetch('{url}/svg')\">\n```\n\n"
            '["\\u2028<\\/script>", "\\ud800"] done.\n'
        )
        stream(qtbot, view, "r1", chunks(reply, 11))
        qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)
        injected = "main script, main iframe, main style, main svg, main img:not([alt='x'])"
        assert js_value(qtbot, view, f"document.querySelectorAll({injected!r}).length") == 0
        # The Markdown image is the one element that names the canary: the page's policy
        # refuses it, and says so.
        qtbot.waitUntil(
            lambda: f"{url}/md-image" in (js_value(qtbot, view, "window.refused") or []),
            timeout=10_000,
        )
        hrefs = js_value(qtbot, view, "[...document.querySelectorAll('main a')].map(a => a.href)")
        assert not any(h.startswith("javascript:") for h in hrefs), hrefs
        assert js_value(qtbot, view, "document.title") == "Transcript"
        # What the worker made of it is what rendering here makes (raw HTML escaped): compared
        # as made, since the page's innerHTML spells quotes and void tags its own way.
        assert render_remotely(chunks(reply, 11))[0] == render_markdown(reply)
        text = js_value(qtbot, view, "document.querySelector('main').textContent")
        assert f"<script>fetch('{url}/fetch')</script>" in text and "done." in text
        qtbot.wait(500)  # time for any load the page might have started
        assert canary.contacts == 0, canary.hits
    finally:
        canary.close()


def js_value(qtbot, view, expression: str) -> Any:
    view.flush()
    results: list[Any] = []
    view.run_js_for_test(f"JSON.stringify({expression})", results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return json.loads(results[0]) if results[0] is not None else None


def test_a_worker_busy_rendering_never_holds_the_window(qtbot, view) -> None:
    """The end of a long reply is megabytes for a worker that reads slowly (busy with the
    last request): the send waits in the outbox, the window's loop turns while it goes out,
    and everything arrives in order."""
    worker, link, theirs = peer_worker(qtbot, view)
    text = "".join(f"Line {i} of a *long* reply.\n\n" for i in range(120_000))  # ~3.3 MB
    view.append_text("r1", "The start. ")
    view.flush()
    assert worker.busy  # its request is out, unanswered: the rest waits in the message
    view.append_text("r1", text)
    frames: list[list[Any]] = []

    def read_slowly() -> None:  # 64 KB at a time, a moment apart, until the last request
        reader = FrameReader()
        while not any(f[0] == "finish" for f in frames):
            frames.extend(reader.feed(theirs.recv(1 << 16)))
            time.sleep(0.005)

    reading = threading.Thread(target=read_slowly, daemon=True)
    reading.start()
    turns_while_waiting: list[bool] = []
    timer = QTimer()
    timer.timeout.connect(lambda: turns_while_waiting.append(worker.backlog))
    timer.start(5)
    view.finish_message("r1")  # the rest as the last request: far more than the socket holds
    assert worker.backlog and worker.alive  # not sent yet, and the call is over
    qtbot.waitUntil(lambda: not worker.backlog and not reading.is_alive(), timeout=30_000)
    timer.stop()
    theirs.close()
    assert turns_while_waiting.count(True) >= 3  # the loop turned while it went out
    sent = [f for f in frames if f[0] in ("text", "finish")]
    assert [f[0] for f in sent][-1] == "finish"
    assert "".join(f[2] for f in sent) == "The start. " + text


def test_a_worker_that_stops_reading_is_ended_and_loses_nothing(qtbot, view, monkeypatch):
    import app.markdown_remote as remote
    import widgets.transcript_worker as transcript_worker

    monkeypatch.setattr(remote, "SEND_TIMEOUT_S", 0.5)
    monkeypatch.setattr(transcript_worker, "STALL_CHECK_MS", 100)
    worker, link, theirs = peer_worker(qtbot, view)
    text = "".join(f"Line {i} of a *long* reply.\n\n" for i in range(40_000))  # ~1.1 MB
    view.append_text("r1", text[:100])
    view.flush()
    view.append_text("r1", text[100:])
    with qtbot.waitSignal(link.settled, timeout=10_000):
        view.finish_message("r1")  # never read: ended after SEND_TIMEOUT_S, not before
        assert worker.alive and worker.backlog
    assert not worker.alive and not worker.backlog
    qtbot.waitUntil(lambda: not view.rendering, timeout=60_000)
    assert page_prose(qtbot, view, "r1") == expected([text], None)
    theirs.close()
