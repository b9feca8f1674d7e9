"""API keys through real keyring backends: an in-memory one, keyring's own fail backend."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError

from app.config import ProviderProfile, Settings, save_settings
from app.presets import find_preset, profile_from_preset
from app.secrets import KeyringUnavailable, KeyStore, find_api_key, key_env_for
from app.store import Store

SECRET = "sk-test-9f8e7d6c5b4a-never-on-disk"


class _NotDiscoverable:
    """A priority that raises, so keyring's own discovery never picks the test backend."""

    def __get__(self, instance: object, owner: type) -> float:
        raise RuntimeError("test backend")


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in a dict (and counts the threads used)."""

    priority = _NotDiscoverable()

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.threads: set[str] = set()

    def _seen(self) -> None:
        self.threads.add(threading.current_thread().name)

    def get_password(self, service: str, username: str) -> str | None:
        self._seen()
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._seen()
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._seen()
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


class LockedKeyring(MemoryKeyring):
    """A keyring that exists but refuses every operation (a locked Secret Service)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("locked")


def run(coroutine):
    return asyncio.run(coroutine)


def test_keys_are_saved_per_profile_in_the_keyring_off_the_event_loop():
    backend = MemoryKeyring()
    store = KeyStore(backend=backend)
    assert store.available and store.unavailable_reason == ""
    run(store.set("deepseek", f"  {SECRET}\n"))  # pasted keys carry whitespace
    assert backend.passwords == {("easel", "deepseek"): SECRET}
    assert run(store.get("deepseek")) == SECRET
    assert run(store.get("moonshot")) is None
    assert "MainThread" not in backend.threads  # D-Bus may block: never on the GUI thread
    run(store.delete("deepseek"))
    assert run(store.get("deepseek")) is None
    run(store.delete("deepseek"))  # deleting what is not there is fine


def test_session_key_comes_first_and_is_never_saved():
    backend = MemoryKeyring()
    store = KeyStore(backend=backend)
    run(store.set("p", "from-keyring"))
    store.set_session_key("p", "from-session")
    assert run(store.get("p")) == "from-session"
    assert backend.passwords == {("easel", "p"): "from-keyring"}
    run(store.delete("p"))
    assert run(store.get("p")) is None


def test_empty_key_is_refused():
    store = KeyStore(backend=MemoryKeyring())
    with pytest.raises(ValueError):
        store.set_session_key("p", "  ")
    with pytest.raises(ValueError):
        run(store.set("p", ""))


def test_fail_backend_reports_unavailable_and_never_crashes():
    backend = keyring.backends.fail.Keyring()
    with pytest.raises(NoKeyringError):  # the pitfall: even a lookup raises
        backend.get_password("easel", "p")
    store = KeyStore(backend=backend)
    assert store.available is False
    reason = store.unavailable_reason
    assert reason.startswith("No system keyring (Secret Service) is running")
    assert "session only" in reason and reason.endswith(".")
    assert "DEEPSEEK_API_KEY" in store.unavailable_reason_for("DEEPSEEK_API_KEY")
    assert run(store.get("p")) is None
    with pytest.raises(KeyringUnavailable) as caught:
        run(store.set("p", SECRET))
    assert str(caught.value) == reason
    run(store.delete("p"))
    # A key for this session only still works without any keyring.
    store.set_session_key("p", SECRET)
    assert run(store.get("p")) == SECRET


def test_default_backend_on_a_machine_without_secret_service():
    if not isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring):
        pytest.skip("this machine has a working keyring backend")
    store = KeyStore()
    assert store.available is False
    assert run(KeyStore.open_default()).available is False


def test_a_keyring_that_refuses_reads_as_no_key_and_refuses_to_save():
    store = KeyStore(backend=LockedKeyring())
    assert store.available
    assert run(store.get("p")) is None
    with pytest.raises(KeyringUnavailable):
        run(store.set("p", SECRET))
    with pytest.raises(KeyringUnavailable):
        run(store.delete("p"))


def test_find_api_key_order_session_keyring_environment(monkeypatch):
    monkeypatch.setenv("DEEPSEEK_API_KEY", "from-env")
    backend = MemoryKeyring()
    store = KeyStore(backend=backend)
    profile = profile_from_preset(find_preset("deepseek"))
    assert run(find_api_key(profile, store)) == "from-env"
    run(store.set("deepseek", "from-keyring"))
    assert run(find_api_key(profile, store)) == "from-keyring"
    store.set_session_key("deepseek", "from-session")
    assert run(find_api_key(profile, store)) == "from-session"


def test_find_api_key_environment_names(monkeypatch):
    store = KeyStore(backend=keyring.backends.fail.Keyring())
    monkeypatch.setenv("MY_OWN_VAR", "mine")
    monkeypatch.setenv("OPENAI_API_KEY", "preset's")
    own = ProviderProfile("x", "openai", "http://127.0.0.1:1/v1", "m", key_env="MY_OWN_VAR")
    # A profile without its own variable falls back to its preset's.
    from_preset = ProviderProfile("y", "openai", "http://127.0.0.1:1/v1", "m", preset="openai")
    bare = ProviderProfile("z", "openai", "http://127.0.0.1:1/v1", "m")
    assert key_env_for(from_preset) == "OPENAI_API_KEY"
    assert run(find_api_key(own, store)) == "mine"
    assert run(find_api_key(from_preset, store)) == "preset's"
    assert run(find_api_key(bare, store)) is None
    monkeypatch.setenv("MY_OWN_VAR", "   ")  # set but empty counts as unset
    assert run(find_api_key(own, store)) is None


def test_no_key_lands_in_settings_database_or_log(easel_home: Path, monkeypatch):
    log_file = easel_home / "easel.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET + "-env")
        memory = KeyStore(backend=MemoryKeyring())
        run(memory.set("anthropic", SECRET))
        failing = KeyStore(backend=keyring.backends.fail.Keyring())
        failing.set_session_key("anthropic", SECRET + "-session")
        with pytest.raises(KeyringUnavailable):
            run(failing.set("anthropic", SECRET))
        locked = KeyStore(backend=LockedKeyring())
        run(locked.get("anthropic"))
        with pytest.raises(KeyringUnavailable):
            run(locked.set("anthropic", SECRET))
        profile = profile_from_preset(find_preset("anthropic"))
        for store in (memory, failing, locked):
            assert run(find_api_key(profile, store)).startswith(SECRET)
        save_settings(Settings(profiles=[profile], active_profile="anthropic"))
        history = Store.open_default()
        conversation = history.create_conversation(provider="anthropic", model=profile.model)
        history.add_message(conversation.id, "user", "hello")
        history.close()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    assert log_file.stat().st_size > 0  # the failures above were logged
    files = [p for p in easel_home.rglob("*") if p.is_file()]
    assert any(p.name == "settings.json" for p in files)
    assert any(p.name.startswith("easel.sqlite3") for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path


def test_a_store_found_later_looks_for_its_backend_only_when_asked():
    """The desktop app's store: usable at once, the keyring searched on a thread when find()
    is called (after the first frame) or a key is first needed; unavailable until known."""
    import concurrent.futures

    backend = MemoryKeyring()
    searches: list[concurrent.futures.Future[KeyringBackend]] = []

    def start() -> concurrent.futures.Future[KeyringBackend]:
        future: concurrent.futures.Future[KeyringBackend] = concurrent.futures.Future()
        threading.Timer(0.05, future.set_result, (backend,)).start()
        searches.append(future)
        return future

    store = KeyStore.found_later({"MY_KEY": " sk-env "}, start=start)
    assert searches == [] and store.available is False
    assert store.environment_value("MY_KEY") == "sk-env"  # needs no keyring
    store.set_session_key("p", SECRET)
    assert asyncio.run(store.get("p")) == SECRET and searches == []  # nor does a session key

    async def use() -> str | None:
        store.find()
        store.find()  # once only
        await store.set("q", SECRET)
        return await store.get("q")

    assert asyncio.run(use()) == SECRET
    assert len(searches) == 1 and store.available
    assert backend.passwords[("easel", "q")] == SECRET


def test_a_search_that_fails_leaves_keys_for_this_session_only(caplog):
    import concurrent.futures

    def start() -> concurrent.futures.Future[KeyringBackend]:
        future: concurrent.futures.Future[KeyringBackend] = concurrent.futures.Future()
        future.set_exception(RuntimeError("D-Bus went away"))
        return future

    store = KeyStore.found_later(start=start)
    with caplog.at_level(logging.WARNING):
        assert asyncio.run(store.get("p")) is None  # starts the search itself
    assert store.available is False and "RuntimeError" in caplog.text
    with pytest.raises(KeyringUnavailable):
        asyncio.run(store.set("p", SECRET))
