"""bench/stream.py still runs: its quick mode streams a small reply fast and one second at a
model's pace, and prints every figure the README's table is made from.

No time is asserted (the bench's figures are ratios for a person to read); what is checked is
that each figure is there and is a number, and that the paced reply used some CPU in both the
window and the bare web view (a measurement of nothing would read 0).
"""

from __future__ import annotations

from tests.bench_quick import quick_result


def test_the_stream_bench_runs_in_its_quick_mode():
    figures = quick_result("stream.py")
    assert {
        "ratio_to_httpx", "ratio_to_decoded", "lag_p99_ms", "busy_max_stall_ms",
        "paced_cpu_percent", "paced_bare_cpu_percent", "paced_ratio",
    } <= set(figures)  # fmt: skip
    parts = figures.pop("window_cpu_parts_ms")
    assert set(parts) == {"gui_thread", "app_threads", "engine", "markdown", "server"}
    assert all(isinstance(value, int | float) for value in figures.values())
    assert figures["paced_cpu_percent"] > 0 and figures["paced_bare_cpu_percent"] > 0
