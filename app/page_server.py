"""The HTTP server behind one published page (app/publish.py): one path, GET only, pure Python.

`GET <path>` answers the page's bytes with a Content-Security-Policy that refuses every remote
load and puts the page in an opaque origin of its own (`sandbox allow-scripts`, see
app/export_policy.py); every other path, method or Host header is 404. Imported only when a page
is first published: http.server is not part of start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.export_policy import PUBLISHED_PAGE_CSP

_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # No remote loads, and an opaque origin: pages on other ports of this host share cookies,
    # and without the sandbox one published page could read another's (and its storage).
    "Content-Security-Policy": PUBLISHED_PAGE_CSP,
}


class PageServer(ThreadingHTTPServer):
    """Serves one page at one path; `body` can be replaced while it runs (a new version)."""

    daemon_threads = True

    def __init__(self, host: str, path: str, body: bytes, allowed_hosts: frozenset[str]) -> None:
        self.page_path = path
        self.body = body
        self.allowed_hosts = allowed_hosts  # empty: any Host header (on the local network)
        super().__init__((host, 0), PageHandler)


class PageHandler(BaseHTTPRequestHandler):
    """GET of the one page; 404 for every other path, method or Host."""

    server: PageServer
    server_version = "Easel"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        """The page, byte for byte, when the path and Host are right."""
        server = self.server
        host = (self.headers.get("Host") or "").lower()
        if self.path != server.page_path or (
            server.allowed_hosts and host not in server.allowed_hosts
        ):
            self._not_found()
            return
        self.send_response(200)
        for name, value in _HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(server.body)))
        self.end_headers()
        self.wfile.write(server.body)

    def _not_found(self) -> None:
        body = b"Not found\n"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def __getattr__(self, name: str) -> Callable[[], None]:
        # http.server looks up do_<METHOD>; every method but GET (POST, PUT, HEAD, OPTIONS, any
        # made-up one) gets the same 404 instead of the default 501 with a server banner.
        if name.startswith("do_"):
            return self._not_found
        raise AttributeError(name)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server API)
        """Quiet: requests are not logged to the terminal."""
