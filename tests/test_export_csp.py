"""Exported conversations and published pages reach no network, in a real browser.

Debian's headless Chromium opens the exported HTML file and the published pages; a TCP canary
on 127.0.0.1, referenced by the artifacts (`<img>`, `fetch`, WebSocket, a style sheet, a
beacon, a Markdown image in the prose), counts every connection. The canary must see none
while the artifacts' own scripts still run (a colour they paint, a DOM they change); two pages
published on two ports must not see each other's cookies or storage.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.export_policy import ARTIFACT_EXPORT_CSP, PUBLISHED_PAGE_CSP
from app.publish import Publisher
from app.store import Store
from app.transcript_export import conversation_html

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
)


class Canary:
    """A TCP server on 127.0.0.1 that counts connections and answers each with an empty 200."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.contacts = 0
        self.seen: list[str] = []  # the first line of each contact, for the failure message
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.contacts += 1
            with connection:
                connection.settimeout(1.0)
                try:
                    first = connection.recv(200).split(b"\r\n")[0].decode(errors="replace")
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    first = "(a connection that sent nothing)"
                self.seen.append(first)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    made = Canary()
    yield made
    made.close()


def _chromium(target: str, profile: Path, *extra: str) -> str:
    """Run headless Chromium on a URL or file; its stdout (the DOM with --dump-dom)."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", f"--user-data-dir={profile}",
        "--virtual-time-budget=4000", *extra, target,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _hostile(port: int, marker: str) -> str:
    """An artifact that reaches for the canary in every ordinary way, then paints itself."""
    base = f"127.0.0.1:{port}"
    return f"""<!DOCTYPE html><html><head>
<link rel="stylesheet" href="http://{base}/style.css">
</head><body style="margin:0;min-height:100vh;background:rgb(255,0,0)">
<img src="http://{base}/img.png" alt="">
<p id="out">not run</p>
<script>
document.body.style.background = 'rgb(0, 200, 0)';
document.getElementById('out').textContent = {json.dumps(marker)};
new Image().src = 'http://{base}/js-image.png';
fetch('http://{base}/fetch').catch(() => {{}});
try {{ new WebSocket('ws://{base}/socket'); }} catch (e) {{}}
try {{ navigator.sendBeacon('http://{base}/beacon', 'data'); }} catch (e) {{}}
try {{ const x = new XMLHttpRequest(); x.open('GET', 'http://{base}/xhr'); x.send(); }} catch (e) {{}}
</script></body></html>"""


def _green_pixels(path: Path) -> int:
    image = QImage(str(path))
    assert not image.isNull()
    count = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            colour = image.pixelColor(x, y)
            count += colour.red() < 40 and 170 < colour.green() < 230 and colour.blue() < 40
    return count


def _react(port: int) -> str:
    """A React component (vendored React, compiled in the page by Babel: needs eval)."""
    return f"""export default function App() {{
  React.useEffect(() => {{ fetch('http://127.0.0.1:{port}/react-fetch').catch(() => {{}}); }}, []);
  return <div style={{{{background: 'rgb(0, 200, 0)', height: '100vh'}}}}>React ran</div>;
}}"""


@pytest.mark.parametrize("kind", ["text/html", "application/vnd.react"])
def test_an_exported_conversation_reaches_no_network_yet_its_artifact_runs(
    qapp, canary: Canary, easel_home: Path, tmp_path: Path, kind: str
) -> None:
    store = Store.open_default()
    conversation = store.create_conversation("Export")
    store.add_message(conversation.id, "user", "make a page")
    prose = f"Here it is ![pixel](http://127.0.0.1:{canary.port}/prose.png)\n\n"
    reply = store.add_message(
        conversation.id,
        "assistant",
        f'{prose}<artifact identifier="page" type="text/html" title="Page">x</artifact>',
    )
    page = _hostile(canary.port, "artifact ran") if kind == "text/html" else _react(canary.port)
    store.add_artifact_version(conversation.id, "page", kind, "Page", page, message_id=reply.id)
    exported = tmp_path / "conversation.html"
    exported.write_text(conversation_html(store, conversation), "utf-8")
    store.close()
    assert ARTIFACT_EXPORT_CSP in exported.read_text("utf-8").replace("&#x27;", "'")

    shot = tmp_path / "shot.png"
    _chromium(exported.as_uri(), tmp_path / "profile", f"--screenshot={shot}",
              "--window-size=1000,1400")  # fmt: skip
    assert canary.contacts == 0, canary.seen
    assert _green_pixels(shot) > 1000  # the artifact's own script painted its frame


def test_published_pages_reach_no_network_and_share_no_cookies(
    canary: Canary, tmp_path: Path
) -> None:
    writer = _hostile(canary.port, "writer ran").replace(
        "</script>",
        """
try { document.cookie = 'shared=from-a; max-age=3600; path=/'; } catch (e) {}
try { localStorage.setItem('shared', 'from-a'); } catch (e) {}
</script>""",
    )
    reader = """<!DOCTYPE html><body><pre id="seen">not run</pre><script>
let cookie = 'refused', stored = 'refused';
try { cookie = document.cookie; } catch (e) {}
try { stored = localStorage.getItem('shared'); } catch (e) {}
document.getElementById('seen').textContent = 'reader ran|' + cookie + '|' + stored;
</script></body>"""
    publisher = Publisher()
    try:
        first = publisher.publish("writer", writer)
        second = publisher.publish("reader", reader)
        assert first.split(":")[2] != second.split(":")[2]  # two ports, one host
        profile = tmp_path / "profile"
        assert "writer ran" in _chromium(first, profile, "--dump-dom")
        seen = re.search(r"reader ran\|[^<]*", _chromium(second, profile, "--dump-dom"))
    finally:
        publisher.stop_all()
    assert seen is not None  # the reader's script ran
    assert "from-a" not in seen.group(0)
    assert canary.contacts == 0, canary.seen


@pytest.mark.xfail(
    strict=True,
    reason="no CSP governs <link rel=preconnect> in Chromium 156: it opens a TCP connection "
    "(no request is sent). Only an engine-wide gate stops it, which a user's browser lacks.",
)
def test_preconnect_is_the_one_route_a_policy_cannot_close(canary: Canary, tmp_path: Path) -> None:
    publisher = Publisher()
    try:
        url = publisher.publish(
            "p", f'<link rel="preconnect" href="http://127.0.0.1:{canary.port}/">'
        )
        _chromium(url, tmp_path / "profile", "--dump-dom")
    finally:
        publisher.stop_all()
    assert canary.contacts == 0, canary.seen


def test_published_pages_carry_the_policy_header() -> None:
    publisher = Publisher()
    try:
        url = publisher.publish("page", "<p>hi</p>")
        host, port = url.split("/")[2].split(":")
        with socket.create_connection((host, int(port))) as connection:
            path = "/" + url.split("/", 3)[3]
            connection.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
            head = connection.makefile("rb").read().split(b"\r\n\r\n")[0].decode()
    finally:
        publisher.stop_all()
    assert f"Content-Security-Policy: {PUBLISHED_PAGE_CSP}" in head
    assert PUBLISHED_PAGE_CSP.startswith("sandbox allow-scripts;")


def test_chromium_is_a_real_browser_here(tmp_path: Path) -> None:
    # Guards the tests above against passing because the browser ran nothing at all.
    page = tmp_path / "plain.html"
    page.write_text("<p id=p>x</p><script>p.textContent = 'scripts run'</script>", "utf-8")
    assert "scripts run" in _chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert shutil.which(str(CHROMIUM))
