"""The empty conversation's page: what Easel is for, with examples one click away.

Trusted HTML written here, never by a model. The examples are buttons, not links: the
transcript's script turns a click into the "prompt" action with the page's nonce (a plain
``?action=`` link would be refused, like one in a model's reply).
"""

from __future__ import annotations

import html

from app.i18n import translate


def examples() -> tuple[str, ...]:
    """The example prompts, in the window's language (the model answers in it too)."""
    return (
        translate("Welcome", "Create a simple breakout game as a single HTML page"),
        translate("Welcome", "A snake game with a random maze"),
        translate(
            "Welcome",
            "A two-day itinerary for Hebei with food, lodging and booking links, as one A4 page",
        ),
    )


def welcome_html() -> str:
    """The welcome page's HTML, made when shown: the translators are installed by then."""
    items = "".join(
        f'<li><button type="button" class="example" data-prompt="{html.escape(text)}">'
        f"“{html.escape(text)}”</button></li>"
        for text in examples()
    )
    title = html.escape(translate("Welcome", "What shall we build?"))
    intro = html.escape(
        translate(
            "Welcome",
            "Ask for something you can use: it appears beside the chat as a live page you can "
            "play with, revise by asking, save as one file and print on A4.",
        )
    )
    return f'<div class="welcome"><h1>{title}</h1><p>{intro}</p><ul>{items}</ul></div>'
