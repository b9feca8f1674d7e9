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


def test_a_stored_long_message_opens_at_its_end(view, qtbot):  # noqa: F811
    """A conversation whose last message is one long block (a list of 60 points) shown in one
    update, as opening it does: the block is sized 120 px until laid out, and grows after the
    update scrolled to the end; the view still ends at the end, and still follows."""
    points = "".join(
        f"- Point {i}: keep the *counter* simple and the `button` big.\n" for i in range(60)
    )
    with view.batched():
        view.scroll_to_bottom()
        view.add_message("u1", "user")
        view.append_text("u1", "Some notes please")
        view.finish_message("u1")
        view.add_message("a1", "assistant")
        view.append_text("a1", "## Notes\n\n" + points)
        view.finish_message("a1")
    qtbot.waitUntil(lambda: js(qtbot, view, "document.documentElement.scrollHeight") > 2000)
    qtbot.wait(300)  # the blocks near the screen are laid out by now
    assert abs(_gap(qtbot, view)) < 2
    view.add_message("a2", "assistant")  # still following: the next message shows at once
    view.append_text("a2", "And one more thing.")
    view.finish_message("a2")
    qtbot.waitUntil(lambda: js(qtbot, view, "!!document.querySelector('[data-key=a2] p')"))
    qtbot.wait(100)
    assert abs(_gap(qtbot, view)) < 2


def test_a_view_made_shorter_still_shows_the_end_and_one_scrolled_up_stays(view, qtbot):  # noqa: F811
    """The prompt box grows as the user types (or the window is made shorter): a view that was
    following keeps the conversation's last lines in sight; one scrolled up to read stays put.
    The web engine does this itself (the page's own following is not needed for it, checked by
    taking it out); this guards it against a page change or an engine that stops doing it."""
    view.add_message("a1", "assistant")
    for i in range(40):
        view.append_text("a1", f"Paragraph {i} of a reply long enough to scroll.\n\n")
    view.finish_message("a1")
    qtbot.waitUntil(lambda: abs(_gap(qtbot, view)) < 2, timeout=10_000)
    width, height = view.width(), view.height()
    view.resize(width, height - 150)
    qtbot.waitUntil(lambda: js(qtbot, view, "innerHeight") < height - 100)
    qtbot.waitUntil(lambda: abs(_gap(qtbot, view)) < 2, timeout=5_000)

    js(qtbot, view, "(window.scrollTo(0, 0), 1)")  # the user scrolls up to read
    qtbot.wait(100)
    view.resize(width, height)
    qtbot.waitUntil(lambda: js(qtbot, view, "innerHeight") > height - 50)
    qtbot.wait(100)
    assert js(qtbot, view, "scrollY") == 0


# How much room a list's padding leaves its last number as Chromium draws it outside the item
# ("12. ", "122. ", the space included): a block clips its own paint (content-visibility), so
# with too little "10." lost its first digit.
_NUMBER_ROOM = """(() => {
  const ol = document.querySelector('[data-key=%s] ol'), li = ol.lastElementChild;
  const last = ol.start + ol.children.length - 1;
  const pen = document.createElement('canvas').getContext('2d');
  pen.font = getComputedStyle(li).font;
  return parseFloat(getComputedStyle(ol).paddingLeft) - pen.measureText(last + '. ').width;
})()"""


def test_a_numbered_list_has_room_for_its_numbers(view, qtbot):  # noqa: F811
    lists = {
        "nine": "".join(f"{n}. item\n" for n in range(1, 10)),
        "twelve": "".join(f"{n}. item\n" for n in range(1, 13)),
        "late": "".join(f"{n}. item\n" for n in range(120, 123)),
    }
    for key, text in lists.items():
        view.add_message(key, "assistant")
        view.append_text(key, text)
        view.finish_message(key)
    for key in lists:
        room = js(qtbot, view, _NUMBER_ROOM % key)
        assert room >= 0, (key, room)
