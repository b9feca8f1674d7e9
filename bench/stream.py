"""Benchmark: a 20,000-token reply streamed as fast as the loopback server can send it,
into the real window (offscreen), against httpx alone reading the same stream in the same run.

Prints the ratio (target ≤ 1.2), event-loop lag while streaming (the lateness of a 10 ms timer:
p50/p99/max, target p99 ≤ 50 ms) and the peak memory of Easel with its web engine processes.

    .venv/bin/python bench/stream.py [--tokens 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
os.environ["EASEL_HOME"] = tempfile.mkdtemp(prefix="easel-bench-")

import httpx  # noqa: E402

from tests.model_server import ModelServer, openai_text_reply  # noqa: E402


def reply_text(tokens: int) -> str:
    """Realistic Markdown (prose, lists, code) of about `tokens` 4-character tokens."""
    block = (
        "## Section\n\nThis paragraph explains the *design* of the game loop, with `code` and "
        "a [link](https://example.com). It keeps going for a while to look like prose.\n\n"
        "- first point about **speed**\n- second point about memory\n- third point\n\n"
        "```javascript\nfunction step(dt) {\n  ball.x += ball.vx * dt;\n  ball.y += ball.vy * dt;\n"
        "  if (ball.x < 0 || ball.x > W) ball.vx *= -1;\n}\n```\n\n"
    )
    text = ""
    while len(text) < tokens * 4:
        text += block
    return text[: tokens * 4]


def rss_tree_kb() -> int:
    """Resident memory of this process and all its descendants (the web engine's), in KB."""
    total = 0
    pids = [os.getpid()]
    seen = set()
    while pids:
        pid = pids.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            pids.extend(int(c) for c in children)
        except OSError:
            continue
    return total


async def provider_alone(server: RemoteServer) -> float:
    """The same stream read and decoded by the provider, with no UI at all."""
    from app.providers import ChatRequest, Message, make_provider

    start = time.perf_counter()
    async with httpx.AsyncClient() as client:
        provider = make_provider(
            "openai", client=client, base_url=server.openai_base, api_key=None, name="bench"
        )
        request = ChatRequest(model="bench", messages=(Message("user", "go"),))
        async for _ in provider.stream(request):
            pass
    return time.perf_counter() - start


async def httpx_alone(server: RemoteServer) -> float:
    start = time.perf_counter()
    async with httpx.AsyncClient() as client:
        async with client.stream(
            "POST", f"{server.openai_base}/chat/completions", json={"stream": True}
        ) as response:
            async for _ in response.aiter_bytes():
                pass
    return time.perf_counter() - start


def serve(tokens: int, replies: int) -> None:
    """The loopback model server in a process of its own (no GIL shared with the client)."""
    text = reply_text(tokens)
    with ModelServer() as server:
        for _ in range(replies):
            server.enqueue(openai_text_reply(text, chunk_chars=4))
        print(server.openai_base, flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin


class RemoteServer:
    """A ModelServer in a child process, with its replies scripted up front."""

    def __init__(self, tokens: int, replies: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(replies), "--tokens", str(tokens)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.openai_base = self.process.stdout.readline().strip()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)
        self.process.stdout.close()


def run(tokens: int) -> None:
    from sandbox.scheme import register_scheme

    register_scheme()
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.secrets import KeyStore
    from widgets.app import EaselApp

    qt_app = QApplication([])
    qt_app.setQuitOnLastWindowClosed(False)  # as main.py does
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    # As main.py does: qasync does not install these, and httpx leaves generators to finalise.
    sys.set_asyncgen_hooks(
        firstiter=loop._asyncgen_firstiter_hook, finalizer=loop._asyncgen_finalizer_hook
    )
    text = reply_text(tokens)

    rounds = 3
    server = RemoteServer(tokens, 2 * rounds + 1)
    with loop:
        args = argparse.Namespace(
            provider=None,
            base_url=server.openai_base,
            model="bench",
            api_key_env=None,
            kind=None,
            screenshot=None,
        )

        async def scenario() -> None:
            keys = await KeyStore.open_default()
            easel = EaselApp(args, loop, keys)
            runner = asyncio.ensure_future(easel.run())
            while not easel.transcript_ready:
                await asyncio.sleep(0.05)
            baseline = min([await httpx_alone(server) for _ in range(rounds)])
            decoded = min([await provider_alone(server) for _ in range(rounds)])
            idle_rss = rss_tree_kb()

            lags: list[float] = []
            last = [time.perf_counter()]
            peak = [idle_rss]
            timer = QTimer()
            timer.setInterval(10)

            def tick() -> None:
                now = time.perf_counter()
                lags.append(max(0.0, (now - last[0]) * 1000 - 10))
                last[0] = now
                if len(lags) % 20 == 0:
                    peak[0] = max(peak[0], rss_tree_kb())

            timer.timeout.connect(tick)
            start = time.perf_counter()
            last[0] = start
            timer.start()
            easel.chat.send("stream a long answer")
            while easel.chat.task is None or not easel.chat.task.done():
                await asyncio.sleep(0.005)
            easel.transcript.flush()
            await _rendered(easel.transcript)
            total = time.perf_counter() - start
            timer.stop()
            peak[0] = max(peak[0], rss_tree_kb())

            lags.sort()
            p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]  # noqa: E731
            print(f"tokens: {tokens:,} ({len(text):,} chars)")
            print(f"httpx alone (bytes only): {baseline * 1000:.0f} ms")
            print(f"provider alone (decoded events, no UI): {decoded * 1000:.0f} ms")
            print(f"into the window: {total * 1000:.0f} ms")
            print(f"ratio to httpx alone: {total / baseline:.2f}  (target <= 1.2)")
            print(f"ratio to the decoded stream: {total / decoded:.2f}  (the cost of the UI)")
            print(
                f"event-loop lag: p50 {statistics.median(lags):.1f} ms, p99 {p(0.99):.1f} ms, "
                f"max {lags[-1]:.1f} ms  (target p99 <= 50 ms)"
            )
            print(
                f"memory (app + web engine): idle {idle_rss / 1024:.0f} MB, "
                f"peak {peak[0] / 1024:.0f} MB"
            )
            easel.window.close()
            await runner

        loop.run_until_complete(scenario())
    server.close()


async def _rendered(view) -> None:
    """Wait until the page has applied every queued update (a JS round trip)."""
    future = asyncio.get_running_loop().create_future()
    view.page().runJavaScript("1", 0, lambda v: future.done() or future.set_result(v))
    await asyncio.wait_for(future, 30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--serve", type=int, metavar="REPLIES", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(options.tokens, options.serve)
    else:
        run(options.tokens)
