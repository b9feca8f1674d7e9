"""The window's start with a damaged or unreachable history, offscreen, on the shared qasync loop.

A damaged database must not stop the window: it starts, the damaged file is kept aside byte for
byte, a box says so and offers an empty history instead. A history that cannot be opened at
all (no writable home) stops `main.py` with one sentence, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from app.artifact_storage import ArtifactRef, ArtifactStorage
from app.store import Store
from tests.test_gui import _close, _start, _until
from widgets.history_notice import START_EMPTY

ROOT = Path(__file__).resolve().parents[1]


def _recovery_box() -> QMessageBox | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.objectName() == "history-recovered":
            if widget.isVisible():
                return widget
    return None


def test_window_starts_on_a_garbage_database_and_offers_an_empty_one(
    qasync_loop, run_async, model_server, easel_home: Path
):
    data = easel_home / "data"
    data.mkdir()
    garbage = os.urandom(8192)
    (data / "easel.sqlite3").write_bytes(garbage)

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        await _until(lambda: _recovery_box() is not None)
        box = _recovery_box()
        [aside] = [p for p in data.iterdir() if ".corrupt-" in p.name]
        assert aside.read_bytes() == garbage  # kept byte for byte
        assert aside.name in box.text() and "damaged" in box.text()
        # The recovered (here: empty) history works.
        conversation = easel.store.create_conversation("after the damage")
        easel.conversations.refresh_sidebar()
        assert easel.sidebar.list.count() == 1
        # An artifact ran and stored something before the user chose an empty history.
        easel.powers.storage.set(ArtifactRef(conversation.id, "game"), "score", "1")
        [empty] = [b for b in box.buttons() if b.text() == START_EMPTY]
        empty.click()
        assert easel.store.get_conversation(conversation.id) is None  # a new, empty one
        assert easel.sidebar.list.count() == 0
        [kept] = [p for p in data.iterdir() if ".recovered-" in p.name]  # kept too
        # What the artifact stored went into the history set aside, with its conversation...
        old = Store(kept)
        assert ArtifactStorage(old).get(ArtifactRef(conversation.id, "game"), "score") == {
            "key": "score",
            "value": "1",
        }
        old.close()
        # ... and artifacts store into the new history from now on.
        later = easel.store.create_conversation("in the new history")
        easel.powers.storage.set(ArtifactRef(later.id, "game"), "score", "2")
        easel.powers.endpoint.flush()  # the endpoint's flush: the one the window's timer runs
        assert ArtifactStorage(easel.store).get(ArtifactRef(later.id, "game"), "score") == {
            "key": "score",
            "value": "2",
        }
        await _close(easel, task)

    run_async(scenario())


def test_window_on_a_healthy_database_says_nothing(
    qasync_loop, run_async, model_server, easel_home: Path
):
    store = Store(easel_home / "data" / "easel.sqlite3")
    store.create_conversation("kept")
    store.close()

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        assert _recovery_box() is None
        assert easel.sidebar.list.count() == 1
        await _close(easel, task)

    run_async(scenario())


def test_app_without_a_usable_home_stops_with_one_sentence(tmp_path: Path):
    blocker = tmp_path / "home-is-a-file"
    blocker.write_text("not a folder")
    out = tmp_path / "shot.png"
    env = dict(os.environ, EASEL_HOME=str(blocker), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "main.py", "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
         "--screenshot", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "EASEL_HOME" in done.stderr
    assert not out.exists()
