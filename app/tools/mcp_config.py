"""MCP server configuration in Claude Desktop's shape, and the environment servers start in.

`{"mcpServers": {"time": {"command": "uvx", "args": ["mcp-server-time"], "env": {...}}}}` for
a server Easel starts (stdio), `{"url": "https://…/mcp", "headers": {...}}` for a remote one
(Streamable HTTP); `"disabled": true` keeps a server configured but off. A file that is not
this shape gets one sentence saying what is wrong with it.

A desktop app started from a launcher does not get the login shell's PATH, so `npx`, `uvx` or
`node` installed by nvm, Homebrew or pipx are "not found". `login_shell_path()` asks the user's
login shell once for its PATH (bounded by a timeout) and `find_command` says exactly which
command is missing and where it looked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.config import ConfigError  # one sentence saying why the configuration is unusable

SHELL_TIMEOUT = 3.0  # seconds the login shell may take to print its PATH
DEFAULT_TIMEOUT = 60.0  # seconds a call may go without a result or progress


@dataclass(frozen=True)
class ServerConfig:
    """One MCP server: stdio (command, args, env) or remote (url, headers)."""

    name: str
    command: str = ""
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    enabled: bool = True
    timeout: float = DEFAULT_TIMEOUT

    @property
    def remote(self) -> bool:
        return bool(self.url)

    def to_json(self) -> dict[str, Any]:
        """The entry as Claude Desktop writes it (plus Easel's own "timeout" when set)."""
        entry: dict[str, Any] = (
            {"url": self.url, "headers": dict(self.headers)}
            if self.remote
            else {"command": self.command, "args": list(self.args), "env": dict(self.env)}
        )
        if not self.enabled:
            entry["disabled"] = True
        if self.timeout != DEFAULT_TIMEOUT:
            entry["timeout"] = self.timeout
        return entry


def parse_servers(raw: Any, where: str = "the configuration") -> list[ServerConfig]:
    """The servers of a decoded `{"mcpServers": {...}}` object."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f'{where} is not a JSON object with an "mcpServers" entry.')
    servers = raw.get("mcpServers", {})
    if not isinstance(servers, Mapping):
        raise ConfigError(f'"mcpServers" in {where} is not an object of named servers.')
    return [_server(str(name), entry, where) for name, entry in servers.items()]


def load_config_file(path: Path) -> list[ServerConfig]:
    """The servers of a Claude Desktop style JSON file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"The MCP configuration {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"The MCP configuration {path} cannot be read: {error}.") from None
    except ValueError as error:
        raise ConfigError(f"The MCP configuration {path} is not valid JSON: {error}.") from None
    return parse_servers(raw, str(path))


def _server(name: str, entry: Any, where: str) -> ServerConfig:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"The server {name!r} in {where} is not an object.")
    timeout = entry.get("timeout", DEFAULT_TIMEOUT)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"The server {name!r} in {where} has a timeout that is not positive.")
    enabled = not entry.get("disabled", False)
    if isinstance(entry.get("url"), str) and entry["url"]:
        return ServerConfig(
            name,
            url=entry["url"],
            headers=_strings(entry.get("headers"), name, "headers"),
            enabled=enabled,
            timeout=float(timeout),
        )
    command = entry.get("command")
    if not isinstance(command, str) or not command.strip():
        raise ConfigError(f"The server {name!r} in {where} has neither a command nor a url.")
    args = entry.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ConfigError(f"The server {name!r} in {where} has args that are not strings.")
    return ServerConfig(
        name,
        command=command,
        args=tuple(args),
        env=_strings(entry.get("env"), name, "env"),
        enabled=enabled,
        timeout=float(timeout),
    )


def _strings(value: Any, name: str, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"The server {name!r} has {what} that are not text values.")
    return {str(key): value for key, value in value.items()}


@lru_cache(maxsize=1)
def login_shell_path() -> str:
    """The login shell's PATH joined before ours (ours alone when the shell cannot say)."""
    ours = os.environ.get("PATH", "")
    shell = os.environ.get("SHELL") or "/bin/sh"
    if os.name == "nt" or not Path(shell).exists():
        return ours
    marker = "__EASEL_PATH__"
    try:
        done = subprocess.run(
            [shell, "-l", "-c", f'printf "{marker}%s{marker}" "$PATH"'],
            capture_output=True,
            text=True,
            timeout=SHELL_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return ours
    parts = done.stdout.split(marker)
    theirs = parts[1] if len(parts) >= 3 else ""
    joined = [p for p in (theirs + os.pathsep + ours).split(os.pathsep) if p]
    return os.pathsep.join(dict.fromkeys(joined))


def find_command(command: str, path: str | None = None) -> str:
    """The full path of `command`, or ConfigError naming what is missing and where we looked."""
    search = path if path is not None else login_shell_path()
    found = shutil.which(command, path=search)
    if found:
        return found
    hints = {
        "npx": "Node.js (it provides npx)",
        "node": "Node.js",
        "uvx": "uv (it provides uvx)",
        "uv": "uv",
    }
    what = hints.get(Path(command).name, f"the program {command!r}")
    raise ConfigError(
        f"{command!r} was not found on your login shell's PATH; install {what} or give its "
        f"full path (searched: {search or 'an empty PATH'})."
    )
