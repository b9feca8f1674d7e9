"""The artifact extractor: every syntax, rule and real model mistake of DESIGN.md section 3."""

from pathlib import Path

import pytest

from app.artifact_content import normalize_type, slugify
from app.artifact_parser import ArtifactParser
from app.artifact_segments import (
    ARTIFACT_TYPES,
    Artifact,
    ArtifactClosed,
    ArtifactDelta,
    ArtifactOpened,
    EditClosed,
    EditOpened,
    Prose,
    Reasoning,
    merge_segments,
)
from app.artifacts import display_parts, extract_artifacts, parse_reply

FIXTURES = Path(__file__).parent / "fixtures" / "replies"
PAGE = "<!DOCTYPE html>\n<html>\n<head><title>Breakout</title></head>\n<body></body>\n</html>"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")  # keep CRLF as written


def streamed(text: str, size: int) -> list:
    parser = ArtifactParser()
    out = []
    for i in range(0, len(text), size):
        out += parser.feed(text[i : i + size])
    return out + parser.close()


def only(text: str) -> Artifact:
    found = extract_artifacts(text)
    assert len(found) == 1, found
    return found[0]


def prose(text: str) -> str:
    return "".join(s.text for s in parse_reply(text) if isinstance(s, Prose))


# --- our tag -------------------------------------------------------------------------------


def test_tag_artifact_with_prose_around():
    text = f'Here it is.\n\n<artifact identifier="breakout" type="text/html" title="Breakout">\n{PAGE}\n</artifact>\n\nEnjoy!'
    assert parse_reply(text) == [
        Prose("Here it is.\n\n"),
        ArtifactOpened("breakout", "text/html", "Breakout", "artifact"),
        ArtifactDelta("breakout", PAGE),
        ArtifactClosed("breakout", PAGE, True),
        Prose("\n\nEnjoy!"),
    ]


def test_content_is_exactly_the_bytes_between_the_markers():
    body = "\n\n  first line  \n\tlast\n\n"
    text = f'<artifact identifier="a" type="text/markdown" title="A">\n{body}\n</artifact>'
    assert only(text).content == body


def test_only_one_newline_each_side_belongs_to_the_markup():
    text = '<artifact identifier="a" type="text/markdown" title="A">\n\nx\n\n</artifact>'
    assert only(text).content == "\nx\n"


@pytest.mark.parametrize(
    "tag",
    [
        '<artifact identifier="g" type="text/html" title="Game">',
        "<artifact title='Game' type='text/html' identifier='g'>",
        "<artifact type=text/html identifier=g title='Game'>",
        '<artifact\n  identifier="g"\n  type="text/html"\n  title="Game"\n>',
        '<artifact data-x="1" identifier = "g" version=\'2\' type="text/html" title="Game">',
        '<ARTIFACT identifier="g" type="text/html" title="Game">',
    ],
)
def test_attribute_order_quoting_and_extras_vary(tag):
    art = only(f"{tag}\n<p>x</p>\n</artifact>")
    assert (art.identifier, art.type, art.title, art.content) == (
        "g",
        "text/html",
        "Game",
        "<p>x</p>",
    )


def test_attribute_entities_are_decoded():
    art = only(
        '<artifact identifier="q" type="text/html" title="Q &amp; A">\n<p>x</p>\n</artifact>'
    )
    assert art.title == "Q & A"


def test_several_artifacts_in_one_reply_keep_the_text_between():
    text = (
        'One:\n<artifact identifier="a" type="text/html" title="A">\n<p>a</p>\n</artifact>\n'
        'Two:\n<artifact identifier="b" type="image/svg+xml" title="B">\n<svg></svg>\n</artifact>\nEnd'
    )
    assert [a.identifier for a in extract_artifacts(text)] == ["a", "b"]
    assert prose(text) == "One:\n\nTwo:\n\nEnd"


def test_reused_identifier_is_a_new_version_not_renamed():
    text = (
        '<artifact identifier="app" type="text/html" title="App">\n<p>1</p>\n</artifact>\n'
        '<artifact identifier="app" type="text/html" title="App">\n<p>2</p>\n</artifact>'
    )
    assert [(a.identifier, a.content) for a in extract_artifacts(text)] == [
        ("app", "<p>1</p>"),
        ("app", "<p>2</p>"),
    ]


# --- identifiers, types, titles -------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Breakout Game", "breakout-game"), ("my_app v2!", "my-app-v2"), ("Café Menü", "cafe-menu"),
     ("--x--", "x"), ("贪吃蛇", "")],
)  # fmt: skip
def test_slugify(given, expected):
    assert slugify(given) == expected


def test_given_identifier_is_sanitised():
    art = only('<artifact identifier="My Game_2" type="text/html" title="T">\nx\n</artifact>')
    assert art.identifier == "my-game-2"


def test_missing_identifier_comes_from_the_title():
    art = only('<artifact type="text/html" title="Breakout">\n<p>x</p>\n</artifact>')
    assert art.identifier == "breakout"


def test_automatic_identifiers_are_unique_for_different_artifacts():
    doc = "```html\n<!DOCTYPE html><html><head><title>Demo</title></head></html>\n```\n"
    text = f'<artifact identifier="demo" type="text/html" title="X">\n<p>x</p>\n</artifact>\n{doc}{doc}'
    assert [a.identifier for a in extract_artifacts(text)] == ["demo", "demo-2", "demo-3"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("html", "text/html"), ("text/html", "text/html"), ("svg", "image/svg+xml"),
     ("image/svg+xml", "image/svg+xml"), ("markdown", "text/markdown"), ("md", "text/markdown"),
     ("text/markdown", "text/markdown"), ("react", "application/vnd.react"),
     ("jsx", "application/vnd.react"), ("tsx", "application/vnd.react"),
     ("application/vnd.ant.react", "application/vnd.react"),
     ("application/vnd.react", "application/vnd.react"), ("mermaid", "application/vnd.mermaid"),
     ("application/vnd.ant.mermaid", "application/vnd.mermaid"), ("Text/HTML", "text/html")],
)  # fmt: skip
def test_type_normalisation(raw, expected):
    assert normalize_type(raw) == expected
    assert (
        only(f'<artifact identifier="a" type="{raw}" title="A">\nx\n</artifact>').type == expected
    )


def test_every_contract_type_is_known():
    assert all(normalize_type(t) == t for t in ARTIFACT_TYPES)


def test_code_artifact_with_html_content_becomes_html():
    text = '<antArtifact identifier="p" type="application/vnd.ant.code" language="html" title="P">\n<div>x</div>\n</antArtifact>'
    assert only(text).type == "text/html"
    text = '<antArtifact identifier="p" type="application/vnd.ant.code" title="P">\n<!DOCTYPE html><html></html>\n</antArtifact>'
    assert only(text).type == "text/html"


def test_unknown_but_sensible_type_is_kept_and_unknown_html_becomes_html():
    assert (
        only('<artifact identifier="s" type="text/css" title="S">\nbody{}\n</artifact>').type
        == "text/css"
    )
    assert (
        only('<artifact identifier="s" type="text/css" title="S">\n<p>x</p>\n</artifact>').type
        == "text/html"
    )


def test_missing_type_is_read_from_the_content():
    assert (
        only("<artifact identifier='a'>\n<svg viewBox='0 0 1 1'></svg>\n</artifact>").type
        == "image/svg+xml"
    )
    assert (
        only("<artifact identifier='a'>\n<!DOCTYPE html><html></html>\n</artifact>").type
        == "text/html"
    )
    assert (
        only("<artifact identifier='a'>\nflowchart TD\n  A --> B\n</artifact>").type
        == "application/vnd.mermaid"
    )
    assert (
        only("<artifact identifier='a'>\n# Notes\n\nSome text.\n</artifact>").type
        == "text/markdown"
    )


def test_missing_title_comes_from_title_element_heading_or_identifier():
    html = "<artifact identifier='a' type='text/html'>\n<html><head><title>Trip &amp; Tour</title></head></html>\n</artifact>"
    assert only(html).title == "Trip & Tour"
    heading = "<artifact identifier='a' type='text/html'>\n<body><h1 class='t'>Big <em>plan</em></h1></body>\n</artifact>"
    assert only(heading).title == "Big plan"
    markdown = (
        "<artifact identifier='a' type='text/markdown'>\nintro\n\n## Day one\ntext\n</artifact>"
    )
    assert only(markdown).title == "Day one"
    bare = "<artifact identifier='my-notes' type='text/html'>\n<p>x</p>\n</artifact>"
    assert only(bare).title == "my-notes"


def test_title_is_read_ahead_but_content_still_streams():
    page = "<!DOCTYPE html><html><head><title>Late</title></head><body>" + "x" * 6000
    parser = ArtifactParser()
    segs = parser.feed("```html\n" + page[:30])
    assert not any(isinstance(s, ArtifactOpened) for s in segs)  # <title> not complete yet
    segs = parser.feed(page[30:])
    assert segs[0] == ArtifactOpened("late", "text/html", "Late", "fence")
    assert "".join(s.text for s in segs if isinstance(s, ArtifactDelta)) == page


# --- Claude and LibreChat ---------------------------------------------------------------------


def test_ant_artifact():
    art = only(fixture("ant_react.txt"))
    assert (art.identifier, art.type, art.title) == (
        "tip-calc",
        "application/vnd.react",
        "Tip calculator",
    )
    assert art.content.startswith('import { useState } from "react";\n')
    assert art.content.endswith("  );\n}")
    assert parse_reply(fixture("ant_react.txt"))[1].syntax == "antArtifact"


def test_librechat_directive_with_stray_text_before_it():
    segs = parse_reply(fixture("directive_stray.txt"))
    assert segs[0] == Prose("Sure, here is your landing page: ")
    assert segs[1] == ArtifactOpened("landing", "text/html", "Landing page", "directive")
    assert segs[3].content.startswith("<!DOCTYPE html>\n") and segs[3].content.endswith("</html>")
    assert segs[4] == Prose("\n\nLet me know what to change.\n")


def test_directive_markdown_keeps_its_inner_code_blocks():
    art = only(fixture("directive_markdown.txt"))
    assert art.type == "text/markdown"
    assert art.content.endswith('```python\nprint("ready")\n```')
    assert prose(fixture("directive_markdown.txt")) == "\nDone.\n"


def test_directive_without_a_fence_ends_at_its_closing_line():
    text = ':::artifact{identifier="n" type="text/markdown" title="N"}\n# Notes\nbody\n:::\nafter'
    assert only(text).content == "# Notes\nbody"
    assert prose(text) == "\nafter"


def test_directive_without_closing_colons_still_closes_with_its_fence():
    text = (
        ':::artifact{identifier="n" type="text/html" title="N"}\n```html\n<p>x</p>\n```\nmore text'
    )
    assert only(text).complete
    assert prose(text) == "\nmore text"


# --- automatic artifacts from fences --------------------------------------------------------------


def test_fenced_whole_document_becomes_an_artifact_titled_from_its_title():
    text = fixture("fence_document.txt")
    art = only(text)
    assert (art.identifier, art.type, art.title) == ("solar-wind", "text/html", "Solar & Wind")
    assert art.content.startswith("<!DOCTYPE html>\n") and art.content.endswith("</html>")
    assert prose(text) == "Here is the page:\n\n\n\nSave it and open it in a browser.\n"
    assert parse_reply(text)[1].syntax == "fence"


def test_fenced_document_opens_before_the_fence_closes():
    parser = ArtifactParser()
    segs = parser.feed(f"Page:\n```html\n{PAGE}\n")
    assert ArtifactOpened("breakout", "text/html", "Breakout", "fence") in segs
    assert not any(isinstance(s, ArtifactClosed) for s in segs)


@pytest.mark.parametrize(
    "start",
    ["<!DOCTYPE html>", "<!doctype html>", "<html lang='en'>", "  \n<html>", "<svg xmlns='x'>"],
)
def test_document_starts(start):
    assert len(extract_artifacts(f"```html\n{start}\n<p>x</p>\n```")) == 1


def test_svg_and_xml_fences_with_svg_become_svg_artifacts():
    svg = '<?xml version="1.0"?>\n<svg viewBox="0 0 1 1"><title>Dot</title></svg>'
    for lang in ("svg", "xml", "html"):
        art = only(f"```{lang}\n{svg}\n```")
        assert (art.type, art.title, art.content) == ("image/svg+xml", "Dot", svg)


def test_runnable_fragment_is_decided_when_the_fence_closes():
    parser = ArtifactParser()
    segs = parser.feed("```html\n<canvas id='c'></canvas>\n<script>draw()</script>\n")
    assert segs == []  # held: it may still turn out to be an example
    segs = parser.feed("```\nafter")
    assert [type(s) for s in segs] == [ArtifactOpened, ArtifactDelta, ArtifactClosed, Prose]
    assert segs[2].content == "<canvas id='c'></canvas>\n<script>draw()</script>"


@pytest.mark.parametrize("tag", ["<script>", "<canvas>", "<style>", "<body>", "<SCRIPT src='x'>"])
def test_fragments_that_run(tag):
    assert len(extract_artifacts(f"```html\n<div>a</div>{tag}\n```")) == 1


def test_other_code_stays_in_the_chat_verbatim():
    text = fixture("fence_mixed.txt")
    segs = parse_reply(text)
    assert [a.type for a in extract_artifacts(text)] == ["text/html", "image/svg+xml"]
    assert '```html\n<a href="/docs">Docs</a>\n```' in segs[0].text
    assert "```css\nbody { color: red; }\n```" in prose(text)


def test_unclosed_fenced_document_is_incomplete():
    art = only("Here:\n```html\n<!DOCTYPE html>\n<html><body>cut")
    assert (art.content, art.complete) == ("<!DOCTYPE html>\n<html><body>cut", False)


def test_unclosed_example_fence_stays_prose():
    text = "Example:\n```html\n<b>bold</b>\n"
    assert parse_reply(text) == [Prose(text)]


# --- markers inside code --------------------------------------------------------------------


def test_markers_inside_another_fence_are_text():
    text = fixture("prose_code.txt")
    assert extract_artifacts(text) == []
    assert prose(text) == text


def test_markers_in_a_tilde_fence_and_inline_code_are_text():
    text = "~~~\n<artifact identifier='x'>\n:::artifact{identifier='y'}\n~~~\nUse `<artifact>` or `:::artifact{}`."
    assert parse_reply(text) == [Prose(text)]


def test_fence_inside_a_markdown_artifact_does_not_end_it():
    text = fixture("markdown_with_code.txt")
    art = only(text)
    assert art.complete and art.content.startswith("# Project\n\n```python\n")
    assert "<artifact identifier='x'>" in art.content and art.content.endswith(
        ':::artifact{identifier="y"}\n~~~'
    )
    assert prose(text) == "\nAfter.\n"


# --- unclosed and interrupted -----------------------------------------------------------------


def test_unclosed_artifact_at_end_of_stream_is_kept_incomplete():
    art = only(fixture("unclosed.txt"))
    assert (art.identifier, art.complete) == ("cut", False)
    assert art.content == "<!DOCTYPE html>\n<html>\n<body>\n<p>The stream stopped here\n"


def test_second_opening_tag_closes_the_first_as_incomplete():
    found = extract_artifacts(fixture("forgot_close.txt"))
    assert [(a.identifier, a.content, a.complete) for a in found] == [
        ("v1", "<p>first</p>\n", False),
        ("v2", "<p>second</p>", True),
    ]


def test_stream_cut_inside_the_opening_tag_is_text():
    assert parse_reply('Hi <artifact identifier="x" ty') == [
        Prose('Hi <artifact identifier="x" ty')
    ]


# --- real model mistakes ----------------------------------------------------------------------


def test_no_newline_between_tags_and_content():
    text = fixture("no_newlines.txt")
    assert only(text).content == "<!DOCTYPE html><html><body>x</body></html>"
    assert prose(text) == "Here:Done.\n"


def test_closing_tag_without_newline_before_it():
    assert (
        only('<artifact identifier="a" type="text/html" title="A">\n<p>x</p></artifact>').content
        == "<p>x</p>"
    )


def test_fenced_block_inside_the_artifact_tag_is_unwrapped():
    assert (
        only(fixture("fenced_inside_tag.txt")).content
        == "<!DOCTYPE html>\n<html><body><p>Hello</p></body></html>"
    )
    same_line = (
        '<artifact identifier="a" type="text/html" title="A">\n```html\n<p>x</p>\n```</artifact>'
    )
    assert only(same_line).content == "<p>x</p>"


def test_fence_at_the_start_of_a_markdown_artifact_is_content():
    text = '<artifact identifier="a" type="text/markdown" title="A">\n```python\nx = 1\n```\nText\n</artifact>'
    assert only(text).content == "```python\nx = 1\n```\nText"


def test_think_at_the_start_is_reasoning_and_never_an_artifact():
    segs = parse_reply(fixture("think_first.txt"))
    assert isinstance(segs[0], Reasoning) and '<artifact identifier="draft"' in segs[0].text
    assert [a.identifier for a in extract_artifacts(fixture("think_first.txt"))] == ["sales-chart"]
    assert segs[1] == Prose("\n\nHere is the chart.\n\n")


def test_unclosed_think_is_reasoning():
    assert parse_reply(fixture("think_unclosed.txt")) == [
        Reasoning("Planning a <svg> drawing... still thinking\n")
    ]


def test_think_later_in_the_reply_is_plain_text():
    assert parse_reply("Hi <think>x</think>") == [Prose("Hi <think>x</think>")]


def test_crlf_reply():
    text = fixture("crlf.txt")
    assert only(text).content == "<p>a</p>\r\n<p>b</p>"
    assert prose(text) == "Line one\r\n\r\n\r\nEnd\r\n"


# --- edits ----------------------------------------------------------------------------------


def test_edit_with_two_pairs():
    segs = parse_reply(fixture("edit_two_pairs.txt"))
    assert segs[1] == EditOpened("paddle-game")
    assert segs[2] == EditClosed(
        "paddle-game",
        (
            ("let x = 10, dx = 2;", "let x = 10, dx = 4;"),
            ('  ctx.fillStyle = "#eee";', '  ctx.fillStyle = "#f80";'),
        ),
        True,
    )
    assert (
        prose(fixture("edit_two_pairs.txt"))
        == "I made the ball faster and changed its colour.\n\n\n\nReload to see it.\n"
    )


def test_edit_newline_rule_keeps_inner_newlines_and_spaces():
    text = (
        "<artifact-edit identifier='a'><find>\n\n  x\n\n</find><replace>y</replace></artifact-edit>"
    )
    assert parse_reply(text)[1].pairs == (("\n  x\n", "y"),)


def test_edit_cut_off_is_incomplete_with_the_pairs_that_finished():
    text = "<artifact-edit identifier='a'>\n<find>\na\n</find>\n<replace>\nb\n</replace>\n<find>\nc\n</find>\n<replace>\nd"
    assert parse_reply(text)[-1] == EditClosed("a", (("a", "b"),), False)


def test_find_without_replace_makes_the_edit_incomplete():
    text = "<artifact-edit identifier='a'><find>a</find></artifact-edit>"
    assert parse_reply(text)[-1] == EditClosed("a", (), False)


def test_edit_markup_inside_a_code_fence_is_text():
    text = "```xml\n<artifact-edit identifier='a'><find>a</find></artifact-edit>\n```"
    assert parse_reply(text) == [Prose(text)]


# --- streaming --------------------------------------------------------------------------------


def test_prose_flows_and_only_a_possible_marker_is_held():
    parser = ArtifactParser()
    assert parser.feed("Hello wor") == [Prose("Hello wor")]
    assert parser.feed("ld <arti") == [Prose("ld ")]
    assert parser.feed("cles are nice") == [Prose("<articles are nice")]
    assert parser.feed("\n``") == [Prose("\n")]
    assert parser.feed("`python\n") == [Prose("```python\n")]


@pytest.mark.parametrize(
    "cut",
    ["<arti", "<artifact", "</artifact", "</artifact>", "``", ":::", ":::arti", "<think", "\n"],
)
def test_splits_inside_markers_change_nothing(cut):
    text = (
        '<think>plan</think>Intro\n:::artifact{identifier="d" type="text/html" title="D"}\n```html\n<p>d</p>\n```\n:::\n'
        '<artifact identifier="a" type="text/html" title="A">\n<p>a</p>\n</artifact>\nEnd'
    )
    at = text.index(cut) + len(cut) - 1
    parser = ArtifactParser()
    segs = merge_segments(parser.feed(text[:at]) + parser.feed(text[at:]) + parser.close())
    assert segs == parse_reply(text)


def test_large_page_streams_as_deltas():
    page = (
        "<!DOCTYPE html>\n<html><head><title>Big</title></head><body>\n"
        + "<p>row</p>\n" * 3000
        + "</body></html>"
    )
    parser = ArtifactParser()
    parser.feed('<artifact identifier="big" type="text/html" title="Big">\n')
    sent = 0
    for i in range(0, len(page), 1000):
        segs = parser.feed(page[i : i + 1000])
        sent += sum(len(s.text) for s in segs if isinstance(s, ArtifactDelta))
        assert sent >= min(i + 1000, len(page)) - 64  # only a possible closing marker is held back
    closed = parser.feed("\n</artifact>")[-1]
    assert closed == ArtifactClosed("big", page, True)


def test_feeding_char_by_char_holds_little_and_is_linear():
    # Each feed costs O(chunk + text held back); a bounded hold makes the whole stream linear.
    unit = (
        'Text <b>bold</b> a:b\n```js\nlet s = "<artifact";\n```\n'
        '<artifact identifier="a" type="text/html" title="A">\n'
        + "<p>x</p>\n" * 200
        + "</artifact>\n"
    )
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    parser = ArtifactParser()
    held = 0
    for ch in text:
        parser.feed(ch)
        held = max(held, len(parser._buf))  # the parser's pending text (white-box)
    parser.close()
    assert held < 64


# --- helpers for stored replies -------------------------------------------------------------------


def test_display_parts_drops_deltas():
    parts = display_parts(fixture("tag_game.txt"))
    assert [type(p) for p in parts] == [Prose, ArtifactOpened, ArtifactClosed, Prose]


def test_extract_artifacts_fields():
    assert extract_artifacts(fixture("tag_game.txt"))[0] == Artifact(
        "paddle-game",
        "text/html",
        "Paddle",
        fixture("tag_game.txt").split('Paddle">\n')[1].split("\n</artifact>")[0],
        True,
    )
