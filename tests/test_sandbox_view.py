"""The artifact sandbox against hostile pages, in real QtWebEngine (offscreen).

A loopback canary server counts every request that reaches it: it must see none unless the
user allowed the network for that artifact. The hostile pages live in tests/hostile/.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest

from app.documents import artifact_document
from sandbox.policy import host_for_key
from sandbox.scheme import register_scheme
from sandbox.view import ArtifactView
from tests.conftest import corpus_path

# The scheme must be known before pytest-qt creates the QApplication (at the first test).
register_scheme()

HOSTILE = Path(__file__).parent / "hostile"
LOAD_MS = 30_000


class Canary:
    """A tiny threaded HTTP server on 127.0.0.1 that records every request path."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(b"canary")

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


@pytest.fixture
def view(qtbot, profile, canary) -> Iterator[ArtifactView]:
    canary.hits.clear()
    made = ArtifactView(profile, open_links=False)
    made.resize(800, 600)
    made.show()
    yield made
    made.close()
    made.deleteLater()
    qtbot.wait(1)  # let deleteLater run before the profile goes


def hostile(name: str, **values: str) -> str:
    text = (HOSTILE / name).read_text(encoding="utf-8")
    for placeholder, value in values.items():
        text = text.replace(f"__{placeholder.upper()}__", value)
    return text


def show(qtbot, view: ArtifactView, html: str, key: str = "", **kwargs: bool) -> str:
    key = key or uuid.uuid4().hex
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS) as loaded:
        view.show_document(key, html, **kwargs)
    assert loaded.args == [True]
    return key


def run_js(qtbot, view: ArtifactView, script: str) -> object:
    answers: list[object] = []
    view.page().runJavaScript(script, 0, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=LOAD_MS)
    return answers[0]


def page_results(qtbot, view: ArtifactView) -> dict:
    qtbot.waitUntil(lambda: view.title() == "done", timeout=LOAD_MS)
    return json.loads(str(run_js(qtbot, view, "document.getElementById('out').textContent")))


def recorder(signal_) -> list:
    seen: list = []
    signal_.connect(lambda *args: seen.append(args if len(args) > 1 else args[0]))
    return seen


def test_remote_requests_and_local_files_are_refused_and_reported(qtbot, view, canary):
    blocked = recorder(view.requestBlocked)
    show(qtbot, view, hostile("network.html", canary=canary.url))
    results = page_results(qtbot, view)

    assert not any("root:" in value for value in results.values()), results
    for name in ("fetch", "xhr", "websocket", "eventsource", "filefetch", "filexhr"):
        assert results[name] == "failed", (name, results)
    assert results["beacon"] == "true" or results["beacon"] == "false"
    assert results["worker"].startswith("threw")  # a remote worker is refused outright
    assert results["blobworker"] == "failed"
    expected = {
        "/link.css", "/prefetch", "/cssurl.png", "/script.js", "/img.png", "/fetch",
        "/xhr", "/beacon", "/ws", "/es", "/worker-fetch",
    }  # fmt: skip
    qtbot.waitUntil(
        lambda: expected <= {"/" + url.rsplit("/", 1)[-1] for url in blocked}, timeout=LOAD_MS
    )
    assert canary.hits == []


def test_the_page_cannot_navigate_away_by_itself(qtbot, view, canary):
    blocked = recorder(view.requestBlocked)
    clicked = recorder(view.linkClicked)
    show(qtbot, view, hostile("navigation.html", canary=canary.url))
    own = view.url()
    # The fourth try, a script-clicked target=_blank link, is dropped silently by Chromium's
    # pop-up blocker (JavascriptCanOpenWindows is off): it never becomes a request.
    expected = [f"{canary.url}/{name}" for name in ("form", "nav", "meta")]
    qtbot.waitUntil(lambda: blocked == expected, timeout=LOAD_MS)
    assert view.url() == own
    assert clicked == []
    assert canary.hits == []


def test_no_popups_no_blocking_dialogs_no_bridge(qtbot, view):
    lines = recorder(view.consoleMessage)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    show(qtbot, view, hostile("escape.html"))
    results = page_results(qtbot, view)
    timer.stop()

    assert results["opened"] == 0
    assert results["confirm"] is False
    assert results["prompt"] is None
    assert results["qt"] == "undefined"
    assert results["transport"] == results["webview"] == results["external"] == "undefined"
    assert results["webkit"] == "undefined"
    assert results["bridge"] == []
    messages = [line[1] for line in lines]
    for text in ("alert: alert text", "confirm: confirm text", "prompt: prompt text"):
        assert text in messages
    assert ticks, "the GUI thread kept serving timers"


def test_each_artifact_has_its_own_storage_that_survives_reloads(qtbot, view):
    first, second = f"a-{uuid.uuid4().hex}", f"b-{uuid.uuid4().hex}"
    show(qtbot, view, hostile("storage.html", mark="first"), key=first)
    assert page_results(qtbot, view)["before"] is None
    show(qtbot, view, hostile("storage.html", mark="second"), key=second)
    results = page_results(qtbot, view)
    assert results["before"] is None  # the first artifact's storage is out of reach
    assert results["origin"] == f"easel-artifact://{host_for_key(second)}"
    show(qtbot, view, hostile("storage.html", mark="again"), key=first)
    assert page_results(qtbot, view)["before"] == "first"


def test_an_artifact_cannot_load_another_artifacts_document(qtbot, view):
    victim = f"victim-{uuid.uuid4().hex}"
    show(qtbot, view, "<p>secret victim text</p>", key=victim)
    other = f"easel-artifact://{host_for_key(victim)}/"
    attacker = f"""<iframe id=f src="{other}"></iframe><pre id=out></pre><script>
      fetch("{other}").then(r => r.text()).then(t => "read " + t, () => "failed").then(v => {{
        document.getElementById("out").textContent = JSON.stringify({{fetch: v}});
        document.title = "done"; }});</script>"""
    show(qtbot, view, attacker)
    assert page_results(qtbot, view) == {"fetch": "failed"}
    frame_text = run_js(
        qtbot, view, "try { document.getElementById('f').contentDocument.body.innerText }"
        " catch (e) { 'threw' }"
    )  # fmt: skip
    assert "secret" not in str(frame_text)


def test_network_allowed_for_one_artifact_only(qtbot, view, canary):
    probe = f"""<pre id=out></pre><script>
      fetch("{canary.url}/allowed").then(r => r.text(), () => "failed").then(v => {{
        document.getElementById("out").textContent = JSON.stringify({{fetch: v}});
        document.title = "done"; }});</script>"""
    key = show(qtbot, view, probe, allow_network=True)
    assert page_results(qtbot, view) == {"fetch": "canary"}
    assert canary.hits == ["/allowed"]

    blocked = recorder(view.requestBlocked)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS):
        view.set_allow_network(False)
    assert page_results(qtbot, view) == {"fetch": "failed"}
    assert blocked == [f"{canary.url}/allowed"]
    assert view.key == key
    assert canary.hits == ["/allowed"]


def test_a_busy_loop_is_reported_hung_and_a_reload_gets_a_fresh_renderer(qtbot, view):
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(50)
    key = show(qtbot, view, hostile("busy.html"))
    busy_pid = view.page().renderProcessPid()
    with qtbot.waitSignal(view.hung, timeout=LOAD_MS):
        pass
    timer.stop()
    assert len(ticks) > 5, "the GUI thread is not blocked by a busy page"

    crashed = recorder(view.crashed)
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS) as loaded:
        view.show_document(key, "<p>calm version</p>")
    assert loaded.args == [True]
    assert view.page().renderProcessPid() not in (0, busy_pid)
    assert run_js(qtbot, view, "document.body.innerText") == "calm version"
    assert crashed == []  # our own kill is not reported as a crash


def test_a_crash_is_reported_and_reload_recovers(qtbot, view):
    show(qtbot, view, "<p>will crash</p>")
    with qtbot.waitSignal(view.crashed, timeout=LOAD_MS) as crashed:
        os.kill(view.page().renderProcessPid(), signal.SIGKILL)
    assert "renderer" in crashed.args[0]
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS) as loaded:
        view.reload_document()
    assert loaded.args == [True]
    assert run_js(qtbot, view, "document.body.innerText") == "will crash"


def test_downloads_are_refused(qtbot, view, profile, tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    profile.setDownloadPath(str(downloads))
    blocked = recorder(view.requestBlocked)
    show(qtbot, view, hostile("download.html"))
    qtbot.waitUntil(lambda: len(blocked) >= 2, timeout=LOAD_MS)
    assert blocked[0].startswith("data:text/plain")
    assert blocked[1].startswith("blob:easel-artifact://")
    assert list(downloads.iterdir()) == []


def test_console_lines_and_uncaught_errors_are_captured(qtbot, view):
    lines = recorder(view.consoleMessage)
    show(qtbot, view, hostile("console.html"))
    qtbot.waitUntil(lambda: any("boom" in line[1] for line in lines), timeout=LOAD_MS)
    levels = {line[1]: line[0] for line in lines}
    assert levels["hello info"] == "info"
    assert levels["careful warning"] == "warning"
    assert levels["bad error"] == "error"
    (uncaught,) = [line for line in lines if "boom" in line[1]]
    assert uncaught[0] == "error"
    assert uncaught[1] == "Uncaught Error: boom"
    assert uncaught[2].startswith("easel-artifact://")
    assert uncaught[3] == 12


def test_a_user_click_on_a_link_is_handed_out_not_followed(qtbot, view):
    show(qtbot, view, hostile("link.html"))
    own = view.url()
    clicked = recorder(view.linkClicked)
    blocked = recorder(view.requestBlocked)

    # A script's click is not the user's: refused and reported.
    run_js(qtbot, view, "document.getElementById('big').click()")
    qtbot.waitUntil(lambda: bool(blocked), timeout=LOAD_MS)
    assert clicked == []

    with qtbot.waitSignal(view.linkClicked, timeout=LOAD_MS) as signal_:
        QTest.mouseClick(view.focusProxy(), Qt.MouseButton.LeftButton, pos=QPoint(400, 300))
    assert signal_.args[0].toString() == "https://example.invalid/clicked"
    assert view.url() == own


def test_vendored_libraries_load_offline_from_their_cdn_urls(qtbot, view):
    blocked = recorder(view.requestBlocked)
    lines = recorder(view.consoleMessage)
    page = """<pre id=out></pre>
      <script src="https://cdn.jsdelivr.net/npm/chart.js@4"></script>
      <script src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
      <script src="https://cdn.tailwindcss.com"></script>
      <script type="module">
        const chart = typeof window.Chart, react = typeof window.React;
        const fetched = await fetch("https://cdn.jsdelivr.net/npm/chart.js@4").then(
          (r) => r.text().then((t) => t.length > 1000), () => false);
        document.getElementById("out").textContent = JSON.stringify({chart, react, fetched});
        document.title = "done";
      </script>"""
    show(qtbot, view, page)
    assert page_results(qtbot, view) == {"chart": "function", "react": "object", "fetched": True}
    assert blocked == []
    assert [line for line in lines if line[0] == "error"] == []


def test_a_real_chartjs_page_from_the_corpus_runs_offline(qtbot, view):
    html = corpus_path("pages", "gpt-5-coding-examples-csv-to-charts-chartjs-cdn.html").read_text()
    blocked = recorder(view.requestBlocked)
    lines = recorder(view.consoleMessage)
    show(qtbot, view, html)
    assert run_js(qtbot, view, "typeof window.Chart") == "function"
    assert run_js(qtbot, view, "document.querySelectorAll('canvas').length") >= 1
    assert blocked == []
    assert [line for line in lines if line[0] == "error"] == []


def test_a_react_artifact_runs_offline_with_vendored_react_and_babel(qtbot, view):
    component = (
        "export default function App() {\n"
        "  const [n] = React.useState(41);\n"
        "  return <p id='answer'>answer {n + 1}</p>;\n}\n"
    )
    blocked = recorder(view.requestBlocked)
    lines = recorder(view.consoleMessage)
    show(qtbot, view, artifact_document("application/vnd.react", component, "React"))
    qtbot.waitUntil(
        lambda: run_js(qtbot, view, "document.body.innerText").find("answer 42") >= 0,
        timeout=LOAD_MS,
    )
    assert blocked == []
    assert [line for line in lines if line[0] == "error"] == []
