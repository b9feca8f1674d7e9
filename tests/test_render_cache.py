"""Stored replies' Markdown kept between starts (app/render_cache.py): a kept render is exactly
what rendering the text gives, in the app and from the Markdown worker's finished segments; a
deferred (plain) render is coloured later as before; a different renderer, a damaged file or a
full cache only means rendering as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.markdown import MarkdownRenderer, render_fingerprint
from app.markdown_remote import MarkdownWorker
from app.markdown_stream import IncrementalMarkdown
from app.render_cache import (
    ANY_FIRST,
    CACHE_NAME,
    MAX_ENTRIES,
    MAX_HTML_CHARS,
    MAX_TEXT_CHARS,
    RenderCache,
    read_rendered,
)
from tests.test_markdown_worker import REPLY, chunks, delete_view, page_prose, stream
from widgets.transcript import TranscriptView

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "replies"
CODE = "Before.\n\n```python\nprint('hi')\n```\n\nAfter, and `inline`.\n"
TEXTS = [REPLY, CODE, "Only prose, *emphasis* and a [link](https://example.com).\n", "\n"]


def _final(renderer: MarkdownRenderer, text: str, first: int) -> tuple[str, dict[int, str]]:
    segment = IncrementalMarkdown(renderer, first_code_index=first)
    update = segment.finish(text)
    assert segment.done and update.tail_html == ""
    stable, _ = segment.code_blocks()
    return update.stable_html, stable


def _texts() -> list[str]:
    return TEXTS + [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.md"))]


@pytest.mark.parametrize("first", [0, 3])
def test_a_kept_render_is_the_render(tmp_path, first):
    path = tmp_path / CACHE_NAME
    fingerprint = render_fingerprint()
    writer = MarkdownRenderer(RenderCache(path, fingerprint))
    fresh = MarkdownRenderer()
    texts = [text for text in _texts() if len(text) < 8_000]  # rendered in one pass
    made = [_final(writer, text, first) for text in texts]
    writer.cache.save()
    reader = MarkdownRenderer(RenderCache(path, fingerprint))
    reader.md  # noqa: B018 - made, so a render here would be possible; none happens:
    reader.parse = None  # type: ignore[method-assign]  # every text must come from the file
    for text, (html, codes) in zip(texts, made, strict=True):
        assert _final(reader, text, first) == (html, codes) == _final(fresh, text, first)


def test_a_deferred_render_is_coloured_later_as_before(tmp_path, monkeypatch):
    import app.markdown

    monkeypatch.setattr(app.markdown, "_compiled", lambda _lang: False)  # as at start-up
    path = tmp_path / CACHE_NAME
    fingerprint = render_fingerprint()
    first = MarkdownRenderer(RenderCache(path, fingerprint))
    first.defer_uncompiled = True
    html, _ = _final(first, CODE, 0)
    plain = list(first.plain_code)
    assert plain and "print" in html  # shown plain, to be coloured once the lexer is compiled
    first.cache.save()
    again = MarkdownRenderer(RenderCache(path, fingerprint))
    again.defer_uncompiled = True
    assert _final(again, CODE, 0)[0] == html and again.plain_code == plain  # coloured later
    coloured = MarkdownRenderer(RenderCache(path, fingerprint))  # not deferring: no plain entry
    assert coloured.cache.get(CODE, 0, plain=False) is None
    assert _final(coloured, CODE, 0) == _final(MarkdownRenderer(), CODE, 0)
    assert coloured.plain_code == []
    coloured.cache.put(CODE, 0, ("<deferred>", {0: "x"}, [(0, "python", "x")]))
    assert coloured.cache.get(CODE, 0, plain=True)[0] != "<deferred>"  # coloured stays


def test_an_entry_answers_only_its_text_numbering_and_renderer(tmp_path):
    cache = RenderCache(tmp_path / CACHE_NAME, "fingerprint one")
    cache.put(CODE, 2, ("<html>", {2: "print('hi')\n"}, []))
    cache.put("prose", 5, ("<p>prose</p>", {}, []))
    assert cache.get(CODE, 2, plain=False) == ("<html>", {2: "print('hi')\n"}, [])
    assert cache.get(CODE, 0, plain=False) is None  # its code block would be numbered 0
    assert cache.get(CODE + " ", 2, plain=False) is None
    assert cache.get("prose", 9, plain=False) == ("<p>prose</p>", {}, [])  # no code: any number
    cache.save()
    assert RenderCache(tmp_path / CACHE_NAME, "fingerprint two").get(CODE, 2, plain=True) is None
    assert read_rendered(tmp_path / CACHE_NAME)  # the file holds them


def test_a_damaged_foreign_or_unwritable_file_renders_as_before(tmp_path):
    path = tmp_path / CACHE_NAME
    cache = RenderCache(path, "f")
    cache.put("text", 0, ("<p>text</p>", {}, []))
    cache.save()
    kept = path.read_bytes()
    for broken in (kept[:-3], kept[:10], b"", b"x" * len(kept), kept[:-1] + bytes([kept[-1] ^ 1])):
        path.write_bytes(broken)
        assert RenderCache(path, "f").get("text", 0, plain=False) is None
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    cache = RenderCache(blocked / CACHE_NAME, "f")
    cache.put("text", 0, ("<p>text</p>", {}, []))
    cache.save()  # nothing written, nothing raised
    assert blocked.read_text(encoding="utf-8") == "a file where the folder would be"


def test_an_entry_of_the_wrong_shape_is_not_answered(tmp_path):
    cache = RenderCache(tmp_path / CACHE_NAME, "f")
    key = cache._key("text")
    for entry in ((0, "<p>", {"0": "x"}, []), (0, b"<p>", {}, []), (0, "<p>", {}, [(0, "x")]), 5):
        cache._entries[key] = entry
        assert cache.get("text", 0, plain=True) is None


def test_the_most_recently_used_are_kept(tmp_path):
    path = tmp_path / CACHE_NAME
    cache = RenderCache(path, "f")
    for number in range(MAX_ENTRIES):
        cache.put(f"text {number}", ANY_FIRST, (f"<p>{number}</p>", {}, []))
    assert cache.get("text 0", 0, plain=False) is not None  # used again: the newest now
    for number in range(MAX_ENTRIES, MAX_ENTRIES + 20):
        cache.put(f"text {number}", ANY_FIRST, (f"<p>{number}</p>", {}, []))
    cache.save()
    again = RenderCache(path, "f")
    assert len(read_rendered(path)) == MAX_ENTRIES
    assert again.get("text 0", 0, plain=False) is not None
    assert again.get("text 1", 0, plain=False) is None  # the oldest use went
    assert again.get(f"text {MAX_ENTRIES + 19}", 0, plain=False) is not None


def test_the_workers_finished_segments_are_kept_as_rendered_here(qtbot, tmp_path):
    """A streamed reply's segments, rendered by the Markdown worker, are kept as the one-pass
    render of their text with their code-block numbers: what showing it stored would render."""
    cache = RenderCache(tmp_path / CACHE_NAME, render_fingerprint())
    view = TranscriptView(renderer=MarkdownRenderer(cache))
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.ready, timeout=30_000):
        pass
    try:
        worker = MarkdownWorker.start()
        link = view.use_markdown_worker(worker)
        with qtbot.waitSignal(link.settled, timeout=30_000):
            pass
        sent: list[str] = []
        original = worker.send
        worker.send = lambda message, **kw: sent.append(message[0]) or original(message, **kw)
        rendered_here = []
        original_parse = view._prose._renderer.parse
        view._prose._renderer.parse = lambda *a: rendered_here.append(1) or original_parse(*a)
        parts = chunks(REPLY * 2 + "\r\nA line ended the Windows way.\r\n", 5)
        card = len(parts) // 2
        stream(qtbot, view, "r1", parts, card_after=card)
        qtbot.waitUntil(lambda: not view.rendering, timeout=30_000)
        assert "finish" in sent and not rendered_here  # the worker rendered it, not the app
        here = MarkdownRenderer()
        first_text = "".join(parts[: card + 1])
        second_text = "".join(parts[card + 1 :]).replace("\r\n", "\n")
        first_html, first_codes = _final(here, first_text, 0)
        second_html, second_codes = _final(here, second_text, len(first_codes))
        assert cache.get(first_text, 0, plain=False) == (first_html, first_codes, [])
        assert cache.get(second_text, len(first_codes), plain=False) == (
            second_html,
            second_codes,
            [],
        )
    finally:
        view.stop_markdown_worker()
        delete_view(qtbot, view)


# A start whose stored replies were all rendered before imports no Markdown parser.
FIRST_FRAME = """
import sys
sys.path.insert(0, sys.argv[1])
from app.markdown import MarkdownRenderer, render_fingerprint
from app.markdown_stream import IncrementalMarkdown
from app.render_cache import RenderCache
from pathlib import Path
renderer = MarkdownRenderer(RenderCache(Path(sys.argv[2]), render_fingerprint()))
segment = IncrementalMarkdown(renderer)
html = segment.finish(sys.argv[3]).stable_html
renderer.cache.save()
print("markdown_it" in sys.modules, html)
"""


def test_a_kept_render_needs_no_markdown_parser(tmp_path):
    def run() -> tuple[bool, str]:
        result = subprocess.run(
            [sys.executable, "-c", FIRST_FRAME, str(ROOT), str(tmp_path / CACHE_NAME), CODE],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        loaded, html = result.stdout.split(" ", 1)
        return loaded == "True", html

    first = run()
    second = run()
    assert first[0] is True and second[0] is False  # parsed once, then taken from the file
    assert first[1] == second[1]


def test_whatever_is_deleted_from_the_history_leaves_the_cache(tmp_path):
    """A deleted conversation's, message's or branch's text must not stay in the cache: the
    store says when it deleted anything, and the cache empties, its file too."""
    from app import store_tree
    from app.store import Store

    store = Store(tmp_path / "history.sqlite3")
    try:
        path = tmp_path / CACHE_NAME
        cache = RenderCache(path, "f")
        store.on_delete = cache.clear
        conversation = store.create_conversation("Secret")
        first = store.add_message(conversation.id, "user", "a secret")
        reply = store.add_message(conversation.id, "assistant", "the secret answer")
        deletions = [
            lambda: store.delete_message(reply.id),
            lambda: store_tree.delete_branch(store, first.id),
            lambda: store.delete_conversation(conversation.id),
        ]
        for delete in deletions:
            cache.put("the secret answer", 0, ("<p>the secret answer</p>", {}, []))
            cache.save()
            assert path.exists()
            delete()
            assert not path.exists()
            assert cache.get("the secret answer", 0, plain=False) is None
    finally:
        store.close()


def test_long_texts_are_not_kept_and_the_file_stays_small(tmp_path):
    """A text longer than a one-pass render is never looked up: it is not kept (a 10 MB reply
    would have filled the file); and the file holds at most MAX_HTML_CHARS of HTML."""
    path = tmp_path / CACHE_NAME
    cache = RenderCache(path, "f")
    long_text = "x" * (MAX_TEXT_CHARS + 1)
    cache.put(long_text, 0, ("<p>long</p>", {}, []))
    assert cache.get(long_text, 0, plain=False) is None
    html = "y" * (MAX_HTML_CHARS // 3)
    for number in range(5):
        cache.put(f"text {number}", 0, (html, {}, []))
    cache.save()
    kept = read_rendered(path)
    assert sum(len(entry[1]) for entry in kept.values()) <= MAX_HTML_CHARS
    again = RenderCache(path, "f")
    assert again.get("text 4", 0, plain=False) is not None  # the newest stay
    assert again.get("text 0", 0, plain=False) is None


def test_a_long_streamed_segment_gathers_no_html():
    """The worker's answers for a segment too long to keep are not gathered in memory."""
    from app.markdown_remote import RemoteSegment

    worker = MarkdownWorker.start()
    try:
        segment = RemoteSegment(worker, None)
        segment.append("a" * (MAX_TEXT_CHARS + 1))
        segment.finish("")
        assert segment._stable is None
        segment.take(["update", segment.sid, 0, "<p>a</p>", "", {}, {}, 0, True])
        assert segment.done and segment.rendered is None
    finally:
        worker.stop()


def _shown(qtbot, cache: RenderCache) -> TranscriptView:
    view = TranscriptView(renderer=MarkdownRenderer(cache))
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.ready, timeout=30_000):
        pass
    return view


def test_a_hostile_reply_shown_again_from_the_cache_reaches_nothing(qtbot, tmp_path, caplog):
    """A reply that tries every way out of the transcript, streamed (kept from the worker's
    answers), then shown again from the cache as a stored reply at the next start: the canary
    (TCP and UDP) hears nothing, the page refuses the remote image and says so in the log, and
    the model's tags stay text, as a fresh render has them."""
    from tests.canary import Canary

    canary = Canary()
    hostile = (
        f"Look: ![pixel]({canary.url}/image.png) and <img src={canary.url}/raw>\n\n"
        f"<script>fetch('{canary.url}/script')</script>\n\n"
        f'<iframe src="{canary.url}/frame"></iframe><link rel=prefetch href="{canary.url}/p">\n\n'
        f"<style>@import url({canary.url}/css);</style> [a link]({canary.url}/link) "
        f"<{canary.url}/auto>\n\n```html\n<img src={canary.url}/in-code>\n```\n"
    )
    path = tmp_path / CACHE_NAME
    fingerprint = render_fingerprint()
    first = _shown(qtbot, RenderCache(path, fingerprint))
    try:
        worker = MarkdownWorker.start()
        link = first.use_markdown_worker(worker)
        with qtbot.waitSignal(link.settled, timeout=30_000):
            pass
        stream(qtbot, first, "r1", chunks(hostile, 3))
        qtbot.waitUntil(lambda: not first.rendering, timeout=30_000)
        first._prose._renderer.cache.save()
    finally:
        first.stop_markdown_worker()
        delete_view(qtbot, first)
    cache = RenderCache(path, fingerprint)
    kept = cache.get(hostile, 0, plain=False)  # kept from the worker's answers: as rendered here
    assert kept is not None and kept[0] == MarkdownRenderer().render(hostile)
    again = _shown(qtbot, cache)
    try:
        parsed: list[int] = []
        original = again._prose._renderer.parse
        again._prose._renderer.parse = lambda *a: parsed.append(1) or original(*a)
        caplog.clear()
        again.add_message("s1", "assistant")  # as a stored reply is shown at start
        again.append_text("s1", hostile)
        again.finish_message("s1")
        shown = page_prose(qtbot, again, "s1")
        assert not parsed  # from the cache, not rendered
        assert len(shown) == 1 and "image.png" in shown[0]  # the reply is there, as kept
        assert "&lt;script&gt;" in shown[0] and "<script" not in shown[0]
        assert "<iframe" not in shown[0] and "<link" not in shown[0] and "<style" not in shown[0]
        qtbot.wait(1_500)  # time for any request to be tried
        assert canary.contacts == 0 and canary.hits == []
        refused = [r.getMessage() for r in caplog.records if "image.png" in r.getMessage()]
        assert refused and "Content Security Policy" in refused[0]
    finally:
        delete_view(qtbot, again)
        canary.close()
