"""The active provider: its profile, key, models and the HTTP clients that reach it.

EaselApp builds one; the providers dialog, the session factory and artifacts' model calls use
it. It owns no widget: what the window shows of it is widgets/provider_status.py, told by the
`profileChanged` and `modelsChanged` signals.

The provider modules (app.connection, app.providers, app.events: ~16 ms to import) load with the
first connection or model list, after the first frame (widgets/warm_up.py warms them).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.config import ConfigError, ProviderProfile, Settings, save_settings
from app.i18n import translate
from app.key_marks import mark_keyed
from app.presets import PRESETS, profile_from_preset
from app.provider_options import profile_from_options
from app.secrets import (
    KeyringUnavailable,
    KeyStore,
    find_api_key,
    store_header_values,
    with_header_values,
)

if TYPE_CHECKING:  # annotations only; httpx costs ~0.2 s to import (made after the first frame)
    import httpx

    from app.providers import Provider


def _new_http_client(ca_bundle: str | None = None, *, read_timeout: float) -> httpx.AsyncClient:
    """app.connection's new_http_client, its modules imported on the caller's thread."""
    from app.connection import new_http_client

    return new_http_client(ca_bundle, read_timeout=read_timeout)


def initial_profile(settings: Settings, args: argparse.Namespace) -> ProviderProfile | None:
    """The profile the command line or the settings name; a bad one given on the line is said."""
    given = any((args.provider, args.base_url, args.model, args.api_key_env, args.kind))
    try:
        return profile_from_options(settings, args)
    except ConfigError as error:
        if given:
            print(str(error), file=sys.stderr)
        return None


class ProviderControl(QObject):
    """Which provider and model replies come from, and trying, keeping and choosing them."""

    # Another profile became the active one (saved or chosen).
    profileChanged = Signal()
    # The active profile's model list arrived.
    modelsChanged = Signal()

    def __init__(self, settings: Settings, keys: KeyStore, profile: ProviderProfile | None) -> None:
        super().__init__()
        self.settings = settings
        self.keys = keys
        self.profile = profile
        # Made on first use (an SSL context costs ~140 ms): the first frame needs no client.
        self._client: httpx.AsyncClient | None = None
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._making: asyncio.Future[httpx.AsyncClient] | None = None  # the shared one, on a thread
        self.models: dict[str, list[str]] = {}
        self._chosen_model: dict[str, str] = {}

    # --- clients ---------------------------------------------------------------------------

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared HTTP client, made the first time something needs it."""
        if self._client is None:
            self._client = _new_http_client(read_timeout=self.settings.read_timeout)
        return self._client

    async def make_client_off_thread(self) -> None:
        """Make the shared client on a worker thread, unless something made it already; a
        second caller while it is being made waits for the same one."""
        if self._client is not None:
            return
        making = self._making
        if making is None or (making.done() and (making.cancelled() or making.exception())):
            # Its SSL context (and the modules it needs) would block the GUI thread ~100 ms.
            self._making = asyncio.ensure_future(
                asyncio.to_thread(_new_http_client, read_timeout=self.settings.read_timeout)
            )
        client = await asyncio.shield(self._making)
        if self._client is None:
            self._client = client
        # Else something needed a client meanwhile and made one. This one never opened a
        # connection, so there is nothing to close: awaiting its aclose() here, when the window
        # had just closed, raised in anyio (no running loop) as the task was torn down.

    async def client_off_thread(self, profile: ProviderProfile) -> httpx.AsyncClient:
        """client_for(profile), with any client it lacks made on a worker thread: a turn sent
        before the shared client is ready waits for it instead of freezing the window."""
        if not profile.ca_bundle:
            await self.make_client_off_thread()
            return self.client
        if profile.ca_bundle not in self._clients:
            made = await asyncio.to_thread(self._ca_client, profile.ca_bundle)
            self._clients.setdefault(profile.ca_bundle, made)
        return self._clients[profile.ca_bundle]

    def client_for(self, profile: ProviderProfile) -> httpx.AsyncClient:
        """The shared client, or one that trusts the profile's own CA bundle."""
        if not profile.ca_bundle:
            return self.client
        if profile.ca_bundle not in self._clients:
            self._clients[profile.ca_bundle] = self._ca_client(profile.ca_bundle)
        return self._clients[profile.ca_bundle]

    def _ca_client(self, ca_bundle: str) -> httpx.AsyncClient:
        """A new client trusting this CA bundle; a bundle it cannot use is a ProviderError."""
        from app.events import ProviderError

        try:
            return _new_http_client(ca_bundle, read_timeout=self.settings.read_timeout)
        except ConfigError as error:
            raise ProviderError(str(error)) from None

    async def aclose(self) -> None:
        """Close every client made."""
        if self._client is not None:
            await self._client.aclose()
        for client in self._clients.values():
            await client.aclose()

    # --- the active provider ---------------------------------------------------------------

    async def connect(self) -> tuple[Provider, ProviderProfile]:
        """The active profile's provider, with its key; ProviderError when none is set up."""
        from app.connection import provider_for
        from app.events import ProviderError

        if self.profile is None:
            raise ProviderError(
                translate(
                    "EaselApp", "No provider is set up yet: choose one in Settings → Providers."
                )
            )
        client = await self.client_off_thread(self.profile)
        provider = await provider_for(self.profile, client, self.keys)
        return provider, self.profile

    async def artifact_provider(self) -> tuple[Provider, ProviderProfile]:
        """The provider and model an artifact's call goes to: the ones chosen right now."""
        provider, profile = await self.connect()
        return provider, replace(profile, model=self.model)

    @property
    def model(self) -> str:
        """The model the next reply comes from: chosen in the composer, else the profile's."""
        if self.profile is None:
            return ""
        return self._chosen_model.get(self.profile.name) or self.profile.model

    def choose_model(self, model: str) -> bool:
        """Use another model of the same provider from the next reply on (False: nothing to)."""
        if self.profile is None or not model:
            return False
        self._chosen_model[self.profile.name] = model
        return True

    def known_models(self) -> list[str]:
        """Every model listed by a provider this run, and the one in use."""
        return sorted({m for ms in self.models.values() for m in ms} | {self.model} - {""})

    async def refresh_models(self) -> None:
        """Fetch the provider's model list (kept for the run) for the composer's picker."""
        profile = self.profile
        if profile is None:
            return
        ok, _sentence, models = await self.test_profile(profile, None)
        if ok and self.profile == profile:
            self.models[profile.name] = sorted(models)
            self.modelsChanged.emit()

    # --- profiles --------------------------------------------------------------------------

    async def test_profile(
        self, profile: ProviderProfile, key: str | None
    ) -> tuple[bool, str, list[str]]:
        """Try a profile: list its models. (ok, one sentence, models)."""
        from app.connection import provider_with_key
        from app.events import ProviderError

        api_key = key or await find_api_key(profile, self.keys)
        profile, _missing = await with_header_values(profile, self.keys)
        try:
            client = await self.client_off_thread(profile)
        except ProviderError as error:
            return False, str(error), []
        provider = provider_with_key(profile, client, api_key)
        try:
            models = await provider.list_models()
        except ProviderError as error:
            return False, str(error), []
        if profile.model and models and profile.model not in models:
            return (
                True,
                translate(
                    "EaselApp",
                    "Connected to {name}, but it does not list “{model}”. It offers {count} "
                    "models.",
                ).format(name=profile.name, model=profile.model, count=len(models)),
                models,
            )
        connected = translate("EaselApp", "Connected to {name} ({count} models available).")
        return True, connected.format(name=profile.name, count=len(models)), models

    def on_profile_saved(self, profile: ProviderProfile, key: str, session_only: bool) -> None:
        """The provider form's Save: keep the profile in the background."""
        asyncio.ensure_future(self.save_profile(profile, key, session_only))

    async def save_profile(self, profile: ProviderProfile, key: str, session_only: bool) -> None:
        """Keep a profile (its key in the keyring, never in a file) and make it active."""
        if key:
            if session_only or not await self.keys.ready():
                self.keys.set_session_key(profile.name, key)
            else:
                try:
                    await self.keys.set(profile.name, key)
                except KeyringUnavailable:
                    self.keys.set_session_key(profile.name, key)
        previous = self.settings.profile(profile.name)
        await store_header_values(profile, self.keys, session_only=session_only, previous=previous)
        # Remember that it has a key (a session-only one is gone after a restart, and then
        # "No key for …" must be said instead of sending without); saved again with none while
        # none is found means the server needs none.
        if key or await find_api_key(profile, self.keys) is None:
            mark_keyed(profile.name, bool(key))
        self.settings.profiles = [p for p in self.settings.profiles if p.name != profile.name]
        self.settings.profiles.append(profile)
        self.settings.active_profile = profile.name
        save_settings(self.settings)
        self.profile = profile
        self.profileChanged.emit()

    def use_profile(self, profile: ProviderProfile) -> None:
        """Make a saved profile the active one."""
        self.settings.active_profile = profile.name
        save_settings(self.settings)
        self.profile = profile
        self.profileChanged.emit()

    async def import_env_keys(self) -> list[str]:
        """A provider for each preset whose key is in the environment (key kept in the keyring)."""
        imported = []
        for preset in PRESETS:
            key = self.keys.environment_value(preset.key_env) if preset.key_env else None
            if not preset.key_env or not key:
                continue
            profile = self.settings.profile(preset.name) or profile_from_preset(preset)
            if self.settings.profile(profile.name) is None:
                self.settings.profiles.append(profile)
            if await self.keys.ready():
                try:
                    await self.keys.set(profile.name, key)
                except KeyringUnavailable:
                    pass
            imported.append(profile.name)
        if imported and self.settings.active_profile is None:
            self.use_profile(self.settings.profiles[0])
        save_settings(self.settings)
        return imported
