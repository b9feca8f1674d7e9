"""A very large reply in the transcript is rendered a bounded step per frame, all of it.

A 50 MB reply used to reach the Markdown renderer in one piece per frame (and at its end), a
parse of several MB that held the event loop for seconds; now each frame takes a slice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from app.markdown import MarkdownRenderer
from app.markdown_stream import MAX_STEP_CHARS
from widgets.transcript import TranscriptView


class _ParseRecorder(MarkdownRenderer):
    """A renderer that notes how many characters each parse was given."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def parse(self, text: str, env: dict, first_code_index: int) -> list:
        self.sizes.append(len(text))
        return super().parse(text, env, first_code_index)


@pytest.fixture
def recorder() -> _ParseRecorder:
    return _ParseRecorder()


@pytest.fixture
def view(qtbot, recorder: _ParseRecorder) -> Iterator[TranscriptView]:
    view = TranscriptView(renderer=recorder)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.ready, timeout=30_000):
        pass
    yield view
    gone: list[bool] = []
    view.destroyed.connect(lambda: gone.append(True))
    view.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=10_000)


def _js(qtbot, view: TranscriptView, expression: str) -> Any:  # noqa: ANN401 - any JSON
    results: list[Any] = []
    view.run_js_for_test(f"JSON.stringify({expression})", results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return json.loads(results[0])


SECTION = (
    "## Section {n}\n\nThis paragraph explains the *design* of the game loop, with `code` "
    "and a [link](https://example.com).\n\n- first point\n- second point\n\n"
)


def test_a_big_reply_renders_over_frames_in_bounded_steps(qtbot, view, recorder) -> None:
    text = "".join(SECTION.format(n=n) for n in range(4_000))  # ~0.6 MB
    view.add_message("m", "assistant")
    view.append_text("m", text[:300_000])  # two big pieces, as a fast stream between frames
    view.flush()
    view.append_text("m", text[300_000:])
    view.finish_message("m")
    assert view.rendering  # the message ended, but its text is still being rendered
    qtbot.waitUntil(lambda: not view.rendering, timeout=60_000)
    view.flush()
    assert max(recorder.sizes) <= MAX_STEP_CHARS + 1_000  # never one multi-MB parse
    count = "document.querySelectorAll('article.msg .prose h2').length"
    qtbot.waitUntil(lambda: _js(qtbot, view, count) == 4_000, timeout=30_000)
    last = "[...document.querySelectorAll('article.msg .prose h2')].pop().textContent"
    assert _js(qtbot, view, last) == "Section 3999"


def test_text_after_a_big_segment_stays_in_order(qtbot, view) -> None:
    """A card or notice after a segment still rendering goes after all of that segment."""
    text = "".join(SECTION.format(n=n) for n in range(1_000))
    view.add_message("m", "assistant")
    view.append_text("m", text)
    view.add_notice("m", "a notice after the text")
    view.append_text("m", "The end.")
    view.finish_message("m")
    qtbot.waitUntil(lambda: not view.rendering, timeout=60_000)
    view.flush()
    order = (
        "[...document.querySelector('article.msg .msg-body').children]"
        ".map(n => n.className + ':' + n.textContent.trim().slice(-12))"
    )
    qtbot.waitUntil(lambda: len(_js(qtbot, view, order)) == 3, timeout=30_000)
    first, notice, end = _js(qtbot, view, order)
    assert first.startswith("prose") and first.endswith("cond point")
    assert notice.startswith("notice") and end == "prose:The end."
    h2 = "document.querySelectorAll('article.msg .prose h2').length"
    assert _js(qtbot, view, h2) == 1_000
