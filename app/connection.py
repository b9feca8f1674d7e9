"""From a provider profile to a ready Provider: the key, the HTTP client, the error if none.

Shared by the desktop window and `main.py ask`, so both find keys the same way and both say
the same sentence when one is missing.
"""

from __future__ import annotations

import ssl

import httpx

from app.config import DEFAULT_READ_TIMEOUT, PRESETS, ConfigError, Preset, ProviderProfile
from app.events import AuthError
from app.providers import Provider, make_provider
from app.secrets import KeyStore, find_api_key


def http_timeout(read_timeout: float = DEFAULT_READ_TIMEOUT) -> httpx.Timeout:
    """Connect, write and pool bounds, and `read_timeout`: the longest silence in a reply."""
    return httpx.Timeout(connect=10.0, read=read_timeout, write=30.0, pool=10.0)


def new_http_client(
    ca_bundle: str | None = None, *, read_timeout: float = DEFAULT_READ_TIMEOUT
) -> httpx.AsyncClient:
    """An HTTP client (proxies from HTTPS_PROXY/ALL_PROXY are honoured).

    ca_bundle: a PEM file of extra authorities to trust (a company's TLS-inspecting proxy);
    a missing or unreadable file is a ConfigError, not a traceback. read_timeout: seconds a
    reply may send nothing (a chunk may take long to come while a model thinks, not forever).
    """
    verify: bool | ssl.SSLContext = True
    if ca_bundle:
        try:
            verify = ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as error:
            raise ConfigError(f"Cannot use the CA bundle {ca_bundle}: {error}.") from None
    return httpx.AsyncClient(
        timeout=http_timeout(read_timeout), trust_env=True, follow_redirects=False, verify=verify
    )


def preset_of(profile: ProviderProfile) -> Preset | None:
    """The preset a profile was made from, if any."""
    for preset in PRESETS:
        if preset.id == profile.preset:
            return preset
    return None


def key_env_of(profile: ProviderProfile) -> str | None:
    """The environment variable that may hold this profile's key."""
    if profile.key_env:
        return profile.key_env
    preset = preset_of(profile)
    return preset.key_env if preset else None


def needs_key(profile: ProviderProfile) -> bool:
    """Whether requests without a key are bound to fail (hosted APIs) or fine (local ones)."""
    preset = preset_of(profile)
    return bool(preset and preset.needs_key)


def key_hint(profile: ProviderProfile) -> str:
    """Where the user can put a key for this profile, as the end of a sentence."""
    env = key_env_of(profile)
    if env:
        return f"Set {env}, or save a key for “{profile.name}” in Settings → Providers."
    return f"Save a key for “{profile.name}” in Settings → Providers."


async def provider_for(
    profile: ProviderProfile, client: httpx.AsyncClient, keys: KeyStore
) -> Provider:
    """A provider for this profile with its key; AuthError when a needed key is missing."""
    api_key = await find_api_key(profile, keys)
    if api_key is None and needs_key(profile):
        raise AuthError(f"No API key for {profile.name}. {key_hint(profile)}")
    return provider_with_key(profile, client, api_key)


def provider_with_key(
    profile: ProviderProfile, client: httpx.AsyncClient, api_key: str | None
) -> Provider:
    """A provider for this profile with this key (None: no authorization is sent)."""
    return make_provider(
        profile.kind,
        client=client,
        base_url=profile.base_url,
        api_key=api_key,
        name=profile.name,
        headers=dict(profile.headers),
        key_hint=key_hint(profile),
    )
