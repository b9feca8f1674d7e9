"""Memory and CPU of a benchmark's process and the processes it started (QtWebEngine's).

Shared by bench/startup.py (its child scripts import it when they report, after the moment they
time), bench/stream.py and bench/scale_window.py. Linux /proc only; a process that is gone
counts as nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def descendants(pid: int | None = None) -> list[int]:
    """Every process below `pid` (this one by default), children of every thread included:
    Chromium starts its processes from a thread of its own."""
    found: list[int] = []
    todo = [os.getpid() if pid is None else pid]
    while todo:
        for task in _tasks(todo.pop()):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def stat_ms(stat: Path) -> float:
    """User + system CPU milliseconds of one process or thread, from its stat file."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def is_web_engine(pid: int) -> bool:
    """Whether `pid` is one of QtWebEngine's processes (not a model server or a busy loop)."""
    try:
        return b"QtWebEngineProcess" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def is_markdown_worker(pid: int) -> bool:
    """Whether `pid` is Easel's Markdown worker (app/markdown_worker.py)."""
    try:
        return b"app.markdown_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def cpu_ms() -> float:
    """CPU milliseconds so far of this process (to the nanosecond, every thread: Chromium's
    browser side too), of its web engine processes and of its Markdown worker (in clock ticks).
    Unlike wall time it hardly moves when other processes load the machine."""
    ours = [pid for pid in descendants() if is_web_engine(pid) or is_markdown_worker(pid)]
    return time.process_time() * 1000 + sum(stat_ms(Path(f"/proc/{p}/stat")) for p in ours)


def rss_tree_kb() -> int:
    """Resident memory of this process and every descendant, in KB."""
    return sum(_status_kb(pid, "VmRSS:") for pid in [os.getpid(), *descendants()])


def pss_tree_kb() -> int:
    """Proportional memory (PSS) of this process and every descendant, in KB; RSS where a
    process's smaps cannot be read."""
    return pss_tree_parts_kb()["pss"]


def pss_tree_parts_kb() -> dict[str, int]:
    """PSS of this process and every descendant, in KB: "pss" in all, and "anon", the part no
    file backs (the heap, Python's objects, the engine's own memory).

    The rest is mapped files, mostly Qt's libraries, counted for the pages of them that are
    resident: more of a library is resident while the page cache holds it whole (right after
    pip wrote it, measured: 452 MB PSS against 360 MB once the cache was dropped, anon the same),
    so the anonymous part is the figure that moves only with Easel's own memory.
    """
    totals = {"pss": 0, "anon": 0}
    for pid in [os.getpid(), *descendants()]:
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            rss = _status_kb(pid, "VmRSS:")
            totals["pss"] += rss
            totals["anon"] += rss
            continue
        for line in lines:
            key = {"Pss:": "pss", "Pss_Anon:": "anon"}.get(line.split(maxsplit=1)[0])
            if key is not None:
                totals[key] += int(line.split()[1])
    return totals


def _status_kb(pid: int, key: str) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith(key)), 0)


def _tasks(pid: int) -> list[Path]:
    try:
        return list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
