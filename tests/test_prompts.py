"""The system prompt teaches the protocol, and its own examples parse as intended."""

import re

from app.artifacts import ARTIFACT_TYPES, EditClosed, extract_artifacts, parse_reply
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
