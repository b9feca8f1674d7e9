"""Benchmark: time to a ready window, Easel against a bare QtWebEngine window, same run.

Each is measured in a fresh process (offscreen), from the first line of the child script to
the moment its web view has loaded: for Easel, the real main window shown with its transcript
page loaded (EaselApp.transcript_ready) and the latest stored conversation open, started by
`easel.main.main` itself, as `python main.py` starts it (the check of Qt's libraries, the
scheme, network wall, window icon, language, theme and the transcript page started while the
rest is imported, then the app; the keyring backend is looked for after the first frame): the
child only wraps the loading of widgets.early_start and widgets.app to hear the moments (each
printed as a median: the engine's start, the page loaded, the modules imported, the window built,
ready); for the baseline, a QWebEngineView
showing one small page; and the floor (FLOOR below): the first frame's parts written plainly,
without the rest of Easel, to show how far under Easel's a start on this stack can go. What
Easel defers until after that moment (widgets/warm_up.py, model lists, tool servers) is not
counted: the window is usable before it. Prints the medians and the ratios (each the median of
the rounds' own ratios; target <= 2.0), the resident memory of each process tree once ready,
then Easel idle: one more start whose window is left alone (12 s: the deferred work, and the
text cursor resting after 10 s without input as GTK's does, widgets/cursor_rest.py; then 6 s
sampled), with the PSS and CPU use of its whole process tree (web engine included; targets
<= 400 MB, 0 %) and the anonymous part of that PSS (mapped libraries count as far as they are
resident, which the page cache moves: bench/process_tree.py); then the anatomy: one more start
of each with probes (ANATOMY) that count what their Python made up to that moment (the enum
classes PySide makes for Qt's enums, dataclasses, regexes compiled, modules imported) and the
process's CPU time beside its wall time; and `RESULT {json}`.

    .venv/bin/python bench/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REPLY = (
    "## The plan\n\nA short answer with *emphasis*, `code` and a [link](https://example.com).\n\n"
    "- one\n- two\n\n```python\ndef step(dt):\n    return dt * 2\n```\n\n"
)

BARE = """
import time; started = time.perf_counter()
import os, sys, json
from PySide6.QtWidgets import QApplication
from PySide6.QtWebEngineWidgets import QWebEngineView
app = QApplication([])
view = QWebEngineView(); view.resize(1200, 800); view.show()
def done(ok):
    print(json.dumps({"seconds": time.perf_counter() - started, "rss_kb": rss(),
                      "anatomy": anatomy() if "anatomy" in globals() else None}), flush=True)
    app.quit()
view.loadFinished.connect(done)
view.setHtml("<h1>Hello</h1>")
app.exec()
"""

EASEL = """
import time; started = time.perf_counter()
import json, sys
sys.path.insert(0, ROOT)


MARKS = {}  # where the start is, in ms from the first line: each moment's first time


def mark(name):
    MARKS.setdefault(name, round((time.perf_counter() - started) * 1000, 1))


def on_early_module(module):  # widgets.early_start: the engine's start and the imports
    start_early, import_meanwhile = module.start_early, module.import_meanwhile

    def early(*args, **kwargs):
        mark("engine_starting")
        made = start_early(*args, **kwargs)
        mark("engine_started")
        made.transcript_page.loadFinished.connect(lambda _ok: mark("page_loaded"))
        return made

    def meanwhile(*args, **kwargs):
        import_meanwhile(*args, **kwargs)
        mark("modules_imported")

    module.start_early, module.import_meanwhile = early, meanwhile


def on_app_module(module):  # widgets.app, imported by the start itself: time its window
    made = module.EaselApp.__init__

    def init(self, *args, **kwargs):
        made(self, *args, **kwargs)
        mark("window_built")
        self.transcript.ready.connect(lambda: ready(self))

    module.EaselApp.__init__ = init


def ready(easel):  # the moment itself, before anything deferred to after it runs
    if not easel.window.isVisible() or getattr(easel, "bench_timed", False):
        return
    easel.bench_timed = True
    mark("ready")
    result = {"seconds": time.perf_counter() - started, "rss_kb": rss(), "marks": MARKS}
    result["anatomy"] = anatomy() if "anatomy" in globals() else None
    if not IDLE:
        finish(easel, result)
        return
    from PySide6.QtCore import QTimer  # then the window left alone: nothing asked of it

    def sample():
        used = cpu_ms()

        def end():
            result["idle_cpu_percent"] = (cpu_ms() - used) / (IDLE_SAMPLE_S * 10)
            result["idle_pss_kb"], result["idle_anon_kb"] = pss_kb()
            finish(easel, result)

        QTimer.singleShot(IDLE_SAMPLE_S * 1000, end)

    QTimer.singleShot(IDLE_SETTLE_S * 1000, sample)


def finish(easel, result):
    print(json.dumps(result), flush=True)
    easel.window.close()  # EaselApp.run() ends, and with it main()


WRAPPED = {"widgets.early_start": on_early_module, "widgets.app": on_app_module}


class AfterImport:  # a finder that only wraps the loading of the modules in WRAPPED
    def find_spec(self, name, path, target=None):
        if name not in WRAPPED:
            return None
        wrap = WRAPPED.pop(name)
        if not WRAPPED:
            sys.meta_path.remove(self)
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            wrap(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, AfterImport())
from easel.main import main
sys.exit(main(["--base-url", "http://127.0.0.1:9/v1", "--model", "m"]))
"""

# The floor: the parts of Easel's first frame and nothing more, written plainly, one after the
# other: Qt and the web engine, asyncio with qasync, the history read with sqlite3 and its
# replies rendered with markdown-it, a window with a list, the transcript's own page, a composer,
# a button and a menu. No settings, theme, language, network wall, scheme, keyring, history
# check-up or early start. How far under Easel's a start with these parts can go on this stack.
FLOOR = """
import time; started = time.perf_counter()
import asyncio, json, os, sqlite3
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QApplication, QListWidget, QMainWindow, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout,
    QWidget,
)
import qasync
from markdown_it import MarkdownIt
app = QApplication([])
profile = QWebEngineProfile()
page = QWebEnginePage(profile)
page.load(QUrl.fromLocalFile(ROOT + "/assets/transcript/transcript.html"))
history = sqlite3.connect(os.environ["EASEL_BENCH_DB"])
window, splitter, chat = QMainWindow(), QSplitter(), QWidget()
conversations = QListWidget()
conversations.addItems([title for (title,) in history.execute("SELECT title FROM conversations")])
column = QVBoxLayout(chat)
view = QWebEngineView()
view.setPage(page)
column.addWidget(view)
column.addWidget(QPlainTextEdit())
column.addWidget(QPushButton("Send"))
splitter.addWidget(conversations)
splitter.addWidget(chat)
window.setCentralWidget(splitter)
window.menuBar().addMenu("File").addAction("New chat")
window.resize(1200, 800)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
markdown = MarkdownIt("commonmark")
rows = history.execute("SELECT content FROM messages ORDER BY id").fetchall()
messages = "".join(f"<div>{markdown.render(content)}</div>" for (content,) in rows)
window.show()

def done(ok):
    page.runJavaScript(f"document.getElementById('messages').innerHTML = {json.dumps(messages)}")
    print(json.dumps({"seconds": time.perf_counter() - started, "rss_kb": rss()}), flush=True)
    app.quit()

page.loadFinished.connect(done)
with loop:
    loop.run_forever()
"""

RSS = """
import os, sys
sys.path.insert(0, ROOT)
IDLE = bool(os.environ.get("EASEL_BENCH_IDLE"))
IDLE_SETTLE_S, IDLE_SAMPLE_S = 12, 6

def rss():  # imported when called: after the moment the child times
    from bench.process_tree import rss_tree_kb
    return rss_tree_kb()

def cpu_ms():
    from bench.process_tree import cpu_ms
    return cpu_ms()

def pss_kb():
    from bench.process_tree import pss_tree_parts_kb
    parts = pss_tree_parts_kb()
    return parts["pss"], parts["anon"]
"""


# The anatomy (one more start of each, not timed for the ratio: the probes cost a little): what
# the Python work of a start is made of, counted as it happens up to the moment the child times.
# PySide makes a Python enum class for every enum of a Qt class the first time the class is used
# (all of the `Qt` namespace's 93 at once), each costing ~10 µs a member in Python 3.11; the
# dataclasses, the regexes compiled and the modules imported are the rest of what no deferral
# removes from a window that uses them. Installed before the child's first line.
ANATOMY = """
import dataclasses as _dataclasses, enum as _enum, functools as _functools, re as _re
import sys as _sys, time as _time

PROBED = {"enum_classes": [0, 0.0], "dataclasses": [0, 0.0], "regexes": [0, 0.0]}


def _probe(kind, original):
    @_functools.wraps(original)  # keeps easel/quick_enums.py's mark: installed once, probed
    def probed(*args, **kwargs):
        begun = _time.thread_time()  # CPU time: a wait for the GIL on the import thread is none
        try:
            return original(*args, **kwargs)
        finally:
            PROBED[kind][0] += 1
            PROBED[kind][1] += _time.thread_time() - begun

    return probed


_enum.EnumType._create_ = _probe("enum_classes", _enum.EnumType._create_)
_dataclasses._process_class = _probe("dataclasses", _dataclasses._process_class)
_re._compile = _probe("regexes", _re._compile)


def anatomy():
    made = {kind: {"count": n, "ms": round(s * 1000, 1)} for kind, (n, s) in PROBED.items()}
    made["regexes"].pop("count")  # every use goes through re's cache: only the time counts
    own = ("app.", "widgets.", "sandbox.", "easel.")
    made["modules"] = {"count": len(_sys.modules)}
    made["own_modules"] = {"count": sum(1 for name in _sys.modules if name.startswith(own))}
    # The process's CPU time (all its threads, since it began): next to the wall time, how far
    # the start is bound by this one process's work rather than by waiting for the engine.
    made["process_cpu"] = {"ms": round(_time.process_time() * 1000)}
    return made
"""

# Easel makes PySide6's enum classes the quick way from its first line on (easel/quick_enums.py):
# installed before the probes, so that they time those too.
QUICK_ENUMS = """
import sys as _sys
_sys.path.insert(0, ROOT)
from easel.quick_enums import install as _install_quick_enums
_install_quick_enums()
"""

# The moments of Easel's start the child marks (see EASEL), in the order they happen as a rule:
# the web engine's first profile and page (start_early), the transcript page loaded, the rest of
# the app imported on a thread meanwhile, EaselApp built, the window shown with its page.
TIMELINE = (
    "engine_starting",
    "engine_started",
    "page_loaded",
    "modules_imported",
    "window_built",
    "ready",
)


def measure(script: str, home: str, *, idle: bool = False, anatomy: bool = False) -> dict[str, Any]:
    from app.config import home_dirs
    from app.store import DB_FILE

    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
        "EASEL_HOME": home,
        "EASEL_BENCH_IDLE": "1" if idle else "",
        "EASEL_BENCH_DB": str(home_dirs()[1] / DB_FILE),  # the floor's (seed_history set home)
    }
    probes = ANATOMY if anatomy else ""
    if anatomy and script == EASEL:  # the probe times the enum classes made the quick way too
        probes = f"{QUICK_ENUMS}\n{probes}"
    source = f"ROOT = {str(ROOT)!r}\n{RSS}\n{probes}\n{script}"
    result = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, env=env, timeout=120
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("{"))
    return json.loads(line)


def describe_anatomy(made: dict[str, dict[str, dict[str, float]]]) -> str:
    """One line of the probed starts' counts and times, Easel's and the bare window's."""

    def one(kind: str, name: str) -> str:
        part = made[name][kind]
        count = f"{part['count']:.0f}" if "count" in part else ""
        ms = f"{part['ms']:.0f} ms" if "ms" in part else ""
        return " in ".join(p for p in (count, ms) if p)

    kinds = ("enum_classes", "dataclasses", "regexes", "modules", "own_modules", "process_cpu")
    return "; ".join(
        f"{kind.replace('_', ' ')} {one(kind, 'easel')} / {one(kind, 'bare')}" for kind in kinds
    )


def seed_history(home: str) -> None:
    """One stored conversation of three turns: the one the window opens at start."""
    os.environ["EASEL_HOME"] = home
    from app.store import Store

    store = Store.open_default()
    conversation = store.create_conversation("Bench conversation")
    for turn in range(3):
        store.add_message(conversation.id, "user", f"Question {turn}?")
        store.add_message(conversation.id, "assistant", REPLY * 4, model="m")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    # Easel's modules as bytecode, as scripts/setup-env and an installed package leave them:
    # with PYTHONDONTWRITEBYTECODE set (as on our machines) every start would compile them.
    for folder in ("app", "widgets", "sandbox", "easel"):
        compileall.compile_dir(ROOT / folder, quiet=1)
    home = tempfile.mkdtemp(prefix="easel-bench-")
    seed_history(home)
    bare, easel, floor = [], [], []
    for _ in range(rounds):  # interleaved, so all see the same machine
        bare.append(measure(BARE, home))
        easel.append(measure(EASEL, home))
        floor.append(measure(FLOOR, home))
    bare_s = statistics.median(r["seconds"] for r in bare)
    easel_s = statistics.median(r["seconds"] for r in easel)
    floor_s = statistics.median(r["seconds"] for r in floor)
    # Each round's own ratio (its starts saw the same machine), then their median.
    ratio = statistics.median(e["seconds"] / b["seconds"] for e, b in zip(easel, bare, strict=True))
    floor_ratio = statistics.median(
        f["seconds"] / b["seconds"] for f, b in zip(floor, bare, strict=True)
    )
    print(
        f"bare QWebEngineView window ready: {bare_s * 1000:.0f} ms, "
        f"{statistics.median(r['rss_kb'] for r in bare) / 1024:.0f} MB"
    )
    print(
        f"Easel main window ready:          {easel_s * 1000:.0f} ms, "
        f"{statistics.median(r['rss_kb'] for r in easel) / 1024:.0f} MB"
    )
    print(f"ratio: {ratio:.2f}  (target <= 2.0)")
    timeline = {
        name: statistics.median(r["marks"][name] for r in easel if name in r["marks"])
        for name in TIMELINE
    }
    print(
        "Easel's start, medians in ms: "
        + ", ".join(f"{name.replace('_', ' ')} {ms:.0f}" for name, ms in timeline.items())
    )
    print(
        f"the floor, the first frame's parts written plainly: {floor_s * 1000:.0f} ms, "
        f"ratio {floor_ratio:.2f}"
    )
    idle = measure(EASEL, home, idle=True)
    print(
        f"idle, the window left alone: {idle['idle_pss_kb'] / 1024:.0f} MB PSS (process tree; "
        f"{idle['idle_anon_kb'] / 1024:.0f} MB of it anonymous, the rest mapped files), "
        f"{idle['idle_cpu_percent']:.2f} % CPU  (targets <= 400 MB, 0 %)"
    )
    # One more start of each with the probes: what the Python work is made of (ANATOMY).
    probed = {
        "easel": measure(EASEL, home, anatomy=True),
        "bare": measure(BARE, home, anatomy=True),
    }
    made = {name: run["anatomy"] for name, run in probed.items()}
    print(
        "what the starts' Python made up to the window ready (one probed start each, "
        "Easel / bare): " + describe_anatomy(made)
    )
    result = {
        "ratio": round(ratio, 3),
        "easel_ms": round(easel_s * 1000),
        "bare_ms": round(bare_s * 1000),
        "floor_ratio": round(floor_ratio, 3),
        "easel_rss_mb": round(statistics.median(r["rss_kb"] for r in easel) / 1024),
        "idle_pss_mb": round(idle["idle_pss_kb"] / 1024),
        "idle_anon_mb": round(idle["idle_anon_kb"] / 1024),
        "idle_cpu_percent": round(idle["idle_cpu_percent"], 2),
        "timeline_ms": {name: round(ms) for name, ms in timeline.items()},
        "anatomy": made,
        "rounds": rounds,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
