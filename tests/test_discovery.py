"""Finding local model servers over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.discovery import find_local_servers
from app.presets import PRESETS, Preset


class _ModelList(BaseHTTPRequestHandler):
    """Answers GET /v1/models like Ollama's OpenAI-compatible API; other paths per `routes`."""

    routes: dict[str, tuple[int, bytes]] = {}

    def do_GET(self) -> None:
        status, body = self.routes.get(self.path, (404, b"{}"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


@pytest.fixture
def server() -> Iterator[str]:
    """A tiny model server; yields its base address (without /v1)."""
    _ModelList.routes = {
        "/v1/models": (200, json.dumps({"object": "list", "data": [{"id": "llama3.2"}]}).encode()),
        "/empty/v1/models": (200, b'{"object": "list", "data": []}'),
        "/html/v1/models": (200, b"<html>not an API</html>"),
        "/odd/v1/models": (200, b'{"data": [{"id": "ok"}, {"name": "no id"}, 7]}'),
        "/broken/v1/models": (500, b'{"error": "boom"}'),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ModelList)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local(preset_id: str, base_url: str) -> Preset:
    return Preset(preset_id, preset_id, "openai", base_url, "", None, False, True)


def discover(candidates, **kwargs):
    async def go():
        async with httpx.AsyncClient(trust_env=False) as client:
            return await find_local_servers(client, candidates, **kwargs)

    return asyncio.run(go())


def test_a_running_server_is_found_with_its_models(server: str):
    preset = local("fake-ollama", f"{server}/v1/")
    assert discover([preset]) == [(preset, ["llama3.2"])]


def test_a_closed_port_is_simply_absent(server: str):
    up = local("up", f"{server}/v1")
    down = local("down", f"http://127.0.0.1:{closed_port()}/v1")
    assert discover([down, up]) == [(up, ["llama3.2"])]
    assert discover([down]) == []


def test_answers_that_are_not_model_lists(server: str):
    candidates = [
        local("empty", f"{server}/empty/v1"),
        local("html", f"{server}/html/v1"),
        local("odd", f"{server}/odd/v1"),
        local("broken", f"{server}/broken/v1"),
        local("missing", f"{server}/nowhere/v1"),
        local("bad-url", "http://[::1"),
        local("no-url", ""),
    ]
    found = {preset.id: models for preset, models in discover(candidates)}
    assert found == {"empty": [], "odd": ["ok"]}  # running but no models pulled: still found


def test_a_silent_server_times_out_quietly():
    with socket.socket() as listener:  # accepts connections but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        silent = local("silent", f"http://127.0.0.1:{listener.getsockname()[1]}/v1")
        assert discover([silent], timeout=0.2) == []


def test_default_candidates_are_the_local_presets():
    # Nothing listens on the presets' ports in tests; the call must simply return.
    found = discover(None, timeout=0.2)
    local_ids = {p.id for p in PRESETS if p.local}
    assert local_ids == {"ollama", "lmstudio"}
    assert {preset.id for preset, _ in found} <= local_ids
