"""Start-up defers what the first frame does not need (keyring too); the window is usable at once.

The desktop app starts in a fresh process (this one has imported everything already), started
the way main.py starts it, with the deferred warm-up turned off so that every deferred module
must load on its first use. At the moment the window is ready none of them is loaded yet; then a
prompt typed right away is sent and answered (its artifact opens a tab, which needs the artifact
tab's module), the settings and tools dialogs open, and the warm-up itself loads them all.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from pygments.lexers import find_lexer_class_by_name, get_lexer_by_name

from app.markdown import MarkdownRenderer
from widgets.warm_up import DEFERRED_MODULES, warm_up

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import asyncio, argparse, json, sys
sys.path.insert(0, sys.argv[1])
from sandbox.engine import start_network_wall
from sandbox.scheme import register_scheme
register_scheme()
gate = start_network_wall()
import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from app.config import load_settings
from app.secrets import KeyStore
from widgets.early_start import import_meanwhile, start_early
from widgets.theme import run_theme
from tests.model_server import ModelServer, openai_text_reply

REPLY = 'Here it is.\n<artifact identifier="box" type="text/html" title="Box">\n<p>box</p>\n</artifact>\n'
report = {}
app = QApplication([])
app.setQuitOnLastWindowClosed(False)
# As main.py starts: the transcript page loads while the rest of the app is imported.
early = start_early(app, run_theme(None, load_settings()))
import_meanwhile(["widgets.app"])
import widgets.app
from widgets.warm_up import DEFERRED_MODULES, warm_up

widgets.app.warm_up = lambda: None  # every deferred module must load on first use
loaded = lambda: sorted(m for m in (*DEFERRED_MODULES, "app.cli") if m in sys.modules)
report["imported_early"] = loaded()
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)

async def until(condition):
    for _ in range(400):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")

def seed():
    from app.store import Store
    store = Store.open_default()
    conversation = store.create_conversation("Stored")
    store.add_message(conversation.id, "user", "some ada?")
    store.add_message(conversation.id, "assistant", "```ada\nX : Integer := 1;\n```\n")
    store.close()

CODE = "JSON.stringify(Array.from(document.querySelectorAll('.code-block code'), c => c.innerHTML))"

def query(view, script, future):
    view.page().runJavaScript(script, 0, lambda value: future.done() or future.set_result(value))

async def main(server):
    seed()
    server.enqueue(openai_text_reply(REPLY))
    args = argparse.Namespace(provider=None, base_url=server.openai_base, model="m",
                              api_key_env=None, kind=None, screenshot=None)
    easel = widgets.app.EaselApp(args, loop, KeyStore.found_later(), gate, early)
    ready = loop.create_future()
    import threading
    import widgets.provider_control as control
    made_on = report.setdefault("clients_made_on", [])
    making = control._new_http_client
    def recording(*args, **kwargs):  # which thread makes each HTTP client
        made_on.append("gui" if threading.current_thread() is threading.main_thread() else "worker")
        return making(*args, **kwargs)
    control._new_http_client = recording

    code_at_ready = loop.create_future()

    def on_ready():  # the first frame: type and send at once
        report["at_ready"] = loaded()
        report["keyring_at_ready"] = "keyring" in sys.modules
        report["pygments_at_ready"] = "pygments" in sys.modules
        report["visible"] = easel.window.isVisible()
        query(easel.transcript, CODE, code_at_ready)
        easel.composer.edit.setPlainText("make a box")
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
        ready.set_result(None)

    easel.transcript.ready.connect(on_ready)

    async def count_when_warm():  # what the collector's full passes scan from then on
        import gc

        await easel.warmed_up.wait()
        report["tracked_after_warm_up"] = len(gc.get_objects())

    counting = asyncio.ensure_future(count_when_warm())
    task = asyncio.ensure_future(easel.run())
    await ready
    await until(lambda: easel.chat.task is not None and easel.chat.task.done())
    conversation = easel.chat.conversation_id
    report["stored"] = [m.content for m in easel.store.messages(conversation)][-2:]
    report["code_at_ready"] = json.loads(await code_at_ready)
    code_later = loop.create_future()
    query(easel.transcript, CODE, code_later)
    report["code_later"] = json.loads(await code_later)
    report["tab"] = easel.panel.tab("box") is not None
    # The keyring backend was looked for after the first frame; the form says what it found.
    available = await easel.keys.ready()
    note = "" if available else easel.keys.unavailable_reason
    await until(lambda: easel.form.keyring_label.text() == note)
    report["keyring_note_shown"] = easel.form.keyring_label.isVisibleTo(easel.form) == bool(note)
    report["session_only_forced"] = easel.form.session_only.isEnabled() == available
    easel.settings_menu.show_providers()
    easel.settings_menu.show_tools()
    report["after_use"] = loaded()
    await asyncio.wait_for(easel.warmed_up.wait(), 60)  # what the benches wait for
    report["warmed_up"] = easel.warmed_up.is_set()
    await counting
    warm_up()
    report["after_warm_up"] = loaded()
    easel.window.close()
    await asyncio.wait_for(task, 20)

with ModelServer() as server, loop:
    loop.run_until_complete(main(server))
print("REPORT " + json.dumps(report), flush=True)
"""


def test_start_defers_modules_and_takes_a_prompt_at_once(tmp_path):
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "EASEL_HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags:
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, result.stderr[-3000:]
    report = json.loads(lines[-1].removeprefix("REPORT "))
    assert report["visible"]
    # The prompt sent with the first frame waited for the client made on a worker thread (its
    # SSL context froze the window ~100-200 ms when the turn made its own on the GUI thread).
    assert report["clients_made_on"] == ["worker"]
    assert report["imported_early"] == []  # the early imports take none of them either
    assert report["at_ready"] == []  # nothing deferred was loaded before the first frame
    assert not report["keyring_at_ready"]  # its backend is looked for after the first frame
    assert not report["pygments_at_ready"]  # stored code is plain in the first frame anyway
    assert report["keyring_note_shown"] and report["session_only_forced"]
    assert report["stored"][0] == "make a box"
    assert "Here it is." in report["stored"][1] and "<p>box</p>" in report["stored"][1]
    assert report["tab"]  # the artifact tab's module loaded when the first tab needed it
    assert {"widgets.artifact_tab", "widgets.settings_dialogs", "widgets.tools_dialog"} <= set(
        report["after_use"]
    )
    assert report["after_warm_up"] == sorted(DEFERRED_MODULES)  # and app.cli never
    assert report["warmed_up"]  # the warm-up says when it is over (the benches wait for it)
    # What the warm-up imported is frozen with the rest of start-up: the collector's full
    # passes (20-35 ms each over the ~20,000-47,000 objects it made) scan next to nothing.
    assert report["tracked_after_warm_up"] < 10_000, report["tracked_after_warm_up"]
    # The stored code block was plain in the first frame (no lexer compiled for it), then
    # highlighted exactly as a normal render does.
    assert report["code_at_ready"] == ["X : Integer := 1;\n"]
    renderer = MarkdownRenderer()
    assert report["code_later"][0] == renderer.highlight_code("X : Integer := 1;\n", "ada")
    assert "hl-" in report["code_later"][0]


def test_a_deferred_block_is_plain_and_noted_then_highlighted_as_usual():
    text = "Some code:\n\n```cobol\nDISPLAY 'HI'.\n```\n"
    normal = MarkdownRenderer().render(text)
    renderer = MarkdownRenderer()
    renderer.defer_uncompiled = True
    get_lexer_by_name("python")  # compiled: never deferred
    assert "hl-" in renderer.render("```python\nx = 1\n```\n")
    if "_tokens" in find_lexer_class_by_name("cobol").__dict__:
        return  # another test compiled it in this process: nothing to defer
    deferred = renderer.render(text)
    assert "hl-" not in deferred and "DISPLAY &#x27;HI&#x27;." not in deferred
    assert renderer.plain_code == [(0, "cobol", "DISPLAY 'HI'.\n")]
    highlighted = renderer.highlight_code("DISPLAY 'HI'.\n", "cobol")
    assert highlighted in normal


def test_warm_up_loads_every_deferred_module():
    warm_up()
    assert all(name in sys.modules for name in DEFERRED_MODULES)


def test_the_startup_bench_runs_and_reports_idle_too():
    """bench/startup.py, one round: it starts Easel as main.py does, the floor (the first
    frame's parts written plainly), the idle sample and the probed starts (the anatomy)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "startup.py"), "--rounds", "1"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    figures = json.loads(last.removeprefix("RESULT "))
    assert {"ratio", "floor_ratio", "idle_pss_mb", "idle_cpu_percent"} <= set(figures)
    assert figures["idle_pss_mb"] > 0 and figures["ratio"] > 0 and figures["floor_ratio"] > 0
    # The start's moments were all heard, in the order they happen in.
    timeline = figures["timeline_ms"]
    assert list(timeline) == [
        "engine_starting", "engine_started", "page_loaded", "modules_imported", "window_built",
        "ready",
    ]  # fmt: skip
    assert timeline["engine_starting"] < timeline["engine_started"] < timeline["window_built"]
    assert timeline["modules_imported"] < timeline["window_built"] < timeline["ready"]
    assert timeline["page_loaded"] <= timeline["ready"]
    # The anatomy's probes heard the Python work of both starts: the bare window's enum classes
    # (QtCore's own), Easel's own modules, dataclasses and more enum classes (the Qt namespace).
    easel, bare = figures["anatomy"]["easel"], figures["anatomy"]["bare"]
    assert bare["own_modules"]["count"] == 0 < easel["own_modules"]["count"]
    assert bare["dataclasses"]["count"] == 0 < easel["dataclasses"]["count"]
    assert 0 < bare["enum_classes"]["count"] < easel["enum_classes"]["count"]
    assert bare["modules"]["count"] < easel["modules"]["count"]
    assert easel["process_cpu"]["ms"] > 0 and bare["process_cpu"]["ms"] > 0
