"""The user's tool settings: MCP servers, "always allowed" tools, read-only auto-allow.

They live in `tools.json` in the config folder, in Claude Desktop's `mcpServers` shape plus
keys of Easel's own (`alwaysAllow`, `autoAllowReadOnly`, `fetchUrl`, `webSearch`), so a user can copy servers in
and out by hand. A damaged file is set aside (never lost) and the defaults apply.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.config import home_dirs
from app.tools.mcp_config import ConfigError, ServerConfig, parse_servers

log = logging.getLogger(__name__)
SETTINGS_FILE = "tools.json"


@dataclass(frozen=True)
class ToolSettings:
    """What the user chose about tools. always_allowed: tool keys ("server/tool")."""

    servers: tuple[ServerConfig, ...] = ()
    always_allowed: frozenset[str] = field(default_factory=frozenset)
    auto_allow_read_only: bool = False
    fetch_url: bool = False  # offer the built-in fetch_url tool
    web_search: bool = False  # offer Moonshot's $web_search to Kimi

    @property
    def any_tools(self) -> bool:
        """Whether any tool is offered (else requests carry no `tools` at all)."""
        return self.fetch_url or self.web_search or any(s.enabled for s in self.servers)

    def allowing(self, key: str) -> ToolSettings:
        return replace(self, always_allowed=self.always_allowed | {key})

    def revoking(self, key: str) -> ToolSettings:
        return replace(self, always_allowed=self.always_allowed - {key})

    def with_server(self, server: ServerConfig) -> ToolSettings:
        """The settings with `server` added, or replacing the one of the same name."""
        kept = [s for s in self.servers if s.name != server.name]
        return replace(self, servers=(*kept, server))

    def without_server(self, name: str) -> ToolSettings:
        return replace(self, servers=tuple(s for s in self.servers if s.name != name))


def settings_path() -> Path:
    return home_dirs()[0] / SETTINGS_FILE


def load_tool_settings(path: Path | None = None) -> ToolSettings:
    """The saved settings (defaults when there are none; a damaged file is set aside)."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return from_json(raw, str(path))
    except FileNotFoundError:
        return ToolSettings()
    except (OSError, ValueError) as error:
        aside = path.with_name(path.name + ".damaged")
        log.warning("tool settings %s cannot be used (%s); moved to %s", path, error, aside)
        try:
            os.replace(path, aside)
        except OSError:
            log.warning("could not move %s aside", path)
        return ToolSettings()


def from_json(raw: Any, where: str) -> ToolSettings:
    servers = parse_servers(raw, where)
    allowed = raw.get("alwaysAllow", [])
    if not isinstance(allowed, list) or not all(isinstance(k, str) for k in allowed):
        raise ConfigError(f'"alwaysAllow" in {where} is not a list of tool names.')
    return ToolSettings(
        tuple(servers),
        frozenset(allowed),
        bool(raw.get("autoAllowReadOnly", False)),
        bool(raw.get("fetchUrl", False)),
        bool(raw.get("webSearch", False)),
    )


def save_tool_settings(settings: ToolSettings, path: Path | None = None) -> None:
    """Write the settings atomically (a crash leaves the old file or the new one)."""
    path = path or settings_path()
    raw = {
        "mcpServers": {server.name: server.to_json() for server in settings.servers},
        "alwaysAllow": sorted(settings.always_allowed),
        "autoAllowReadOnly": settings.auto_allow_read_only,
        "fetchUrl": settings.fetch_url,
        "webSearch": settings.web_search,
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(raw, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
