"""Markdown export: artifact sources in fences that nothing inside them can close."""

from __future__ import annotations

from markdown_it import MarkdownIt

from app.markdown_fences import fence_for, fenced, reply_markdown
from app.store import Store
from app.transcript_export import conversation_markdown

TRICKY = (
    "<!DOCTYPE html><html><body><pre>\n```js\nlet a = `x`;\n```\n````\n</pre>"
    "<script>alert(1)</script></body></html>"
)


def test_the_fence_is_longer_than_any_backtick_run_inside():
    assert fence_for("no ticks") == "```"
    assert fence_for("a ``` b") == "````"
    assert fence_for("`````") == "``````"
    assert fenced("x", "html") == "```html\nx\n```"


def test_an_artifact_becomes_a_caption_and_one_fenced_block():
    reply = (
        "Here it is:\n"
        f'<artifact identifier="page" type="text/html" title="Tricky page">\n{TRICKY}\n</artifact>\n'
        "Enjoy."
    )
    text = reply_markdown(reply)
    assert "<artifact" not in text and "</artifact>" not in text
    assert "**Artifact: Tricky page**" in text and "Here it is:" in text and "Enjoy." in text
    tokens = MarkdownIt("commonmark").parse(text)
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 1  # the source's own ``` and ```` did not close it
    assert fences[0].info == "html" and fences[0].content.rstrip("\n") == TRICKY
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]


def test_an_edit_shows_its_find_and_replace_fenced():
    reply = (
        '<artifact-edit identifier="page">\n<find>\nconst a = `1`;\n</find>\n'
        "<replace>\n```\n</replace>\n</artifact-edit>"
    )
    tokens = MarkdownIt("commonmark").parse(reply_markdown(reply))
    fences = [t.content for t in tokens if t.type == "fence"]
    assert fences == ["const a = `1`;\n", "```\n"]


def test_the_exported_conversation_fences_its_artifacts(tmp_path):
    store = Store(tmp_path / "h.db")
    conversation = store.create_conversation("A page")
    store.add_message(conversation.id, "user", "make a page")
    reply = f'<artifact identifier="page" type="text/html" title="Page">\n{TRICKY}\n</artifact>'
    store.add_message(conversation.id, "assistant", reply, status="complete")
    text = conversation_markdown(store, conversation)
    tokens = MarkdownIt("commonmark").parse(text)
    assert [t.content.rstrip("\n") for t in tokens if t.type == "fence"] == [TRICKY]
    assert "make a page" in text
    store.close()
