"""MCP through real servers (the SDK fixture server, mcp-server-time) and the command line."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.tools.mcp_config import ServerConfig
from app.tools.mcp_source import MCPSource
from tests.model_server import openai_text_reply, openai_tool_call_reply

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = str(ROOT / "tests" / "fixtures" / "mcp_fixture_server.py")


def _config(tmp_path: Path, **servers: dict) -> Path:
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    return path


def _main(*args: str, env_home: Path) -> subprocess.CompletedProcess:
    env = {"EASEL_HOME": str(env_home), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def _fixture_source(timeout: float = 60.0) -> MCPSource:
    return MCPSource(ServerConfig("fx", command=sys.executable, args=(FIXTURE,), timeout=timeout))


def test_fixture_server_failures_are_results_and_a_crash_restarts(tmp_path):
    async def go():
        source = _fixture_source(timeout=1.0)
        try:
            assert (await source.call("add", {"a": 2, "b": 3}, lambda: None)).text == "5"
            slow = await source.call("slow", {"steps": 8}, lambda: None)  # 1.6 s, progress
            assert slow.text == "slow done" and not slow.is_error
            hung = await source.call("hang", {}, lambda: None)
            assert hung.is_error and "within 1 seconds" in hung.text
            crashed = await source.call("crash", {}, lambda: None)
            assert crashed.is_error and "fx" in crashed.text
            again = await source.call("shout", {"text": "hi"}, lambda: None)
            assert again.text == "HI"  # restarted on next use
        finally:
            await source.close()

    asyncio.run(go())


def test_tools_lists_servers_and_names_the_one_that_cannot_start(tmp_path):
    config = _config(
        tmp_path,
        time={"command": sys.executable, "args": ["-m", "mcp_server_time"]},
        fixture={"command": sys.executable, "args": [FIXTURE]},
        broken={"command": "no-such-mcp-command-xyz"},
    )
    done = _main("tools", "--mcp-config", str(config), "--json", env_home=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {row["server"]: row for row in json.loads(done.stdout)}
    assert rows["time"]["state"] == "ready"
    assert {t["name"]: t["read_only"] for t in rows["time"]["tools"]}["get_current_time"]
    assert "add" in [t["name"] for t in rows["fixture"]["tools"]]
    assert rows["broken"]["state"] == "failed"
    assert "'broken'" in done.stderr and "no-such-mcp-command-xyz" in done.stderr


@pytest.mark.parametrize(("approve", "ran"), [("read-only", True), ("none", False)])
def test_ask_runs_read_only_tools_when_told(model_server, tmp_path, approve, ran):
    config = _config(tmp_path, time={"command": sys.executable, "args": ["-m", "mcp_server_time"]})
    call = ("functions.get_current_time:0", "get_current_time", '{"timezone": "Europe/Paris"}')
    model_server.enqueue(openai_tool_call_reply([call]), openai_text_reply("It is noon."))
    done = _main(
        "ask",
        "--base-url",
        model_server.openai_base,
        "--model",
        "m",
        "--json",
        "--mcp-config",
        str(config),
        "--approve",
        approve,
        "time in Paris?",
        env_home=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    final = [e for e in events if e["type"] == "tool_call"][-1]
    assert final["state"] == ("done" if ran else "denied")
    result = model_server.requests[1].json()["messages"][-1]
    assert result["tool_call_id"] == "functions.get_current_time:0"
    if ran:
        assert "Europe/Paris" in result["content"]
    else:
        assert "declined" in result["content"] and "--approve" in done.stderr
