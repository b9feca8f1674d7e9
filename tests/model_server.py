"""A loopback HTTP server that speaks the model APIs' streaming protocols, for tests and benchmarks.

`ModelServer` is a real HTTP/1.1 server on 127.0.0.1 (a free port) running in background threads.
Tests script its replies in advance (`enqueue`), point a provider, `main.py ask` or the GUI at
`server.openai_base` / `server.url`, and afterwards read what arrived in `server.requests`.
Streaming replies go out with chunked transfer encoding, one scripted chunk per HTTP chunk, each
written straight to the socket so the client sees them arrive one by one.

Routes: POST /v1/chat/completions and POST /v1/messages take the next scripted reply (FIFO; an
empty queue answers 500 with a JSON error); GET /v1/models serves `server.models` (OpenAI shape,
or Anthropic's when the request carries `anthropic-version`) unless a reply was scripted with
`enqueue_models`; anything else is a JSON 404.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CHAT_PATHS = ("/v1/chat/completions", "/v1/messages")
MODELS_PATH = "/v1/models"
# The event types of Anthropic's Messages stream: their payloads need an `event:` line.
ANTHROPIC_EVENTS = frozenset(
    {
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
        "ping",
        "error",
    }
)


@dataclass
class ReceivedRequest:
    """One request as the server saw it. Header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class Reply:
    """A scripted answer: status, headers and the body as a list of chunks.

    streamed: chunked transfer encoding, one HTTP chunk per item (else one Content-Length body).
    delay: seconds to sleep before each chunk after the first. drop_after: send that many chunks,
    then close the socket without the terminating zero-length chunk.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    streamed: bool = True
    delay: float = 0.0
    drop_after: int | None = None


def _as_bytes(chunk: bytes | str) -> bytes:
    return chunk.encode("utf-8") if isinstance(chunk, str) else chunk


def sse_reply(
    chunks: Iterable[bytes | str],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    delay: float = 0.0,
    drop_after: int | None = None,
) -> Reply:
    """A text/event-stream reply whose chunks are sent exactly as given (framing included)."""
    all_headers = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
    all_headers.update(headers or {})
    return Reply(
        status=status,
        headers=all_headers,
        chunks=[_as_bytes(chunk) for chunk in chunks],
        delay=delay,
        drop_after=drop_after,
    )


def _data(payload: Mapping[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _pieces(text: str, size: int) -> Iterator[str]:
    size = max(1, size)
    for start in range(0, len(text), size):
        yield text[start : start + size]


def _openai_chunk(model: str, delta: Mapping[str, Any], finish: str | None = None) -> str:
    choice = {"index": 0, "delta": dict(delta), "finish_reason": finish}
    payload = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [choice],
    }
    return _data(payload)


def openai_text_reply(
    text: str,
    *,
    chunk_chars: int = 4,
    model: str = "test-model",
    reasoning: str = "",
    finish_reason: str = "stop",
    usage: tuple[int, int] | None = (10, 20),
    delay: float = 0.0,
    drop_after: int | None = None,
) -> Reply:
    """An OpenAI chat.completions stream: role chunk, reasoning_content, text, finish, usage, [DONE]."""
    chunks = [_openai_chunk(model, {"role": "assistant", "content": ""})]
    chunks += [
        _openai_chunk(model, {"reasoning_content": p}) for p in _pieces(reasoning, chunk_chars)
    ]
    chunks += [_openai_chunk(model, {"content": p}) for p in _pieces(text, chunk_chars)]
    chunks.append(_openai_chunk(model, {}, finish_reason))
    if usage is not None:
        prompt, completion = usage
        counts = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        chunks.append(
            _data({"id": "chatcmpl-test", "model": model, "choices": [], "usage": counts})
        )
    chunks.append("data: [DONE]\n\n")
    return sse_reply(chunks, delay=delay, drop_after=drop_after)


def openai_tool_call_reply(
    calls: list[tuple[str, str, str]],
    *,
    text: str = "",
    reasoning: str = "",
    model: str = "test-model",
    finish_reason: str | None = "tool_calls",
    repeat_header: bool = False,
) -> Reply:
    """A chat.completions stream that makes tool calls: (id, name, arguments) each.

    Arguments arrive in two pieces. repeat_header: every later delta repeats the id and name
    (as a recorded Kimi K2 stream does). finish_reason None: the stream never says why it
    ended (Kimi K2 again).
    """
    chunks = [_openai_chunk(model, {"role": "assistant", "content": ""})]
    if reasoning:
        chunks.append(_openai_chunk(model, {"reasoning_content": reasoning}))
    if text:
        chunks.append(_openai_chunk(model, {"content": text}))
    for index, (call_id, name, arguments) in enumerate(calls):
        head = {"index": index, "id": call_id, "type": "function"}
        first = {**head, "function": {"name": name, "arguments": ""}}
        chunks.append(_openai_chunk(model, {"tool_calls": [first]}))
        half = len(arguments) // 2
        for piece in (arguments[:half], arguments[half:]):
            later: dict[str, Any] = {"index": index, "function": {"arguments": piece}}
            if repeat_header:
                later = {**head, "function": {"name": name, "arguments": piece}}
            chunks.append(_openai_chunk(model, {"tool_calls": [later]}))
    chunks.append(_openai_chunk(model, {}, finish_reason))
    chunks.append("data: [DONE]\n\n")
    return sse_reply(chunks)


def anthropic_tool_use_reply(
    calls: list[tuple[str, str, str]], *, text: str = "", thinking: str = ""
) -> Reply:
    """A Messages stream that makes tool calls: (id, name, arguments JSON) each."""
    message = {"id": "msg_tool", "type": "message", "role": "assistant", "content": []}
    chunks = [_anthropic_event({"type": "message_start", "message": message})]
    index = 0
    if thinking:
        chunks += _anthropic_block(index, "thinking", [thinking])
        index += 1
    if text:
        chunks += _anthropic_block(index, "text", [text])
        index += 1
    for call_id, name, arguments in calls:
        block = {"type": "tool_use", "id": call_id, "name": name, "input": {}}
        events = [{"type": "content_block_start", "index": index, "content_block": block}]
        delta = {"type": "input_json_delta", "partial_json": arguments}
        events.append({"type": "content_block_delta", "index": index, "delta": delta})
        events.append({"type": "content_block_stop", "index": index})
        chunks += [_anthropic_event(event) for event in events]
        index += 1
    stop = {"stop_reason": "tool_use", "stop_sequence": None}
    chunks.append(
        _anthropic_event({"type": "message_delta", "delta": stop, "usage": {"output_tokens": 5}})
    )
    chunks.append(_anthropic_event({"type": "message_stop"}))
    return sse_reply(chunks)


def _anthropic_event(payload: Mapping[str, Any]) -> str:
    return f"event: {payload['type']}\n{_data(payload)}"


def _anthropic_block(index: int, kind: str, pieces: Iterable[str]) -> list[str]:
    """content_block_start, one delta per piece, (a signature for thinking), content_block_stop."""
    start_block = (
        {"type": kind, kind: ""} if kind == "text" else {"type": kind, kind: "", "signature": ""}
    )
    events = [{"type": "content_block_start", "index": index, "content_block": start_block}]
    delta_type = f"{kind}_delta"
    for piece in pieces:
        delta = {"type": delta_type, kind: piece}
        events.append({"type": "content_block_delta", "index": index, "delta": delta})
    if kind == "thinking":
        signature = {"type": "signature_delta", "signature": "c2lnbmF0dXJl"}
        events.append({"type": "content_block_delta", "index": index, "delta": signature})
    events.append({"type": "content_block_stop", "index": index})
    return [_anthropic_event(event) for event in events]


def anthropic_text_reply(
    text: str,
    *,
    chunk_chars: int = 4,
    thinking: str = "",
    stop_reason: str = "end_turn",
    delay: float = 0.0,
) -> Reply:
    """An Anthropic Messages stream: message_start, optional thinking block, text block, stop.

    Usage reported: 10 input tokens, 20 output tokens.
    """
    message = {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "test-model",
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    chunks = [_anthropic_event({"type": "message_start", "message": message})]
    chunks.append(_anthropic_event({"type": "ping"}))
    index = 0
    if thinking:
        chunks += _anthropic_block(index, "thinking", _pieces(thinking, chunk_chars))
        index += 1
    chunks += _anthropic_block(index, "text", _pieces(text, chunk_chars))
    stop = {"stop_reason": stop_reason, "stop_sequence": None}
    chunks.append(
        _anthropic_event({"type": "message_delta", "delta": stop, "usage": {"output_tokens": 20}})
    )
    chunks.append(_anthropic_event({"type": "message_stop"}))
    return sse_reply(chunks, delay=delay)


def error_reply(
    status: int, body: Mapping[str, Any] | str, *, headers: Mapping[str, str] | None = None
) -> Reply:
    """A non-streamed reply with a Content-Length body: JSON for a mapping, else text or HTML."""
    if isinstance(body, str):
        kind = "text/html" if body.lstrip().startswith("<") else "text/plain"
        data = body.encode("utf-8")
    else:
        kind = "application/json"
        data = json.dumps(body).encode("utf-8")
    all_headers = {"Content-Type": f"{kind}; charset=utf-8"}
    all_headers.update(headers or {})
    return Reply(status=status, headers=all_headers, chunks=[data], streamed=False)


def _split_events(raw: bytes) -> list[bytes]:
    """Cut an SSE body after each blank line; the pieces join back to exactly `raw`."""
    pieces = []
    start = 0
    while (end := raw.find(b"\n\n", start)) != -1:
        pieces.append(raw[start : end + 2])
        start = end + 2
    if start < len(raw):
        pieces.append(raw[start:])
    return pieces


def _frame_jsonl(path: Path) -> list[str]:
    """Frame a *.chunks.jsonl recording as the corpus README says."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    anthropic = bool(lines) and json.loads(lines[0]).get("type") in ANTHROPIC_EVENTS
    chunks = []
    for line in lines:
        event = json.loads(line).get("type") if anthropic else None
        prefix = f"event: {event}\n" if event else ""
        chunks.append(f"{prefix}data: {line}\n\n")
    if not anthropic:
        chunks.append("data: [DONE]\n\n")
    return chunks


def corpus_reply(path: Path) -> Reply:
    """Replay a recorded stream: *.sse byte for byte (one chunk per event), *.chunks.jsonl framed."""
    if path.name.endswith(".chunks.jsonl"):
        return sse_reply(_frame_jsonl(path))
    return sse_reply(_split_events(path.read_bytes()))


def _no_reply() -> Reply:
    message = "the test model server has no reply scripted for this request (use enqueue)"
    return error_reply(500, {"error": {"message": message, "type": "no_reply_scripted"}})


class _Handler(BaseHTTPRequestHandler):
    """Records each request and plays the scripted reply."""

    protocol_version = "HTTP/1.1"
    # Bounds an idle keep-alive connection (and a client that stops reading) so stop() can join.
    timeout = 20
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line on stderr."""

    def do_GET(self) -> None:
        self._serve(self._record(b""))

    def do_POST(self) -> None:
        self._serve(self._record(self._read_body()))

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
            return body
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _record(self, body: bytes) -> ReceivedRequest:
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = ReceivedRequest(self.command, self.path, headers, body)
        self.server.owner._received(request)
        return request

    def _serve(self, request: ReceivedRequest) -> None:
        reply = self.server.owner._reply_for(request)
        try:
            self._send(reply)
        except OSError:
            # The client went away (or stop() cut the socket): nothing more to say to it.
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if not reply.streamed:
            body = b"".join(reply.chunks)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._send_chunks(reply)

    def _send_chunks(self, reply: Reply) -> None:
        stopping = self.server.owner._stopping
        for number, chunk in enumerate(reply.chunks):
            if number == reply.drop_after:
                self._drop()
                return
            if number and reply.delay and stopping.wait(reply.delay):
                self._drop()
                return
            if chunk:  # an empty chunk would end the body early
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        if reply.drop_after is not None and reply.drop_after >= len(reply.chunks):
            self._drop()
            return
        self.wfile.write(b"0\r\n\r\n")

    def _drop(self) -> None:
        """Cut the connection abruptly: the client sees an incomplete chunked body."""
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


class _Server(ThreadingHTTPServer):
    """The socket server; `owner` is the ModelServer whose script it plays."""

    daemon_threads = False  # so server_close() joins the handler threads
    block_on_close = True

    def __init__(self, owner: ModelServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished mid-request is normal here: no traceback on stderr."""


class ModelServer:
    """A scripted model API on 127.0.0.1; a context manager that starts and stops it."""

    def __init__(self) -> None:
        self.url = ""
        self.openai_base = ""
        self.requests: list[ReceivedRequest] = []
        self.models: list[str] = ["test-model"]
        self._queue: deque[Reply] = deque()
        self._models_queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ModelServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def enqueue(self, *replies: Reply) -> None:
        """Script the next replies to POST /v1/chat/completions and /v1/messages, in order."""
        with self._lock:
            self._queue.extend(replies)

    def enqueue_models(self, *replies: Reply) -> None:
        """Script the next replies to GET /v1/models (errors, odd shapes) before `models` applies."""
        with self._lock:
            self._models_queue.extend(replies)

    def start(self) -> None:
        """Bind a free port and serve in a background thread."""
        self._stopping.clear()
        self._server = _Server(self)
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self.openai_base = f"{self.url}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, cut open connections (even mid-stream) and wait for the threads."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its handler
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[ReceivedRequest]:
        """Wait until at least `count` requests arrived (for clients in other threads/processes)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.requests)

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _received(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _reply_for(self, request: ReceivedRequest) -> Reply:
        path = request.path.split("?", 1)[0]
        with self._lock:
            if request.method == "POST" and path in CHAT_PATHS:
                return self._queue.popleft() if self._queue else _no_reply()
            if request.method == "GET" and path == MODELS_PATH:
                if self._models_queue:
                    return self._models_queue.popleft()
                return self._models_reply("anthropic-version" in request.headers)
        message = f"no route for {request.method} {path} on the test model server"
        return error_reply(404, {"error": {"message": message, "type": "not_found"}})

    def _models_reply(self, anthropic: bool) -> Reply:
        if anthropic:
            data = [{"type": "model", "id": m, "display_name": m} for m in self.models]
            body: dict[str, Any] = {"data": data, "has_more": False}
        else:
            data = [{"id": m, "object": "model", "owned_by": "test"} for m in self.models]
            body = {"object": "list", "data": data}
        return error_reply(200, body)
