"""The empty conversation's page: what Easel is for, with examples one click away.

Trusted HTML written here, never by a model. The examples are buttons, not links: the
transcript's script turns a click into the "prompt" action with the page's nonce (a plain
``?action=`` link would be refused, like one in a model's reply).
"""

from __future__ import annotations

import html

EXAMPLES = (
    "Create a simple breakout game as a single HTML page",
    "A snake game with a random maze",
    "A two-day itinerary for Hebei with food, lodging and booking links, as one A4 page",
)


def welcome_html() -> str:
    """The welcome page's HTML."""
    items = "".join(
        f'<li><button type="button" class="example" data-prompt="{html.escape(text)}">'
        f"“{html.escape(text)}”</button></li>"
        for text in EXAMPLES
    )
    return (
        '<div class="welcome"><h1>What shall we build?</h1>'
        "<p>Ask for something you can use: it appears beside the chat as a live page you can "
        "play with, revise by asking, save as one file and print on A4.</p>"
        f"<ul>{items}</ul></div>"
    )


WELCOME = welcome_html()
