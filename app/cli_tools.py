"""Tools on the command line: `main.py tools`, and the tool loop of `main.py ask`.

`ask --mcp-config FILE --approve all|read-only|none` offers the servers of FILE (default: the
ones configured in the app) and runs calls without asking as `--approve` says; a call that
needs approval is otherwise denied with a line on stderr saying what to pass. Tool calls and
results are events in `ask --json`. `tools` lists each server's state and tools; a server that
cannot start is named on stderr with its error and the others still work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path

import httpx

from app.session_events import SessionEvent, ToolCallUpdate, ToolsUnavailable
from app.tools.approval import fixed_approver
from app.tools.hub import ToolHub
from app.tools.loop import ToolLoop
from app.tools.mcp_config import ConfigError, ServerConfig, load_config_file
from app.tools.mcp_source import MCPSource
from app.tools.settings import ToolSettings, load_tool_settings, save_tool_settings

EXIT_USAGE = 2
RESULT_PREVIEW = 400  # characters of a result printed on stderr (all of it goes in --json)


def add_tool_options(parser: argparse.ArgumentParser) -> None:
    """`--mcp-config` and `--approve` of `ask`."""
    parser.add_argument("--mcp-config", type=Path, metavar="FILE", help="tool servers (JSON)")
    parser.add_argument(
        "--approve",
        choices=("all", "read-only", "none"),
        default="none",
        help="run tool calls without asking (default none: calls that need approval are denied)",
    )


def servers_for(config: Path | None) -> tuple[ToolSettings, list[ServerConfig]]:
    """The saved tool settings and the enabled servers to use (raises ConfigError)."""
    settings = load_tool_settings()
    servers = load_config_file(config) if config else list(settings.servers)
    return settings, [server for server in servers if server.enabled]


def tool_hub_for(args: argparse.Namespace) -> ToolHub:
    """The tool servers of one `ask` run (raises ConfigError for a bad --mcp-config)."""
    settings, servers = servers_for(args.mcp_config)
    return ToolHub(replace(settings, servers=tuple(servers)), save_tool_settings)


def tool_loop_for(
    hub: ToolHub, args: argparse.Namespace, client: httpx.AsyncClient, base_url: str
) -> ToolLoop | None:
    """The tool loop of one `ask` run; None when no tool is offered."""
    approver = fixed_approver(args.approve, lambda line: print(line, file=sys.stderr))
    return hub.loop_for(client, base_url, approver)


async def close_all(sources: list[MCPSource]) -> None:
    """Stop every server this run started."""
    await asyncio.gather(*(source.close() for source in sources))


def tool_event(event: SessionEvent, as_json: bool) -> dict[str, object] | None:
    """What `ask` says about a tool event: a JSON event, and a line on stderr."""
    if isinstance(event, ToolsUnavailable):
        for name, error in event.problems.items():
            print(error if name in error else f"{name}: {error}", file=sys.stderr)
        return {"type": "tools_unavailable", "servers": event.problems}
    if not isinstance(event, ToolCallUpdate):
        return None
    record = event.record
    label = f"{record.server}/{record.tool}" if record.server else record.name
    if record.state == "running" and not as_json:
        print(f"[tool {label} {record.arguments or '{}'}]", file=sys.stderr)
    elif record.finished and not as_json:
        preview = record.result[:RESULT_PREVIEW]
        print(f"[tool {label} {record.state}: {preview}]", file=sys.stderr)
    return {
        "type": "tool_call",
        "id": record.call_id,
        "name": record.name,
        "server": record.server,
        "tool": record.tool,
        "arguments": record.arguments,
        "state": record.state,
        "result": record.result if record.finished else None,
        "is_error": record.is_error,
        "duration": record.duration,
    }


def tools_main(argv: list[str]) -> int:
    """`main.py tools`: the configured servers, their state and their tools."""
    parser = argparse.ArgumentParser(prog="main.py tools", description="List tool servers.")
    parser.add_argument("--mcp-config", type=Path, metavar="FILE")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        _, servers = servers_for(args.mcp_config)
    except ConfigError as error:
        print(str(error), file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(_tools(servers, args.json))


async def _tools(servers: list[ServerConfig], as_json: bool) -> int:
    sources = [MCPSource(server) for server in servers]
    rows = []
    try:
        for source, listed in zip(sources, await asyncio.gather(*map(_list, sources)), strict=True):
            rows.append({"server": source.name, "state": source.state, **listed})
    finally:
        await close_all(sources)
    for row in rows:
        if row["error"]:
            print(row["error"], file=sys.stderr)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['server']}: {row['state']}")
            for tool in row["tools"]:
                mark = " (read-only)" if tool["read_only"] else ""
                print(
                    f"  {tool['name']}{mark}: {tool['description'].splitlines()[0] if tool['description'] else ''}"
                )
    if not servers:
        print("No tool servers are configured.", file=sys.stderr)
    return 0


async def _list(source: MCPSource) -> dict[str, object]:
    try:
        tools = await source.list_tools()
    except Exception as error:  # noqa: BLE001 - reported by name; the others go on
        return {"error": str(error), "tools": []}
    return {
        "error": None,
        "tools": [
            {"name": t.name, "description": t.description, "read_only": t.read_only} for t in tools
        ],
    }
