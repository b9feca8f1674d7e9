"""The transcript view in a real offscreen QtWebEngine, and the frame-rate throttle."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from widgets.throttle import Throttle
from widgets.transcript import TranscriptView, js_call


def _delete(qtbot, view: TranscriptView) -> None:
    """Delete the view now: left to interpreter exit, its profile could outlive the app."""
    gone: list[bool] = []
    view.destroyed.connect(lambda: gone.append(True))
    view.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=10_000)


def shown_transcript(qtbot) -> TranscriptView:
    """A transcript view, shown, its page loaded."""
    view = TranscriptView()
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.ready, timeout=30_000):
        pass
    return view


@pytest.fixture
def view(qtbot) -> Iterator[TranscriptView]:
    view = shown_transcript(qtbot)
    yield view
    _delete(qtbot, view)


def js(qtbot, view: TranscriptView, expression: str) -> Any:
    """The JSON value of a JavaScript expression, evaluated after pending updates are sent."""
    view.flush()
    results: list[Any] = []
    view.run_js_for_test(f"JSON.stringify({expression})", results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return json.loads(results[0]) if results[0] is not None else None


def click(qtbot, view: TranscriptView, selector: str) -> None:
    assert js(qtbot, view, f"(document.querySelector({json.dumps(selector)}).click(), true)")


class UrlRecorder(QObject):
    """Receives what QDesktopServices.openUrl would hand to the system browser."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def browser() -> Iterator[UrlRecorder]:
    recorder = UrlRecorder()
    for scheme in ("http", "https"):
        QDesktopServices.setUrlHandler(scheme, recorder, "open")
    yield recorder
    for scheme in ("http", "https"):
        QDesktopServices.unsetUrlHandler(scheme)


def test_js_call_encodes_every_value() -> None:
    assert js_call("f", "a'b\"</script>", [1, None], {"k": True}) == (
        'f("a\'b\\"</script>", [1, null], {"k": true})'
    )


def test_calls_before_load_are_queued(qtbot) -> None:
    view = TranscriptView()
    view.add_message("u1", "user")
    view.append_text("u1", "early")
    with qtbot.waitSignal(view.ready, timeout=30_000):
        pass
    assert js(qtbot, view, "document.querySelector('[data-key=u1] .msg-body').innerText") == "early"
    _delete(qtbot, view)


def test_streaming_300_chunks_and_user_text(qtbot, view: TranscriptView) -> None:
    view.add_message("u1", "user")
    view.append_text("u1", "Hello <b>there</b>\nsecond line")
    view.add_message("a1", "assistant", header="deepseek-chat")
    view.set_message_state("a1", "streaming")
    text = "".join(f"Paragraph {n} has **bold** text.\n\n" for n in range(100))
    step = len(text) // 300 + 1
    for i in range(0, len(text), step):
        view.append_text("a1", text[i : i + step])
    expected = "\n\n".join(f"Paragraph {n} has bold text." for n in range(100))
    # textContent, not innerText: blocks far from the screen are not laid out (and innerText
    # reads layout), see test_transcript_offscreen_blocks.py.
    paragraphs = "[...document.querySelectorAll('[data-key=a1] .prose p')]"
    assert js(qtbot, view, f"{paragraphs}.map(p => p.textContent).join('\\n\\n')") == expected
    assert js(qtbot, view, "document.querySelectorAll('[data-key=a1] strong').length") == 100
    user = js(qtbot, view, "document.querySelector('[data-key=u1] .msg-body').innerText")
    assert user == "Hello <b>there</b>\nsecond line"
    assert js(qtbot, view, "document.querySelectorAll('[data-key=u1] b').length") == 0
    assert js(qtbot, view, "document.querySelector('[data-key=a1] .msg-header').innerText") == (
        "deepseek-chat"
    )
    view.finish_message("a1")
    assert js(qtbot, view, "document.querySelector('[data-key=a1] .tail').innerHTML") == ""


def test_reasoning_section_is_collapsible(qtbot, view: TranscriptView) -> None:
    view.add_message("a1", "assistant")
    view.append_reasoning("a1", "Let me think")
    view.append_reasoning("a1", " about it.")
    details = "document.querySelector('[data-key=a1] details.reasoning')"
    assert js(qtbot, view, f"{details}.open") is True
    assert js(qtbot, view, f"{details}.querySelector('.reasoning-body').textContent") == (
        "Let me think about it."
    )
    view.append_text("a1", "The answer.")
    assert js(qtbot, view, f"{details}.open") is False
    assert js(qtbot, view, f"{details}.querySelector('summary').textContent").startswith("Thought")
    click(qtbot, view, "[data-key=a1] details.reasoning summary")
    assert js(qtbot, view, f"{details}.open") is True
    # The section sits above the answer.
    assert js(qtbot, view, "document.querySelector('[data-key=a1]').innerText.indexOf('The')") > 0


def test_card_click_emits_open_artifact(qtbot, view: TranscriptView) -> None:
    view.add_message("m12", "assistant")
    view.append_text("m12", "Here it is:")
    view.add_artifact_card("m12", "breakout", "Breakout", "text/html", 1, "streaming")
    view.update_artifact_card("m12", "breakout", progress="12 KB")
    card = "document.querySelector('[data-key=m12] .card')"
    assert "12 KB" in js(qtbot, view, f"{card}.innerText")
    view.update_artifact_card("m12", "breakout", state="ready", version=2)
    assert "v2 · HTML" in js(qtbot, view, f"{card}.innerText")
    with qtbot.waitSignal(view.actionRequested, timeout=10_000) as blocker:
        click(qtbot, view, "[data-key=m12] .card")
    assert blocker.args == ["open-artifact", "m12", "breakout@2"]


def test_prose_and_cards_interleave(qtbot, view: TranscriptView) -> None:
    view.add_message("m1", "assistant")
    view.append_text("m1", "Before.\n\n```py\nx = 1\n```\n")
    view.add_artifact_card("m1", "doc", "Doc", "text/markdown", 1, "ready")
    view.append_text("m1", "After.\n\n```py\ny = 2")
    view.finish_message("m1")
    order = js(
        qtbot,
        view,
        "[...document.querySelector('[data-key=m1] .msg-body').children].map(e => e.className)",
    )
    assert order == ["prose", "card", "prose"]
    indexes = js(
        qtbot,
        view,
        "[...document.querySelectorAll('[data-key=m1] .code-copy')].map(b => b.dataset.codeIndex)",
    )
    assert indexes == ["0", "1"]
    assert view.code_block("m1", 1) == "y = 2"  # the fence is still open
    assert view.message_text("m1").startswith("Before.")


def test_code_copy_goes_through_qt_clipboard(qtbot, view: TranscriptView) -> None:
    view.add_message("m1", "assistant")
    view.append_text("m1", "```python\nprint('copy me')\n```\n")
    view.finish_message("m1")
    with qtbot.waitSignal(view.actionRequested, timeout=10_000) as blocker:
        click(qtbot, view, "[data-key=m1] .code-copy")
    assert blocker.args == ["copy", "m1", "0"]
    assert QGuiApplication.clipboard().text() == "print('copy me')\n"


def test_notice_button_emits_its_action(qtbot, view: TranscriptView) -> None:
    view.add_message("m3", "assistant")
    view.add_notice(
        "m3", "The reply was cut off.", kind="warning", actions=[("continue", "Continue")]
    )
    assert js(
        qtbot, view, "document.querySelector('[data-key=m3] .notice.warning').innerText"
    ).startswith("The reply was cut off.")
    with qtbot.waitSignal(view.actionRequested, timeout=10_000) as blocker:
        click(qtbot, view, "[data-key=m3] .notice button")
    assert blocker.args == ["continue", "m3", ""]


def test_model_html_is_not_executed(qtbot, view: TranscriptView) -> None:
    view.add_message("m1", "assistant")
    view.append_text("m1", "<img src=x onerror=\"document.title='pwned'\">\n\n")
    view.append_text("m1", "<script>document.title='pwned'</script>\n\n[x](javascript:alert(1))")
    view.finish_message("m1")
    view.add_message("u1", "user")
    view.append_text("u1", "<img src=x onerror=\"document.title='pwned'\">")
    assert js(qtbot, view, "document.querySelectorAll('main img, main script').length") == 0
    # textContent: innerText skips a block until a frame has laid it out (content-visibility).
    assert "onerror" in js(qtbot, view, "document.querySelector('[data-key=m1]').textContent")
    assert js(qtbot, view, "document.title") == "Transcript"


def test_link_click_opens_system_browser_not_the_view(
    qtbot, view: TranscriptView, browser: UrlRecorder
) -> None:
    view.add_message("m1", "assistant")
    # A reply's link can hide data in its address under an innocent label.
    address = "https://example.com/docs?leak=the-conversation"
    view.append_text("m1", f"See [the docs]({address}).")
    view.finish_message("m1")
    before = view.url().toString()
    click(qtbot, view, "[data-key=m1] a")
    qtbot.waitUntil(lambda: _visible_box(view) is not None, timeout=10_000)
    box = _visible_box(view)
    assert box.informativeText() == address  # the user sees where it goes
    assert browser.urls == []
    box.button(QMessageBox.StandardButton.Open).click()
    qtbot.waitUntil(lambda: browser.urls == [address], timeout=10_000)
    assert js(qtbot, view, "location.href") == before
    assert js(qtbot, view, "document.querySelectorAll('article').length") == 1


def _visible_box(view: TranscriptView) -> QMessageBox | None:
    boxes = [box for box in view.findChildren(QMessageBox) if box.isVisible()]
    return boxes[0] if boxes else None


def test_state_footer_rekey_remove_and_empty_state(qtbot, view: TranscriptView) -> None:
    view.set_empty_state("<h1>Welcome</h1>")
    assert js(qtbot, view, "getComputedStyle(document.getElementById('empty')).display") != "none"
    view.add_message("pending-1", "assistant")
    view.set_message_state("pending-1", "incomplete")
    view.set_message_footer("pending-1", "1,234 tokens · 56 tok/s")
    view.rekey_message("pending-1", "m7")
    # The state is kept on the article (its notice is what says "Incomplete", once).
    assert js(qtbot, view, "document.querySelector('[data-key=m7]').dataset.state") == "incomplete"
    assert js(qtbot, view, "document.querySelector('[data-key=m7] .msg-footer').textContent") == (
        "1,234 tokens · 56 tok/s"
    )
    assert js(qtbot, view, "getComputedStyle(document.getElementById('empty')).display") == "none"
    view.add_notice("m7", "Stopped.", kind="warning", actions=[("retry", "Retry")])
    with qtbot.waitSignal(view.actionRequested, timeout=10_000) as blocker:
        click(qtbot, view, "[data-key=m7] button[data-action=retry]")
    assert blocker.args == ["retry", "m7", ""]
    view.remove_actions("retry")  # a newer turn started: this reply is no longer the last
    assert js(qtbot, view, "document.querySelectorAll('button[data-action=retry]').length") == 0
    assert js(qtbot, view, "document.querySelectorAll('button[data-action=copy]').length") == 1
    view.remove_message("m7")
    assert js(qtbot, view, "document.querySelectorAll('article').length") == 0
    view.add_message("m8", "error")
    view.clear()
    assert js(qtbot, view, "document.querySelectorAll('article').length") == 0
    assert js(qtbot, view, "document.getElementById('empty').innerText") == "Welcome"


def test_throttle_coalesces_to_one_call_per_interval(qtbot) -> None:
    calls: list[float] = []
    throttle = Throttle(lambda: calls.append(time.monotonic()), interval_ms=50)
    for _ in range(100):
        throttle.trigger()
    assert calls == []  # prompt, but on the next turn of the event loop
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=1000)
    throttle.trigger()
    throttle.trigger()
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=1000)
    assert calls[1] - calls[0] >= 0.04
    throttle.trigger()
    throttle.flush()
    assert len(calls) == 3
    throttle.flush()  # nothing pending: no call
    assert len(calls) == 3


def _long_reply() -> str:
    parts = []
    for n in range(80):
        parts.append(
            f"## Section {n}\n\nSome *prose* with `code` and a [link](https://example.com/{n}). "
        )
        parts.append("More words to read here, " * 12 + "\n\n- one\n- two\n- three\n\n")
        parts.append(
            "```python\n"
            + "".join(f"value_{i} = compute({i}, 'text')\n" for i in range(20))
            + "```\n\n"
        )
    return "".join(parts)


def _feed(qtbot, chunks: list[str], sink: Any, seconds: float) -> tuple[float, float]:
    """Feed chunks from timer callbacks as a network would: spread over `seconds` (0: as fast as
    possible), yielding to the loop every ~8 ms. Returns the total time and the longest gap
    between two turns of the feeding loop (how long the GUI could not react)."""
    done: list[float] = []
    position = [0]
    gaps = [0.0]
    start = last = time.perf_counter()

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        gaps[0] = max(gaps[0], now - last)
        due = len(chunks) if seconds <= 0 else int((now - start) / seconds * len(chunks)) + 1
        deadline = now + 0.008
        while position[0] < min(due, len(chunks)) and time.perf_counter() < deadline:
            sink(chunks[position[0]])
            position[0] += 1
        last = time.perf_counter()
        if position[0] < len(chunks):
            QTimer.singleShot(0 if seconds <= 0 else 1, tick)
        else:
            done.append(last - start)

    QTimer.singleShot(0, tick)
    qtbot.waitUntil(lambda: bool(done), timeout=100_000)
    return done[0], gaps[0]


def test_measure_long_reply_through_the_view(qtbot, view: TranscriptView) -> None:
    """Print (not assert) the cost of an ~80 KB reply in 4-character chunks on a real loop."""
    text = _long_reply()
    chunks = [text[i : i + 4] for i in range(0, len(text), 4)]
    lines = [f"\n{len(text) / 1024:.0f} KB in {len(chunks)} chunks of 4 characters:"]
    for label, seconds in (("as fast as possible", 0.0), ("paced over 1.5 s", 1.5)):
        received: list[str] = []
        read, read_gap = _feed(qtbot, chunks, received.append, seconds)
        key = f"m{seconds}"
        view.add_message(key, "assistant")
        start = time.perf_counter()
        streamed, gap = _feed(
            qtbot, chunks, lambda chunk, k=key: view.append_text(k, chunk), seconds
        )
        view.finish_message(key)
        # The rest is rendered a step per frame (app/markdown_stream.py MAX_STEP_CHARS), then sent.
        qtbot.waitUntil(lambda: not view.rendering, timeout=60_000)
        view.flush()
        blocks = js(
            qtbot, view, f"document.querySelectorAll('[data-key=\"{key}\"] .code-block').length"
        )
        shown = time.perf_counter() - start
        assert blocks == 80
        lines.append(
            f"  {label}: reading alone {read:.2f} s (longest stall {read_gap * 1000:.0f} ms); "
            f"through the transcript {streamed:.2f} s (longest stall {gap * 1000:.0f} ms), "
            f"shown after {shown:.2f} s"
        )
    print("\n".join(lines))


def test_a_long_user_message_folds_and_unfolds(qtbot, view: TranscriptView) -> None:
    view.add_message("u1", "user")
    view.append_text("u1", "\n".join(f"line {n} of a pasted document" for n in range(60)))
    view.add_message("u2", "user")
    view.append_text("u2", "short")
    # Measured once near the screen (not as it arrives: a layout per message), so a moment later.
    classes = "document.querySelector('[data-key=u1] .user-text').className"
    qtbot.waitUntil(lambda: js(qtbot, view, classes) == "user-text long", timeout=10_000)
    assert js(qtbot, view, "document.querySelector('[data-key=u2] .fold-toggle')") is None
    height = "document.querySelector('[data-key=u1] .user-text').getBoundingClientRect().height"
    folded = js(qtbot, view, height)
    click(qtbot, view, "[data-key=u1] .fold-toggle")
    assert js(qtbot, view, height) > 3 * folded
    assert js(qtbot, view, "document.querySelector('[data-key=u1] .fold-toggle').innerText") == (
        "Show less"
    )
