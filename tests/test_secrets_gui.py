"""The window's provider form: a URL password and header values end up in the keyring only.

The real window, offscreen, against the loopback model server, with a real (in-memory)
keyring backend: the user types `http://user:password@…` and an `X-Goog-Api-Key` header;
settings.json and the database never hold them, yet every request (after a restart too)
carries them.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import pytest

from app.secrets import KeyStore, header_entry
from tests.model_server import openai_text_reply
from tests.test_gui import _args, _chats, _close, _fill_custom, _send_and_wait, _until
from tests.test_secrets import MemoryKeyring
from widgets.app import EaselApp

PASSWORD = "gui-s3cret-4d1f"
HEADER_KEY = "AIza-gui-header-2b8e"
BASIC = "Basic " + base64.b64encode(f"user:{PASSWORD}".encode()).decode()


@pytest.fixture
def loop(qasync_loop):
    return qasync_loop


async def _start(loop, server, keys: KeyStore) -> tuple[EaselApp, asyncio.Task]:
    easel = EaselApp(_args(server, base_url=None, model=None), loop, keys)
    task = asyncio.ensure_future(easel.run())
    await _until(lambda: easel.transcript_ready)
    return easel, task


def _all_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())


def test_form_secrets_go_to_the_keyring_and_still_go_out(loop, run_async, model_server, easel_home):
    backend = MemoryKeyring()
    model_server.enqueue(openai_text_reply("first"), openai_text_reply("second"))

    async def scenario():
        easel, task = await _start(loop, model_server, KeyStore(backend=backend))
        url = model_server.openai_base.replace("http://", f"http://user:{PASSWORD}@")
        _fill_custom(easel.form, url, "test-model")
        easel.form.headers.setPlainText(f"X-Goog-Api-Key: {HEADER_KEY}")
        easel.form.save_button.click()
        await _until(lambda: easel.window.center.currentIndex() == 0)
        await _send_and_wait(easel, "hi")
        await _close(easel, task)

        # A new run: the file names the header, the keyring answers with its value.
        easel, task = await _start(loop, model_server, KeyStore(backend=backend))
        await _send_and_wait(easel, "again")
        await _close(easel, task)

    run_async(scenario())
    assert len(_chats(model_server)) == 2
    for request in _chats(model_server):
        assert request.headers["x-goog-api-key"] == HEADER_KEY
        assert request.headers["authorization"] == BASIC
    settings = json.loads((easel_home / "config" / "settings.json").read_text("utf-8"))
    profile = settings["profiles"][0]
    assert profile["base_url"] == model_server.openai_base
    assert profile["headers"] == ["X-Goog-Api-Key", "Authorization"]
    name = profile["name"]
    assert backend.passwords[("easel", header_entry(name, "X-Goog-Api-Key"))] == HEADER_KEY
    written = _all_bytes(easel_home)
    for secret in (PASSWORD, HEADER_KEY, BASIC.split()[1]):
        assert secret.encode() not in written
