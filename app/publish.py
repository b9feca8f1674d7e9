"""Publish an artifact on this computer: a tiny HTTP server per published page (pure Python).

Each publication is its own server (app/page_server.py) on its own port, serving exactly one
thing: `GET /<token>/` answers the page's bytes. Every other path and every other method is 404,
so nothing else of the app can be reached through it; stopping a publication closes its port.
The token in the path is random, so a neighbour on the network cannot guess the URL.

By default the server listens on 127.0.0.1 only and checks the Host header (a web page the user
visits cannot reach it through DNS rebinding). `lan=True` listens on every interface and reports
the computer's address on the local network; the dialog asks the user before that.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.page_server import PageServer

LOOPBACK = "127.0.0.1"
_EVERYWHERE = "0.0.0.0"
_POLL_SECONDS = 0.1


@dataclass
class Publication:
    """One published page: its name, its URL, and whether the local network can reach it."""

    name: str
    url: str
    port: int
    lan: bool
    _server: PageServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)


def lan_address() -> str:
    """This computer's address on the local network (127.0.0.1 when it has none).

    A UDP socket "connected" to a documentation address picks the outgoing interface without
    sending a packet.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            return LOOPBACK
    return address if ipaddress.ip_address(address).is_private else LOOPBACK


class Publisher:
    """Publishes pages at local URLs; one server (and port) per page name."""

    def __init__(self, address: Callable[[], str] = lan_address) -> None:
        # Where this computer is on the local network (asked each time a page opens to it).
        self._address = address
        self._published: dict[str, Publication] = {}

    def publish(self, name: str, html: str, *, lan: bool = False) -> str:
        """Serve `html` as `name` and return its URL; publishing a name again updates it."""
        body = html.encode("utf-8")
        current = self._published.get(name)
        if current is not None and current.lan == lan:
            current._server.body = body  # same URL, new version
            return current.url
        self.stop(name)
        publication = self._start(name, body, lan)
        self._published[name] = publication
        return publication.url

    def publications(self) -> list[Publication]:
        """What is published now, in the order it was published."""
        return list(self._published.values())

    def stop(self, name: str) -> None:
        """Stop serving `name` and close its port (nothing happens if it is not published)."""
        publication = self._published.pop(name, None)
        if publication is not None:
            publication._server.shutdown()
            publication._server.server_close()
            publication._thread.join()

    def stop_all(self) -> None:
        """Stop every publication (the app calls this when it quits)."""
        for name in list(self._published):
            self.stop(name)

    def _start(self, name: str, body: bytes, lan: bool) -> Publication:
        path = f"/{secrets.token_urlsafe(9)}/"
        host = self._address() if lan else LOOPBACK
        # Imported here: http.server is not needed until the first page is published.
        from app.page_server import PageServer

        server = PageServer(_EVERYWHERE if lan else LOOPBACK, path, body, frozenset())
        port = server.server_address[1]
        if not lan:
            server.allowed_hosts = frozenset({f"{LOOPBACK}:{port}", f"localhost:{port}"})
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name=f"publish-{port}",
            daemon=True,
        )
        thread.start()
        return Publication(name, f"http://{host}:{port}{path}", port, lan, server, thread)


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of `text` as rows of dark (True) and light modules, with no quiet zone."""
    # Imported here: the window builds a Publisher at start-up, a QR code is shown far later.
    import segno

    code = segno.make(text, error="m", micro=False)
    return [[bool(module) for module in row] for row in code.matrix]
