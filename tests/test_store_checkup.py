"""When the window reads every page of its history (app/store_checkup.py), on real files.

A clean restart skips the full check before the window, and the damage it would have found is
still caught: by the check after the first frame (which marks the file, so the next start
recovers it), by SQLite itself for a file it cannot open, and before the window after a
window whose process died. Damage is made by writing bytes into real SQLite files; a dead
window is a real child process that opens the history and exits without closing it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.store import Store
from app.store_checkup import CHECK_EVERY_SECONDS, HistoryCheckup
from tests.test_store_recovery import _history, _smash, _table_pages

ROOT = Path(__file__).resolve().parents[1]


def _window_session(path: Path) -> None:
    """What one window does: open (checked when warranted), then end cleanly."""
    checkup = HistoryCheckup(path)
    opened = checkup.open()
    assert opened.notice is None
    opened.store.close()
    checkup.closed_cleanly()


def _smash_messages(path: Path) -> None:
    pages = _table_pages(path, "messages")
    _smash(path, pages[len(pages) // 2])


def _count_full_checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record each full check made before the window (Store.quick_check), still running it."""
    seen: list[Path] = []
    real = Store.quick_check

    def counted(store: Store) -> list[str]:
        seen.append(store.path)
        return real(store)

    monkeypatch.setattr(Store, "quick_check", counted)
    return seen


def test_a_clean_restart_skips_the_full_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "easel.sqlite3"
    _history(path)
    checks = _count_full_checks(monkeypatch)
    _window_session(path)  # no state yet: nothing suggests damage
    _window_session(path)
    assert checks == []
    state = json.loads((tmp_path / "easel.sqlite3.session").read_text())
    assert state["clean"] is True and state["owner"] == ""


def test_damage_after_a_clean_end_is_found_later_and_recovered_at_the_next_start(
    tmp_path: Path,
):
    path = tmp_path / "easel.sqlite3"
    _history(path, conversations=40, messages=30)
    _window_session(path)
    _smash_messages(path)
    checkup = HistoryCheckup(path)
    opened = checkup.open()
    assert opened.notice is None  # skipped before the window: the damage is not met yet
    assert checkup.due()  # no check ever passed
    finding = checkup.check()  # what the window runs on a worker thread after its first frame
    assert finding and "malformed" in finding
    assert not checkup.due()  # a damaged file is not checked again: the next start recovers
    opened.store.close()
    checkup.closed_cleanly()
    again = HistoryCheckup(path)
    reopened = again.open()
    assert reopened.notice is not None and "recovered 40 conversations" in reopened.notice
    assert reopened.aside is not None and reopened.aside.exists()
    assert again.check() is None  # the recovered file is whole, and the check is recorded
    assert not again.due()
    reopened.store.close()


def test_a_truncated_file_is_refused_at_open_whatever_the_state(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    _history(path, conversations=30, messages=30)
    _window_session(path)
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size // 2)
    checkup = HistoryCheckup(path)
    assert checkup.check_first_reason()[1] is None  # the state gives no reason to check
    opened = checkup.open()  # SQLite meets the missing pages when it opens: recovered now
    assert opened.notice is not None and opened.aside is not None
    assert opened.store.list_conversations()
    opened.store.close()


def test_a_window_that_died_makes_the_next_start_check_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "easel.sqlite3"
    _history(path, conversations=40, messages=30)
    child = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from app.store_checkup import HistoryCheckup
        HistoryCheckup(__import__("pathlib").Path({str(path)!r})).open()
        os._exit(0)  # killed: no close, no clean end
        """
    )
    subprocess.run([sys.executable, "-c", child], check=True, timeout=60)
    state = json.loads((tmp_path / "easel.sqlite3.session").read_text())
    assert state["clean"] is False and state["owner"]
    _smash_messages(path)
    checks = _count_full_checks(monkeypatch)
    checkup = HistoryCheckup(path)
    assert checkup.check_first_reason()[1] == "the last window did not end cleanly"
    opened = checkup.open()
    assert checks == [path]
    assert opened.notice is not None and "damaged" in opened.notice  # before the window
    assert not checkup.due()  # checked now
    opened.store.close()
    checkup.closed_cleanly()


def test_a_live_window_is_not_taken_for_a_crash(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    _history(path)
    first = HistoryCheckup(path)
    first.open().store.close()  # still "open" by this live process
    assert HistoryCheckup(path).check_first_reason()[1] is None


def test_the_check_is_due_again_after_its_period(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    _history(path)
    checkup = HistoryCheckup(path)
    opened = checkup.open()
    assert checkup.due() and checkup.check() is None
    now = time.time()
    assert not checkup.due(now)
    assert checkup.due(now + CHECK_EVERY_SECONDS + 1)
    opened.store.close()


def test_an_unreadable_state_checks_first(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    _history(path)
    (tmp_path / "easel.sqlite3.session").write_text("{not json")
    checkup = HistoryCheckup(path)
    assert "unreadable" in (checkup.check_first_reason()[1] or "")
    opened = checkup.open()
    assert opened.notice is None
    opened.store.close()
    checkup.closed_cleanly()
    assert HistoryCheckup(path).check_first_reason()[1] is None  # written anew


def test_stop_ends_a_running_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "easel.sqlite3"
    _history(path, conversations=200, messages=30)
    checkup = HistoryCheckup(path)
    opened = checkup.open()
    polls: list[int] = []
    real = HistoryCheckup._should_stop

    def stop_while_running(self: HistoryCheckup) -> int:
        polls.append(1)
        self.stop()  # the window closes while the check reads the file
        return real(self)

    monkeypatch.setattr(HistoryCheckup, "_should_stop", stop_while_running)
    assert checkup.check() is None  # stopped: neither damage nor a passed check
    assert len(polls) == 1  # it ended at the first poll, not at the end of the file
    assert checkup.due()
    assert checkup.check() is None and len(polls) == 1  # a stopped checkup checks no more
    opened.store.close()
