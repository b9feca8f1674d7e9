"""Benchmark: what a tool step costs in a turn, against a turn without tools, in one run.

Through the loopback model server and a real ChatSession: a plain turn (baseline), a turn whose
model makes one call to the fixture MCP server over stdio (already started), and the MCP call
alone. Also the first start of the server (spawn, initialize, list tools). Medians; ratios
against the plain turn.

    .venv/bin/python bench/tools.py [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from app.providers import make_provider  # noqa: E402
from app.session import ChatSession  # noqa: E402
from app.store import Store  # noqa: E402
from app.tools.approval import ApprovalPolicy, Decision  # noqa: E402
from app.tools.loop import ToolLoop  # noqa: E402
from app.tools.mcp_config import ServerConfig  # noqa: E402
from app.tools.mcp_source import MCPSource  # noqa: E402
from app.tools.registry import ToolRegistry  # noqa: E402
from app.tools.settings import ToolSettings  # noqa: E402
from tests.model_server import ModelServer, openai_text_reply, openai_tool_call_reply  # noqa: E402

FIXTURE = str(Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "mcp_fixture_server.py")


async def _allow(request: object) -> Decision:
    return Decision.ONCE


async def main(rounds: int) -> dict[str, float]:
    plain, tooled, calls = [], [], []
    with ModelServer() as server, tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "db.sqlite3")
        source = MCPSource(ServerConfig("fx", command=sys.executable, args=(FIXTURE,)))
        began = time.perf_counter()
        await source.list_tools()
        start_ms = (time.perf_counter() - began) * 1000
        loop = ToolLoop(ToolRegistry([source]), ApprovalPolicy(ToolSettings(), _allow))
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=server.openai_base, api_key="", name="B"
            )
            for _ in range(rounds):
                server.enqueue(openai_text_reply("The sum is 5."))
                session = ChatSession(
                    store, store.create_conversation().id, provider, "m", system_prompt=None
                )
                began = time.perf_counter()
                await session.send("2+3?", lambda e: None)
                plain.append(time.perf_counter() - began)

                server.enqueue(
                    openai_tool_call_reply([("c", "add", '{"a": 2, "b": 3}')]),
                    openai_text_reply("The sum is 5."),
                )
                session = ChatSession(
                    store,
                    store.create_conversation().id,
                    provider,
                    "m",
                    system_prompt=None,
                    tools=loop,
                )
                began = time.perf_counter()
                await session.send("2+3?", lambda e: None)
                tooled.append(time.perf_counter() - began)

                began = time.perf_counter()
                await source.call("add", {"a": 2, "b": 3}, lambda: None)
                calls.append(time.perf_counter() - began)
        await source.close()
        store.close()
    base = statistics.median(plain)
    return {
        "plain_turn_ms": round(base * 1000, 2),
        "tool_turn_ms": round(statistics.median(tooled) * 1000, 2),
        "tool_turn_ratio": round(statistics.median(tooled) / base, 2),
        "mcp_call_ms": round(statistics.median(calls) * 1000, 2),
        "mcp_call_ratio": round(statistics.median(calls) / base, 2),
        "server_start_ms": round(start_ms, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    figures = asyncio.run(main(parser.parse_args().rounds))
    for name, value in figures.items():
        print(f"{name:>18}: {value}")
    print("RESULT " + json.dumps(figures))
