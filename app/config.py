"""Where Easel keeps its files, and the typed settings file it reads and writes.

The presets are app/presets.py; the command line's PROVIDER OPTIONS, app/provider_options.py.

Settings live in `settings.json` in the config folder (platformdirs, or `EASEL_HOME/config`).
The file holds provider profiles and UI state, never an API key: keys live in the keyring or
the environment (see `app/secrets.py`). Nor does it hold a header's value (only its name, or a
"$VARIABLE" reference) or the `user:password@` of a base URL (that becomes an `Authorization`
header value, kept like the others). A missing or corrupt file gives the defaults; the
corrupt one is kept beside it as `settings.json.bad` (then `.bad-2`, `.bad-3`…: an earlier one
is never overwritten) so nothing the user wrote is thrown away.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from app.appearance import DEFAULT_THEME, DEFAULT_ZOOM, theme_from_json, zoom_from_json
from app.urls import redact_userinfo, split_userinfo, strip_userinfo

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
KINDS = ("openai", "anthropic")
# A header value written "$NAME" names an environment variable: a reference, not a secret.
_ENV_REFERENCE = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_]*$")
# Seconds a reply may send nothing before it counts as stalled (httpx's read timeout is per
# chunk, so this bounds the silence, not the whole reply). Reasoning models think in silence
# for a while; a dead connection should not hold the user for minutes.
DEFAULT_READ_TIMEOUT = 60.0
READ_TIMEOUT_RANGE = (1.0, 3600.0)
# The language choices the setting and --language take ("system": follow the locale).
LANGUAGES = ("system", "en", "zh_CN")


class ConfigError(ValueError):
    """The provider options or settings cannot give a usable provider. str() is one sentence."""


def home_dirs() -> tuple[Path, Path]:
    """(config_dir, data_dir), created on demand; EASEL_HOME relocates both."""
    home = os.environ.get("EASEL_HOME")
    if home:
        config_dir, data_dir = Path(home) / "config", Path(home) / "data"
    else:
        config_dir = Path(platformdirs.user_config_dir("easel"))
        data_dir = Path(platformdirs.user_data_dir("easel"))
    config_dir.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    return config_dir, data_dir


@dataclass(frozen=True)
class ProviderProfile:
    """A named way to reach one model: protocol, base URL, model and where its key comes from.

    The key itself is never part of a profile; `key_env` only names an environment variable.
    """

    name: str
    kind: str
    base_url: str
    model: str
    key_env: str | None = None
    preset: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    temperature: float | None = None
    max_tokens: int | None = None
    # A PEM file of certificate authorities to trust for this provider (a company proxy).
    ca_bundle: str | None = None


@dataclass
class Settings:
    """Everything Easel remembers between runs, except history (the store) and keys."""

    profiles: list[ProviderProfile] = field(default_factory=list)
    active_profile: str | None = None
    system_prompt: str | None = None  # None: the built-in artifact prompt
    artifact_prompt_enabled: bool = True
    window_geometry: str | None = None
    splitter_sizes: list[int] | None = None
    # model -> (price per million input tokens, per million output tokens), as the user set it
    prices: dict[str, tuple[float, float]] = field(default_factory=dict)
    # Seconds without data before a reply counts as stalled ("read_timeout" in settings.json).
    read_timeout: float = DEFAULT_READ_TIMEOUT
    # "system", "light" or "dark" (app/appearance.py); `--theme` overrides it for one run only.
    theme: str = DEFAULT_THEME
    # The zoom factor of the transcript and the artifacts (Ctrl+= / Ctrl+- / Ctrl+0).
    zoom: float = DEFAULT_ZOOM
    # The window's language: "system" (follow the locale), "en" or "zh_CN" (widgets/language.py).
    language: str = "system"
    # The folder a file dialog last saved to, per kind ("export", "artifact", "pdf", ...).
    last_folders: dict[str, str] = field(default_factory=dict)

    def profile(self, name: str) -> ProviderProfile | None:
        """The saved profile called `name` (ignoring case), if any."""
        wanted = name.strip().casefold()
        return next((p for p in self.profiles if p.name.casefold() == wanted), None)


# --- reading and writing settings.json -------------------------------------------------------


def _settings_path() -> Path:
    return home_dirs()[0] / SETTINGS_FILE


def load_settings() -> Settings:
    """The saved settings; defaults when the file is missing or unreadable. Never raises."""
    try:
        path = _settings_path()
    except OSError as error:  # the config folder cannot be made (a read-only home)
        log.warning("cannot reach the settings folder (%s); using defaults", error)
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("the top level is not an object")
        return _settings_from_json(raw)
    except FileNotFoundError:
        return Settings()
    # RecursionError: json nests a Python call per level, and a file nested thousands deep
    # is not settings Easel wrote.
    except (OSError, ValueError, TypeError, RecursionError) as error:
        _set_aside(path, error)
        return Settings()


def _set_aside(path: Path, error: BaseException) -> None:
    """Keep a corrupt settings file as settings.json.bad (numbered: never over an earlier one)."""
    log.warning("settings file %s is unreadable (%s); starting from defaults", path, error)
    number = 1
    while number < 10_000:
        name = f"{path.name}.bad" if number == 1 else f"{path.name}.bad-{number}"
        try:
            os.link(path, path.with_name(name))  # fails if the name is taken, unlike replace
        except FileExistsError:
            number += 1
            continue
        except OSError as link_error:
            if path.with_name(name).exists():
                number += 1
                continue
            _move_aside_without_links(path, path.with_name(name), link_error)
            return
        path.unlink(missing_ok=True)
        return


def _move_aside_without_links(path: Path, target: Path, why: OSError) -> None:
    """A filesystem without hard links: rename (the name was checked free just before)."""
    try:
        os.rename(path, target)
    except OSError as move_error:
        log.warning("could not set the corrupt settings file aside (%s; %s)", why, move_error)


def save_settings(settings: Settings) -> None:
    """Write settings.json atomically: a reader sees the old file or the new one, never half."""
    path = _settings_path()
    text = json.dumps(_settings_to_json(settings), indent=2, ensure_ascii=False) + "\n"
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".settings.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _settings_to_json(settings: Settings) -> dict[str, Any]:
    return {
        "version": 1,
        "active_profile": settings.active_profile,
        "profiles": [_profile_to_json(p) for p in settings.profiles],
        "system_prompt": settings.system_prompt,
        "artifact_prompt_enabled": settings.artifact_prompt_enabled,
        "window_geometry": settings.window_geometry,
        "splitter_sizes": settings.splitter_sizes,
        "prices": {model: list(price) for model, price in settings.prices.items()},
        "read_timeout": settings.read_timeout,
        "theme": settings.theme,
        "zoom": settings.zoom,
        "language": settings.language,
        "last_folders": dict(settings.last_folders),
    }


def _profile_to_json(profile: ProviderProfile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "kind": profile.kind,
        "base_url": strip_userinfo(profile.base_url),
        "model": profile.model,
        "key_env": profile.key_env,
        "preset": profile.preset,
        "headers": headers_to_json(profile.headers),
        "temperature": profile.temperature,
        "max_tokens": profile.max_tokens,
        "ca_bundle": profile.ca_bundle,
    }


def _settings_from_json(raw: dict[str, Any]) -> Settings:
    profiles = []
    for entry in raw.get("profiles") or []:
        try:
            profiles.append(_profile_from_json(entry))
        except (KeyError, TypeError, ValueError) as error:
            # One bad profile should not cost the user all the others.
            log.warning("skipping an unreadable provider profile in settings: %s", error)
    return Settings(
        profiles=profiles,
        active_profile=_optional(raw.get("active_profile"), str),
        system_prompt=_optional(raw.get("system_prompt"), str),
        artifact_prompt_enabled=bool(raw.get("artifact_prompt_enabled", True)),
        window_geometry=_optional(raw.get("window_geometry"), str),
        splitter_sizes=_int_list(raw.get("splitter_sizes")),
        prices=_prices(raw.get("prices")),
        read_timeout=_read_timeout(raw.get("read_timeout")),
        theme=theme_from_json(raw.get("theme")),
        zoom=zoom_from_json(raw.get("zoom")),
        language=_language(raw.get("language")),
        last_folders=_str_dict(raw.get("last_folders")),
    )


def _language(value: Any) -> str:
    """The saved language choice, or "system" when it is missing or not one Easel speaks."""
    return value if value in LANGUAGES else "system"


def _read_timeout(value: Any) -> float:
    """The saved read timeout, or the default when it is missing or not a sane number."""
    if value is None:
        return DEFAULT_READ_TIMEOUT
    low, high = READ_TIMEOUT_RANGE
    if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high:
        return float(value)
    log.warning(
        "read_timeout in settings must be %g to %g seconds; using %g",
        low,
        high,
        DEFAULT_READ_TIMEOUT,
    )
    return DEFAULT_READ_TIMEOUT


def _prices(value: Any) -> dict[str, tuple[float, float]]:
    prices: dict[str, tuple[float, float]] = {}
    if not isinstance(value, dict):
        return prices
    for model, pair in value.items():
        try:
            prices[str(model)] = (float(pair[0]), float(pair[1]))
        except (TypeError, ValueError, IndexError):
            log.warning("skipping an unreadable price for %r in settings", model)
    return prices


def _profile_from_json(entry: dict[str, Any]) -> ProviderProfile:
    kind = str(entry["kind"])
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    temperature = entry.get("temperature")
    max_tokens = entry.get("max_tokens")
    profile = ProviderProfile(
        name=str(entry["name"]),
        kind=kind,
        base_url=str(entry["base_url"]),
        model=str(entry.get("model") or ""),
        key_env=_optional(entry.get("key_env"), str),
        preset=_optional(entry.get("preset"), str),
        headers=headers_from_json(entry.get("headers")),
        temperature=float(temperature) if temperature is not None else None,
        max_tokens=int(max_tokens) if max_tokens is not None else None,
        ca_bundle=_optional(entry.get("ca_bundle"), str),
    )
    # A password in a saved base URL becomes a header value, which then leaves the file.
    return move_userinfo_to_header(profile)


# --- header values and URL credentials: never in settings.json ---------------------------


def headers_to_json(headers: tuple[tuple[str, str], ...]) -> list[str | list[str]]:
    """What settings.json keeps of a profile's headers: names, values only as "$ENV" references.

    Header values carry keys (`X-Goog-Api-Key`, `Ocp-Apim-Subscription-Key`, `Authorization`),
    and no rule on names catches every one: so no value is ever written; they live in the
    keyring (app/secrets.py). A value "$NAME" only names an environment variable: kept.
    """
    kept: list[str | list[str]] = []
    for name, value in headers:
        kept.append([name, value] if is_env_reference(value) else name)
    return kept


def headers_from_json(raw: Any) -> tuple[tuple[str, str], ...]:
    """Header (name, value) pairs from settings.json; a name alone has its value elsewhere ("").

    An older file holds [name, value] pairs with the value in plain text: those values are
    returned as they are, for `app.secrets.move_header_values` to take out of the file.
    """
    pairs: list[tuple[str, str]] = []
    for item in raw or ():
        if isinstance(item, str):
            pairs.append((item, ""))
        else:
            name, value = item
            pairs.append((str(name), str(value)))
    return tuple(pairs)


def is_env_reference(value: str) -> bool:
    """Whether a header value is "$NAME": taken from that environment variable when sent."""
    return bool(_ENV_REFERENCE.match(value.strip()))


def move_userinfo_to_header(profile: ProviderProfile) -> ProviderProfile:
    """The profile with `user:password@` taken out of its base URL (and its name).

    The credentials stay usable as an `Authorization: Basic …` header (unless the profile
    sets its own `Authorization`), a value that is kept like every header value: in memory
    and the keyring, never in a file.
    """
    base_url, authorization = split_userinfo(profile.base_url)
    name = redact_userinfo(profile.name)
    if base_url == profile.base_url and name == profile.name:
        return profile
    headers = profile.headers
    has_own = any(header.strip().casefold() == "authorization" for header, _ in headers)
    if authorization is not None and not has_own:
        headers = (*headers, ("Authorization", authorization))
    return replace(profile, name=name, base_url=base_url, headers=headers)


def _int_list(value: Any) -> list[int] | None:
    """A list of ints, or None: UI state is not worth losing the settings file over."""
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        return list(value)
    return None


def _str_dict(value: Any) -> dict[str, str]:
    """A mapping of strings to strings; anything else in it is dropped (UI state)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _optional(value: Any, kind: type) -> Any:
    return kind(value) if value is not None else None
