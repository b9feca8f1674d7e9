"""API keys and header values: the system keyring, this session only, or the environment.

Easel never writes a key to a file of its own and never logs one. The values of a profile's
custom headers are treated as keys (`X-Goog-Api-Key`, `Ocp-Apim-Subscription-Key`, a basic
`Authorization` taken out of a base URL, …): settings.json keeps their names only, the values
are kept here under "<profile>/header/<name>", and a value still in an older settings file is
moved here when the settings are read (`move_header_values`). Without a keyring backend
(a headless Linux box has no Secret Service) keyring hands out its `fail` backend, whose every
call raises, even `get_password`: then keys can't be saved, and the user sets an environment
variable or enters a key that lives in memory for this run. There is deliberately no plaintext
file fallback.

Keyring calls may block on D-Bus, so every one runs in a worker thread. The desktop app does not
wait for the backend to be found before its first frame (`KeyStore.found_later`): finding it
imports keyring and runs subprocesses, and on a thread beside the window's own start-up it took
the GIL from it. Nothing here imports keyring until a backend is looked for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from app.config import ProviderProfile, Settings, is_env_reference
from app.i18n import translate
from app.presets import find_preset

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "easel"


class KeyringUnavailable(RuntimeError):
    """A key was to be saved but no keyring can hold it. str() is one sentence for the user."""


class KeyStore:
    """API keys per profile name: session-only keys in memory first, then the keyring."""

    def __init__(
        self,
        *,
        backend: KeyringBackend | None = None,
        environment: Mapping[str, str] | None = None,
        find: Callable[[], concurrent.futures.Future[KeyringBackend]] | None = None,
    ) -> None:
        """backend: the keyring to use; else `find` starts looking for it when first needed
        (see found_later); with neither, keyring's own choice is found now, on this thread."""
        self._session: dict[str, str] = {}
        self._backend: KeyringBackend | None = None
        self._search: concurrent.futures.Future[KeyringBackend] | None = None
        self._start_search = find
        self.available = False  # known to hold keys: see ready()
        # Secret variables taken out of os.environ at start-up (app/secret_env.py) live here.
        self._environment = dict(environment or {})
        if backend is not None or find is None:
            self._use(backend if backend is not None else default_backend())

    @classmethod
    def found_later(
        cls,
        environment: Mapping[str, str] | None = None,
        *,
        start: Callable[[], concurrent.futures.Future[KeyringBackend]] | None = None,
    ) -> KeyStore:
        """A store usable at once whose keyring backend is looked for on a thread when first
        needed, or when find() says so (the desktop app: once its first frame is on screen).

        Until then `available` is False; `await ready()` gives the answer. `start` begins the
        search and returns its future (app.keyring_discovery by default).
        """
        if start is None:
            from app.keyring_discovery import start_keyring_discovery

            start = start_keyring_discovery
        return cls(environment=environment, find=start)

    @classmethod
    async def open_default(
        cls,
        environment: Mapping[str, str] | None = None,
        *,
        discovery: concurrent.futures.Future[KeyringBackend] | None = None,
    ) -> KeyStore:
        """The store on the system keyring, found off the event loop (discovery uses D-Bus).

        discovery: the backend being found already (app.keyring_discovery); without it, the
        search starts now.
        """
        start = (lambda: discovery) if discovery is not None else None
        store = cls.found_later(environment, start=start)
        await store.ready()
        return store

    def find(self) -> None:
        """Start looking for the keyring backend now (once); ready() waits for the answer."""
        if self._backend is None and self._search is None and self._start_search is not None:
            self._search = self._start_search()

    async def ready(self) -> bool:
        """Wait until the backend is known; whether keys can be saved in it (`available`)."""
        if self._backend is None:
            self.find()
            assert self._search is not None
            try:
                backend = await asyncio.wrap_future(self._search)
            except Exception as error:  # the search itself failed: keys live in memory only
                log.warning("no keyring backend: %s", type(error).__name__)
                import keyring.backends.fail

                backend = keyring.backends.fail.Keyring()
            if self._backend is None:
                self._use(backend)
        return self.available

    def _use(self, backend: KeyringBackend) -> None:
        import keyring.backends.fail
        import keyring.backends.null

        self._backend = backend
        # fail and null exist only to say "there is no keyring".
        unusable = (keyring.backends.fail.Keyring, keyring.backends.null.Keyring)
        self.available = not isinstance(backend, unusable)

    def environment_value(self, name: str) -> str | None:
        """An environment variable's value (stripped), from the ones kept here or os.environ."""
        value = self._environment.get(name)
        if value is None:
            value = os.environ.get(name)
        value = (value or "").strip()
        return value or None

    @property
    def unavailable_reason(self) -> str:
        """Why keys can't be saved, one sentence for the UI ("" when they can)."""
        return "" if self.available else self.unavailable_reason_for(None)

    def unavailable_reason_for(self, key_env: str | None) -> str:
        """The same sentence, naming the environment variable that would work instead."""
        sentence = translate(
            "Secrets",
            "No system keyring (Secret Service) is running, so keys can't be saved. "
            "Set {env}, or use a key for this session only.",
        )
        env = key_env or translate("Secrets", "the provider's API key environment variable")
        return sentence.format(env=env)

    def set_session_key(self, profile: str, key: str) -> None:
        """Keep a key in memory for this run only: never written anywhere."""
        self._session[profile] = _clean(key)

    async def get(self, profile: str) -> str | None:
        """The key for a profile: the session's, else the keyring's; None when there is none."""
        if profile in self._session:
            return self._session[profile]
        if not await self.ready():
            return None
        from keyring.errors import KeyringError

        assert self._backend is not None
        try:
            return await asyncio.to_thread(self._backend.get_password, SERVICE, profile)
        except KeyringError as error:
            # A locked or vanished keyring reads as "no key": the user is asked for one.
            log.warning("keyring lookup for profile %r failed: %s", profile, type(error).__name__)
            return None

    async def set(self, profile: str, key: str) -> None:
        """Save a key in the keyring. Raises KeyringUnavailable when there is none to use."""
        key = _clean(key)
        if not await self.ready():
            raise KeyringUnavailable(self.unavailable_reason)
        from keyring.errors import KeyringError

        assert self._backend is not None
        try:
            await asyncio.to_thread(self._backend.set_password, SERVICE, profile, key)
        except KeyringError as error:
            raise KeyringUnavailable(
                translate(
                    "Secrets",
                    "The system keyring refused to save the key ({error}); "
                    "use a key for this session only.",
                ).format(error=type(error).__name__)
            ) from None
        # The keyring is now the truth; a session key would shadow it.
        self._session.pop(profile, None)

    async def delete(self, profile: str) -> None:
        """Forget a profile's key, in memory and in the keyring. No key is not an error."""
        self._session.pop(profile, None)
        if not await self.ready():
            return
        from keyring.errors import KeyringError, PasswordDeleteError

        assert self._backend is not None
        try:
            await asyncio.to_thread(self._backend.delete_password, SERVICE, profile)
        except PasswordDeleteError:
            pass  # there was none
        except KeyringError as error:
            raise KeyringUnavailable(
                translate(
                    "Secrets", "The system keyring refused to delete the key ({error})."
                ).format(error=type(error).__name__)
            ) from None


def _clean(key: str) -> str:
    """Keys are pasted: surrounding whitespace and newlines are never part of them."""
    key = key.strip()
    if not key:
        raise ValueError("an API key cannot be empty")
    return key


def default_backend() -> KeyringBackend:
    """keyring's choice; its fail backend (which KeyStore reports unavailable) on error.

    Slow (0.2–0.5 s on Linux: keyring imports every backend, and the macOS one looks for its
    library with gcc and ldconfig), so it runs on a thread: see app.keyring_discovery.
    """
    import keyring
    import keyring.backends.fail
    from keyring.errors import KeyringError

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
    return store.environment_value(env) if env else None


# --- header values ----------------------------------------------------------------------------


def header_entry(profile: str, header: str) -> str:
    """The name a header value is kept under in the key store."""
    return f"{profile}/header/{header.strip().casefold()}"


async def with_header_values(
    profile: ProviderProfile, store: KeyStore
) -> tuple[ProviderProfile, list[str]]:
    """(the profile with every header value filled in, the names of headers that have none).

    A value given in the profile (just typed, or from the command line) wins; "$NAME" takes
    the variable NAME from the environment; otherwise the key store's value is used.
    """
    pairs, missing = [], []
    for name, value in profile.headers:
        if is_env_reference(value):
            value = store.environment_value(value.strip()[1:]) or ""
        elif not value:
            value = await store.get(header_entry(profile.name, name)) or ""
        if not value:
            missing.append(name)
        pairs.append((name, value))
    return replace(profile, headers=tuple(pairs)), missing


async def store_header_values(
    profile: ProviderProfile,
    store: KeyStore,
    *,
    session_only: bool = False,
    previous: ProviderProfile | None = None,
) -> list[str]:
    """Keep the profile's typed header values in the key store; the names kept for this run only.

    Empty values (unchanged in the form) and "$NAME" references are left alone. Headers that
    `previous` had and this profile no longer has are forgotten.
    """
    session_names = []
    for name, value in profile.headers:
        if not value.strip() or is_env_reference(value):
            continue
        entry = header_entry(profile.name, name)
        if session_only or not await store.ready():
            store.set_session_key(entry, value)
            session_names.append(name)
            continue
        try:
            await store.set(entry, value)
        except KeyringUnavailable:
            store.set_session_key(entry, value)
            session_names.append(name)
    if previous is not None:
        await _forget_removed_headers(previous, profile, store)
    return session_names


async def _forget_removed_headers(
    previous: ProviderProfile, profile: ProviderProfile, store: KeyStore
) -> None:
    kept = {header_entry(profile.name, name) for name, _ in profile.headers}
    for name, _ in previous.headers:
        entry = header_entry(previous.name, name)
        if entry not in kept:
            try:
                await store.delete(entry)
            except KeyringUnavailable as error:
                log.warning("could not forget a header value: %s", error)


async def move_header_values(settings: Settings, store: KeyStore) -> list[str]:
    """Take plain-text header values (an older settings.json) into the key store.

    Returns one sentence per profile whose values could only be kept for this session (no
    keyring); the caller saves the settings when any profile changed, so the file then holds
    names only. Returns [] when there was nothing to move.
    """
    notes = []
    for index, profile in enumerate(settings.profiles):
        plain = [(n, v) for n, v in profile.headers if v and not is_env_reference(v)]
        if not plain:
            continue
        session_names = await store_header_values(profile, store)
        settings.profiles[index] = replace(
            profile,
            headers=tuple((n, v if is_env_reference(v) else "") for n, v in profile.headers),
        )
        if session_names:
            notes.append(
                translate(
                    "Secrets",
                    "The values of header {names} of “{profile}” were taken out of "
                    "settings.json and, with no system keyring running, last for this "
                    "session only: enter them again in Settings → Providers, or write "
                    "“Name: $VARIABLE” there to take one from the environment.",
                ).format(names=", ".join(session_names), profile=profile.name)
            )
    return notes


def settings_have_plain_header_values(settings: Settings) -> bool:
    """Whether any profile still holds a header value that must not stay in settings.json."""
    return any(
        value and not is_env_reference(value)
        for profile in settings.profiles
        for _, value in profile.headers
    )
