"""A firehose stream reaches the page less often; a readable one at a reading pace.

Only the chosen interval is checked in the view (never a time): text arriving faster than
FAST_STREAM_CHARS a second moves page updates to every FAST_FRAME_MS (Markdown still renders
every frame), and the normal interval comes back once the text is under the budget again.
The pacer's own decisions are checked against a clock the test sets.
"""

from tests.test_transcript import view  # noqa: F401 - the loaded transcript fixture
from widgets.page_pacer import FAST_FRAME_MS, FAST_STREAM_CHARS, READING_FRAME_MS, PagePacer


class ClockedPacer(PagePacer):
    """A pacer whose time since the last page update is what the test says."""

    elapsed = 0

    def _elapsed(self) -> int:
        return self.elapsed


def test_streamed_text_reaches_the_page_at_a_reading_pace():
    pacer = ClockedPacer(16)
    pacer.updated()
    assert pacer.due()  # nothing new to show: an update (a card, a footer) goes at once
    pacer.rendered(6)  # a token's text
    pacer.elapsed = 16
    assert pacer.interval == READING_FRAME_MS and not pacer.due()
    pacer.elapsed = READING_FRAME_MS
    assert pacer.due()
    pacer.updated()
    assert pacer.interval == 16 and pacer.due()


def test_the_first_text_after_a_pause_goes_at_once():
    pacer = ClockedPacer(16)
    pacer.updated()
    pacer.elapsed = 900  # the user's message went out long ago; the model starts answering
    pacer.rendered(4)
    assert pacer.due() and not pacer.firehose


def test_a_firehose_waits_for_its_own_frame():
    pacer = ClockedPacer(16)
    pacer.updated()
    pacer.rendered(FAST_STREAM_CHARS)  # a second's budget in one frame
    pacer.elapsed = READING_FRAME_MS
    assert pacer.firehose and not pacer.due()
    pacer.elapsed = FAST_FRAME_MS
    assert pacer.due()


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


def test_ordinary_text_is_no_firehose_and_all_of_it_reaches_the_page(view, qtbot):  # noqa: F811
    normal = view._throttle.interval
    view.add_message("a1", "assistant")
    for number in range(20):
        view.append_text("a1", f"token{number} ")
        view._throttle.flush()  # a frame: Markdown renders, the page update may wait
        assert not view._pacer.firehose
        assert view._throttle.interval == normal  # Markdown still renders every frame
    # Held updates go out with nothing more arriving.
    qtbot.waitUntil(lambda: not view._ops and not view.rendering and not view._applying)
    texts: list[str] = []
    view.run_js_for_test("document.querySelector('article').textContent", texts.append)
    qtbot.waitUntil(lambda: bool(texts))
    assert "token0" in texts[0] and "token19" in texts[0]


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


def test_the_view_holds_streamed_text_reasoning_and_progress(view, qtbot):  # noqa: F811
    pacer = ClockedPacer(view._throttle.interval)
    view._pacer = pacer  # the view's pacer, with a clock the test sets
    view.add_message("a1", "assistant")
    view.add_artifact_card("a1", "game", "Game", "text/html", 0, "streaming")
    view.flush()  # a forced update: the pacer counts from here
    for stream in (
        lambda: view.append_reasoning("a1", "Let me think. "),
        lambda: view.append_text("a1", "The answer "),
        lambda: view.update_artifact_card("a1", "game", progress="1.2 KB"),
    ):
        qtbot.waitUntil(lambda: not view._applying)  # the page has applied the last update
        pacer.elapsed = 0
        stream()
        view._throttle.flush()  # a frame right after the last update: held
        assert view._ops
        pacer.elapsed = READING_FRAME_MS
        view._throttle.trigger()
        view._throttle.flush()  # a reading frame later: it goes
        assert not view._ops


def test_a_card_changing_state_goes_at_once(view, qtbot):  # noqa: F811
    pacer = ClockedPacer(view._throttle.interval)
    view._pacer = pacer
    view.add_message("a1", "assistant")
    view.add_artifact_card("a1", "game", "Game", "text/html", 0, "streaming")
    view.flush()
    qtbot.waitUntil(lambda: not view._applying)
    view.update_artifact_card("a1", "game", state="ready", version=1)
    view._throttle.flush()  # right after the last update, yet not held: nothing streamed
    assert not view._ops
