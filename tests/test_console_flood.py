"""A page that floods its console: memory stays bounded, the counts stay exact, the UI answers.

tests/hostile/console_flood.html logs for three seconds as fast as its renderer can (every
100th line an error, every 1000th a 100 KB message), then logs "done N" and sets its title.
The same page runs in the artifact tab (offscreen, real QtWebEngine) and in `render --console`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from app.console_log import MAX_TEXT_CHARS, ConsoleLog, dropped_note, format_line
from app.fix import ConsoleLine, ErrorGroup, collect_errors, fix_prompt
from app.publish import Publisher
from app.store import ArtifactVersion
from sandbox.profile import make_artifact_profile
from widgets.artifact_tab import ArtifactTab

ROOT = Path(__file__).resolve().parents[1]
FLOOD = Path(__file__).parent / "hostile" / "console_flood.html"


def _expected_errors(lines: int) -> int:
    """Errors the flood page logged among its `lines` lines (the last one is "done N")."""
    logged = lines - 1
    return logged // 100 - logged // 1000


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


# --- the bounded log (pure) ---------------------------------------------------------------------


def test_the_log_keeps_the_last_lines_and_counts_all_of_them():
    log = ConsoleLog(capacity=10, blocked_capacity=3)
    for n in range(1, 10_001):
        level = "error" if n % 100 == 0 else "info"
        log.add(ConsoleLine(level, "same error" if level == "error" else f"line {n}", "s", 7))
    assert log.total == 10_000 and len(log.lines()) == 10 and log.dropped == 9_990
    assert [line.message for line in log.lines()][-2:] == ["line 9999", "same error"]
    assert log.error_count == 100
    assert log.errors() == [ErrorGroup("error", "same error", "s", 7, count=100)]


def test_blocked_requests_survive_a_flood_of_console_lines_in_order():
    log = ConsoleLog(capacity=5, blocked_capacity=2)
    log.add(ConsoleLine("blocked", "https://a.example/", "https://a.example/"))
    for n in range(100):
        log.add(ConsoleLine("info", f"n{n}"))
    log.add(ConsoleLine("blocked", "https://b.example/", "https://b.example/"))
    log.add(ConsoleLine("info", "last"))
    shown = [line.message for line in log.lines()]
    assert shown == ["https://a.example/", "n96", "n97", "n98", "n99", "https://b.example/", "last"]
    assert log.dropped == 96 and log.error_count == 2
    assert format_line(log.lines()[0]) == "blocked: https://a.example/"


def test_a_huge_message_is_cut_and_errors_stay_bounded_and_fixable():
    log = ConsoleLog(capacity=3)
    kept = log.add(ConsoleLine("error", "x" * 5_000_000, "easel-artifact://h/", 3))
    assert len(kept.message) < MAX_TEXT_CHARS + 100 and "5,000,000 characters" in kept.message
    for n in range(5000):  # every error different: the tally remembers a bounded number
        log.add(ConsoleLine("error", f"unique {n}", "easel-artifact://h/", 3))
    assert log.error_count == 5001 and len(log.errors()) <= 500
    prompt = fix_prompt("game", "Game", "a\nb\nc\n", log.errors())
    assert "more different errors are not shown" in prompt and len(prompt) < 20_000
    log.clear()
    assert (log.total, log.dropped, log.error_count, log.lines()) == (0, 0, 0, [])


def test_collect_errors_is_unchanged_by_the_tally():
    lines = [ConsoleLine("error", "e", "s", 1)] * 3 + [ConsoleLine("blocked", "u", "u")]
    assert collect_errors(lines) == [
        ErrorGroup("error", "e", "s", 1, 3),
        ErrorGroup("blocked", "u", "u", 0, 1),
    ]
    assert dropped_note(1, 10) == "dropped: 1 earlier line (only the last 10 are kept)"


# --- the artifact tab ---------------------------------------------------------------------------


@pytest.fixture
def tab(qtbot):
    profile = make_artifact_profile()
    made = ArtifactTab("flood/1", "flood", profile, Publisher())
    made.resize(900, 700)
    made.show()
    yield made
    made.close()
    made.deleteLater()
    qtbot.wait(1)  # the tab's page goes before its profile, or QtWebEngine complains
    profile.deleteLater()
    qtbot.wait(1)


def test_a_flooding_page_keeps_the_tab_bounded_exact_and_responsive(tab, qtbot):
    content = FLOOD.read_text(encoding="utf-8")
    version = ArtifactVersion(
        1, 1, "flood", 1, "text/html", "Flood", content, "full", None, True, 0
    )
    ticks = []
    ticker = QTimer()
    ticker.setInterval(50)
    ticker.timeout.connect(lambda: ticks.append(tab.console.log.total))
    tab.console_button.setChecked(True)  # the drawer open: it is redrawn during the flood
    before = _rss_kb()
    tracemalloc.start()
    ticker.start()
    tab.set_versions([version], None)
    qtbot.waitUntil(lambda: tab.view.title().startswith("done "), timeout=60_000)
    total = int(tab.view.title().split()[1])
    qtbot.waitUntil(lambda: tab.console.log.total == total, timeout=60_000)
    ticker.stop()
    tab.console.flush()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    grown_mb = (_rss_kb() - before) / 1024

    log = tab.console.log
    assert len(log.lines()) <= 1000 and log.dropped == total - len(log.lines())
    assert tab.console.count() <= 1001  # the rows on screen, the "dropped" marker included
    assert tab.console.item(0).text() == dropped_note(log.dropped)
    assert tab.console.item(tab.console.count() - 1).text().startswith(f"info: done {total}")
    errors = _expected_errors(total)
    assert log.error_count == errors
    assert tab.console_button.text() == f"Console ({total:,})"
    assert tab.fix_button.text() == f"Fix {errors:,} errors" and tab.fix_button.isVisibleTo(tab)
    # The UI kept answering while lines poured in: the timer fired between the first line
    # and the last, not only once the flood was over.
    assert any(0 < seen < total for seen in ticks)
    # What Python holds for the console: the kept lines (each cut to 2,000 characters), not
    # every line: the page logged over 100,000, a hundred of them 100 KB long (kept whole,
    # they alone weigh 10 MB). RSS also counts the web engine's own growth, so it is only
    # reported.
    assert held < 8 * 2**20 and peak < 16 * 2**20, (
        f"Python holds {held / 2**20:.1f} MB (peak {peak / 2**20:.1f} MB) after {total:,} "
        f"lines; the process grew {grown_mb:.0f} MB"
    )


def test_fix_after_a_flood_sends_the_collapsed_errors(tab, qtbot):
    content = FLOOD.read_text(encoding="utf-8")
    version = ArtifactVersion(
        1, 1, "flood", 1, "text/html", "Flood", content, "full", None, True, 0
    )
    tab.set_versions([version], None)
    qtbot.waitUntil(lambda: tab.view.title().startswith("done "), timeout=60_000)
    total = int(tab.view.title().split()[1])
    qtbot.waitUntil(lambda: tab.console.log.total == total, timeout=60_000)
    with qtbot.waitSignal(tab.fixRequested, timeout=5_000) as sent:
        tab.request_fix()
    prompt = sent.args[1]
    assert f"Error (×{_expected_errors(total)}): flood error" in prompt


# --- render --console ---------------------------------------------------------------------------


def test_render_console_of_a_flood_is_bounded_and_says_what_it_dropped():
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "render", str(FLOOD), "--console"]
        + ["--wait", "4", "--timeout", "90"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    final = next(line for line in reversed(lines) if line.startswith("info: done "))
    total = int(re.match(r"info: done (\d+)", final).group(1))
    dropped = int(re.match(r"dropped: ([\d,]+) earlier lines", lines[0]).group(1).replace(",", ""))
    assert len(lines) == 1 + 1000 and dropped + 1000 == total
    assert max(len(line) for line in lines) < MAX_TEXT_CHARS + 200
    assert "Traceback" not in done.stderr
