"""The disk full in the middle of a reply: one sentence, the reply kept, `ask --json` ends with
an error event. A real stream from the loopback model server into a real SQLite store; the full
disk is SQLite's page limit in-process, and a real 1 MB tmpfs for `ask` (as root).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.providers import make_provider
from app.session import ChatSession, SessionEvent, TurnEnded
from app.store import Store
from app.store_errors import DiskFull
from tests.model_server import openai_text_reply

ROOT = Path(__file__).resolve().parents[1]


def _limit(store: Store, extra_pages: int | None) -> None:
    """Cap the database at its current size plus `extra_pages` (None: no cap)."""
    (pages,) = store._db.execute("PRAGMA page_count").fetchone()
    limit = 1_073_741_823 if extra_pages is None else pages + extra_pages
    store._db.execute(f"PRAGMA max_page_count = {limit}")


def _stream(server, store: Store, text: str, listener, *, delay: float = 0.0):
    reply = openai_text_reply(text, chunk_chars=2000, delay=delay)
    server.enqueue(reply)

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=server.openai_base, api_key=None, name="T"
            )
            conversation = store.create_conversation("full")
            session = ChatSession(store, conversation.id, provider, "m", system_prompt=None)
            return await session.send("write a lot", listener), conversation.id

    return asyncio.run(go())


def test_disk_full_at_the_end_keeps_the_reply_and_says_so(model_server, tmp_path: Path):
    store = Store(tmp_path / "h.sqlite3")
    text = os.urandom(60_000).hex()  # 120 KB: more than the room left
    events: list[SessionEvent] = []

    def listen(event: SessionEvent) -> None:
        events.append(event)
        if type(event).__name__ == "TurnStarted":
            _limit(store, 3)  # the prompt and the empty reply row are stored; then it fills

    message, conversation_id = _stream(model_server, store, text, listen)
    [ended] = [e for e in events if isinstance(e, TurnEnded)]
    assert isinstance(ended.error, DiskFull)
    assert str(ended.error).startswith("The disk is full: ")
    assert message.content == text  # the reply as it arrived, in memory
    assert message.status == "incomplete" and message.error.startswith("The disk is full")
    # What was stored before is all there: the prompt, the reply row (marked, not lost).
    user, stored = store.messages(conversation_id)
    assert user.content == "write a lot"
    assert stored.status == "incomplete" and "disk is full" in stored.error
    store.close()


def test_room_made_during_the_reply_lets_the_next_checkpoint_write_it(model_server, tmp_path: Path):
    store = Store(tmp_path / "h.sqlite3")
    text = os.urandom(30_000).hex()
    seen = {"segments": 0}

    def listen(event: SessionEvent) -> None:
        if type(event).__name__ == "TurnStarted":
            _limit(store, 2)
        elif type(event).__name__ == "ParsedSegment":
            seen["segments"] += 1
            if seen["segments"] == 20:  # well after the first failed checkpoint
                _limit(store, None)  # the user freed some space

    message, conversation_id = _stream(model_server, store, text, listen, delay=0.1)
    assert (message.status, message.error) == ("complete", "")
    assert store.messages(conversation_id)[1].content == text
    store.close()


@pytest.fixture
def tiny_home(tmp_path: Path, monkeypatch):
    """EASEL_HOME on a 1 MB tmpfs (root only)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tiny tmpfs needs root")
    home = tmp_path / "tiny-home"
    home.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(home)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    monkeypatch.setenv("EASEL_HOME", str(home))
    yield home
    subprocess.run(["umount", "-l", str(home)], check=False)


def _ask(server, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", "ask", "--base-url", server.openai_base, "--model", "m",
         *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _fill(home: Path, leave: int) -> None:
    """Take all but `leave` bytes of the filesystem with one file."""
    stat = os.statvfs(home)
    free = stat.f_bavail * stat.f_frsize
    with open(home / "filler", "wb") as file:
        file.write(b"\0" * max(0, free - leave))


def test_ask_json_ends_with_an_error_event_on_a_full_disk(model_server, tiny_home: Path):
    model_server.enqueue(openai_text_reply("first, to create the database"))
    assert _ask(model_server, "hello").returncode == 0
    # Room for the prompt's few small transactions (and the WAL index), not for the reply.
    _fill(tiny_home, 256 * 1024)
    model_server.enqueue(openai_text_reply(os.urandom(200_000).hex(), chunk_chars=4000))
    done = _ask(model_server, "--json", "write a lot")
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1, done.stderr
    assert events[0]["type"] == "start"  # the prompt was stored, the reply began
    assert [e["type"] for e in events[-2:]] == ["done", "error"]
    assert events[-2]["status"] == "incomplete"
    assert events[-1]["message"].startswith("The disk is full: ")
    assert "Traceback" not in done.stderr
    assert done.stderr.count("The disk is full") >= 1
    # The prompt was stored before the disk filled, and stays.
    (tiny_home / "filler").unlink()
    shown = subprocess.run(
        [sys.executable, "main.py", "history", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    titles = [row["title"] for row in json.loads(shown.stdout)]
    assert "write a lot" in titles
