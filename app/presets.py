"""The providers Easel knows how to reach out of the box, and a profile made from one."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import ProviderProfile


@dataclass(frozen=True)
class Preset:
    """A provider Easel knows how to reach: its wire protocol, base URL and usual model."""

    id: str
    name: str
    kind: str
    base_url: str
    default_model: str
    key_env: str | None
    needs_key: bool
    local: bool
    models_hint: tuple[str, ...] = ()


# Model names checked against the providers' documentation; the UI also lists {base}/models.
PRESETS: tuple[Preset, ...] = (
    Preset(
        "moonshot",
        "Moonshot (Kimi)",
        "openai",
        "https://api.moonshot.ai/v1",
        "kimi-k2.6",
        "MOONSHOT_API_KEY",
        needs_key=True,
        local=False,
        models_hint=("kimi-k2.6", "kimi-k2.5", "moonshot-v1-auto"),
    ),
    Preset(
        "deepseek",
        "DeepSeek",
        "openai",
        "https://api.deepseek.com/v1",
        "deepseek-v4-flash",
        "DEEPSEEK_API_KEY",
        needs_key=True,
        local=False,
        models_hint=("deepseek-v4-flash", "deepseek-v4-pro"),
    ),
    Preset(
        "openai",
        "OpenAI",
        "openai",
        "https://api.openai.com/v1",
        "gpt-4.1-mini",
        "OPENAI_API_KEY",
        needs_key=True,
        local=False,
        models_hint=("gpt-4.1-mini", "gpt-4.1", "gpt-5-mini"),
    ),
    Preset(
        "openrouter",
        "OpenRouter",
        "openai",
        "https://openrouter.ai/api/v1",
        "openrouter/auto",
        "OPENROUTER_API_KEY",
        needs_key=True,
        local=False,
        models_hint=(
            "openrouter/auto",
            "anthropic/claude-sonnet-4.6",
            "deepseek/deepseek-v4-flash",
        ),
    ),
    Preset(
        "anthropic",
        "Anthropic (Claude)",
        "anthropic",
        "https://api.anthropic.com",
        "claude-sonnet-4-6",
        "ANTHROPIC_API_KEY",
        needs_key=True,
        local=False,
        models_hint=("claude-sonnet-4-6", "claude-sonnet-5-5", "claude-haiku-4-5"),
    ),
    # Local servers: no key, and the model is picked from what the server has pulled.
    Preset("ollama", "Ollama", "openai", "http://127.0.0.1:11434/v1", "", None, False, True),
    Preset("lmstudio", "LM Studio", "openai", "http://127.0.0.1:1234/v1", "", None, False, True),
    Preset("custom", "Custom (OpenAI-compatible)", "openai", "", "", None, False, False),
)


def find_preset(name: str) -> Preset | None:
    """The preset whose id or display name is `name`, ignoring case."""
    wanted = name.strip().casefold()
    for preset in PRESETS:
        if wanted in (preset.id.casefold(), preset.name.casefold()):
            return preset
    return None


def profile_from_preset(preset: Preset, model: str | None = None) -> ProviderProfile:
    """A profile that uses a preset as it is, optionally with another model."""
    return ProviderProfile(
        name=preset.id,
        kind=preset.kind,
        base_url=preset.base_url,
        model=model if model is not None else preset.default_model,
        key_env=preset.key_env,
        preset=preset.id,
    )
