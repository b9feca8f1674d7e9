"""The transcript page's own words (buttons, badges, card states), in the window's language.

transcript.js writes its labels in English and looks each up with `t("English")` in the table
this module makes; the table goes to the page once, with the nonce, through `easel.init`. The
page has no other way to learn a translation (it has no bridge), and a word missing here stays
English, which tests/test_translations.py catches: every `t("…")` in the script and every label
in its tables must be a key here.
"""

from __future__ import annotations

from app.i18n import translate


def page_strings() -> dict[str, str]:
    """English source text -> its translation, for every word transcript.js shows."""
    texts = (
        translate("TranscriptPage", "Copy"),
        translate("TranscriptPage", "Copied"),
        translate("TranscriptPage", "Incomplete"),
        translate("TranscriptPage", "Show more"),
        translate("TranscriptPage", "Show less"),
        translate("TranscriptPage", "Thinking…"),
        translate("TranscriptPage", "Thought for a moment"),
        translate("TranscriptPage", "Thought for {seconds} s"),
        translate("TranscriptPage", "{seconds} s"),
        translate("TranscriptPage", "Document"),
        translate("TranscriptPage", "Diagram"),
        translate("TranscriptPage", "Writing…"),
        translate("TranscriptPage", "Failed"),
        translate("TranscriptPage", "Waiting…"),
        translate("TranscriptPage", "Waiting for your approval"),
        translate("TranscriptPage", "Running…"),
        translate("TranscriptPage", "Done"),
        translate("TranscriptPage", "Denied"),
        translate("TranscriptPage", "Stopped"),
        translate("TranscriptPage", "Allow once"),
        translate("TranscriptPage", "Allow for this conversation"),
        translate("TranscriptPage", "Always allow"),
        translate("TranscriptPage", "Deny"),
        translate("TranscriptPage", "Arguments"),
        translate("TranscriptPage", "Result"),
    )
    return dict(zip(SOURCES, texts, strict=True))


# The English of each entry above, in the same order: the keys transcript.js looks up.
SOURCES = (
    "Copy",
    "Copied",
    "Incomplete",
    "Show more",
    "Show less",
    "Thinking…",
    "Thought for a moment",
    "Thought for {seconds} s",
    "{seconds} s",
    "Document",
    "Diagram",
    "Writing…",
    "Failed",
    "Waiting…",
    "Waiting for your approval",
    "Running…",
    "Done",
    "Denied",
    "Stopped",
    "Allow once",
    "Allow for this conversation",
    "Always allow",
    "Deny",
    "Arguments",
    "Result",
)
