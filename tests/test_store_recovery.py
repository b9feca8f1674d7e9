"""The history database when things go wrong: damaged files, a damaged search index, a failed
write and the one after it, the disk full, other processes (live and dead), first starts at once.

Real SQLite files throughout; damage is made by writing bytes into them, a full disk by a
tiny tmpfs (as root) or SQLite's own page limit.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app import store_recovery
from app.store import Store
from app.store_errors import DiskFull, StoreError
from app.store_recovery import open_history, set_aside

ROOT = Path(__file__).resolve().parents[1]
PAGE = 4096


def _history(path: Path, conversations: int = 3, messages: int = 4) -> None:
    store = Store(path)
    for c in range(conversations):
        conversation = store.create_conversation(f"Trip {c}")
        for m in range(messages):
            store.add_message(conversation.id, "user", f"message {m} about volcanoes {c}")
        store.add_artifact_version(conversation.id, "plan", "text/markdown", "Plan", f"# {c}")
    store.close()
    _checkpoint_wal(path)


def _checkpoint_wal(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _table_pages(path: Path, table: str) -> list[int]:
    """The page numbers holding a table's b-tree (dbstat), 1-based."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,)).fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    finally:
        db.close()
    return sorted(row[0] for row in rows)


def _cli_recovers(tmp_path: Path) -> bool:
    """Whether the sqlite3 program is here and its .recover works (Debian's 3.40.1 fails
    with "SQL logic error" on any file)."""
    program = shutil.which("sqlite3")
    if program is None:
        return False
    probe = tmp_path / "probe.sqlite3"
    db = sqlite3.connect(probe)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    done = subprocess.run([program, str(probe), ".recover"], capture_output=True, check=False)
    return done.returncode == 0 and b"CREATE TABLE" in done.stdout


def _smash(path: Path, page: int) -> None:
    """Overwrite one page with garbage (page 1 is the header)."""
    with open(path, "r+b") as file:
        file.seek((page - 1) * PAGE)
        file.write(b"\xa5" * PAGE)


# --- damaged files ---------------------------------------------------------------------------


def test_garbage_file_is_kept_aside_and_a_fresh_history_starts(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    garbage = os.urandom(3 * PAGE)
    path.write_bytes(garbage)
    opened = open_history(path)
    assert opened.aside is not None and opened.aside.read_bytes() == garbage  # byte for byte
    assert opened.aside.name.startswith("easel.sqlite3.corrupt-")
    assert "damaged" in opened.notice and opened.aside.name in opened.notice
    conversation = opened.store.create_conversation("after")  # the new one works
    opened.store.add_message(conversation.id, "user", "hello")
    opened.store.close()


def test_an_earlier_damaged_copy_is_never_overwritten(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    path.write_bytes(b"first garbage" * 100)
    first = set_aside(path)
    path.write_bytes(b"second garbage" * 100)
    second = set_aside(path)
    assert first != second
    assert first.read_bytes() == b"first garbage" * 100
    assert second.read_bytes() == b"second garbage" * 100
    assert not path.exists()


@pytest.mark.parametrize("cli", [True, False], ids=["sqlite3-recover", "row-by-row"])
def test_damaged_pages_recovered_with_what_can_be_read(tmp_path: Path, monkeypatch, cli: bool):
    if cli and not _cli_recovers(tmp_path):
        pytest.skip("no sqlite3 program whose .recover works (Debian package sqlite3)")
    if not cli:
        monkeypatch.setattr(store_recovery.shutil, "which", lambda name: None)
    path = tmp_path / "easel.sqlite3"
    _history(path, conversations=40, messages=30)
    damaged = _table_pages(path, "messages")[len(_table_pages(path, "messages")) // 2]
    _smash(path, damaged)
    before = path.read_bytes()
    opened = open_history(path, check=True)
    store = opened.store
    assert opened.aside.read_bytes() == before
    conversations = store.list_conversations()
    messages = sum(len(store.messages(c.id)) for c in conversations)
    # Most rows survive one bad page; the titles (another table) all do.
    assert 40 * 30 * 0.5 < messages < 40 * 30
    assert ("with sqlite3's .recover" if cli else "row by row") in opened.notice
    assert {f"Trip {c}" for c in range(40)} <= {c.title for c in conversations}
    assert "recovered 40 conversations" in opened.notice
    # The search index was rebuilt from the rows that came back.
    with_messages = [c for c in conversations if c.message_count]
    assert len(store.search("volcanoes")) == len(with_messages) > 30
    store.add_message(conversations[0].id, "user", "still writable")
    store.close()


def test_truncated_file_recovers(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    _history(path, conversations=30, messages=30)
    size = path.stat().st_size
    with open(path, "r+b") as file:
        file.truncate(size // 2)
    opened = open_history(path, check=True)
    assert opened.notice is not None and opened.aside is not None
    assert opened.store.list_conversations()  # something came back
    opened.store.close()


def test_healthy_file_opens_without_a_notice(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    _history(path)
    opened = open_history(path, check=True)
    assert opened.notice is None and opened.aside is None
    assert len(opened.store.list_conversations()) == 3
    opened.store.close()
    assert [p.name for p in tmp_path.iterdir() if "corrupt" in p.name] == []


def test_damaged_search_index_is_rebuilt_and_sends_still_work(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    _history(path, conversations=2, messages=2)
    db = sqlite3.connect(path)
    db.execute("UPDATE messages_fts_data SET block = x'00ff00ff00ff' WHERE id > 1")
    db.commit()
    db.close()
    store = Store(path)
    conversation = store.list_conversations()[0]
    # The insert trigger writes to the damaged index: the store rebuilds it and writes again.
    message = store.add_message(conversation.id, "user", "a brand new message about geysers")
    assert store.get_message(message.id).content.endswith("geysers")
    assert [c.id for c, _ in store.search("geysers")] == [conversation.id]
    assert len(store.search("volcanoes")) == 2
    store.close()


def test_search_on_a_damaged_index_answers_and_repairs(tmp_path: Path):
    path = tmp_path / "easel.sqlite3"
    _history(path, conversations=2, messages=2)
    db = sqlite3.connect(path)
    db.execute("DELETE FROM messages_fts_data WHERE id > 10")
    db.commit()
    db.close()
    store = Store(path)
    assert len(store.search("volcanoes")) == 2
    assert store.check_search_index() is False  # already rebuilt by the search
    store.close()


# --- a failed write, and the next one -----------------------------------------------------------


def test_a_failed_write_is_rolled_back_and_the_next_write_works(tmp_path: Path):
    store = Store(tmp_path / "h.sqlite3")
    conversation = store.create_conversation()
    with pytest.raises(sqlite3.IntegrityError):  # fails inside the transaction
        store.add_message(12345, "user", "orphan")
    # Without the ROLLBACK the transaction stays open and this fails with "cannot start a
    # transaction within a transaction".
    store.add_message(conversation.id, "user", "after the failure")
    assert [m.content for m in store.messages(conversation.id)] == ["after the failure"]
    other = Store(tmp_path / "h.sqlite3")  # and the lock was released for others
    other.rename_conversation(conversation.id, "renamed elsewhere")
    other.close()
    store.close()


# --- the disk full -------------------------------------------------------------------------------


def _fill(store: Store, conversation_id: int) -> None:
    """Write until the database has no room; the last write raises DiskFull."""
    for _ in range(10_000):
        store.add_message(conversation_id, "user", os.urandom(2000).hex())


def test_disk_full_by_page_limit_is_a_sentence_and_keeps_what_is_stored(tmp_path: Path):
    store = Store(tmp_path / "h.sqlite3")
    conversation = store.create_conversation("keep me")
    kept = store.add_message(conversation.id, "user", "written before the disk filled")
    (pages,) = store._db.execute("PRAGMA page_count").fetchone()
    store._db.execute(f"PRAGMA max_page_count = {pages + 40}")
    with pytest.raises(DiskFull) as caught:
        _fill(store, conversation.id)
    assert str(caught.value).startswith("The disk is full: ")
    assert store.get_message(kept.id).content == "written before the disk filled"
    # Writes that need no new page still work (no transaction was left open).
    store.rename_conversation(conversation.id, "still here")
    assert store.get_conversation(conversation.id).title == "still here"
    store.close()


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 1 MB tmpfs (root only): a real ENOSPC."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tiny tmpfs needs root")
    where = tmp_path / "tiny"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def test_disk_full_for_real_on_a_tiny_filesystem(tiny_disk: Path):
    store = Store(tiny_disk / "h.sqlite3")
    conversation = store.create_conversation("keep me")
    kept = store.add_message(conversation.id, "user", "written before the disk filled")
    with pytest.raises(DiskFull):
        _fill(store, conversation.id)
    assert store.get_message(kept.id).content == "written before the disk filled"
    store.close()
    again = Store(tiny_disk / "h.sqlite3")  # reopens; what was stored is there
    assert again.get_message(kept.id).content == "written before the disk filled"
    again.close()


# --- other processes -----------------------------------------------------------------------------

_STREAMER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.store import Store

    store = Store(Path(sys.argv[1]))
    conversation = store.create_conversation("live")
    reply = store.add_message(conversation.id, "assistant", "", status="streaming")
    store.update_message(reply.id, content="half a reply")
    print(reply.id, flush=True)
    sys.stdin.readline()  # stays alive, streaming, until told to end
    store.update_message(reply.id, content="a whole reply", status="complete")
    """
)


def test_opening_leaves_a_live_process_reply_streaming(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", _STREAMER, str(path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as live:  # fmt: skip
        reply_id = int(live.stdout.readline())
        other = Store(path)  # as `history` or a second window would
        assert other.get_message(reply_id).status == "streaming"
        other.close()
        live.communicate("\n", timeout=30)
        assert live.returncode == 0
    store = Store(path)
    assert store.get_message(reply_id).status == "complete"
    store.close()


def test_a_reply_of_a_process_that_is_gone_becomes_incomplete(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", _STREAMER, str(path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as gone:  # fmt: skip
        reply_id = int(gone.stdout.readline())
        gone.kill()
        gone.communicate(timeout=30)
    store = Store(path)
    reply = store.get_message(reply_id)
    assert (reply.status, reply.content) == ("incomplete", "half a reply")
    assert [c.id for c, _ in store.search("half")] == [reply.conversation_id]  # now indexed
    store.close()


def test_a_row_from_a_reused_pid_is_abandoned(tmp_path: Path):
    path = tmp_path / "h.sqlite3"
    store = Store(path)
    conversation = store.create_conversation()
    reply = store.add_message(conversation.id, "assistant", "x", status="streaming")
    me = store._owner
    # Our own pid, but started at another time: a process that died long ago.
    store._db.execute(
        "UPDATE messages SET owner = ? WHERE id = ?", (f"{me.host} {me.pid} 0/1", reply.id)
    )
    store.close()
    again = Store(path)
    assert again.get_message(reply.id).status == "incomplete"
    again.close()


_FIRST_START = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from app.store import Store

    start = float(sys.argv[2])
    while time.time() < start:
        pass
    store = Store(Path(sys.argv[1]))
    store.add_message(store.create_conversation("x").id, "user", "hi")
    store.close()
    """
)


def test_first_starts_at_once_all_open_the_new_database(tmp_path: Path):
    path = tmp_path / "new.sqlite3"
    start = time.time() + 1.5  # every process is imported and waiting when it comes
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _FIRST_START, str(path), str(start)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(4)
    ]
    outcomes = []
    for run in runs:
        _, stderr = run.communicate(timeout=60)
        outcomes.append((run.returncode, stderr))
    assert all(code == 0 for code, _ in outcomes), outcomes
    store = Store(path)
    assert len(store.list_conversations()) == 4
    store.close()


def test_read_only_folder_is_one_sentence(tmp_path: Path):
    target = tmp_path / "blocked"
    target.write_text("a file where the data folder should be")
    with pytest.raises(StoreError) as caught:
        open_history(target / "data" / "easel.sqlite3")
    assert "EASEL_HOME" in str(caught.value)


@pytest.fixture
def read_only_home(tmp_path: Path):
    """An EASEL_HOME holding a history, then made read-only (a ro tmpfs as root, chmod else)."""
    home = tmp_path / "ro-home"
    home.mkdir()
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if as_root:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(home)], capture_output=True
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    store = Store(home / "data" / "easel.sqlite3")
    store.create_conversation("kept safe")
    store.close()
    (home / "config").mkdir()
    if as_root:
        subprocess.run(["mount", "-o", "remount,ro", str(home)], check=True)
    else:
        for folder in (home / "data", home / "config", home):
            folder.chmod(0o555)
    yield home
    if as_root:
        subprocess.run(["umount", "-l", str(home)], check=False)
    else:
        for folder in (home, home / "data", home / "config"):
            folder.chmod(0o755)


@pytest.mark.parametrize("command", [["history"], ["ask", "--json", "hi"]])
def test_read_only_home_is_one_sentence_and_loses_nothing(read_only_home: Path, command):
    before = (read_only_home / "data" / "easel.sqlite3").read_bytes()
    provider = ["--base-url", "http://127.0.0.1:9/v1", "--model", "m"] if "ask" in command else []
    done = subprocess.run(
        [sys.executable, "main.py", *command, *provider],
        cwd=ROOT, env=dict(os.environ, EASEL_HOME=str(read_only_home)),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "EASEL_HOME" in done.stderr.strip().splitlines()[-1]
    if "--json" in command:
        assert json.loads(done.stdout.splitlines()[-1])["type"] == "error"
    assert (read_only_home / "data" / "easel.sqlite3").read_bytes() == before


def test_history_on_a_garbage_database_says_so_and_goes_on(easel_home: Path):
    data = easel_home / "data"
    data.mkdir()
    garbage = b"not a database at all " * 300
    (data / "easel.sqlite3").write_bytes(garbage)
    done = subprocess.run(
        [sys.executable, "main.py", "history", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    [aside] = [p for p in data.iterdir() if ".corrupt-" in p.name]
    assert aside.read_bytes() == garbage
    assert aside.name in done.stderr and "Traceback" not in done.stderr
