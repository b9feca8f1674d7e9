"""When the window reads every page of the history: after an unclean end, or when it is due.

SQLite's `PRAGMA quick_check` reads the whole file (about 4 ms per MB: ~3 s for ten years of
history), so the window no longer runs it before every start. A small state file beside the
database, `easel.sqlite3.session` (JSON), says who has the history open, whether that window
ended cleanly and when the last full check passed. The rule:

- Before the window, the full check runs (and a damaged file is set aside and recovered, as
  app/store_recovery.py does) when the last window did not end cleanly and its process is gone
  (a crash, a kill, a power cut), when the state file cannot be read, or when a check after an
  earlier start found damage.
- Otherwise it runs after the first frame, on a worker thread with its own read-only
  connection, when the last check that passed is CHECK_EVERY_SECONDS old (or never happened).
  Damage found there cannot be repaired under the open window: the state is marked damaged,
  so the next start checks before the window and recovers, and the caller tells the user.
- A file SQLite cannot open at all (garbage, a truncated header) is still met at once: opening
  it fails, and open_history recovers it whatever this module decided.

A missing state file (a first start, an older Easel, a history written by `main.py ask`) is no
sign of damage: it only makes the check due. The quick headless commands never touch the state.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from app import store_owner
from app.store_recovery import OpenedHistory, history_path, open_history

log = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 7 * 24 * 3600
STATE_SUFFIX = ".session"


@dataclass(frozen=True)
class SessionState:
    """What the state file says (all defaults when there is none)."""

    owner: str = ""  # store_owner mark of the window that has (or had) the history open
    clean: bool = True  # that window ended cleanly
    checked: float = 0.0  # when the last full check passed (0: never)
    damage: str = ""  # what a check after the first frame found (a next start recovers)


class HistoryCheckup:
    """Opens the window's history with the full check only when warranted; checks it later."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._me = store_owner.this_process()
        self._stopped = False  # set by the GUI thread, read by the checking thread
        self._checking: sqlite3.Connection | None = None

    @property
    def state_path(self) -> Path:
        """The state file beside the database."""
        assert self.path is not None, "open() first"
        return self.path.with_name(self.path.name + STATE_SUFFIX)

    def open(self) -> OpenedHistory:
        """Open the history (see the module's rule) and record this window as its user."""
        self.path = self.path or history_path()
        state, reason = self.check_first_reason()
        if reason:
            log.info("checking every page of %s before the window: %s", self.path, reason)
        opened = open_history(self.path, check=reason is not None)
        checked = time.time() if reason is not None else state.checked
        self._write(SessionState(self._me.encode(), False, checked, ""))
        return opened

    def check_first_reason(self) -> tuple[SessionState, str | None]:
        """The recorded state, and why the full check must run before the window (or None)."""
        try:
            state = self._read()
        except (OSError, ValueError, TypeError) as error:
            return SessionState(), f"its session state is unreadable ({error})"
        if state is None:
            return SessionState(), None
        if state.damage:
            return state, f"the last check found damage ({state.damage})"
        if not state.clean and self._owner_gone(state.owner):
            return state, "the last window did not end cleanly"
        return state, None

    def due(self, now: float | None = None) -> bool:
        """Whether the check after the first frame should run (the last passed long ago)."""
        try:
            state = self._read() or SessionState()
        except (OSError, ValueError, TypeError):
            return True
        now = time.time() if now is None else now
        return not state.damage and now - state.checked >= CHECK_EVERY_SECONDS

    def check(self) -> str | None:
        """Read every page on a connection of its own (call it from a worker thread).

        Returns the first finding when the file is damaged (the state is then marked so the
        next start recovers it), None when it is whole or the check was stopped.
        """
        if self._stopped:
            return None
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        # Polled every few thousand steps: stop() ends the check within milliseconds, even if
        # it came before the statement started (sqlite3_interrupt would miss that moment).
        db.set_progress_handler(self._should_stop, 4096)
        self._checking = db  # for stop(): the SQLite here polls only interrupts mid-check
        try:
            rows = [row[0] for row in db.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError as error:
            if self._stopped:  # aborted by stop(): the window is closing
                return None
            rows = [str(error)]
        finally:
            self._checking = None
            db.close()
        if rows == ["ok"]:
            self._update(checked=time.time())
            return None
        log.warning("the history database %s is damaged: %s", self.path, rows[0])
        self._update(damage=rows[0])
        return rows[0]

    def stop(self) -> None:
        """End a running check (the window is closing); later checks do nothing."""
        self._stopped = True
        db = self._checking
        if db is not None:
            try:
                db.interrupt()  # safe from another thread
            except sqlite3.ProgrammingError:
                pass  # the check ended and closed it meanwhile

    def _should_stop(self) -> int:
        return int(self._stopped)

    def closed_cleanly(self) -> None:
        """Record that this window ended cleanly (after its store was closed)."""
        self.stop()
        try:
            state = self._read() or SessionState()
        except (OSError, ValueError, TypeError):
            state = SessionState()
        if state.owner and state.owner != self._me.encode():
            return  # another window opened the history after us and still has it
        self._write(SessionState("", True, state.checked, state.damage))

    def _owner_gone(self, owner: str) -> bool:
        if not owner:
            return True
        try:
            updated = self.state_path.stat().st_mtime
        except OSError:
            return True
        return store_owner.is_abandoned(owner, updated, time.time(), self._me)

    def _update(self, **changes: str | float) -> None:
        try:
            state = self._read() or SessionState()
        except (OSError, ValueError, TypeError):
            state = SessionState()
        self._write(replace(state, **changes))

    def _read(self) -> SessionState | None:
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return SessionState(
            owner=str(data.get("owner", "")),
            clean=bool(data.get("clean", False)),
            checked=float(data.get("checked", 0.0)),
            damage=str(data.get("damage", "")),
        )

    def _write(self, state: SessionState) -> None:
        """Replace the state file in one step (a crash mid-write leaves the old one)."""
        temporary = self.state_path.with_name(self.state_path.name + ".tmp")
        try:
            temporary.write_text(json.dumps(asdict(state)), encoding="utf-8")
            temporary.replace(self.state_path)
        except OSError as error:
            # Without the state the next start simply checks again: never stop for it.
            log.warning("could not record the history's session state: %s", error)
