"""Easel's built-in tools: fetch_url against a real loopback page, $web_search echoed."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.providers import make_provider
from app.session import ChatSession
from app.store import Store
from app.tools.approval import ApprovalPolicy, Decision
from app.tools.builtin import MAX_BYTES, BuiltinTools, is_moonshot, readable_text
from app.tools.loop import ToolLoop
from app.tools.records import calls_of_message
from app.tools.registry import MAX_RESULT_CHARS, ToolRegistry
from app.tools.settings import ToolSettings
from tests.model_server import openai_text_reply, openai_tool_call_reply

PAGE = (
    "<!DOCTYPE html><html><head><title>t</title><style>p{color:red}</style></head><body>"
    "<h1>Trains</h1><script>alert('x')</script><p>Beijing &rarr; Shijiazhuang 08:05</p>"
    "</body></html>"
)


class _Pages(BaseHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        body = PAGE.encode() if self.path == "/page" else b"y" * (MAX_BYTES * 2)
        self.send_response(200)
        self.send_header(
            "Content-Type", "text/html; charset=utf-8" if self.path == "/page" else "text/plain"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def pages():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_readable_text_drops_scripts_styles_and_markup():
    assert readable_text(PAGE) == "Trains\nBeijing → Shijiazhuang 08:05"


def test_fetch_url_reads_a_page_and_caps_a_huge_one(pages):
    async def go():
        async with httpx.AsyncClient() as client:
            tools = BuiltinTools(client)
            page = await tools.call("fetch_url", {"url": f"{pages}/page"}, lambda: None)
            big = await tools.call("fetch_url", {"url": f"{pages}/big"}, lambda: None)
            bad = await tools.call("fetch_url", {"url": "file:///etc/passwd"}, lambda: None)
            return page, big, bad

    page, big, bad = asyncio.run(go())
    assert "Beijing → Shijiazhuang 08:05" in page.text and "alert" not in page.text
    assert "cut at 2 MB" in big.text and len(big.text) < MAX_BYTES + 200
    assert bad.is_error and "http or https" in bad.text


def test_fetch_url_needs_approval_and_its_result_is_capped_for_the_model(
    model_server, pages, tmp_path
):
    store = Store(tmp_path / "db.sqlite3")
    asked = []

    async def approver(request):
        asked.append(request.key)
        return Decision.ONCE

    call = ("c1", "fetch_url", f'{{"url": "{pages}/big"}}')
    model_server.enqueue(openai_tool_call_reply([call]), openai_text_reply("Long page."))

    async def go():
        async with httpx.AsyncClient() as client:
            loop = ToolLoop(
                ToolRegistry([BuiltinTools(client)]), ApprovalPolicy(ToolSettings(), approver)
            )
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key="", name="T"
            )
            session = ChatSession(
                store, store.create_conversation().id, provider, "m", system_prompt=None, tools=loop
            )
            return await session.send("read it", lambda e: None)

    message = asyncio.run(go())
    assert asked == ["easel/fetch_url"]
    sent = model_server.requests[1].json()["messages"][-1]["content"]
    assert len(sent) < MAX_RESULT_CHARS + 100 and "cut by Easel" in sent
    assert calls_of_message(store, message.id)[0].state == "done"


def test_web_search_is_offered_to_moonshot_and_its_arguments_go_back_verbatim(
    model_server, tmp_path
):
    store = Store(tmp_path / "db.sqlite3")
    assert is_moonshot("https://api.moonshot.cn/v1") and not is_moonshot(model_server.openai_base)
    arguments = '{"search_result": {"search_id": "abc"}, "usage": {"total_tokens": 12}}'
    model_server.enqueue(
        openai_tool_call_reply([("$web_search:0", "$web_search", arguments)]),
        openai_text_reply("Found it."),
    )

    async def never(request):
        raise AssertionError("$web_search runs at Moonshot: nothing to approve")

    async def go():
        async with httpx.AsyncClient() as client:
            tools = BuiltinTools(client, fetch_url=False, web_search=True)
            loop = ToolLoop(ToolRegistry([tools]), ApprovalPolicy(ToolSettings(), never))
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key="", name="K"
            )
            session = ChatSession(
                store,
                store.create_conversation().id,
                provider,
                "kimi",
                system_prompt=None,
                tools=loop,
            )
            return await session.send("search", lambda e: None)

    asyncio.run(go())
    first, second = (r.json() for r in model_server.requests)
    assert first["tools"] == [{"type": "builtin_function", "function": {"name": "$web_search"}}]
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "$web_search:0",
        "content": arguments,
    }
