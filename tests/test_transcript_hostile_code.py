"""A hostile reply's code blocks in the transcript: highlighted, plain, streamed, off-screen.

This session's changes render code through app/code_html.py (spans only where the stylesheet
colours), keep finished blocks un-laid-out until they come near the screen
(content-visibility), and show code plain until Pygments is loaded. Each is a path from the
model's text into the trusted transcript page: nothing in a code block may become markup, and
nothing may reach the network (a TCP+UDP canary listens on loopback).
"""

from __future__ import annotations

from tests.canary import Canary
from tests.test_transcript import js, view  # noqa: F401 - the view fixture
from widgets.transcript import TranscriptView


def _payloads(url: str) -> list[str]:
    return [
        f'<img src="{url}/img" onerror="document.title=\'pwned\'">',
        f'</code></pre><iframe src="{url}/frame"></iframe><pre><code>',
        f'<link rel="preconnect" href="{url}/pre"><link rel="stylesheet" href="{url}/css">',
        f"<style>@import url({url}/import);</style><script>fetch('{url}/fetch')</script>",
        f'"><svg onload="fetch(\'{url}/svg\')">',
    ]


def test_hostile_code_stays_text_and_reaches_nothing(qtbot, view: TranscriptView) -> None:  # noqa: F811
    canary = Canary()
    try:
        payloads = _payloads(canary.url)
        reply = "Here is the code:\n\n"
        for lang in ("html", "javascript", "css", "cobol", "no-such-language", ""):
            reply += f"```{lang}\n" + "\n".join(payloads) + "\n```\n\n"
        reply += "filler paragraph.\n\n" * 400  # the code blocks end far above the screen
        reply += "```html\n" + "\n".join(payloads) + "\n```\n"
        view.add_message("m1", "assistant")
        for start in range(0, len(reply), 37):  # streamed: open blocks re-rendered each step
            view.append_text("m1", reply[start : start + 37])
        view.finish_message("m1")
        view.add_message("u1", "user")
        view.append_text("u1", "\n".join(payloads))
        view.finish_message("u1")
        # Every block laid out at least once (content-visibility skips those off screen).
        js(qtbot, view, "(window.scrollTo(0, 0), document.documentElement.scrollHeight)")
        js(qtbot, view, "(window.scrollTo(0, 1e9), document.documentElement.scrollHeight)")
        view.highlight_deferred()  # code shown plain is highlighted in place
        injected = "main img, main iframe, main link, main style, main script, main svg"
        assert js(qtbot, view, f"document.querySelectorAll({injected!r}).length") == 0
        codes = js(qtbot, view, "[...document.querySelectorAll('main pre code')].length")
        assert codes == 7
        text = js(qtbot, view, "document.querySelector('main').textContent")
        assert text.count(f'<img src="{canary.url}/img"') == 8  # 7 code blocks + the user's
        assert js(qtbot, view, "document.title") == "Transcript"
        qtbot.wait(500)  # time for any load the page might have started
        assert canary.contacts == 0, canary.hits
    finally:
        canary.close()
