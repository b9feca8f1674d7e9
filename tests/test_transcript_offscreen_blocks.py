"""Finished blocks far from the screen are not laid out (content-visibility), and a long
reply streamed fast still ends with the view following its end."""

from tests.test_transcript import js, view  # noqa: F401 - the loaded transcript fixture

_BLOCK = "A paragraph of the reply, with *emphasis* and `code`.\n\n```js\nlet x = 1;\n```\n\n"


def _gap(qtbot, view) -> float:  # noqa: F811
    return js(qtbot, view, "document.documentElement.scrollHeight - scrollY - innerHeight")


def test_a_long_fast_reply_skips_blocks_off_screen_and_follows_its_end(view, qtbot):  # noqa: F811
    view.add_message("a1", "assistant")
    view.set_message_state("a1", "streaming")
    for _ in range(300):
        view.append_text("a1", _BLOCK)
    view.finish_message("a1")
    view.set_message_state("a1", "complete")
    blocks = "document.querySelectorAll('[data-key=a1] .stable > *')"
    assert js(qtbot, view, f"{blocks}.length") == 600
    assert js(qtbot, view, f"getComputedStyle({blocks}[0]).contentVisibility") == "auto"
    # Blocks render as they come near the screen; the view settles at the very end.
    qtbot.waitUntil(lambda: abs(_gap(qtbot, view)) < 2, timeout=10_000)
    last = f"{blocks}[599].getBoundingClientRect()"
    assert js(qtbot, view, f"{last}.bottom <= innerHeight && {last}.height > 20")
    # Scrolled to the top, the first blocks are laid out (and read) as they are.
    js(qtbot, view, "(window.scrollTo(0, 0), 1)")
    code = f"{blocks}[1]"
    qtbot.waitUntil(lambda: "let x = 1;" in js(qtbot, view, f"{code}.innerText"), timeout=10_000)
    assert js(qtbot, view, f"{code}.querySelector('pre').getBoundingClientRect().height") > 20
