"""A loopback canary for the sandbox tests: TCP and UDP on one port of 127.0.0.1, counting contacts.

Any TCP connection (HTTP, WebSocket, a TURN-over-TCP or preconnect socket, anything) and any UDP
datagram (STUN, TURN, QUIC/WebTransport) that reaches it is recorded. An HTTP request line is
answered with "canary" (with CORS open, so an allowed fetch can read it); other bytes are kept.
"""

from __future__ import annotations

import socket
import threading


class Canary:
    """Listens on 127.0.0.1:<port> for TCP and UDP; `contacts` counts both, `hits` HTTP paths."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.datagrams: list[tuple[tuple[str, int], bytes]] = []  # (sender, first bytes)
        self.tcp_contacts = 0
        self.udp_contacts = 0
        self._lock = threading.Lock()
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._tcp.bind(("127.0.0.1", 0))
        self.port = self._tcp.getsockname()[1]
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", self.port))
        self._tcp.listen(64)
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        for target in (self._accept_loop, self._udp_loop):
            threading.Thread(target=target, daemon=True).start()

    @property
    def contacts(self) -> int:
        """TCP connections plus UDP datagrams seen so far."""
        with self._lock:
            return self.tcp_contacts + self.udp_contacts

    def clear(self) -> None:
        """Forget what was seen (between tests sharing one canary)."""
        with self._lock:
            self.hits.clear()
            self.tcp_contacts = self.udp_contacts = 0

    def close(self) -> None:
        """Stop listening."""
        self._closed = True
        for sock in (self._tcp, self._udp):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._tcp.accept()
            except OSError:
                return
            with self._lock:
                self.tcp_contacts += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        with conn:
            data = b""
            try:
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            first = data.split(b"\r\n", 1)[0].decode("latin-1", "replace").split(" ")
            if len(first) == 3 and first[2].startswith("HTTP/"):
                with self._lock:
                    self.hits.append(first[1])
                body = b"canary"
                try:
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n"
                        b"Content-Type: text/plain\r\nConnection: close\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                except OSError:
                    pass

    def _udp_loop(self) -> None:
        while not self._closed:
            try:
                data, sender = self._udp.recvfrom(65536)
            except OSError:
                return
            if sender is None or self._closed:  # close() wakes recvfrom with nothing
                return
            with self._lock:
                self.udp_contacts += 1
                self.datagrams.append((sender, data[:64]))
