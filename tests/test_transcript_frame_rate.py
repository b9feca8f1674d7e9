"""A firehose stream is shown at a slower frame rate; a readable one keeps the normal one.

Only the chosen interval is checked (never a time): text arriving faster than
FAST_STREAM_CHARS a second moves the transcript to FAST_FRAME_MS frames, and the normal
interval comes back once a frame's worth of text is small again.
"""

from tests.test_transcript import view  # noqa: F401 - the loaded transcript fixture
from widgets.transcript import FAST_FRAME_MS, FAST_STREAM_CHARS


def test_a_firehose_slows_the_frames_and_a_trickle_restores_them(view):  # noqa: F811
    normal = view._throttle.interval
    view.add_message("a1", "assistant")
    frame_budget = FAST_STREAM_CHARS * normal // 1000
    view.append_text("a1", "word " * (frame_budget // 5 + 100))  # more than a frame's worth
    view.flush()
    assert view._throttle.interval == FAST_FRAME_MS
    view.append_text("a1", "a few words")
    view.flush()
    assert view._throttle.interval == normal


def test_ordinary_text_keeps_the_normal_frame_rate(view):  # noqa: F811
    normal = view._throttle.interval
    view.add_message("a1", "assistant")
    for _ in range(20):
        view.append_text("a1", "token ")
        view.flush()
        assert view._throttle.interval == normal
