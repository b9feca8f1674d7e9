"""The checkpoint interval: every second for an ordinary reply, growing with a huge one."""

from __future__ import annotations

from app.checkpoint_clock import CHECKPOINT_SECONDS, checkpoint_interval


def test_an_ordinary_reply_is_saved_every_second() -> None:
    assert checkpoint_interval(0) == CHECKPOINT_SECONDS == 1.0
    assert checkpoint_interval(200_000) == 1.0
    assert checkpoint_interval(2_000_000) == 1.0


def test_the_interval_grows_with_the_reply_so_rewriting_it_stays_a_small_share() -> None:
    sizes = [4_000_000, 10_000_000, 50_000_000]
    intervals = [checkpoint_interval(size) for size in sizes]
    assert intervals == sorted(intervals) and intervals[0] > 1.0
    # Seconds of interval per MB rewritten: a checkpoint costs ~7-15 ms per MB (measured), so
    # 0.5 s per MB keeps it near 3% of the time whatever the size.
    for size, interval in zip(sizes, intervals, strict=True):
        assert interval / (size / 1e6) == 0.5
