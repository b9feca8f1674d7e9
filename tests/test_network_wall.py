"""The network wall below the page: what got past the request interceptor now reaches nothing.

A TCP+UDP canary on 127.0.0.1 counts every contact. tests/hostile/wall.html tries the five ways
a security review found (WebSockets from a SharedWorker, WebRTC STUN/TURN, WebTransport,
`<link rel=preconnect>`, script navigation right after a key press), in the window's view and in
`render`; each attempt must reach nothing, and each must be reported as blocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

import sandbox.interceptor
from sandbox.engine import harden_engine, wall_switches
from sandbox.gate import NetworkGate
from sandbox.view import ArtifactView
from tests.canary import Canary
from tests.test_sandbox_view import LOAD_MS, hostile, page_results, recorder, run_js, show

ROOT = Path(__file__).resolve().parents[1]
# Long enough for late connections (TURN retries, preconnects, a worker's socket) to show up.
SETTLE_MS = 2500


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


def wall_page(canary: Canary) -> str:
    return hostile("wall.html", port=str(canary.port))


def test_the_engine_runs_behind_the_gate(network_gate):
    flags = os.environ["QTWEBENGINE_CHROMIUM_FLAGS"].split()
    for switch in wall_switches(network_gate.port):
        assert switch in flags
    assert "--disable-blink-features=SharedWorker,WebSocketStream" in flags


def test_hardening_replaces_earlier_proxy_switches_and_keeps_the_rest():
    env = {
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --proxy-server=http://10.1.1.1:3128 "
        "--enable-quic --disable-blink-features=Foo --log-level=3"
    }
    flags = harden_engine(4242, env).split()
    assert "--no-sandbox" in flags and "--log-level=3" in flags
    assert "--proxy-server=http://10.1.1.1:3128" not in flags
    assert "--enable-quic" not in flags
    assert "--proxy-server=http://127.0.0.1:4242" in flags
    assert "--disable-blink-features=SharedWorker,WebSocketStream,Foo" in flags
    assert not any(flag == "--no-sandbox" for flag in wall_switches(4242))


def test_five_ways_out_reach_nothing_and_are_reported(qtbot, view, canary, network_gate):
    blocked = recorder(view.requestBlocked)
    show(qtbot, view, wall_page(canary))
    results = page_results(qtbot, view)

    # The APIs the engine cannot switch off throw a catchable error; SharedWorker is gone.
    assert results["sharedworker"] == "threw ReferenceError"
    for name in ("webrtc", "webkitrtc", "webtransport"):
        assert results[name] == "threw NotAllowedError", (name, results)
    # A fresh frame's constructors are the inert ones too (the script runs in every frame).
    assert results["webrtc_frame"] == "threw NotAllowedError"
    qtbot.wait(SETTLE_MS)
    assert canary.contacts == 0, (canary.tcp_contacts, canary.udp_contacts, canary.hits)

    target = f"127.0.0.1:{canary.port}"
    qtbot.waitUntil(
        lambda: any(url.startswith(target) for url in blocked), timeout=LOAD_MS
    )  # the preconnects, refused by the gate
    reports = " | ".join(blocked)
    assert f"WebRTC stun:{target}" in reports
    assert f"WebTransport https://{target}/wt" in reports
    assert any(a.target == target and not a.allowed for a in network_gate.attempts)


def test_a_key_press_does_not_let_a_script_navigate_or_open_windows(qtbot, view, canary):
    blocked = recorder(view.requestBlocked)
    clicked = recorder(view.linkClicked)
    show(qtbot, view, wall_page(canary))
    page_results(qtbot, view)
    own = view.url()

    view.setFocus()
    QTest.keyClick(view.focusProxy(), Qt.Key.Key_Space)
    navigate = f"{canary.url}/navigate?leak=1"
    qtbot.waitUntil(lambda: navigate in blocked, timeout=LOAD_MS)
    qtbot.wait(SETTLE_MS)
    assert clicked == []
    assert view.url() == own
    assert canary.contacts == 0


def test_a_script_link_click_right_after_a_real_click_elsewhere_is_refused(qtbot, view):
    page = """<a id=a href="https://example.invalid/leak?data=1">x</a>
      <div id=pad style="height:400px" onclick="document.getElementById('a').click()"></div>"""
    show(qtbot, view, page)
    clicked = recorder(view.linkClicked)
    blocked = recorder(view.requestBlocked)
    QTest.mouseClick(view.focusProxy(), Qt.MouseButton.LeftButton, pos=view.rect().center())
    qtbot.waitUntil(lambda: "https://example.invalid/leak?data=1" in blocked, timeout=LOAD_MS)
    assert clicked == []


def test_an_allowed_artifacts_credentials_do_not_carry_another_artifact_out(
    qtbot, view, profile, canary
):
    allowed = f"""<pre id=out></pre><script>
      fetch("{canary.url}/allowed").then(r => r.text(), () => "failed").then(v => {{
        document.getElementById("out").textContent = JSON.stringify({{fetch: v}});
        document.title = "done"; }});</script>"""
    show(qtbot, view, allowed, allow_network=True)
    assert page_results(qtbot, view) == {"fetch": "canary"}
    assert canary.hits == ["/allowed"]

    other = ArtifactView(profile, open_links=False)
    other.resize(400, 300)
    other.show()
    try:
        show(qtbot, other, wall_page(canary))
        page_results(qtbot, other)
        qtbot.wait(SETTLE_MS)
    finally:
        other.close()
        other.deleteLater()
    assert canary.hits == ["/allowed"]
    assert canary.tcp_contacts == 1 and canary.udp_contacts == 0


def test_a_raising_policy_blocks_before_the_gate(qtbot, view, canary, network_gate, monkeypatch):
    """The interceptor fails closed: a policy that raises must block, not let the request out.

    The gate would stop the request anyway, so the test checks that the gate never saw it:
    a fail-open interceptor (`except: pass`) makes the request reach the gate.
    """

    def broken(*_args: object) -> None:
        raise RuntimeError("policy bug")

    show(qtbot, view, "<p>loaded before the policy broke</p>")
    monkeypatch.setattr(sandbox.interceptor, "decide_request", broken)
    marker = uuid.uuid4().hex
    run_js(
        qtbot,
        view,
        f"""document.body.appendChild(new Image()).src = "{canary.url}/{marker}.png";
        fetch("{canary.url}/{marker}").then(() => document.title = "reached",
                                            () => document.title = "failed"); 1""",
    )
    qtbot.waitUntil(lambda: view.title() in ("reached", "failed"), timeout=LOAD_MS)
    assert view.title() == "failed"
    qtbot.wait(500)
    assert canary.contacts == 0
    assert not any(marker in a.url for a in network_gate.attempts)
    assert not any(a.target == f"127.0.0.1:{canary.port}" for a in network_gate.attempts)


def test_render_reaches_nothing_and_says_blocked(tmp_path, canary):
    page = tmp_path / "wall.html"
    page.write_text(wall_page(canary), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "render", str(page), "--console", "--wait", "3"],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    time.sleep(1)  # anything still in flight when render exited
    assert canary.contacts == 0, (canary.tcp_contacts, canary.udp_contacts)
    blocked = [line for line in done.stdout.splitlines() if line.startswith("blocked: ")]
    target = f"127.0.0.1:{canary.port}"
    assert (
        f"blocked: WebRTC stun:{target} turn:{target}?transport=udp turn:{target}?transport=tcp"
        in blocked
    )
    assert f"blocked: WebTransport https://{target}/wt" in blocked
    assert any(line.startswith(f"blocked: {target}") for line in blocked), blocked
    assert "Traceback" not in done.stderr


def test_the_gate_tunnels_only_for_a_granted_artifact(canary):
    import base64
    import socket

    gate = NetworkGate()
    refused: list[str] = []
    gate.add_listener(refused.append)
    port = gate.start()
    try:

        def connect(credentials: str | None) -> bytes:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                auth = f"Proxy-Authorization: Basic {credentials}\r\n" if credentials else ""
                target = f"127.0.0.1:{canary.port}"
                sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n{auth}\r\n".encode())
                return sock.recv(4096)

        assert connect(None).startswith(b"HTTP/1.1 407")
        forged = base64.b64encode(b"easel-artifact:guess").decode()
        assert connect(forged).startswith(b"HTTP/1.1 407")
        user, password = gate.grant("conversation/game")
        good = base64.b64encode(f"{user}:{password}".encode()).decode()
        assert connect(good).startswith(b"HTTP/1.1 200")
        gate.revoke("conversation/game")
        assert connect(good).startswith(b"HTTP/1.1 407")
        deadline = time.monotonic() + 5
        while not refused and time.monotonic() < deadline:
            time.sleep(0.05)
        assert refused == [f"127.0.0.1:{canary.port}"]  # reported once per target
        assert canary.tcp_contacts == 1
    finally:
        gate.stop()


class _Browser(QObject):
    """Stands in for the system browser: records what QDesktopServices was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def test_a_clicked_link_shows_its_full_url_before_the_browser_opens(qtbot, profile):
    browser = _Browser()
    QDesktopServices.setUrlHandler("https", browser, "open")
    view = ArtifactView(profile)  # open_links: as in the window
    view.resize(800, 600)
    view.show()
    try:
        leak = "https://example.invalid/clicked?score=1234&secret=packed-into-the-link"
        show(qtbot, view, f'<a id=big href="{leak}" style="display:block;height:100vh">go</a>')
        QTest.mouseClick(view.focusProxy(), Qt.MouseButton.LeftButton, pos=view.rect().center())
        qtbot.waitUntil(lambda: _message_box(view) is not None, timeout=LOAD_MS)
        box = _message_box(view)
        assert box.informativeText() == leak
        if os.environ.get("EASEL_TEST_SHOTS"):
            box.grab().save(os.path.join(os.environ["EASEL_TEST_SHOTS"], "link.png"))
        assert browser.opened == []  # nothing leaves before the user agrees
        box.button(QMessageBox.StandardButton.Open).click()
        qtbot.waitUntil(lambda: browser.opened == [leak], timeout=LOAD_MS)

        # Cancel opens nothing.
        QTest.mouseClick(view.focusProxy(), Qt.MouseButton.LeftButton, pos=view.rect().center())
        qtbot.waitUntil(lambda: _message_box(view) is not None, timeout=LOAD_MS)
        _message_box(view).button(QMessageBox.StandardButton.Cancel).click()
        qtbot.wait(200)
        assert browser.opened == [leak]
    finally:
        QDesktopServices.unsetUrlHandler("https")
        view.close()
        view.deleteLater()
        qtbot.wait(1)


def _message_box(view: ArtifactView) -> QMessageBox | None:
    boxes = [box for box in view.findChildren(QMessageBox) if box.isVisible()]
    return boxes[0] if boxes else None


def test_screen_capture_is_refused_and_reported_in_the_window(qtbot, view):
    blocked = recorder(view.requestBlocked)
    show(
        qtbot,
        view,
        """<pre id=out></pre><script>
        const capture = MediaDevices.prototype.getDisplayMedia;  // the prototype route too
        capture.call(navigator.mediaDevices, {video: true}).then(() => "GOT", (e) => e.name)
          .then((v) => { document.getElementById("out").textContent = JSON.stringify({v});
                         document.title = "done"; });</script>""",
    )
    assert page_results(qtbot, view) == {"v": "NotAllowedError"}
    qtbot.waitUntil(lambda: "screen capture (getDisplayMedia)" in blocked, timeout=LOAD_MS)
