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
            wrong = await source.call("add", {"a": "x"}, lambda: None)  # the server says why
            assert wrong.is_error and "validation" in wrong.text and source.state == "ready"
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


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def http_mcp():
    """The fixture server over Streamable HTTP on 127.0.0.1."""
    import socket
    import time

    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, FIXTURE, "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)  # waiting for a child process to listen, not for our own code
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    process.wait(timeout=10)


def test_streamable_http_server_with_headers(http_mcp):
    async def go():
        config = ServerConfig("remote", url=http_mcp, headers={"X-Test": "1"})
        source = MCPSource(config)
        try:
            names = [tool.name for tool in await source.list_tools()]
            result = await source.call("shout", {"text": "far"}, lambda: None)
            header = await source.call("header", {"name": "X-Test"}, lambda: None)
        finally:
            await source.close()
        return names, result, header

    names, result, header = asyncio.run(go())
    assert "add" in names and result.text == "FAR"
    assert header.text == "1"  # the configured headers reach the server


def test_hostile_result_is_capped_and_kept_as_text(tmp_path):
    from app.tools.registry import MAX_RESULT_CHARS, ToolRegistry

    async def go():
        source = _fixture_source()
        registry = ToolRegistry([source])
        try:
            await registry.refresh()
            return await registry.call("hostile", "{}", lambda: None)
        finally:
            await source.close()

    result = asyncio.run(go())
    assert len(result.text) <= MAX_RESULT_CHARS + 100 and "cut by Easel" in result.text
    assert result.text.startswith('<img src=x onerror="alert(1)">')  # text, as the server sent it


def test_missing_command_names_what_is_missing(tmp_path):
    async def go():
        source = MCPSource(ServerConfig("npm-thing", command="no-such-npx-xyz", args=("-y", "x")))
        try:
            await source.list_tools()
        except Exception as error:  # noqa: BLE001
            return source.state, str(error)
        finally:
            await source.close()

    state, error = asyncio.run(go())
    assert state == "failed"
    assert "'npm-thing'" in error and "'no-such-npx-xyz' was not found" in error


def test_ask_kimi_shaped_two_calls_with_a_broken_server_beside(model_server, tmp_path):
    """ "What time is it in Shijiazhuang and Paris?" as Kimi K2 streams it (repeated headers,
    finish_reason null), with mcp-server-time and a server that cannot start."""
    config = _config(
        tmp_path,
        time={"command": sys.executable, "args": ["-m", "mcp_server_time"]},
        broken={"command": "no-such-mcp-command-xyz"},
    )
    calls = [
        ("functions.get_current_time:0", "get_current_time", '{"timezone": "Asia/Shanghai"}'),
        ("functions.get_current_time:1", "get_current_time", '{"timezone": "Europe/Paris"}'),
    ]
    model_server.enqueue(
        openai_tool_call_reply(
            calls, reasoning="Two cities.", repeat_header=True, finish_reason=None
        ),
        openai_text_reply("Shijiazhuang is 7 hours ahead of Paris."),
    )
    done = _main(
        "ask",
        "--base-url",
        model_server.openai_base,
        "--model",
        "kimi-k2",
        "--approve",
        "all",
        "--mcp-config",
        str(config),
        "what time is it in Shijiazhuang and Paris?",
        env_home=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Shijiazhuang is 7 hours ahead of Paris."
    assert "'broken'" in done.stderr and "no-such-mcp-command-xyz" in done.stderr
    first, second = (r.json() for r in model_server.requests)
    assert {t["function"]["name"] for t in first["tools"]} == {"get_current_time", "convert_time"}
    assistant, paris_or_shanghai = second["messages"][-3], second["messages"][-2:]
    assert [c["id"] for c in assistant["tool_calls"]] == [c[0] for c in calls]
    assert assistant["reasoning_content"] == "Two cities."
    assert "Asia/Shanghai" in paris_or_shanghai[0]["content"]
    assert "Europe/Paris" in paris_or_shanghai[1]["content"]


def test_ask_anthropic_with_mcp_server_time(model_server, tmp_path):
    from tests.model_server import anthropic_text_reply, anthropic_tool_use_reply

    config = _config(tmp_path, time={"command": sys.executable, "args": ["-m", "mcp_server_time"]})
    call = ("toolu_01", "get_current_time", '{"timezone": "Europe/Paris"}')
    model_server.enqueue(anthropic_tool_use_reply([call]), anthropic_text_reply("Noon in Paris."))
    done = _main(
        "ask",
        "--base-url",
        model_server.url,
        "--kind",
        "anthropic",
        "--model",
        "claude",
        "--approve",
        "read-only",
        "--mcp-config",
        str(config),
        "--json",
        "time in Paris?",
        env_home=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["state"] for e in events if e["type"] == "tool_call"] == [
        "waiting",
        "running",
        "done",
    ]
    result = model_server.requests[1].json()["messages"][-1]["content"][0]
    assert result["tool_use_id"] == "toolu_01" and "Europe/Paris" in result["content"]
