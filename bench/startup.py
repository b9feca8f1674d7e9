"""Benchmark: time to a ready window, Easel against a bare QtWebEngine window, same run.

Each is measured in a fresh process (offscreen), from the first line of the child script to
the moment its web view has loaded: for Easel, the transcript page of the real main window with
a stored conversation open; for the baseline, a QWebEngineView showing one small page. Prints
the medians and the ratio, and the resident memory of each process tree once ready.

    .venv/bin/python bench/startup.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = """
import time; started = time.perf_counter()
import os, sys, json
from PySide6.QtWidgets import QApplication
from PySide6.QtWebEngineWidgets import QWebEngineView
app = QApplication([])
view = QWebEngineView(); view.resize(1200, 800); view.show()
def done(ok):
    print(json.dumps({"seconds": time.perf_counter() - started, "rss_kb": rss()}), flush=True)
    app.quit()
view.loadFinished.connect(done)
view.setHtml("<h1>Hello</h1>")
app.exec()
"""

EASEL = """
import time; started = time.perf_counter()
import asyncio, argparse, json, sys
sys.path.insert(0, ROOT)
from sandbox.scheme import register_scheme
register_scheme()
import qasync
from PySide6.QtWidgets import QApplication
from app.secrets import KeyStore
from widgets.app import EaselApp
app = QApplication([]); app.setQuitOnLastWindowClosed(False)
loop = qasync.QEventLoop(app); asyncio.set_event_loop(loop)
args = argparse.Namespace(provider=None, base_url="http://127.0.0.1:9/v1", model="m",
                          api_key_env=None, kind=None, screenshot=None)
async def main():
    easel = EaselApp(args, loop, await KeyStore.open_default())
    task = asyncio.ensure_future(easel.run())
    while not easel.transcript_ready:
        await asyncio.sleep(0.005)
    print(json.dumps({"seconds": time.perf_counter() - started, "rss_kb": rss()}), flush=True)
    easel.window.close()
    await task
with loop:
    loop.run_until_complete(main())
"""

RSS = """
def rss():
    import os
    from pathlib import Path
    total, todo, seen = 0, [os.getpid()], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            pass
    return total
"""


def measure(script: str, home: str) -> dict[str, float]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
        "EASEL_HOME": home,
    }
    source = f"ROOT = {str(ROOT)!r}\n{RSS}\n{script}"
    result = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, env=env, timeout=120
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("{"))
    return json.loads(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    home = tempfile.mkdtemp(prefix="easel-bench-")
    bare, easel = [], []
    for _ in range(rounds):  # interleaved, so both see the same machine
        bare.append(measure(BARE, home))
        easel.append(measure(EASEL, home))
    bare_s = statistics.median(r["seconds"] for r in bare)
    easel_s = statistics.median(r["seconds"] for r in easel)
    print(
        f"bare QWebEngineView window ready: {bare_s * 1000:.0f} ms, "
        f"{statistics.median(r['rss_kb'] for r in bare) / 1024:.0f} MB"
    )
    print(
        f"Easel main window ready:          {easel_s * 1000:.0f} ms, "
        f"{statistics.median(r['rss_kb'] for r in easel) / 1024:.0f} MB"
    )
    print(f"ratio: {easel_s / bare_s:.2f}")


if __name__ == "__main__":
    main()
