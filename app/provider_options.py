"""The PROVIDER OPTIONS of the command line (DESIGN §5), shared by the app and `ask`.

Kept apart from app.cli so that the desktop app can read them without importing every
headless command (their imports cost a tenth of a second at start-up).
"""

from __future__ import annotations

import argparse

from app.config import ProviderProfile, Settings, resolve_provider_options


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
