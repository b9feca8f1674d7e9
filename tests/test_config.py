"""Settings file, presets, paths and the command line's provider options."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from app.config import (
    ConfigError,
    ProviderProfile,
    Settings,
    home_dirs,
    load_settings,
    save_settings,
)
from app.presets import PRESETS, find_preset, profile_from_preset
from app.provider_options import resolve_provider_options


def resolve(settings: Settings, **options: str | None):
    names = ("provider", "base_url", "model", "api_key_env", "kind")
    return resolve_provider_options(settings, **{n: options.get(n) for n in names})


def test_home_dirs_follow_easel_home(easel_home: Path):
    config_dir, data_dir = home_dirs()
    assert config_dir == easel_home / "config" and config_dir.is_dir()
    assert data_dir == easel_home / "data" and data_dir.is_dir()


def test_home_dirs_without_easel_home_use_platformdirs(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("EASEL_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    config_dir, data_dir = home_dirs()
    assert config_dir == tmp_path / "xdg-config" / "easel" and config_dir.is_dir()
    assert data_dir == tmp_path / "xdg-data" / "easel" and data_dir.is_dir()


def test_presets_are_well_formed():
    ids = [p.id for p in PRESETS]
    assert len(ids) == len(set(ids))
    assert {"moonshot", "deepseek", "openai", "openrouter", "anthropic", "ollama", "lmstudio",
            "custom"} <= set(ids)  # fmt: skip
    for preset in PRESETS:
        assert preset.kind in ("openai", "anthropic")
        if preset.id != "custom":
            assert preset.base_url.startswith(("http://", "https://"))
            assert not preset.base_url.endswith("/")
        assert preset.needs_key == (preset.key_env is not None)
        if preset.local:
            assert preset.base_url.startswith("http://127.0.0.1:")
    # OpenAI-compatible bases end in /v1; an Anthropic base is the host root (DESIGN §5).
    assert find_preset("anthropic").base_url == "https://api.anthropic.com"
    assert find_preset("deepseek").base_url.endswith("/v1")


def test_find_preset_by_id_or_name_ignoring_case():
    assert find_preset("MOONSHOT").id == "moonshot"
    assert find_preset("moonshot (kimi)").id == "moonshot"
    assert find_preset("lm studio").id == "lmstudio"
    assert find_preset("nope") is None


def test_missing_settings_give_defaults():
    settings = load_settings()
    assert settings == Settings()
    assert settings.profiles == [] and settings.active_profile is None
    assert settings.artifact_prompt_enabled is True


def test_settings_round_trip(easel_home: Path):
    profile = ProviderProfile(
        name="Work DeepSeek",
        kind="openai",
        base_url="https://api.deepseek.com/v1",
        model="deepseek-v4-pro",
        key_env="WORK_DS_KEY",
        preset="deepseek",
        headers=(("X-Title", "$EASEL_TITLE"),),  # an environment reference is not a secret
        temperature=0.3,
        max_tokens=4096,
    )
    settings = Settings(
        profiles=[profile, profile_from_preset(find_preset("ollama"), "llama3.2")],
        active_profile="Work DeepSeek",
        system_prompt="Be brief. 简短",
        artifact_prompt_enabled=False,
        window_geometry="AdnQywADAAA=",
        splitter_sizes=[400, 800],
    )
    save_settings(settings)
    assert load_settings() == settings
    assert json.loads((easel_home / "config" / "settings.json").read_text())["version"] == 1
    # Only the file itself is left behind: the temporary file was renamed over it.
    assert [p.name for p in (easel_home / "config").iterdir()] == ["settings.json"]


def test_corrupt_settings_are_set_aside(easel_home: Path, caplog):
    path = easel_home / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"profiles": [', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="app.config"):
        assert load_settings() == Settings()
    assert (easel_home / "config" / "settings.json.bad").read_text() == '{"profiles": ['
    assert not path.exists()
    assert "unreadable" in caplog.text
    # The defaults can be saved again over the gap.
    save_settings(Settings(active_profile="x"))
    assert load_settings().active_profile == "x"


@pytest.mark.parametrize("text", ["[1, 2]", "null", "\udcff", '"a string"'])
def test_other_corrupt_settings_never_crash(easel_home: Path, text: str):
    path = easel_home / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert load_settings() == Settings()
    assert path.with_name("settings.json.bad").exists()


def test_one_bad_profile_does_not_lose_the_others(easel_home: Path):
    path = easel_home / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    good = {"name": "a", "kind": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m"}
    bad = {"name": "b", "kind": "telepathy", "base_url": "x"}
    path.write_text(json.dumps({"profiles": [bad, good, "junk"], "splitter_sizes": ["x"]}))
    settings = load_settings()
    assert [p.name for p in settings.profiles] == ["a"]
    assert settings.splitter_sizes is None


def test_header_values_are_never_saved_only_their_names(easel_home: Path):
    profile = ProviderProfile(
        "p", "openai", "https://example.invalid/v1", "m",
        headers=(("Authorization", "Bearer sk-should-not-be-saved"), ("HTTP-Referer", "easel")),
    )  # fmt: skip
    save_settings(Settings(profiles=[profile]))
    text = (easel_home / "config" / "settings.json").read_text()
    assert "sk-should-not-be-saved" not in text and "easel" not in text.replace("Easel", "")
    # The values live in the key store (app/secrets.py); the file names the headers.
    assert load_settings().profiles[0].headers == (("Authorization", ""), ("HTTP-Referer", ""))


def test_profile_from_preset():
    deepseek = find_preset("deepseek")
    profile = profile_from_preset(deepseek)
    assert profile.name == "deepseek" and profile.preset == "deepseek"
    assert (profile.kind, profile.base_url, profile.model, profile.key_env) == (
        "openai", deepseek.base_url, deepseek.default_model, "DEEPSEEK_API_KEY",
    )  # fmt: skip
    assert profile_from_preset(deepseek, "deepseek-v4-pro").model == "deepseek-v4-pro"


# --- PROVIDER OPTIONS --------------------------------------------------------------------------


def test_provider_names_a_preset():
    profile = resolve(Settings(), provider="DeepSeek")
    assert profile.preset == "deepseek" and profile.model == find_preset("deepseek").default_model


def test_provider_prefers_a_saved_profile_over_a_preset():
    mine = ProviderProfile("deepseek", "openai", "http://127.0.0.1:9/v1", "mine", key_env="K")
    assert resolve(Settings(profiles=[mine]), provider="DEEPSEEK") == mine


def test_model_kind_key_env_and_base_url_override():
    profile = resolve(
        Settings(), provider="openai", model="gpt-4.1", api_key_env="MY_KEY",
        base_url="http://127.0.0.1:8080/v1/",
    )  # fmt: skip
    assert profile.model == "gpt-4.1" and profile.key_env == "MY_KEY"
    assert profile.base_url == "http://127.0.0.1:8080/v1"


def test_base_url_and_model_make_an_ad_hoc_profile():
    profile = resolve(Settings(), base_url="http://127.0.0.1:5000/v1", model="tiny")
    assert (profile.kind, profile.base_url, profile.model) == (
        "openai", "http://127.0.0.1:5000/v1", "tiny",
    )  # fmt: skip
    assert profile.key_env is None
    anthropic = resolve(
        Settings(), base_url="http://127.0.0.1:5000", model="c", kind="anthropic",
        api_key_env="ANTHROPIC_API_KEY",
    )  # fmt: skip
    assert anthropic.kind == "anthropic" and anthropic.key_env == "ANTHROPIC_API_KEY"


def test_nothing_given_uses_the_active_profile():
    a = ProviderProfile("a", "openai", "http://127.0.0.1:1/v1", "m1")
    b = ProviderProfile("b", "anthropic", "http://127.0.0.1:2", "m2")
    settings = Settings(profiles=[a, b], active_profile="b")
    assert resolve(settings) == b
    assert resolve(settings, model="m3").model == "m3"


@pytest.mark.parametrize(
    ("settings", "options", "words"),
    [
        (Settings(), {}, "No provider is set up"),
        (Settings(active_profile="gone"), {}, "not among the saved profiles"),
        (Settings(), {"provider": "nosuch"}, "Unknown provider"),
        (Settings(), {"base_url": "http://127.0.0.1:1/v1"}, "needs --model"),
        (Settings(), {"provider": "ollama"}, "has no model"),
        (Settings(), {"provider": "custom", "model": "m"}, "no usable base URL"),
        (Settings(), {"provider": "openai", "kind": "grpc"}, "--kind must be"),
        (Settings(), {"base_url": "ftp://x", "model": "m"}, "no usable base URL"),
    ],
)
def test_unusable_options_raise_one_clear_sentence(settings, options, words):
    with pytest.raises(ConfigError) as caught:
        resolve(settings, **options)
    message = str(caught.value)
    assert words in message
    assert message.endswith(".") and "\n" not in message


def test_local_preset_with_a_model_is_usable():
    profile = resolve(Settings(), provider="ollama", model="llama3.2")
    assert profile.base_url == "http://127.0.0.1:11434/v1" and profile.key_env is None


def test_deeply_nested_settings_are_set_aside_not_a_recursion_error(easel_home: Path):
    path = easel_home / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    nested = '{"profiles": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(nested, encoding="utf-8")
    assert load_settings() == Settings()
    assert path.with_name("settings.json.bad").read_text(encoding="utf-8") == nested


def test_an_earlier_bad_settings_file_is_never_overwritten(easel_home: Path):
    path = easel_home / "config" / "settings.json"
    path.parent.mkdir(parents=True)
    for text in ("first {", "second [", "third :"):
        path.write_text(text, encoding="utf-8")
        assert load_settings() == Settings()
    folder = path.parent
    assert (folder / "settings.json.bad").read_text() == "first {"
    assert (folder / "settings.json.bad-2").read_text() == "second ["
    assert (folder / "settings.json.bad-3").read_text() == "third :"
    assert not path.exists()


def test_unreachable_config_folder_gives_defaults(easel_home: Path, monkeypatch):
    blocker = easel_home / "not-a-folder"
    blocker.write_text("a file where the home folder should be")
    monkeypatch.setenv("EASEL_HOME", str(blocker))
    assert load_settings() == Settings()
