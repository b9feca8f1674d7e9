"""Very large artifacts and replies: what the window does with them, checked without timing.

A 5 MB artifact froze the window for seconds (the code view lexed every line on the GUI
thread, and copied the whole text for every streamed chunk; the preview rebuilt the whole
growing page four times a second). Now: the code view highlights the first screen at once and
the rest in slices, nothing at all past a cap; a streaming page stops growing in the preview
past a cap; and a huge reply is still stored byte for byte. bench/large_payloads.py measures
the stalls.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from app.providers import make_provider
from app.publish import Publisher
from app.session import ChatSession
from app.store import ArtifactVersion, Store
from sandbox.profile import make_artifact_profile
from tests.model_server import openai_text_reply
from widgets.artifact_tab import DIFF_AT_ONCE_CHARS, PARTIAL_PREVIEW_MAX_CHARS, ArtifactTab
from widgets.code_editor import MAX_HIGHLIGHTED_CHARS, CodeEditor
from widgets.code_highlighter import EAGER_LINES, PENDING, PygmentsHighlighter


def _page(lines: int) -> str:
    rows = "\n".join(f"<tr><td>{n}</td><td class='x'>item {n}</td></tr>" for n in range(lines))
    return f"<!DOCTYPE html>\n<html><body><table>\n{rows}\n</table></body></html>\n"


def _formats(editor: CodeEditor, line: int) -> int:
    return len(editor.document().findBlockByNumber(line).layout().formats())


@pytest.fixture
def editor(qtbot):
    widget = CodeEditor()
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    widget.set_language("text/html")
    return widget


def test_a_long_text_is_highlighted_first_screen_first_then_in_slices(editor, qtbot):
    page = _page(3000)
    assert len(page) < MAX_HIGHLIGHTED_CHARS
    editor.set_text(page)
    last = editor.document().blockCount() - 1
    # At once: the first lines only; the last waits for a slice, plain.
    assert _formats(editor, 1) > 0 and _formats(editor, EAGER_LINES - 1) > 0
    assert editor.document().findBlockByNumber(last - 1).userState() == PENDING
    assert _formats(editor, last - 1) == 0 and not editor.highlighter.is_complete()
    qtbot.waitUntil(editor.highlighter.is_complete, timeout=60_000)
    assert _formats(editor, last - 1) > 0
    states = {editor.document().findBlockByNumber(n).userState() for n in range(last + 1)}
    assert PENDING not in states
    assert editor.text() == page and not editor.is_modified()


def test_past_the_cap_not_one_line_is_highlighted(editor, qtbot, monkeypatch):
    page = _page(40_000)
    assert len(page) > MAX_HIGHLIGHTED_CHARS
    calls: list[str] = []
    original = PygmentsHighlighter.highlightBlock

    def counting(self: PygmentsHighlighter, text: str) -> None:
        calls.append(text)  # any line handed to the highlighter at all would be seen
        original(self, text)

    monkeypatch.setattr(PygmentsHighlighter, "highlightBlock", counting)
    editor.set_text(page)
    qtbot.wait(50)  # a slice timer, if one had been started, has had its turn
    assert calls == [] and not editor.is_highlighted()
    assert _formats(editor, 0) == 0 and _formats(editor, 20_000) == 0
    assert editor.text() == page
    editor.set_text("<p>small</p>")
    assert editor.is_highlighted()
    qtbot.waitUntil(lambda: _formats(editor, 0) > 0)  # re-attached: coloured on the next turn


def test_a_stream_stops_highlighting_when_it_grows_past_the_cap(editor):
    editor.set_text("")
    editor.set_read_only(True)
    page = _page(40_000)
    chunks = [page[i : i + 8192] for i in range(0, len(page), 8192)]
    seen_highlighted = []
    for chunk in chunks:
        editor.append_text(chunk)
        seen_highlighted.append(editor.is_highlighted())
    assert seen_highlighted[0] and not seen_highlighted[-1]
    assert editor.text() == page and not editor.is_modified()
    assert _formats(editor, 0) == 0  # the colours of the first lines went with the highlighter


def test_an_edit_after_a_stream_is_compared_with_the_whole_streamed_text(editor, qtbot):
    editor.set_text("")
    for piece in ("<p>", "one", "</p>\n", "<p>two</p>"):
        editor.append_text(piece)
    assert editor.text() == "<p>one</p>\n<p>two</p>" and not editor.is_modified()
    with qtbot.waitSignal(editor.modifiedChanged):
        qtbot.keyClicks(editor, "x")
    assert editor.is_modified()


@pytest.fixture
def tab(qtbot):
    profile = make_artifact_profile()
    made = ArtifactTab("big/1", "big", profile, Publisher())
    made.resize(900, 700)
    made.show()
    yield made
    made.close()
    made.deleteLater()
    qtbot.wait(1)
    profile.deleteLater()
    qtbot.wait(1)


def test_a_huge_streaming_page_stops_growing_in_the_preview(tab, monkeypatch):
    shown: list[int] = []
    monkeypatch.setattr(tab.view, "show_partial", lambda _key, html: shown.append(len(html)))
    tab.begin_stream("text/html")
    page = _page(40_000)
    for start in range(0, len(page), 16384):
        tab.append_stream(page[start : start + 16384])
        tab._show_partial()  # as the timer would, after every piece
    assert shown and max(shown) < PARTIAL_PREVIEW_MAX_CHARS + 20_000
    assert "shown when complete" in tab.status.text()
    assert tab.code.text() == page


def test_a_huge_reply_is_stored_intact(model_server, tmp_path: Path):
    piece = "A paragraph of the reply, with *emphasis* and `code`, and ünïcödé — 漢字.\n\n"
    reply = piece * (12_000_000 // len(piece))
    model_server.enqueue(openai_text_reply(reply, chunk_chars=65_536))
    store = Store(tmp_path / "db.sqlite3")

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key="k", name="T"
            )
            cid = store.create_conversation().id
            session = ChatSession(store, cid, provider, "m", system_prompt="S")
            return await session.send("write a lot", lambda _event: None), cid

    message, cid = asyncio.run(go())
    assert message.status == "complete"
    stored = store.messages(cid)[-1]
    assert len(stored.content) == len(reply) and stored.content == reply


def _version(number: int, content: str) -> ArtifactVersion:
    return ArtifactVersion(
        number, 1, "big", number, "text/html", "Big", content, "full", None, True, 0
    )


def test_large_versions_are_compared_only_when_the_changes_view_opens(tab):
    one, two = _page(6000), _page(6001)
    assert len(one) + len(two) > DIFF_AT_ONCE_CHARS
    tab.set_versions([_version(1, one), _version(2, two)], None)
    assert tab.diff.left_version() is None  # nothing diffed for a view nobody looks at
    tab.show_changes()
    assert (tab.diff.left_version().version, tab.diff.right_version().version) == (1, 2)
    assert tab.diff.has_differences()
    small = [_version(1, "<p>a</p>"), _version(2, "<p>b</p>"), _version(3, "<p>c</p>")]
    tab.show_preview()
    tab.set_versions(small, None)
    assert (tab.diff.left_version().version, tab.diff.right_version().version) == (2, 3)
