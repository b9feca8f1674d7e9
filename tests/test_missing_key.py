"""No key, no request: "No key for <provider>" with the two ways to fix it, nothing sent.

Without a keyring a key is kept for one session only; after a restart the window used to send
requests with no Authorization header, silently. Local servers still send without a key.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.config import ProviderProfile, Settings
from app.connection import expects_key, missing_key_sentence, provider_for
from app.events import AuthError
from app.key_marks import had_key, mark_keyed
from app.presets import PRESETS, find_preset, profile_from_preset
from app.secrets import KeyStore
from tests.model_server import openai_text_reply
from tests.test_transcript_actions import (
    _js,
    _until,
    chats,
    close_window,
    send_and_wait,
    start_window,
)

ROOT = Path(__file__).resolve().parents[1]


def _no_keyring() -> KeyStore:
    return KeyStore(backend=keyring.backends.fail.Keyring())


def test_which_profiles_expect_a_key(monkeypatch):
    for preset in PRESETS:
        assert expects_key(profile_from_preset(preset)) == preset.needs_key, preset.id
    custom = ProviderProfile("My server", "openai", "http://127.0.0.1:1/v1", "m", preset="custom")
    assert not expects_key(custom)
    assert expects_key(ProviderProfile("Own var", "openai", "http://x/v1", "m", key_env="MY_KEY"))
    mark_keyed("My server", True)
    assert had_key("My server") and expects_key(custom)
    mark_keyed("My server", False)
    assert not had_key("My server") and not expects_key(custom)


def test_a_damaged_marks_file_reads_as_no_marks(easel_home: Path):
    (easel_home / "config").mkdir(exist_ok=True)
    (easel_home / "config" / "keyed-profiles.json").write_text('{"not": "a list"', "utf-8")
    assert not had_key("anything")
    mark_keyed("anything", True)  # and writing repairs it
    assert had_key("anything")


def test_the_sentence_names_both_fixes(monkeypatch):
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    deepseek = profile_from_preset(find_preset("deepseek"))
    sentence = missing_key_sentence(deepseek, _no_keyring())
    assert sentence.startswith(f"No key for {deepseek.name}: paste it in Settings")
    assert "DEEPSEEK_API_KEY" in sentence and "only until Easel closes" not in sentence
    mark_keyed(deepseek.name, True)  # it had a key: say why it is gone
    assert "only until Easel closes" in missing_key_sentence(deepseek, _no_keyring())
    custom = ProviderProfile("Box", "openai", "http://127.0.0.1:1/v1", "m", preset="custom")
    assert "--api-key-env" in missing_key_sentence(custom, _no_keyring())

    async def go() -> None:
        with pytest.raises(AuthError, match="No key for"):
            await provider_for(deepseek, None, _no_keyring())  # type: ignore[arg-type]

    asyncio.run(go())


@pytest.fixture
def run(run_async):
    return run_async


def _fill_custom(form, base_url: str, key: str) -> None:
    form.choose(next(p for p in PRESETS if p.id == "custom"))
    form.base_url.setText(base_url)
    form.model.setEditText("test-model")
    form.key.setText(key)


async def _set_up_custom(model_server, key: str, *, session_only: bool):
    easel, task = await start_window(model_server, base_url=None, model=None)
    _fill_custom(easel.form, model_server.openai_base, key)
    easel.form.session_only.setChecked(session_only)
    easel.form.save_button.click()
    await _until(lambda: easel.window.center.currentIndex() == 0)
    return easel, task


def test_a_session_key_gone_after_a_restart_sends_nothing_and_says_so(run, model_server):
    model_server.enqueue(openai_text_reply("With a key."), openai_text_reply("Must not be sent."))

    async def scenario():
        easel, task = await _set_up_custom(model_server, "sk-session", session_only=True)
        await send_and_wait(easel, "first")
        assert chats(model_server)[-1].headers["authorization"] == "Bearer sk-session"
        name = easel.providers.profile.name
        await close_window(easel, task)

        # A restart: the session-only key is gone (no keyring on this machine).
        again, task = await start_window(model_server, base_url=None, model=None)
        assert again.providers.profile.name == name
        conversation = again.chat.conversation_id
        stored = again.store.messages(conversation)
        again.composer.edit.setPlainText("second")
        QTest.keyClick(again.composer.edit, Qt.Key.Key_Return)
        text = ""
        for _ in range(200):
            again.transcript.flush()
            text = await _js(again.transcript, "document.body.innerText")
            if "No key for" in text:
                break
            await asyncio.sleep(0.05)
        assert f"No key for {name}: paste it in Settings → Providers" in text
        await _until(lambda: not again.chat.busy)
        assert len(chats(model_server)) == 1  # nothing went out without the key
        assert again.composer.text() == "second"  # the typed message is not lost
        assert again.store.messages(conversation) == stored
        await close_window(again, task)

    run(scenario())


def test_a_local_server_saved_without_a_key_still_sends(run, model_server):
    model_server.enqueue(openai_text_reply("No key needed."))

    async def scenario():
        easel, task = await _set_up_custom(model_server, "", session_only=False)
        await send_and_wait(easel, "hello")
        assert "authorization" not in chats(model_server)[-1].headers
        assert easel.store.messages(easel.chat.conversation_id)[-1].content == "No key needed."
        await close_window(easel, task)

    run(scenario())


def test_ask_exits_3_for_a_profile_that_had_a_key(model_server, easel_home: Path):
    from app.config import save_settings

    profile = ProviderProfile(
        "Work box", "openai", model_server.openai_base, "test-model", preset="custom"
    )
    save_settings(Settings(profiles=[profile], active_profile="Work box"))
    mark_keyed("Work box", True)
    environment = {**os.environ, "EASEL_HOME": str(easel_home)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "ask", "--provider", "Work box", "hi"],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=ROOT,
    )
    assert result.returncode == 3, result.stderr
    assert "No key for Work box" in result.stderr and "Traceback" not in result.stderr
    assert chats(model_server) == []
