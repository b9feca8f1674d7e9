"""From a provider profile to a ready Provider: the key, the HTTP client, the error if none.

Shared by the desktop window and `main.py ask`, so both find keys the same way and both say
the same sentence when one is missing. A request goes out without a key only where that is
expected: a local server, or a custom one saved without a key. A hosted preset, a profile that
names its own key variable, or one that was saved with a key (a session-only key is gone after
a restart) raises AuthError "No key for …" with the two ways to fix it, before anything is sent.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

from app.config import DEFAULT_READ_TIMEOUT, ConfigError, ProviderProfile
from app.events import AuthError
from app.key_marks import had_key
from app.presets import PRESETS, Preset
from app.providers import Provider, make_provider
from app.secrets import KeyStore, find_api_key, with_header_values
from app.urls import redact_userinfo, split_userinfo

if TYPE_CHECKING:  # annotations only; httpx costs ~0.2 s to import
    import httpx


def http_timeout(read_timeout: float = DEFAULT_READ_TIMEOUT) -> httpx.Timeout:
    """Connect, write and pool bounds, and `read_timeout`: the longest silence in a reply."""
    import httpx  # here, not at start-up: see the TYPE_CHECKING import above

    return httpx.Timeout(connect=10.0, read=read_timeout, write=30.0, pool=10.0)


def new_http_client(
    ca_bundle: str | None = None, *, read_timeout: float = DEFAULT_READ_TIMEOUT
) -> httpx.AsyncClient:
    """An HTTP client (proxies from HTTPS_PROXY/ALL_PROXY are honoured).

    ca_bundle: a PEM file of extra authorities to trust (a company's TLS-inspecting proxy);
    a missing or unreadable file is a ConfigError, not a traceback. read_timeout: seconds a
    reply may send nothing (a chunk may take long to come while a model thinks, not forever).
    """
    import httpx  # here, not at start-up: see the TYPE_CHECKING import above

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


def expects_key(profile: ProviderProfile) -> bool:
    """Whether sending without a key would be a mistake, not a server that needs none.

    True for a hosted preset, for a profile that names its own key variable (unless it is a
    local server's), and for a profile that was saved with a key; False for Ollama, LM Studio
    and custom servers saved without one.
    """
    if needs_key(profile) or had_key(profile.name):
        return True
    preset = preset_of(profile)
    return bool(profile.key_env) and not (preset is not None and preset.local)


def missing_key_sentence(profile: ProviderProfile, keys: KeyStore) -> str:
    """ "No key for …" and the two ways to fix it (why it is gone, when there is no keyring)."""
    env = key_env_of(profile)
    where = (
        f"set the environment variable {env}"
        if env
        else "set an environment variable and pass its name with --api-key-env"
    )
    sentence = f"No key for {profile.name}: paste it in Settings → Providers, or {where}."
    if not keys.available and had_key(profile.name):
        # Why a key that worked is gone: it was kept for that session only.
        sentence += " Without a system keyring, a key is kept only until Easel closes."
    return sentence


def key_hint(profile: ProviderProfile) -> str:
    """Where the user can put a key for this profile, as the end of a sentence."""
    env = key_env_of(profile)
    if env:
        return f"Set {env}, or save a key for “{profile.name}” in Settings → Providers."
    return f"Save a key for “{profile.name}” in Settings → Providers."


async def provider_for(
    profile: ProviderProfile, client: httpx.AsyncClient, keys: KeyStore
) -> Provider:
    """A provider for this profile with its key and header values; AuthError when one is missing.

    An expected key that is missing, or a header without a value (a session-only value gone
    after a restart), is never sent empty: the user is told which one and how to give it.
    """
    api_key = await find_api_key(profile, keys)
    if api_key is None and expects_key(profile):
        raise AuthError(missing_key_sentence(profile, keys))
    profile, missing = await with_header_values(profile, keys)
    if missing:
        raise AuthError(
            f"No value for header {', '.join(missing)} of {profile.name}: enter it again in "
            "Settings → Providers, or write “Name: $VARIABLE” there to take it from the "
            "environment."
        )
    return provider_with_key(profile, client, api_key)


def provider_with_key(
    profile: ProviderProfile, client: httpx.AsyncClient, api_key: str | None
) -> Provider:
    """A provider for this profile with this key (None: no authorization is sent).

    Credentials in the base URL never reach the URL that is requested, shown or stored: they
    go as an `Authorization: Basic` header (which, as with httpx before, takes the place of the
    key's `Bearer` one), unless the profile sets its own `Authorization`.
    """
    base_url, authorization = split_userinfo(profile.base_url)
    headers = {name: value for name, value in profile.headers if value}
    if authorization and not any(name.casefold() == "authorization" for name in headers):
        headers["Authorization"] = authorization
    return make_provider(
        profile.kind,
        client=client,
        base_url=base_url,
        api_key=api_key,
        name=redact_userinfo(profile.name),
        headers=headers,
        key_hint=key_hint(profile),
    )
