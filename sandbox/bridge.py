"""The artifact bridge's Qt glue: `/_easel/…` on each artifact's own origin (DESIGN.md §4.1).

A page's `window.storage`, `window.claude.complete`, `window.fs.readFile` and Messages API calls
(the `BRIDGE_API` script in sandbox/shims.py) become GET requests to its own origin:
`/_easel/call?op=…&data=<JSON>` (or, for a long payload, `/_easel/part?upload=…` pieces first —
`QWebEngineUrlRequestJob.requestBody()` crashes PySide6 6.11, so there are no POST bodies). The
scheme handler hands them here; only a request whose initiator is exactly that artifact's origin
is answered, so one artifact can neither read another's storage nor spend another's consent. A
sandboxed frame (an opaque origin) inside an artifact gets nothing.

The answer is always a JSON body `{ok, result | error}` with status 200, so the page's promise
settles: refusals reject with the sentence. Model calls wait for the user and the model; their
job is kept until the answer comes (or the page goes away), and the coroutine runs through
`schedule`, so the GUI thread never waits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qs

from PySide6.QtCore import QBuffer, QIODevice, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtWebEngineCore import QWebEngineUrlRequestJob

from app.artifact_bridge import ArtifactBridge, BridgeError
from app.artifact_storage import ArtifactRef, ref_for_key
from sandbox.policy import BRIDGE_PREFIX, SCHEME, DocumentRegistry

log = logging.getLogger(__name__)

_FLUSH_MS = 500  # storage writes reach the database this soon (one transaction for a burst)
_MAX_PARTS = 200  # 200 × 120,000 characters: far past any quota, and bounded
_MAX_PENDING_UPLOADS = 8
_HEADERS = {b"Cache-Control": [b"no-store"]}

Schedule = Callable[[Coroutine[Any, Any, None]], None]


class BridgeEndpoint(QObject):
    """Answers `/_easel/` requests for every artifact profile of one window (or render)."""

    # An artifact's model usage changed: view key, calls, tokens (this run).
    usageChanged = Signal(str, int, int)
    # An answer computed elsewhere (another thread, a coroutine), to reply on the GUI thread.
    _answered = Signal(int, bytes)

    def __init__(
        self, bridge: ArtifactBridge, schedule: Schedule, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._schedule = schedule
        self._jobs: dict[int, QWebEngineUrlRequestJob] = {}
        self._next_job = 0
        self._uploads: dict[tuple[str, str], list[str | None]] = {}
        self._keys: dict[ArtifactRef, str] = {}
        self._answered.connect(self._reply_later, Qt.ConnectionType.QueuedConnection)
        bridge.usage_listeners.append(self._on_usage)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(_FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)

    def use_bridge(self, bridge: ArtifactBridge) -> None:
        """Answer with `bridge` from now on (the app started an empty history). What the old
        bridge holds unwritten is its own: flush() it first, while its store is open."""
        self.bridge = bridge
        bridge.usage_listeners.append(self._on_usage)

    def close(self) -> None:
        """Write what is pending and stop the timer (before the endpoint is let go)."""
        self._flush_timer.stop()
        self.flush()

    def flush(self) -> None:
        """Write pending storage now (also at exit); a failure is logged, the data stays cached."""
        try:
            self.bridge.save_calls()
            self.bridge.storage.flush()
        except Exception:  # noqa: BLE001 - a full disk must not take the window down
            log.warning("could not save artifact storage", exc_info=True)

    def handle(self, job: QWebEngineUrlRequestJob, registry: DocumentRegistry) -> None:
        """Answer one `/_easel/` request of the artifact at the job's host."""
        url = job.requestUrl()
        host = url.host()
        document = registry.get(host)
        initiator = job.initiator().toString().rstrip("/")
        if document is None or initiator != f"{SCHEME}://{host}":
            _reply(job, _error("Only the artifact itself may use its bridge."))
            return
        ref = ref_for_key(document.key)
        self._keys[ref] = document.key
        query = parse_qs(url.query(QUrl.ComponentFormattingOption.FullyEncoded))
        first = {name: values[0] for name, values in query.items() if values}
        try:
            if url.path() == f"{BRIDGE_PREFIX}part":
                _reply(job, self._store_part(host, first))
                return
            if url.path() != f"{BRIDGE_PREFIX}call":
                raise BridgeError("Easel's bridge has no such address.")
            op = first.get("op", "")
            payload = json.loads(self._payload(host, first))
        except (BridgeError, ValueError) as error:
            _reply(job, _error(str(error) if isinstance(error, BridgeError) else "Bad request."))
            return
        if not self.bridge.waits(op):
            try:
                _reply(job, _result(self.bridge.answer_now(ref, op, payload)))
            except BridgeError as error:
                _reply(job, _error(str(error)))
            if self.bridge.storage.dirty and not self._flush_timer.isActive():
                self._flush_timer.start()
            return
        self._schedule(self._answer_later(self._keep(job), ref, op, payload))

    # -- long payloads --------------------------------------------------------------------------

    def _store_part(self, host: str, query: dict[str, str]) -> bytes:
        upload, data = query.get("upload", ""), query.get("data", "")
        try:
            index, count = int(query.get("index", "")), int(query.get("count", ""))
        except ValueError:
            raise BridgeError("Bad upload part.") from None
        if not upload or not 0 <= index < count <= _MAX_PARTS:
            raise BridgeError("Bad upload part.")
        parts = self._uploads.get((host, upload))
        if parts is None:
            mine = [key for key in self._uploads if key[0] == host]
            if len(mine) >= _MAX_PENDING_UPLOADS:
                self._uploads.pop(mine[0])  # the oldest unfinished one is abandoned
            parts = self._uploads[(host, upload)] = [None] * count
        if len(parts) != count:
            raise BridgeError("Bad upload part.")
        parts[index] = data
        return _result(None)

    def _payload(self, host: str, query: dict[str, str]) -> str:
        if "upload" not in query:
            return query.get("data", "null")
        parts = self._uploads.pop((host, query["upload"]), None)
        if parts is None or any(part is None for part in parts):
            raise BridgeError("A long call arrived incomplete: try again.")
        return "".join(part or "" for part in parts)

    # -- answers that wait ----------------------------------------------------------------------

    def _keep(self, job: QWebEngineUrlRequestJob) -> int:
        self._next_job += 1
        number = self._next_job
        self._jobs[number] = job
        # The page went away (reload, closed): the job is deleted and must not be answered.
        job.destroyed.connect(lambda *_: self._jobs.pop(number, None))
        return number

    async def _answer_later(self, number: int, ref: ArtifactRef, op: str, payload: Any) -> None:
        try:
            body = _result(await self.bridge.answer(ref, op, payload))
        except BridgeError as error:
            body = _error(str(error))
        except Exception:  # noqa: BLE001 - the page must get an answer, never a hang
            body = _error("Easel failed to answer this call.")
        self._answered.emit(number, body)

    def _reply_later(self, number: int, body: bytes) -> None:
        self.bridge.save_calls()  # on the store's thread, whichever thread the call ran on
        job = self._jobs.pop(number, None)
        if job is not None:
            _reply(job, body)

    def _on_usage(self, ref: ArtifactRef, calls: int, tokens: int) -> None:
        self.usageChanged.emit(self._keys.get(ref, ""), calls, tokens)


def _result(value: Any) -> bytes:
    return json.dumps({"ok": True, "result": value}, ensure_ascii=False).encode("utf-8")


def _error(message: str) -> bytes:
    return json.dumps({"ok": False, "error": message}, ensure_ascii=False).encode("utf-8")


def _reply(job: QWebEngineUrlRequestJob, body: bytes) -> None:
    job.setAdditionalResponseHeaders(_HEADERS)
    buffer = QBuffer(job)  # parented: it lives exactly as long as the reply needs it
    buffer.setData(body)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    job.reply(b"application/json", buffer)
