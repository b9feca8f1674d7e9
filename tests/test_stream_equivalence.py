"""A reply streamed into the transcript in random-size chunks ends exactly as a one-shot render.

Whatever the chunking, the frame rate or the step size, the page must end up with the HTML that
render_markdown gives for the whole text, and show the same text. Replies come from the shared
corpus (../shared/corpus, skipped where absent), our own reply fixtures and the stream
benchmark's reply. Chunk sizes are random but seeded, so a failure repeats.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from app.markdown import render_markdown
from bench.stream import reply_text
from tests.conftest import corpus_path
from tests.test_transcript import js, view  # noqa: F401 - the loaded transcript fixture
from widgets.transcript import TranscriptView, js_call

FIXTURES = Path(__file__).parent / "fixtures" / "replies"


def _corpus_texts() -> list[tuple[str, str]]:
    texts = [
        (name, corpus_path("markdown", name).read_text(encoding="utf-8"))
        for name in (
            "streamdown-benchmarks-streaming.md",
            "streamdown-benchmarks-code-heavy.md",
        )
    ]
    # A big HTML page inside one fence: the open tail is a long code block for most of it.
    page = corpus_path("markdown", "streamdown-fixture-code-block-big-html.html")
    texts.append(("big html fence", "Here it is:\n\n```html\n" + page.read_text("utf-8") + "```\n"))
    # A real model's reply, as its deltas arrived.
    chunks = corpus_path("sse", "openai-chat-gpt-4.1-nano-text.chunks.jsonl")
    deltas = []
    for line in chunks.read_text(encoding="utf-8").splitlines():
        for choice in json.loads(line).get("choices") or []:
            deltas.append((choice.get("delta") or {}).get("content") or "")
    texts.append(("gpt-4.1-nano reply", "".join(deltas)))
    return texts


def _fixture_texts() -> list[tuple[str, str]]:
    texts = [(path.name, path.read_text(encoding="utf-8")) for path in sorted(FIXTURES.glob("*"))]
    texts.append(("bench reply", reply_text(6_000)))
    return texts


def _chunks(text: str, rng: random.Random) -> list[str]:
    """text cut at random points: mostly token-sized pieces, now and then a big burst."""
    pieces = []
    start = 0
    while start < len(text):
        size = (
            rng.choice((1, 2, 4, 7, 16, 60, 300)) if rng.random() < 0.9 else rng.randint(1, 40_000)
        )
        pieces.append(text[start : start + size])
        start += size
    return pieces


def _stream(qtbot, view: TranscriptView, key: str, text: str, seed: int) -> None:  # noqa: F811
    rng = random.Random(seed)
    view.add_message(key, "assistant")
    for chunk in _chunks(text, rng):
        view.append_text(key, chunk)
        if rng.random() < 0.05:
            view.flush()  # a frame goes out in the middle of the stream
        if rng.random() < 0.01:
            qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)  # the page catches up
    view.finish_message(key)
    qtbot.waitUntil(lambda: not view.rendering, timeout=60_000)


def _page_prose(qtbot, view: TranscriptView, key: str) -> dict[str, str]:  # noqa: F811
    selector = json.dumps(f'article[data-key="{key}"] .msg-body')
    return js(
        qtbot,
        view,
        f"(() => {{ const b = document.querySelector({selector});"
        # Every block laid out, wherever it is: innerText reads layout, and blocks far from
        # the screen are skipped (content-visibility, see test_transcript_offscreen_blocks.py).
        " if (!document.getElementById('all-laid-out')) { const s = document.createElement("
        "'style'); s.id = 'all-laid-out'; s.textContent = '.prose > .stable > * "
        "{ content-visibility: visible !important; }'; document.head.append(s); }"
        " return {html: b.innerHTML, text: b.innerText,"
        " tails: [...b.querySelectorAll('.tail')].map(t => t.innerHTML).join('')}; })()",
    )


def _check(qtbot, view: TranscriptView, name: str, text: str, seed: int) -> None:  # noqa: F811
    streamed = f"streamed-{seed}"
    _stream(qtbot, view, streamed, text, seed)
    expected = render_markdown(text)
    # What Python kept of the message is the text as written.
    assert view.message_text(streamed) == text, name
    # The same HTML, put in the page at once, is what the streamed message must look like.
    whole = f"whole-{seed}"
    view.add_message(whole, "assistant")
    view.flush()
    done: list[object] = []
    view.run_js_for_test(js_call("easel.apply", [["prose", whole, 0, expected, ""]]), done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=30_000)
    got = _page_prose(qtbot, view, streamed)
    want = _page_prose(qtbot, view, whole)
    assert got["tails"] == "", f"{name}: text left in the open tail"
    assert got["text"] == want["text"], f"{name}: the page shows other text (seed {seed})"
    assert got["html"] == want["html"], f"{name}: the page holds other HTML (seed {seed})"


@pytest.mark.parametrize("seed", [1, 2])
def test_corpus_replies_streamed_in_random_chunks_equal_one_shot(qtbot, view, seed):  # noqa: F811
    for number, (name, text) in enumerate(_corpus_texts()):
        _check(qtbot, view, name, text, seed * 100 + number)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fixture_replies_streamed_in_random_chunks_equal_one_shot(qtbot, view, seed):  # noqa: F811
    for number, (name, text) in enumerate(_fixture_texts()):
        _check(qtbot, view, name, text, seed * 100 + number)
