"""Benchmark: how long the event loop stalls while the window takes in very large replies.

Into the real window (offscreen), from a loopback model server in a process of its own:
- a reply holding a 5 MB HTML artifact (streams into the code view, runs in the sandbox);
- a 50 MB prose reply (streams into the transcript, is stored);
- the baseline, measured in the same run: a reply holding a 50 KB artifact (a typical game);
- then the conversation opened again, as after a restart (`reopen_stall_ms`).

A loop-lag probe (a QTimer every 5 ms recording how late it fires) gives the longest stall of
each; a watchdog thread samples the GUI thread's Python stack whenever the loop is more than
100 ms late, so the figures say *where* the time went. The last line is `RESULT {json}`:
max stall in ms for each payload, and each one's ratio to the baseline's max stall.

    .venv/bin/python bench/large_payloads.py [--artifact-mb 5] [--reply-mb 50]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
os.environ["EASEL_HOME"] = tempfile.mkdtemp(prefix="easel-bench-")

from tests.model_server import ModelServer, openai_text_reply  # noqa: E402

PROBE_MS = 5
STALL_SAMPLE_MS = 100  # the watchdog samples the GUI thread's stack past this lateness


def artifact_reply(size: int) -> str:
    """A reply whose artifact is an HTML page of about `size` bytes (a big data table + code)."""
    row = "<tr><td>{n}</td><td>Item number {n}</td><td class=num>{p:.2f}</td></tr>\n"
    head = (
        "<!DOCTYPE html>\n<html><head><title>Big table</title><style>td{padding:2px}</style>"
        "</head><body><h1>Inventory</h1><table>\n"
    )
    rows: list[str] = []
    total = len(head)
    n = 0
    while total < size:
        line = row.format(n=n, p=n * 1.37)
        rows.append(line)
        total += len(line)
        n += 1
    page = head + "".join(rows) + "</table><script>console.log('rows', 1);</script></body></html>"
    return (
        "Here is the page.\n\n"
        f'<artifact identifier="big" type="text/html" title="Big table">\n{page}\n</artifact>\n'
        "Done.\n"
    )


def prose_reply(size: int) -> str:
    """Markdown prose of about `size` bytes (paragraphs, lists, short code blocks)."""
    block = (
        "## Section\n\nThis paragraph explains the *design* of the game loop, with `code` and "
        "a [link](https://example.com). It keeps going for a while to look like prose.\n\n"
        "- first point about **speed**\n- second point about memory\n- third point\n\n"
        "```javascript\nfunction step(dt) {\n  ball.x += ball.vx * dt;\n}\n```\n\n"
    )
    return (block * (size // len(block) + 1))[:size]


def serve(artifact_bytes: int, reply_bytes: int) -> None:
    """The loopback model server in a process of its own (no GIL shared with the window)."""
    with ModelServer() as server:
        server.enqueue(
            openai_text_reply(artifact_reply(50_000), chunk_chars=256),
            openai_text_reply(artifact_reply(artifact_bytes), chunk_chars=4096),
            openai_text_reply(prose_reply(reply_bytes), chunk_chars=16384),
        )
        print(server.openai_base, flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin


class LagProbe:
    """A timer every PROBE_MS; records lateness, and where the GUI thread was when stuck."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.lags: list[float] = []
        self.where: collections.Counter[str] = collections.Counter()
        self._last = time.perf_counter()
        self._main = threading.get_ident()
        self._timer = QTimer()
        self._timer.setInterval(PROBE_MS)
        self._timer.timeout.connect(self._tick)
        self._running = False
        self._watch = threading.Thread(target=self._watchdog, daemon=True)

    def start(self) -> None:
        self.lags.clear()
        self.where.clear()
        self._last = time.perf_counter()
        self._running = True
        self._timer.start()
        if not self._watch.is_alive():
            self._watch = threading.Thread(target=self._watchdog, daemon=True)
            self._watch.start()

    def stop(self) -> float:
        self._timer.stop()
        self._running = False
        return max(self.lags, default=0.0)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lags.append(max(0.0, (now - self._last) * 1000 - PROBE_MS))
        self._last = now

    def _watchdog(self) -> None:
        while self._running:
            time.sleep(STALL_SAMPLE_MS / 2000)
            if (time.perf_counter() - self._last) * 1000 > STALL_SAMPLE_MS:
                frame = sys._current_frames().get(self._main)
                if frame is not None:
                    self.where[_place(frame)] += 1

    def report(self, name: str) -> None:
        print(flush=True)
        print(f"{name}: max stall {max(self.lags, default=0):.0f} ms over {len(self.lags)} ticks")
        for place, count in self.where.most_common(4):
            print(f"    ~{count * STALL_SAMPLE_MS / 2:.0f} ms stuck in {place}")


def _place(frame) -> str:
    """The innermost frames of Easel's own code (app/, widgets/, sandbox/) on this stack."""
    ours = [
        f"{Path(f.filename).parent.name}/{Path(f.filename).name}:{f.lineno} {f.name}"
        for f in traceback.extract_stack(frame)
        if any(f"/{part}/" in f.filename for part in ("app", "widgets", "sandbox"))
    ]
    return " < ".join(reversed(ours[-3:])) or "Qt or the event loop"


def run(artifact_mb: float, reply_mb: float) -> dict[str, float]:
    from sandbox.scheme import register_scheme

    register_scheme()
    import qasync
    from PySide6.QtWidgets import QApplication

    from app.secrets import KeyStore
    from widgets.app import EaselApp

    qt_app = QApplication([])
    qt_app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    sys.set_asyncgen_hooks(
        firstiter=loop._asyncgen_firstiter_hook, finalizer=loop._asyncgen_finalizer_hook
    )
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            "--artifact-mb",
            str(artifact_mb),
            "--reply-mb",
            str(reply_mb),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    base = server.stdout.readline().strip()
    figures: dict[str, float] = {}
    with loop:
        args = argparse.Namespace(
            provider=None,
            base_url=base,
            model="bench",
            api_key_env=None,
            kind=None,
            screenshot=None,
        )

        async def one(easel, probe: LagProbe, name: str, prompt: str) -> float:
            probe.start()
            start = time.perf_counter()
            easel.chat.send(prompt)
            while easel.chat.task is None or not easel.chat.task.done():
                await asyncio.sleep(0.005)
            easel.transcript.flush()
            while easel.transcript.rendering:  # big text is rendered a step per frame
                await asyncio.sleep(0.05)
            await _settled(easel)
            stall = probe.stop()
            probe.report(name)
            print(f"    total {time.perf_counter() - start:.1f} s", flush=True)
            return stall

        async def scenario() -> None:
            keys = await KeyStore.open_default()
            easel = EaselApp(args, loop, keys)
            runner = asyncio.ensure_future(easel.run())
            while not easel.transcript_ready:
                await asyncio.sleep(0.05)
            probe = LagProbe()
            figures["baseline_50kb_artifact_stall_ms"] = await one(
                easel, probe, "baseline: 50 KB artifact", "a small page"
            )
            figures["artifact_5mb_stall_ms"] = await one(
                easel, probe, f"{artifact_mb:g} MB artifact", "a big page"
            )
            figures["reply_50mb_stall_ms"] = await one(
                easel, probe, f"{reply_mb:g} MB reply", "a long answer"
            )
            # Opened again later: the three replies read back, the artifact panel loaded.
            conversation = easel.chat.conversation_id
            easel.chat.open(None)
            await _settled(easel)
            probe.start()
            easel.chat.open(conversation)
            while easel.transcript.rendering or easel.chat.loader.loading:
                await asyncio.sleep(0.05)
            await _settled(easel)
            figures["reopen_stall_ms"] = probe.stop()
            probe.report("the conversation opened again")
            easel.window.close()
            await runner

        loop.run_until_complete(scenario())
    server.stdin.close()
    server.wait(10)
    base_stall = max(figures["baseline_50kb_artifact_stall_ms"], PROBE_MS)
    figures["artifact_ratio_to_baseline"] = figures["artifact_5mb_stall_ms"] / base_stall
    figures["reply_ratio_to_baseline"] = figures["reply_50mb_stall_ms"] / base_stall
    return {key: round(value, 1) for key, value in figures.items()}


async def _settled(easel) -> None:
    """Until the transcript and the artifact's page have applied what they were sent."""
    for view in (easel.transcript, *_artifact_views(easel)):
        future = asyncio.get_running_loop().create_future()
        view.page().runJavaScript("1", 0, lambda v, f=future: f.done() or f.set_result(v))
        try:
            await asyncio.wait_for(future, 60)
        except TimeoutError:
            print("    (a page did not answer within 60 s)")
    await asyncio.sleep(0.3)  # work queued right after the end (highlighting, checkpoints)


def _artifact_views(easel) -> list:
    tab = easel.panel.current_tab()
    return [tab.view] if tab is not None else []


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--artifact-mb", type=float, default=5.0)
    parser.add_argument("--reply-mb", type=float, default=50.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(int(options.artifact_mb * 1e6), int(options.reply_mb * 1e6))
    else:
        result = run(options.artifact_mb, options.reply_mb)
        print("RESULT " + json.dumps(result))
