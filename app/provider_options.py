"""The PROVIDER OPTIONS of the command line (DESIGN §5), shared by the app and `ask`.

Kept apart from app.cli so that the desktop app can read them without importing every
headless command (their imports cost a tenth of a second at start-up).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from app.config import KINDS, ConfigError, ProviderProfile, Settings, move_userinfo_to_header
from app.presets import PRESETS, find_preset, profile_from_preset


def add_provider_options(parser: argparse.ArgumentParser) -> None:
    """The PROVIDER OPTIONS shared by the app and `ask`."""
    group = parser.add_argument_group("provider options")
    group.add_argument("--provider", help="a preset (deepseek, openai, …) or a saved profile")
    group.add_argument("--base-url", help="an API base URL (OpenAI-compatible ones end in /v1)")
    group.add_argument("--model", help="the model to use")
    group.add_argument("--api-key-env", help="the environment variable holding the API key")
    group.add_argument("--kind", choices=("openai", "anthropic"), help="the API's protocol")


def profile_from_options(settings: Settings, args: argparse.Namespace) -> ProviderProfile:
    """The provider profile the PROVIDER OPTIONS name; ConfigError when none is usable."""
    return resolve_provider_options(
        settings,
        provider=args.provider,
        base_url=args.base_url,
        model=args.model,
        api_key_env=args.api_key_env,
        kind=args.kind,
    )


def resolve_provider_options(
    settings: Settings,
    *,
    provider: str | None,
    base_url: str | None,
    model: str | None,
    api_key_env: str | None,
    kind: str | None,
) -> ProviderProfile:
    """The profile that --provider/--base-url/--model/--api-key-env/--kind describe.

    --provider names a saved profile or a preset; --base-url with --model is an ad-hoc
    profile; with neither, the active profile. --model, --kind, --api-key-env and --base-url
    override what the named profile says. Raises ConfigError when nothing usable results.
    """
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}.")
    if provider is not None:
        profile = _named_profile(settings, provider)
    elif base_url is not None:
        if not model:
            raise ConfigError("--base-url needs --model too (the model's name on that server).")
        profile = ProviderProfile(name=base_url, kind=kind or "openai", base_url=base_url, model="")
    else:
        profile = _active_profile(settings)
    profile = _with_overrides(profile, base_url, model, api_key_env, kind)
    _check_usable(profile)
    return profile


def _named_profile(settings: Settings, name: str) -> ProviderProfile:
    saved = settings.profile(name)
    if saved is not None:
        return saved
    preset = find_preset(name)
    if preset is not None:
        return profile_from_preset(preset)
    choices = [p.name for p in settings.profiles] + [p.id for p in PRESETS]
    raise ConfigError(f"Unknown provider {name!r}: use one of {', '.join(choices)}.")


def _active_profile(settings: Settings) -> ProviderProfile:
    if settings.active_profile is None:
        presets = ", ".join(p.id for p in PRESETS if p.id != "custom")
        raise ConfigError(
            f"No provider is set up: pass --provider NAME ({presets}) or --base-url URL --model M."
        )
    profile = settings.profile(settings.active_profile)
    if profile is None:
        raise ConfigError(
            f"The active provider {settings.active_profile!r} is not among the saved profiles: "
            "pass --provider NAME or choose one in Settings."
        )
    return profile


def _with_overrides(
    profile: ProviderProfile,
    base_url: str | None,
    model: str | None,
    api_key_env: str | None,
    kind: str | None,
) -> ProviderProfile:
    changes: dict[str, Any] = {}
    if base_url is not None:
        changes["base_url"] = base_url
    if model:
        changes["model"] = model
    if api_key_env:
        changes["key_env"] = api_key_env
    if kind is not None:
        changes["kind"] = kind
    profile = replace(profile, **changes)
    # Both API conventions append their own path, so a trailing slash would double it.
    profile = replace(profile, base_url=profile.base_url.strip().rstrip("/"))
    return move_userinfo_to_header(profile)


def _check_usable(profile: ProviderProfile) -> None:
    if not profile.base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"Provider {profile.name!r} has no usable base URL: pass --base-url "
            "with an http:// or https:// address."
        )
    if not profile.model:
        raise ConfigError(
            f"Provider {profile.name!r} has no model: pass --model NAME (one the server offers)."
        )
