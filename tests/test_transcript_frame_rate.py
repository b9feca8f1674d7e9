"""A firehose stream reaches the page less often; a readable one every frame.

Only the chosen interval is checked (never a time): text arriving faster than
FAST_STREAM_CHARS a second moves page updates to every FAST_FRAME_MS (Markdown still renders
every frame), and the normal interval comes back once the text is under the budget again.
"""

from tests.test_transcript import view  # noqa: F401 - the loaded transcript fixture
from widgets.page_pacer import FAST_FRAME_MS, FAST_STREAM_CHARS


def test_a_firehose_slows_the_frames_and_a_trickle_restores_them(view):  # noqa: F811
    normal = view._throttle.interval
    view.add_message("a1", "assistant")
    frame_budget = FAST_STREAM_CHARS * normal // 1000
    view.append_text("a1", "word " * (frame_budget // 5 + 100))  # more than a frame's worth
    view.flush()
    assert view._pacer.interval == FAST_FRAME_MS
    assert view._throttle.interval == normal  # Markdown still renders every frame
    view.append_text("a1", "a few words")
    view.flush()
    assert view._pacer.interval == normal


def test_ordinary_text_keeps_the_normal_frame_rate(view):  # noqa: F811
    normal = view._throttle.interval
    view.add_message("a1", "assistant")
    for _ in range(20):
        view.append_text("a1", "token ")
        view.flush()
        assert view._pacer.interval == normal


def test_a_firehose_holds_page_updates_until_its_frame(view, qtbot):  # noqa: F811
    view.add_message("a1", "assistant")
    view.append_text("a1", "word " * (FAST_STREAM_CHARS // 5))
    view.flush()  # a forced update: the pacer now counts from here
    qtbot.waitUntil(lambda: not view._applying, timeout=10_000)  # the page has applied it
    view.append_text("a1", "more words " * 400)
    view._throttle.flush()  # a frame right away: rendered, but the update is held
    assert view._pacer.firehose and view._ops
    # Held updates still go out once the firehose's frame is over, with nothing more arriving.
    qtbot.waitUntil(lambda: not view._ops and not view.rendering, timeout=10_000)


def test_the_end_of_a_firehose_reply_is_not_held(view, qtbot):  # noqa: F811
    normal = view._throttle.interval
    view.add_message("a1", "assistant")
    view.append_text("a1", "word " * (FAST_STREAM_CHARS // 5))
    view.flush()
    qtbot.waitUntil(lambda: not view._applying, timeout=10_000)
    view.append_text("a1", "more words " * 400)
    view._throttle.flush()  # rendered, held for the firehose's frame
    assert view._pacer.interval == FAST_FRAME_MS
    view.finish_message("a1")  # what is still waiting goes out every frame, not every 250 ms
    assert view._pacer.interval == normal
