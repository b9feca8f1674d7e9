"""What artifacts may ask of Easel (DESIGN.md §4.1), in real QtWebEngine against real SQLite and the
loopback model server: storage that persists and stays private, model calls only with consent,
and the attacks on both (another origin, a sandboxed frame, a forged call, a runaway loop).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QUrl

from app.artifact_bridge import ArtifactBridge
from app.artifact_model import ProviderModel
from app.artifact_storage import ArtifactRef, ArtifactStorage
from app.config import ProviderProfile
from app.providers import make_provider
from app.store import Store
from sandbox.bridge import BridgeEndpoint
from sandbox.policy import host_for_key
from sandbox.profile import make_artifact_profile
from sandbox.view import ArtifactView
from tests.canary import Canary
from tests.model_server import openai_text_reply

LOAD_MS = 30_000


class Consent:
    """Stands in for the consent bar: answers with `decision`, records what it was shown."""

    def __init__(self) -> None:
        self.decision = "deny"
        self.then: list[str] = []  # answers for the next questions, before `decision`
        self.asked: list[tuple[ArtifactRef, str, str]] = []

    async def __call__(self, ref: ArtifactRef, prompt: str, reason: str) -> str:
        self.asked.append((ref, prompt, reason))
        return self.then.pop(0) if self.then else self.decision


class Harness:
    """A store, a bridge, a profile and a view, as the window wires them."""

    def __init__(self, path: Path, network_gate, server) -> None:
        self.store = Store(path)
        self.conversation = self.store.create_conversation(provider="p", model="m").id
        self.storage = ArtifactStorage(self.store)
        self.consent = Consent()
        self.client = httpx.AsyncClient()
        self.server = server
        profile = ProviderProfile(
            name="Loopback", kind="openai", base_url=server.openai_base, model="test-model"
        )

        async def connect():
            provider = make_provider(
                "openai", client=self.client, base_url=server.openai_base, api_key=None,
                name="Loopback",
            )  # fmt: skip
            return provider, profile

        self.bridge = ArtifactBridge(
            self.storage, self.store, model=ProviderModel(connect), consent=self.consent, budget=3
        )
        self.endpoint = BridgeEndpoint(self.bridge, lambda coro: asyncio.ensure_future(coro))
        self.profile = make_artifact_profile(gate=network_gate, bridge=self.endpoint)
        self.view = ArtifactView(self.profile, open_links=False)
        self.view.resize(600, 400)
        self.view.show()

    def key(self, identifier: str) -> str:
        return f"{self.conversation}/{identifier}"

    async def show(self, key: str, html: str) -> None:
        loaded = asyncio.get_running_loop().create_future()

        def done(ok: bool) -> None:
            if not loaded.done():
                loaded.set_result(ok)

        self.view.loaded.connect(done)
        self.view.show_document(key, html)
        assert await asyncio.wait_for(loaded, 20)
        self.view.loaded.disconnect(done)

    async def js(self, script: str, timeout: float = 20.0):
        """Evaluate an async expression in the page; its resolved value (as JSON)."""
        marker = uuid.uuid4().hex
        self.view.page().runJavaScript(
            f"""(async () => {{ try {{ return JSON.stringify({{ok: await ({script})}}); }}
               catch (e) {{ return JSON.stringify({{error: String(e && e.message || e)}}); }}
            }})().then(v => document.title = "{marker}" + v); 1""",
            0,
        )
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.view.title().startswith(marker):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no answer from the page for {script!r}")
            await asyncio.sleep(0.02)
        return json.loads(self.view.title()[len(marker) :])

    async def until(self, script: str, expected: object, timeout: float = 20.0) -> None:
        """Wait until the page's `script` evaluates to `expected`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (await self.js(script)) != {"ok": expected}:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{script!r} never became {expected!r}")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        # Pages go before their profile (as EaselApp does), or Chromium crashes later on.
        self.view.close()
        self.view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.profile.deleteLater()
        # On this thread: a QObject collected by the garbage collector on another thread (any
        # thread may run it) leaves its timers firing into freed memory.
        self.endpoint.close()
        self.endpoint.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        await self.client.aclose()
        self.store.close()


@pytest.fixture
def harness(tmp_path, network_gate, model_server) -> Iterator[Harness]:
    made = Harness(tmp_path / "history.sqlite3", network_gate, model_server)
    yield made


COUNTER = """<p id=n>?</p><script>
  (async () => {
    const got = await window.storage.get("count");
    const count = (got ? Number(got.value) : 0) + 1;
    await window.storage.set("count", String(count));
    document.getElementById("n").textContent = count;
  })();
</script>"""


def test_storage_persists_across_versions_and_restarts_and_stays_private(
    run_async, harness, tmp_path
):
    async def scenario():
        game = harness.key("counter")
        await harness.show(game, COUNTER)
        await harness.until("document.getElementById('n').textContent", "1")
        assert (await harness.js("window.storage.get('count')")) == {
            "ok": {"key": "count", "value": "1"}
        }
        await harness.show(game, COUNTER + "<!-- version 2 -->")
        await harness.until("document.getElementById('n').textContent", "2")
        assert (await harness.js("window.storage.list()")) == {"ok": {"keys": ["count"]}}

        # Another artifact of the same conversation sees nothing of it.
        await harness.show(harness.key("other"), "<p>other</p>")
        assert (await harness.js("window.storage.get('count')")) == {"ok": None}
        assert (await harness.js("window.storage.list()")) == {"ok": {"keys": []}}
        # ... and cannot reach the counter's bridge on its origin.
        victim = f"easel-artifact://{host_for_key(game)}/_easel/call?op=storage.get&data="
        stolen = await harness.js(
            f"fetch('{victim}' + encodeURIComponent(JSON.stringify({{key: 'count'}})))"
            ".then(r => r.text())"
        )
        assert "error" in stolen and '"value"' not in json.dumps(stolen)
        # Loads that are not fetches (an image, a script, a frame) do reach the handler with
        # the other artifact as initiator: a forged write must change nothing.
        forged = (
            f"easel-artifact://{host_for_key(game)}/_easel/call?op=storage.set&data="
            + "%7B%22key%22%3A%22count%22%2C%22value%22%3A%22999%22%7D"
        )
        await harness.js(
            f"""new Promise(done => {{
                 const image = new Image(); image.onload = image.onerror = done;
                 image.src = "{forged}&n=1";
                 const script = document.createElement("script");
                 script.src = "{forged}&n=2"; document.head.append(script);
                 const frame = document.createElement("iframe");
                 frame.src = "{forged}&n=3"; document.body.append(frame);
               }}).then(() => new Promise(done => setTimeout(done, 500)))"""
        )
        counter = ArtifactRef(harness.conversation, "counter")
        assert harness.storage.get(counter, "count") == {"key": "count", "value": "2"}
        # A sandboxed frame inside the counter (an opaque origin) gets nothing either.
        await harness.show(
            game,
            COUNTER
            + """<iframe id=f sandbox="allow-scripts" srcdoc="<script>
              fetch('/_easel/call?op=storage.get&data=%7B%22key%22%3A%22count%22%7D')
                .then(r => r.text()).then(t => parent.postMessage(t, '*'),
                                          e => parent.postMessage('failed', '*'));
              </script>"></iframe><script>
              addEventListener('message', (e) => { window.frameSaw = e.data; });</script>""",
        )
        await harness.until("document.getElementById('n').textContent", "3")
        await asyncio.sleep(0.5)
        frame = await harness.js("window.frameSaw")
        assert "count" not in json.dumps(frame).replace('"key":', "")
        harness.storage.flush()

        # A restart: a new store on the same file, a fresh storage.
        again = ArtifactStorage(Store(tmp_path / "history.sqlite3"))
        assert again.get(ArtifactRef(harness.conversation, "counter"), "count") == {
            "key": "count",
            "value": "3",
        }
        await harness.close()

    run_async(scenario())


def test_storage_quota_big_values_and_shapes(run_async, harness):
    async def scenario():
        await harness.show(harness.key("big"), "<p>big</p>")
        # Longer than one request (the shim sends it in parts), with CJK and emoji.
        value = "赵州桥🌉" * 60_000
        js_length = len(value.encode("utf-16-le")) // 2  # the emoji is two UTF-16 units
        stored = await harness.js(
            f"window.storage.set('long', {json.dumps(value)}).then(r => [r.key, r.value.length])"
        )
        assert stored == {"ok": ["long", js_length]}
        assert (await harness.js("window.storage.get('long').then(r => r.value.length)")) == {
            "ok": js_length
        }
        kept = harness.storage.get(ArtifactRef(harness.conversation, "big"), "long")
        assert kept == {"key": "long", "value": value}  # every character arrived intact
        refused = await harness.js("window.storage.set('obj', {a: 1})")
        assert "JSON.stringify" in refused["error"]
        full = await harness.js("window.storage.set('huge', 'x'.repeat(6 * 1024 * 1024))")
        assert "storage is full" in full["error"]
        deleted = await harness.js("window.storage.delete('long')")
        assert deleted == {"ok": {"key": "long", "deleted": True}}
        await harness.close()

    run_async(scenario())


def test_model_calls_need_consent_and_never_carry_the_key(run_async, harness, model_server):
    model_server.enqueue(openai_text_reply("Paris."), openai_text_reply("Correct!"))

    async def scenario():
        cards = harness.key("cards")
        await harness.show(cards, "<p>flashcards</p>")
        # Refused: the page's promise rejects, and no request leaves.
        refused = await harness.js("window.claude.complete('capital of France?')")
        assert "declined" in refused["error"]
        assert model_server.requests == []
        assert harness.consent.asked[0][1] == "capital of France?"
        again = await harness.js("window.claude.complete('and now?')")
        assert "reload it" in again["error"] and len(harness.consent.asked) == 1  # no nagging

        harness.bridge.forget_refusal(ArtifactRef(harness.conversation, "cards"))
        harness.consent.decision = "once"
        answer = await harness.js("window.claude.complete('capital of France?')")
        assert answer == {"ok": "Paris."}
        body = model_server.requests[-1].json()
        assert body["messages"][-1] == {"role": "user", "content": "capital of France?"}

        # The Messages API form, as newer Claude artifacts call it, answered by Easel.
        harness.consent.decision = "always"
        message = await harness.js(
            """fetch('https://api.anthropic.com/v1/messages', {method: 'POST',
                 headers: {'content-type': 'application/json'},
                 body: JSON.stringify({model: 'claude-x', max_tokens: 100, system: 'Grade it.',
                   messages: [{role: 'user', content: [{type: 'text', text: 'Paris?'}]}]})})
               .then(r => r.json())"""
        )
        assert message["ok"]["content"] == [{"type": "text", "text": "Correct!"}]
        assert message["ok"]["type"] == "message" and message["ok"]["role"] == "assistant"
        sent = model_server.requests[-1].json()
        assert sent["messages"][0] == {"role": "system", "content": "Grade it."}
        assert sent["max_tokens"] == 100
        assert all("authorization" not in r.headers for r in model_server.requests)
        calls, _tokens = harness.bridge.usage(ArtifactRef(harness.conversation, "cards"))
        assert calls == 2
        rows = harness.store.read("SELECT identifier FROM artifact_calls")
        assert [r[0] for r in rows] == ["cards", "cards"]
        # "Always" is remembered in the history, and can be taken back.
        ref = ArtifactRef(harness.conversation, "cards")
        assert harness.store.read("SELECT grant FROM artifact_grants")[0][0] == "model"
        harness.bridge.revoke(ref)
        harness.consent.decision = "deny"
        asked = len(harness.consent.asked)
        again = await harness.js("window.claude.complete('once more?')")
        assert "declined" in again["error"] and len(harness.consent.asked) == asked + 1
        await harness.close()

    run_async(scenario())


def test_a_runaway_loop_is_stopped_by_the_budget(run_async, harness, model_server):
    model_server.enqueue(*[openai_text_reply(f"answer {n}") for n in range(3)])

    async def scenario():
        await harness.show(harness.key("loop"), "<p>loop</p>")
        # Always for this artifact; past the budget the user is asked again and says no.
        harness.consent.then = ["always"]
        results = await harness.js(
            """(async () => { const out = [];
                 for (let i = 0; i < 10; i++) {
                   try { out.push(await window.claude.complete('again ' + i)); }
                   catch (e) { out.push('stopped: ' + e.message); break; } }
                 return out; })()"""
        )
        assert results["ok"][:3] == ["answer 0", "answer 1", "answer 2"]
        assert results["ok"][3].startswith("stopped:")
        assert len(model_server.requests) == 3
        assert "3 model calls" in harness.consent.asked[-1][2]
        await harness.close()

    run_async(scenario())


def test_model_calls_without_a_bridge_model_reject_with_a_sentence(run_async, harness):
    async def scenario():
        harness.bridge.model = None
        await harness.show(harness.key("off"), "<p>off</p>")
        refused = await harness.js("window.claude.complete('hi')")
        assert refused["error"] == "Model calls are off here."
        await harness.close()

    run_async(scenario())


def test_a_missing_own_path_settles_and_nothing_leaves(run_async, harness):
    canary = Canary()

    async def scenario():
        await harness.show(harness.key("paths"), f"<img src='{canary.url}/x.png'><p>p</p>")
        missing = await harness.js("fetch('/data.json').then(r => r.text())")
        assert "error" in missing  # a catchable network error, not a promise left pending
        bridge_get = await harness.js("fetch('/_easel/nothing').then(r => r.json())")
        assert bridge_get["ok"]["ok"] is False
        await harness.close()

    try:
        run_async(scenario())
    finally:
        canary.close()
    assert canary.contacts == 0, (canary.tcp_contacts, canary.datagrams, canary.hits)


class _Job(QObject):
    """A request as the scheme handler sees it, for the one check no real page can reach:
    the artifact CSP already stops another origin's loads before they get here."""

    def __init__(self, url: str, initiator: str) -> None:
        super().__init__()
        self._url, self._initiator = QUrl(url), QUrl(initiator)
        self.body = b""

    def requestUrl(self) -> QUrl:  # noqa: N802 (Qt's name)
        return self._url

    def initiator(self) -> QUrl:
        return self._initiator

    def setAdditionalResponseHeaders(self, headers) -> None:  # noqa: N802
        pass

    def reply(self, mime: bytes, device) -> None:
        self.body = bytes(device.readAll().data())


def test_the_bridge_answers_only_its_own_origin(tmp_path):
    from sandbox.policy import DocumentRegistry

    storage = ArtifactStorage(None)
    endpoint = BridgeEndpoint(ArtifactBridge(storage), lambda coro: coro.close())
    registry = DocumentRegistry()
    host = registry.publish("7/counter", "<p>")
    other = registry.publish("7/attacker", "<p>")
    call = f"easel-artifact://{host}/_easel/call?op=storage.set&data=" + (
        "%7B%22key%22%3A%22count%22%2C%22value%22%3A%22999%22%7D"
    )
    for initiator in (f"easel-artifact://{other}", "null", "", "https://example.com"):
        job = _Job(call, initiator)
        endpoint.handle(job, registry)
        assert json.loads(job.body) == {
            "ok": False,
            "error": "Only the artifact itself may use its bridge.",
        }
    assert storage.list(ArtifactRef(7, "counter"), "") == {"keys": []}
    own = _Job(call, f"easel-artifact://{host}")
    endpoint.handle(own, registry)
    assert json.loads(own.body)["ok"] is True
    assert storage.get(ArtifactRef(7, "counter"), "count") == {"key": "count", "value": "999"}
    endpoint.close()  # its flush timer must not outlive it


def test_storage_survives_a_failed_flush_and_a_deleted_conversation(tmp_path):
    store = Store(tmp_path / "h.sqlite3")
    conversation = store.create_conversation(provider="p", model="m").id
    storage = ArtifactStorage(store)
    ref = ArtifactRef(conversation, "game")
    storage.set(ref, "score", "10")
    store.close()  # the next write fails, as on a full disk
    with pytest.raises(Exception):  # noqa: B017 - whatever the store raises, nothing is lost
        storage.flush()
    assert storage.dirty
    storage._store = Store(tmp_path / "h.sqlite3")
    storage.flush()
    assert not storage.dirty
    fresh = ArtifactStorage(Store(tmp_path / "h.sqlite3"))
    assert fresh.get(ref, "score") == {"key": "score", "value": "10"}
    # Deleting the conversation deletes its artifacts' storage.
    storage._store.delete_conversation(conversation)
    assert storage._store.read("SELECT COUNT(*) FROM artifact_storage")[0][0] == 0
    storage.set(ref, "late", "x")  # a write that arrives after the delete is dropped quietly
    storage.flush()
