"""The system prompt teaches the protocol, and its own examples parse as intended."""

import re

from app.artifact_segments import ARTIFACT_TYPES, EditClosed
from app.artifacts import extract_artifacts, parse_reply
from app.edits import apply_edit
from app.prompts import DEFAULT_SYSTEM_PROMPT, system_prompt


def test_mentions_every_type_and_the_edit_syntax():
    for kind in ARTIFACT_TYPES:
        assert kind in DEFAULT_SYSTEM_PROMPT
    for tag in ("<artifact-edit identifier=", "<find>", "</find>", "<replace>", "</replace>"):
        assert tag in DEFAULT_SYSTEM_PROMPT


def test_mentions_the_rules_that_matter():
    text = DEFAULT_SYSTEM_PROMPT.lower()
    for phrase in ("kebab-case", "complete", "reuse its identifier", "cdn.tailwindcss.com", "a4",
                   "@media print", "default export", "three.js", "chart.js", "d3", "tone.js",
                   "gsap", "p5.js", "anime.js", "lodash", "mermaid", "marked", "font awesome",
                   "babel", "blocked"):  # fmt: skip
        assert phrase in text, phrase


def test_prompt_examples_round_trip_through_the_parser():
    found = extract_artifacts(DEFAULT_SYSTEM_PROMPT)
    assert len(found) == 1
    page = found[0]
    assert (page.identifier, page.type, page.title, page.complete) == (
        "click-counter", "text/html", "Click counter", True,
    )  # fmt: skip
    assert page.content.startswith("<!DOCTYPE html>") and page.content.endswith("</html>")
    edit = next(s for s in parse_reply(DEFAULT_SYSTEM_PROMPT) if isinstance(s, EditClosed))
    assert edit.identifier == page.identifier and edit.complete
    assert "const STEP = 5;" in apply_edit(page.content, edit.pairs)


def test_example_page_is_complete():
    page = extract_artifacts(DEFAULT_SYSTEM_PROMPT)[0].content
    assert not re.search(r"\.\.\.|…|unchanged", page)


def test_custom_prompt_replaces_the_default_when_not_blank():
    assert system_prompt() == DEFAULT_SYSTEM_PROMPT
    assert system_prompt(None) == DEFAULT_SYSTEM_PROMPT
    assert system_prompt("") == DEFAULT_SYSTEM_PROMPT
    assert system_prompt("   \n") == DEFAULT_SYSTEM_PROMPT
    assert system_prompt("Be terse.") == "Be terse."


def test_prompt_is_concise():
    assert len(DEFAULT_SYSTEM_PROMPT) < 5000


def test_the_prompt_asks_for_the_users_language_and_keeps_the_protocol():
    """Chinese users get Chinese answers and pages; the tags stay the ones the parser reads."""
    text = DEFAULT_SYSTEM_PROMPT
    assert "language the user writes in" in text and "Simplified Chinese" in text
    assert 'lang="zh-CN"' in text and "ASCII kebab-case" in text
    assert len(extract_artifacts(text)) == 1  # the language note adds no artifact of its own


def test_a_chinese_reply_following_the_prompt_parses():
    reply = (
        "好的，这是你的游戏：\n"
        '<artifact identifier="breakout-game" type="text/html" title="打砖块">\n'
        '<!DOCTYPE html><html lang="zh-CN"><body><button>开始游戏</button></body></html>\n'
        "</artifact>\n用方向键控制挡板。\n"
        '<artifact-edit identifier="breakout-game">\n<find>\n开始游戏\n</find>\n'
        "<replace>\n再来一局\n</replace>\n</artifact-edit>\n"
    )
    [page] = extract_artifacts(reply)
    assert (page.identifier, page.title, page.complete) == ("breakout-game", "打砖块", True)
    edit = next(s for s in parse_reply(reply) if isinstance(s, EditClosed))
    assert "再来一局" in apply_edit(page.content, edit.pairs)
