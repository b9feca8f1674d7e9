"""Markdown rendering: escaping, highlighting, and the incremental renderer's contract.

The contract: for any chunking, every ``stable_html`` plus the last ``tail_html`` equals the
one-shot render of the whole text. Hypothesis checks it on our own Markdown-like texts and on
the shared corpus (skipped when absent).
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.markdown import MarkdownRenderer, render_markdown
from app.markdown_stream import MAX_STEP_CHARS, IncrementalMarkdown
from tests.conftest import corpus_path

PIECES = [
    "Plain paragraph with *emphasis* and **bold** and `code`.",
    "A second line\ncontinues the paragraph.",
    "# Heading",
    "Setext heading\n===",
    "Title\n---",
    "- item one\n- item two",
    "- item\n\n- loose item",
    "1. first\n2. second",
    "1. only",
    "1",
    "- a\n  - nested\n    continued",
    "* other marker",
    "> quote\nlazy line",
    "> quote\n>\n> more",
    "```python\ndef f(x):\n    return x\n```",
    "```\nunclosed fence",
    "~~~js\nconst a = 1;\n~~~",
    "    indented code\n    more",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "| a | b |",
    "|---|---|",
    "see [the docs][ref] and [ref]",
    "[ref]: https://example.com/docs",
    '[ref]: https://example.com/t\n"a title"',
    '"a title"',
    "[other]: /url 'multi\nline'",
    "![image](https://example.com/x.png)",
    "Link [here](https://example.com) and <https://auto.example>",
    "- [ ] task\n- [x] done",
    "~~struck~~ text",
    "***",
    "<div>raw html</div>",
    "<script>alert(1)</script>",
    "text\twith\ttabs",
    "\tindented with tab",
    "line\r\nwith crlf\r\n",
    "",
]

md_texts = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from(["\n", "\n\n", "", "\n\n\n", " \n"])),
    max_size=12,
).map(lambda items: "".join(piece + sep for piece, sep in items))

raw_texts = st.text(alphabet="ab -*#>`[]():|!\n\r\t1.~_=\"'", max_size=120)


def _chunked(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    edges = [0, *points, len(text)]
    return [text[a:b] for a, b in zip(edges, edges[1:], strict=False)]


def _incremental(text: str, cuts: list[int], renderer: MarkdownRenderer | None = None) -> str:
    inc = IncrementalMarkdown(renderer)
    out = []
    *chunks, last = _chunked(text, cuts)
    for chunk in chunks:
        out.append(inc.append(chunk).stable_html)
    final = inc.finish(last)  # the last chunk goes in with finish(), as the view does
    while not inc.done:  # a big chunk is rendered a step at a time, as the view's frames do
        out.append(final.stable_html)
        final = inc.step()
    return "".join(out) + final.stable_html + final.tail_html


cuts = st.lists(st.integers(min_value=0, max_value=10_000), max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=md_texts, cuts=cuts)
def test_incremental_equals_one_shot_markdown_like(text: str, cuts: list[int]) -> None:
    assert _incremental(text, cuts) == render_markdown(text)


@settings(max_examples=300, deadline=None)
@given(text=raw_texts, cuts=cuts)
def test_incremental_equals_one_shot_raw_characters(text: str, cuts: list[int]) -> None:
    assert _incremental(text, cuts) == render_markdown(text)


@settings(max_examples=20, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=40_000), max_size=200))
def test_incremental_on_corpus(cuts: list[int]) -> None:
    renderer = MarkdownRenderer()
    for name in ("streamdown-benchmarks-streaming.md", "streamdown-benchmarks-code-heavy.md"):
        text = corpus_path("markdown", name).read_text(encoding="utf-8")
        assert _incremental(text, cuts, renderer) == renderer.render(text)


def test_every_character_chunking_and_blocks_commit() -> None:
    text = "".join(p + "\n\n" for p in PIECES)
    inc = IncrementalMarkdown()
    stable = []
    committed_during_stream = 0
    for ch in text:
        update = inc.append(ch)
        stable.append(update.stable_html)
        committed_during_stream += bool(update.stable_html)
    final = inc.finish()
    assert "".join(stable) + final.stable_html + final.tail_html == render_markdown(text)
    assert committed_during_stream > 10  # finished blocks really leave the tail


def test_reference_defined_after_use_is_resolved() -> None:
    text = "Use [the site][s] here.\n\nMore text.\n\nAnd more.\n\n[s]: https://example.com\n"
    assert 'href="https://example.com"' in _incremental(text, list(range(0, 200, 3)))


def test_raw_html_is_escaped() -> None:
    out = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n')
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in out


def test_javascript_links_are_not_links() -> None:
    out = render_markdown("[x](javascript:alert(1))")
    assert "href" not in out


def test_links_get_rel_noopener() -> None:
    out = render_markdown("[x](https://example.com)")
    assert '<a href="https://example.com" rel="noopener noreferrer">x</a>' in out


def test_code_is_highlighted_with_header_and_index() -> None:
    out = render_markdown("```python\ndef f():\n    pass\n```\n\n```html\n<p>x</p>\n```\n")
    assert '<span class="hl-k">def</span>' in out
    assert '<span class="code-lang">python</span>' in out
    assert 'class="code-copy" data-code-index="0"' in out
    assert 'class="code-copy" data-code-index="1"' in out
    assert 'class="code-open" data-code-index="1"' in out  # html can open as an artifact
    assert 'class="code-open" data-code-index="0"' not in out


def test_unknown_language_is_escaped_plain_text() -> None:
    out = render_markdown("```nosuchlang\n<b>&\n```")
    assert "&lt;b&gt;&amp;" in out and "hl-" not in out


def test_unclosed_fence_at_end_is_a_code_block() -> None:
    inc = IncrementalMarkdown()
    update = inc.append("Here:\n\n```js\nconst a = 1;\nconst b")
    assert '<pre><code class="language-js">' in update.tail_html
    final = inc.finish()
    assert '<pre><code class="language-js">' in final.stable_html
    assert inc.code_block(0) == "const a = 1;\nconst b"


def test_code_block_sources_and_first_index() -> None:
    inc = IncrementalMarkdown(first_code_index=5)
    inc.append("```py\nx = 1\n```\n\ntext\n\n```\nraw\n```\n\nend\n")
    inc.finish()
    assert inc.code_block(5) == "x = 1\n"
    assert inc.code_block(6) == "raw\n"
    assert inc.next_code_index == 7


def test_append_after_finish_is_an_error() -> None:
    inc = IncrementalMarkdown()
    inc.finish()
    try:
        inc.append("x")
    except RuntimeError:
        return
    raise AssertionError("append after finish must raise")


def test_streaming_highlight_is_exact_after_finish() -> None:
    code = "".join(f'<div class="row-{i}">"value {i}"</div>\n' for i in range(600))
    text = "```html\n" + code + "```\n"
    inc = IncrementalMarkdown()
    for i in range(0, len(text), 500):
        inc.append(text[i : i + 500])
    final = inc.finish()
    assert final.stable_html == render_markdown(text)


def test_large_open_code_block_cost_per_step() -> None:
    """Report (not assert) the cost of a step with a 40 KB open code block."""
    code = "".join(
        f'  <p class="line">Line {i} of the page &amp; more text</p>\n' for i in range(800)
    )
    inc = IncrementalMarkdown()
    inc.append("Here is the page:\n\n```html\n" + code[:40_000])
    while inc.waiting:
        inc.step()
    steps = []
    for i in range(50):
        start = time.perf_counter()
        inc.append(f"<b>{i}</b>\n")
        steps.append(time.perf_counter() - start)
    steps.sort()
    print(
        f"\n40 KB open code block: median {steps[len(steps) // 2] * 1000:.1f} ms, "
        f"max {steps[-1] * 1000:.1f} ms per step"
    )


class _ParseRecorder(MarkdownRenderer):
    """A renderer that notes how many characters each parse was given."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def parse(self, text: str, env: dict, first_code_index: int) -> list:
        self.sizes.append(len(text))
        return super().parse(text, env, first_code_index)


def _multi_mb_reply(size: int) -> str:
    block = (
        "## Section\n\nThis paragraph explains the *design* of the loop, with `code` and a "
        "[link](https://example.com).\r\n\n"
        "- first point about **speed**\n- second point\n\n"
        "```javascript\nfunction step(dt) {\n  ball.x += ball.vx * dt;\n}\n```\n\n"
    )
    return (block * (size // len(block) + 1))[:size]


def test_multi_mb_reply_in_big_chunks_is_rendered_in_bounded_steps() -> None:
    """A 2 MB reply given in 1 MB chunks (as a fast stream or a stored reply shown at once
    arrives between two frames) never becomes one big parse, and still equals the full render."""
    text = _multi_mb_reply(2_000_000)
    recorder = _ParseRecorder()
    inc = IncrementalMarkdown(recorder)
    out: list[str] = []
    half = len(text) // 2
    update = inc.append(text[:half])
    assert inc.waiting > 900_000  # the rest of the chunk waits for later steps
    out.append(update.stable_html)
    update = inc.finish(text[half:])
    assert not inc.done
    steps = 2
    while not inc.done:
        out.append(update.stable_html)
        update = inc.step()
        steps += 1
    assert inc.waiting == 0
    assert steps >= len(text) // MAX_STEP_CHARS
    # A step parses its slice plus the open tail (a section here), never the backlog.
    assert max(recorder.sizes) <= MAX_STEP_CHARS + 1_000
    assert "".join(out) + update.stable_html + update.tail_html == render_markdown(text)
