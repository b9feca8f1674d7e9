"""Who is streaming a reply: an owner mark for a process, and whether that process still lives.

A reply row stays "streaming" while its process writes it. When another Easel opens the same
database (the window and `main.py ask`, or `history`), it must not take that reply for one cut
off by a crash. So each streaming row records its owner: the host, the process id and a mark of
when that process started (a pid is reused after a process ends; its start time is not). A row
is abandoned when its owner is gone: the same host with no such pid, or a pid that now belongs
to a process that started at another time. A row from another host cannot be checked that way;
it counts as abandoned once it has not been written for STALE_SECONDS (a live reply is written
about every second).
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

STALE_SECONDS = 15 * 60


@dataclass(frozen=True)
class Owner:
    """A process as recorded on a streaming row."""

    host: str
    pid: int
    started: str  # boot id + start time in clock ticks on Linux; "" where unknown

    def encode(self) -> str:
        """The form stored in messages.owner: host, pid and start mark, space-separated."""
        return f"{self.host} {self.pid} {self.started}".rstrip()


def this_process() -> Owner:
    """The owner mark of the calling process."""
    pid = os.getpid()
    return Owner(socket.gethostname(), pid, _start_mark(pid))


def decode(text: str | None) -> Owner | None:
    """The owner stored on a row, or None for a row written before owners were recorded."""
    if not text:
        return None
    parts = text.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    return Owner(parts[0], int(parts[1]), parts[2] if len(parts) > 2 else "")


def is_abandoned(stored: str | None, updated: float, now: float, me: Owner) -> bool:
    """Whether a streaming row's owner is gone, so the row can be marked incomplete."""
    owner = decode(stored)
    if owner is None:
        return True  # an older Easel wrote it; those marked every streaming row at open
    if owner.host != me.host or sys.platform == "win32":
        # Windows: os.kill(pid, 0) would send Ctrl+C, not probe. Go by the row's age there.
        return now - updated > STALE_SECONDS
    if owner.pid == me.pid:
        return owner.started != me.started  # our pid, but an earlier process's row
    if not _pid_exists(owner.pid):
        return True
    mark = _start_mark(owner.pid)
    return bool(owner.started and mark and mark != owner.started)


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by another user
    except OSError:
        return False
    return True


def _start_mark(pid: int) -> str:
    """Boot id and start time of a process (Linux /proc); "" where the system does not say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    fields = stat[stat.rfind(")") + 2 :].split()
    return f"{boot}/{fields[19]}" if len(fields) > 19 else ""
