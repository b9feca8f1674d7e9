"""The typing dots and a streaming card's icon pulse on a slow beat, never a CSS animation.

A CSS animation repainted the page every frame for as long as a reply streamed (the window's
GUI thread and the web engine spent more on it than on the reply's text); the page now moves
the dots itself a few times a second, and only while a message streams.
"""

from tests.test_transcript import js, view  # noqa: F401 - the loaded transcript fixture

_DOTS = "document.querySelector('[data-key=a1] .typing')"
_LIT = f"[...{_DOTS}.children].map(d => getComputedStyle(d).opacity === '1' ? 1 : 0).join('')"


def test_streaming_dots_move_on_a_beat_without_animations(view, qtbot):  # noqa: F811
    view.add_message("a1", "assistant")
    view.set_message_state("a1", "streaming")
    view.append_text("a1", "Here is the game:\n\n")
    view.add_artifact_card("a1", "game", "Game", "text/html", 0, "streaming")
    assert js(qtbot, view, f"getComputedStyle({_DOTS}).display") == "flex"
    assert js(qtbot, view, "document.getAnimations().length") == 0
    first = js(qtbot, view, _LIT)
    assert first.count("1") == 1  # one dot lit at a time
    qtbot.waitUntil(lambda: js(qtbot, view, _LIT) != first, timeout=10_000)
    assert js(qtbot, view, _LIT).count("1") == 1
    icon = "document.querySelector('[data-key=a1] .card .card-icon')"
    seen = {js(qtbot, view, f"getComputedStyle({icon}).opacity")}
    qtbot.waitUntil(
        lambda: seen.add(js(qtbot, view, f"getComputedStyle({icon}).opacity")) or len(seen) > 1,
        timeout=10_000,
    )
    assert js(qtbot, view, "document.getAnimations().length") == 0
    view.update_artifact_card("a1", "game", state="ready", version=1)
    view.set_message_state("a1", "complete")
    assert js(qtbot, view, f"getComputedStyle({_DOTS}).display") == "none"
    assert js(qtbot, view, f"getComputedStyle({icon}).opacity") == "1"
