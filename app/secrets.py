"""API keys: the system keyring, a key for this session only, or an environment variable.

Easel never writes a key to a file of its own and never logs one. Without a keyring backend
(a headless Linux box has no Secret Service) keyring hands out its `fail` backend, whose every
call raises, even `get_password`: then keys can't be saved, and the user sets an environment
variable or enters a key that lives in memory for this run. There is deliberately no plaintext
file fallback.

Keyring calls may block on D-Bus, so every one runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import os

import keyring
import keyring.backends.fail
import keyring.backends.null
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from app.config import ProviderProfile, find_preset

log = logging.getLogger(__name__)

SERVICE = "easel"
_NO_KEYRING = (
    "No system keyring (Secret Service) is running, so keys can't be saved. "
    "Set {env}, or use a key for this session only."
)
# Backends that exist only to say "there is no keyring".
_UNUSABLE_BACKENDS = (keyring.backends.fail.Keyring, keyring.backends.null.Keyring)


class KeyringUnavailable(RuntimeError):
    """A key was to be saved but no keyring can hold it. str() is one sentence for the user."""


class KeyStore:
    """API keys per profile name: session-only keys in memory first, then the keyring."""

    def __init__(self, *, backend: KeyringBackend | None = None) -> None:
        self._session: dict[str, str] = {}
        self._backend = backend if backend is not None else _default_backend()
        self.available = not isinstance(self._backend, _UNUSABLE_BACKENDS)

    @classmethod
    async def open_default(cls) -> KeyStore:
        """The store on the system keyring, found off the event loop (discovery uses D-Bus)."""
        return cls(backend=await asyncio.to_thread(_default_backend))

    @property
    def unavailable_reason(self) -> str:
        """Why keys can't be saved, one sentence for the UI ("" when they can)."""
        return "" if self.available else self.unavailable_reason_for(None)

    def unavailable_reason_for(self, key_env: str | None) -> str:
        """The same sentence, naming the environment variable that would work instead."""
        return _NO_KEYRING.format(env=key_env or "the provider's API key environment variable")

    def set_session_key(self, profile: str, key: str) -> None:
        """Keep a key in memory for this run only: never written anywhere."""
        self._session[profile] = _clean(key)

    async def get(self, profile: str) -> str | None:
        """The key for a profile: the session's, else the keyring's; None when there is none."""
        if profile in self._session:
            return self._session[profile]
        if not self.available:
            return None
        try:
            return await asyncio.to_thread(self._backend.get_password, SERVICE, profile)
        except KeyringError as error:
            # A locked or vanished keyring reads as "no key": the user is asked for one.
            log.warning("keyring lookup for profile %r failed: %s", profile, type(error).__name__)
            return None

    async def set(self, profile: str, key: str) -> None:
        """Save a key in the keyring. Raises KeyringUnavailable when there is none to use."""
        key = _clean(key)
        if not self.available:
            raise KeyringUnavailable(self.unavailable_reason)
        try:
            await asyncio.to_thread(self._backend.set_password, SERVICE, profile, key)
        except KeyringError as error:
            raise KeyringUnavailable(
                f"The system keyring refused to save the key ({type(error).__name__}); "
                "use a key for this session only."
            ) from None
        # The keyring is now the truth; a session key would shadow it.
        self._session.pop(profile, None)

    async def delete(self, profile: str) -> None:
        """Forget a profile's key, in memory and in the keyring. No key is not an error."""
        self._session.pop(profile, None)
        if not self.available:
            return
        try:
            await asyncio.to_thread(self._backend.delete_password, SERVICE, profile)
        except PasswordDeleteError:
            pass  # there was none
        except KeyringError as error:
            raise KeyringUnavailable(
                f"The system keyring refused to delete the key ({type(error).__name__})."
            ) from None


def _clean(key: str) -> str:
    """Keys are pasted: surrounding whitespace and newlines are never part of them."""
    key = key.strip()
    if not key:
        raise ValueError("an API key cannot be empty")
    return key


def _default_backend() -> KeyringBackend:
    """keyring's choice; its fail backend (which KeyStore reports unavailable) on error."""
    try:
        return keyring.get_keyring()
    except KeyringError as error:
        log.warning("no keyring backend: %s", type(error).__name__)
        return keyring.backends.fail.Keyring()


def key_env_for(profile: ProviderProfile) -> str | None:
    """The environment variable that may hold this profile's key: its own, else its preset's."""
    if profile.key_env:
        return profile.key_env
    preset = find_preset(profile.preset) if profile.preset else None
    return preset.key_env if preset is not None else None


async def find_api_key(profile: ProviderProfile, store: KeyStore) -> str | None:
    """The key to use: session key, then keyring, then the environment; None when none."""
    key = await store.get(profile.name)
    if key:
        return key
    env = key_env_for(profile)
    value = os.environ.get(env, "").strip() if env else ""
    return value or None
