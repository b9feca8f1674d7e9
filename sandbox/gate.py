"""The network gate: an HTTP proxy on 127.0.0.1 that every connection of the web engine passes.

The request interceptor does not see every connection a page can open (see
docs/sandbox-network-wall.md: WebSockets from a SharedWorker, WebRTC, WebTransport,
`<link rel=preconnect>`). So the engine is started with this gate as its only proxy, loopback
included (`sandbox.engine`), and the gate refuses every connection that does not carry the
credentials of an artifact the user allowed to use the network. Whatever Web API a page finds,
its bytes reach this socket or nowhere.

Who may pass: an artifact the user allowed gets its own off-the-record profile, whose pages answer
the gate's `407 Proxy Authentication Required` with that artifact's secret token. Chromium keeps
proxy credentials per profile, so no other artifact can reuse them. Everything else gets the
407 and is reported to the gate's listeners (once per target, after a short grace period: an allowed
page's first, credential-less attempt is answered with a 407 too, and is not a refusal when the
same target passes with credentials right after).

The gate is plain Python (threads, sockets): it runs beside Qt's loop, never on it, so a slow
remote server cannot stall the window. It never connects to itself.
"""

from __future__ import annotations

import base64
import secrets
import select
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass

_USER = "easel-artifact"
_HEAD_LIMIT = 64 * 1024
_HEAD_TIMEOUT = 10.0
_CONNECT_TIMEOUT = 15.0
# A credential-less attempt is reported as refused unless the same target passes this soon.
_GRACE_SECONDS = 1.5
_CHALLENGE = (
    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
    b'Proxy-Authenticate: Basic realm="Easel artifact network"\r\n'
    b"Content-Length: 0\r\nConnection: close\r\nProxy-Connection: close\r\n\r\n"
)


@dataclass(frozen=True)
class Attempt:
    """One connection the engine asked the gate for: where to, and whether it passed."""

    target: str  # "host:port"
    url: str  # what the engine asked for: "host:port" for CONNECT, the URL for plain HTTP
    allowed: bool
    key: str = ""  # the artifact whose credentials it carried, if any


class NetworkGate:
    """The engine's only proxy: refuses and reports, or tunnels for an allowed artifact."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[str], None]] = []
        self._tokens: dict[str, str] = {}  # token → artifact key
        self._lock = threading.Lock()
        self._pending: dict[str, threading.Timer] = {}
        self.attempts: list[Attempt] = []
        self._server: _Server | None = None

    # -- life -----------------------------------------------------------------------------------

    def start(self) -> int:
        """Listen on an ephemeral loopback port (in a daemon thread); return the port."""
        if self._server is None:
            self._server = _Server(self)
            thread = threading.Thread(
                target=self._server.serve_forever, name="easel-network-gate", daemon=True
            )
            thread.start()
        return self.port

    @property
    def port(self) -> int:
        """The port the gate listens on (0 before `start`)."""
        return self._server.server_address[1] if self._server else 0

    def stop(self) -> None:
        """Stop listening; open tunnels end with their sockets."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            for timer in self._pending.values():
                timer.cancel()
            self._pending.clear()

    def add_listener(self, callback: Callable[[str], None]) -> None:
        """Call `callback(url)` for each refusal (from the gate's threads)."""
        with self._lock:
            self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[str], None]) -> None:
        """Stop reporting refusals to `callback`."""
        with self._lock:
            self._listeners = [c for c in self._listeners if c is not callback]

    # -- who may pass ---------------------------------------------------------------------------

    def grant(self, key: str) -> tuple[str, str]:
        """Let the artifact `key` through; return the (user, password) its pages answer with."""
        with self._lock:
            for token, owner in self._tokens.items():
                if owner == key:
                    return _USER, token
            token = secrets.token_urlsafe(24)
            self._tokens[token] = key
            return _USER, token

    def revoke(self, key: str) -> None:
        """Stop letting the artifact `key` through (its open tunnels are not cut)."""
        with self._lock:
            self._tokens = {t: k for t, k in self._tokens.items() if k != key}

    # -- decisions (called from the gate's threads) ---------------------------------------------

    def _owner(self, proxy_authorization: str) -> str | None:
        scheme, _, encoded = proxy_authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, token = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        if user != _USER:
            return None
        with self._lock:
            return self._tokens.get(token)

    def _record(self, attempt: Attempt) -> None:
        with self._lock:
            self.attempts.append(attempt)
            if attempt.allowed:
                pending = self._pending.pop(attempt.target, None)
                if pending is not None:
                    pending.cancel()
                return
            if attempt.target in self._pending:
                return
            timer = threading.Timer(_GRACE_SECONDS, self._report, (attempt.target, attempt.url))
            timer.daemon = True
            self._pending[attempt.target] = timer
        timer.start()

    def _report(self, target: str, url: str) -> None:
        with self._lock:
            self._pending.pop(target, None)
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback(url)
            except Exception:  # noqa: BLE001 - a listener gone with its window must not stop the gate
                continue

    def _is_self(self, host: str, port: int) -> bool:
        return port == self.port and host in ("127.0.0.1", "localhost", "::1", "[::1]")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, gate: NetworkGate) -> None:
        self.gate = gate
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(socketserver.BaseRequestHandler):
    """One connection from the engine: a CONNECT tunnel or one plain-HTTP request."""

    server: _Server

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(_HEAD_TIMEOUT)
        try:
            head, rest = _read_head(client)
            method, target, headers = _parse_head(head)
        except (OSError, ValueError):
            return
        gate = self.server.gate
        host, port, forward = _destination(method, target, headers)
        owner = gate._owner(headers.get("proxy-authorization", ""))
        where = f"{host}:{port}"
        url = target if method != "CONNECT" else where
        if owner is None or gate._is_self(host, port):
            gate._record(Attempt(where, url, False))
            _send(client, _CHALLENGE)
            return
        gate._record(Attempt(where, url, True, owner))
        try:
            upstream = socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT)
        except OSError:
            _send(client, b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            if method == "CONNECT":
                _send(client, b"HTTP/1.1 200 Connection Established\r\n\r\n")
            else:
                upstream.sendall(forward + rest)
            _pipe(client, upstream)


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > _HEAD_LIMIT:
            raise ValueError("request head too large")
        chunk = sock.recv(4096)
        if not chunk:
            raise ValueError("connection closed before the request head")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    headers["_lines"] = "\r\n".join(lines[1:])
    return method.upper(), target, headers


def _destination(method: str, target: str, headers: dict[str, str]) -> tuple[str, int, bytes]:
    """Host, port, and for plain HTTP the request head to send upstream (origin form)."""
    if method == "CONNECT":
        host, _, port = target.rpartition(":")
        return host.strip("[]"), int(port), b""
    if not target.lower().startswith("http://"):
        raise ValueError("a proxy request needs an absolute http:// URL")
    rest = target[len("http://") :]
    authority, slash, path = rest.partition("/")
    host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "80")
    kept = [
        line
        for line in headers["_lines"].split("\r\n")
        if line.split(":", 1)[0].strip().lower()
        not in ("proxy-authorization", "proxy-connection", "connection", "keep-alive")
    ]
    head = "\r\n".join([f"{method} {slash or '/'}{path} HTTP/1.1", *kept, "Connection: close"])
    return host.strip("[]"), int(port or 80), (head + "\r\n\r\n").encode("latin-1")


def _send(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except OSError:
        pass


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    a.settimeout(None)
    b.settimeout(None)
    sockets = [a, b]
    while True:
        readable, _, failed = select.select(sockets, [], sockets, 300)
        if failed or not readable:
            return
        for sock in readable:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            other = b if sock is a else a
            try:
                other.sendall(data)
            except OSError:
                return
