"""Secrets stay out of what Easel shows and stores: URL passwords and custom header values.

`ask` runs as a real subprocess against the loopback model server; afterwards every byte
Easel wrote (settings.json, the SQLite database with its WAL) and everything it printed is
searched for the secret. The server's record of the requests shows the secrets still work.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.config import ProviderProfile, Settings, load_settings, save_settings
from app.connection import provider_for
from app.events import AuthError, BadResponse
from app.providers import ChatRequest, Message
from app.providers.errors import ErrorContext, error_from_response
from app.secrets import KeyStore, header_entry, move_header_values
from app.urls import redact_userinfo, split_userinfo, strip_userinfo
from tests.model_server import error_reply, openai_text_reply
from tests.test_secrets import MemoryKeyring

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "s3cret-pw-5f2a"
HEADER_KEY = "AIza-goog-key-77c1e0"
BASIC = base64.b64encode(f"user:{PASSWORD}".encode()).decode()


def _ask(*args: str, home: Path, env: dict[str, str] | None = None):
    environment = {**os.environ, "EASEL_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "ask", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=ROOT,
    )


def _written_bytes(home: Path) -> bytes:
    """Every file under EASEL_HOME (settings, database, WAL, shared memory), concatenated."""
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())


def _assert_nowhere(secret: str, home: Path, *outputs: str) -> None:
    for text in outputs:
        assert secret not in text
    assert secret.encode() not in _written_bytes(home)


# --- the helper -------------------------------------------------------------------------------


def test_userinfo_is_split_stripped_and_redacted() -> None:
    url = f"http://user:{PASSWORD}@127.0.0.1:8080/v1?x=1"
    assert split_userinfo(url) == ("http://127.0.0.1:8080/v1?x=1", f"Basic {BASIC}")
    assert strip_userinfo("https://api.example.org/v1") == "https://api.example.org/v1"
    # Percent-encoded characters are decoded before they go into the header, as httpx does.
    assert split_userinfo("http://a%40b:p%3Aw@h/")[1] == (
        "Basic " + base64.b64encode(b"a@b:p:w").decode()
    )
    text = f"failed for https://u:{PASSWORD}@h.example/v1 and ftp://x@y/ (see http://ok/)"
    assert redact_userinfo(text) == "failed for https://h.example/v1 and ftp://y/ (see http://ok/)"


def test_error_sentences_never_quote_the_password() -> None:
    context = ErrorContext(f"http://user:{PASSWORD}@h.example/v1", f"http://user:{PASSWORD}@h/v1")
    error = error_from_response(context, 404, b'{"error": {"message": "no model"}}', {})
    assert isinstance(error, BadResponse) and PASSWORD not in str(error)
    assert "http://h/v1" in str(error)


# --- `ask --base-url http://user:password@…` ----------------------------------------------------


def test_ask_with_a_password_in_the_base_url_shows_and_stores_none(model_server, easel_home):
    base = model_server.openai_base.replace("http://", f"http://user:{PASSWORD}@")
    model_server.enqueue(openai_text_reply("All fine."))
    ok = _ask("--base-url", base, "--model", "test-model", "hi", home=easel_home)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("All fine.")
    # The credentials still reach the server, as basic authentication.
    assert model_server.requests[-1].headers["authorization"] == f"Basic {BASIC}"

    model_server.enqueue(error_reply(404, {"error": {"message": "model not found"}}))
    failed = _ask("--base-url", base, "--model", "test-model", "hi", "--json", home=easel_home)
    assert failed.returncode == 6
    assert model_server.url.removeprefix("http://") in failed.stderr  # the host is still named

    refused = _ask("--base-url", f"http://user:{PASSWORD}@127.0.0.1:9/v1", "--model", "m", "hi",
                   home=easel_home)  # fmt: skip
    assert refused.returncode == 5 and "127.0.0.1:9" in refused.stderr
    outputs = [r.stdout + r.stderr for r in (ok, failed, refused)]
    for secret in (PASSWORD, BASIC):
        _assert_nowhere(secret, easel_home, *outputs)


# --- custom header values ------------------------------------------------------------------------


def _profile(server, headers: tuple[tuple[str, str], ...]) -> ProviderProfile:
    return ProviderProfile("work", "openai", server.openai_base, "test-model", headers=headers)


async def _one_reply(profile: ProviderProfile, keys: KeyStore) -> None:
    async with httpx.AsyncClient() as client:
        provider = await provider_for(profile, client, keys)
        request = ChatRequest(model="test-model", messages=[Message("user", "hi")])
        async for _ in provider.stream(request):
            pass


def test_header_values_move_to_the_keyring_and_still_go_out(model_server, easel_home):
    path = easel_home / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    entry = {"name": "work", "kind": "openai", "base_url": model_server.openai_base,
             "model": "test-model", "headers": [["X-Goog-Api-Key", HEADER_KEY]]}  # fmt: skip
    path.write_text(json.dumps({"profiles": [entry], "active_profile": "work"}), "utf-8")
    backend = MemoryKeyring()
    keys = KeyStore(backend=backend)
    settings = load_settings()
    assert asyncio.run(move_header_values(settings, keys)) == []  # all in the keyring
    save_settings(settings)
    assert HEADER_KEY not in path.read_text("utf-8")
    assert json.loads(path.read_text("utf-8"))["profiles"][0]["headers"] == ["X-Goog-Api-Key"]
    assert backend.passwords[("easel", header_entry("work", "X-Goog-Api-Key"))] == HEADER_KEY

    # The next run: the file names the header, the keyring holds its value, the request has it.
    model_server.enqueue(openai_text_reply("ok"))
    asyncio.run(_one_reply(load_settings().profiles[0], KeyStore(backend=backend)))
    assert model_server.requests[-1].headers["x-goog-api-key"] == HEADER_KEY
    assert HEADER_KEY.encode() not in _written_bytes(easel_home)


def test_a_header_can_name_an_environment_variable(model_server, easel_home):
    profile = _profile(model_server, (("Ocp-Apim-Subscription-Key", "$AZURE_SUB_KEY"),))
    save_settings(Settings(profiles=[profile]))
    model_server.enqueue(openai_text_reply("ok"))
    keys = KeyStore(backend=MemoryKeyring(), environment={"AZURE_SUB_KEY": HEADER_KEY})
    asyncio.run(_one_reply(load_settings().profiles[0], keys))
    assert model_server.requests[-1].headers["ocp-apim-subscription-key"] == HEADER_KEY
    assert HEADER_KEY.encode() not in _written_bytes(easel_home)


def test_a_header_without_a_value_is_named_before_anything_is_sent(model_server, easel_home):
    profile = _profile(model_server, (("X-Goog-Api-Key", ""),))
    with pytest.raises(AuthError) as caught:
        asyncio.run(_one_reply(profile, KeyStore(backend=MemoryKeyring())))
    assert "X-Goog-Api-Key" in str(caught.value) and "Settings" in str(caught.value)
    assert model_server.requests == []


def test_ask_takes_plain_header_values_out_of_an_old_settings_file(model_server, easel_home):
    path = easel_home / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    base = model_server.openai_base.replace("http://", f"http://user:{PASSWORD}@")
    entry = {"name": "work", "kind": "openai", "base_url": base, "model": "test-model",
             "headers": [["X-Goog-Api-Key", HEADER_KEY]]}  # fmt: skip
    path.write_text(json.dumps({"profiles": [entry], "active_profile": "work"}), "utf-8")
    model_server.enqueue(openai_text_reply("ok"))
    # No keyring in this subprocess: the values serve this run and the user is told.
    result = _ask(
        "hi", home=easel_home, env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    )
    assert result.returncode == 0, result.stderr
    sent = model_server.requests[-1].headers
    assert sent["x-goog-api-key"] == HEADER_KEY and sent["authorization"] == f"Basic {BASIC}"
    assert "X-Goog-Api-Key" in result.stderr and "session" in result.stderr
    saved = json.loads(path.read_text("utf-8"))["profiles"][0]
    assert saved["base_url"] == model_server.openai_base
    assert saved["headers"] == ["X-Goog-Api-Key", "Authorization"]
    for secret in (PASSWORD, BASIC, HEADER_KEY):
        _assert_nowhere(secret, easel_home, result.stdout)
