"""The child process of bench/scale.py: the real main window on a prepared EASEL_HOME.

    python bench/scale_window.py startup                 seconds to a ready window
    python bench/scale_window.py open SMALL BIG ROUNDS   seconds to open each conversation
    python bench/scale_window.py tabs CONVERSATION TABS  memory before and after the tabs
    python bench/scale_window.py turn SMALL BIG ROUNDS URL  loop stalls of a turn in each

Started like `main.py` (scheme, network wall, GPU switches, the QApplication, the transcript page
loading while the app is imported) and offscreen.
Prints one JSON line. "Ready" is bench/startup.py's definition: the transcript page of the main
window has loaded, with the newest stored conversation open. "Opened" is the first paint of a
conversation: the transcript's last article is the conversation's last message, with its text,
and the page is scrolled to its end; timed from the call to `ChatController.open` to the moment
the page has applied the update that got it there (noted in the page by a MutationObserver, on
the page's clock, read afterwards: not a polling round trip later). Paint follows at the page's
next frame; when that frame starts is reported too ("*_frame"), but the ratio leaves it out: it
waits for the frame clock, up to a frame for either conversation alike. Memory is the PSS of
the process and all its children (QtWebEngine's browser, GPU and renderer processes). A turn is
one question sent at the end of a conversation and answered by the loopback model server at URL
(in the parent process); its figure is the event loop's longest stall from Send until the
turn's work is over (the reply shown, decorated and indexed), sampled by a 2 ms timer.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before any import of Qt or Easel: start-up counts them

import argparse  # noqa: E402
import asyncio  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.process_tree import pss_tree_kb  # noqa: E402
from sandbox.engine import add_gpu_switches, start_network_wall  # noqa: E402
from sandbox.scheme import register_scheme  # noqa: E402

register_scheme()
GATE = start_network_wall()
add_gpu_switches()

import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.heap import release_freed_memory  # noqa: E402
from app.secrets import KeyStore  # noqa: E402
from widgets.early_start import EarlyStart, import_meanwhile, start_early  # noqa: E402
from widgets.theme import run_theme  # noqa: E402

if TYPE_CHECKING:
    from widgets.app import EaselApp

# Watches the transcript page for the moment it shows `key` last, with text, scrolled to the end,
# and notes that moment on the page's clock (performance.now(), ms). A MutationObserver's
# callback runs as soon as the update that changed the page has been applied (easel.apply ends
# by scrolling to the end), so the note is taken in the renderer, when the state is reached, not
# a runJavaScript round trip (1-3 ms, and turns of the window's loop) later. The frame that
# paints it is noted too (when its requestAnimationFrame callbacks run).
_WATCH = """(() => {
  const key = %s;
  const note = window.__opened = { ready: null, frame: null };
  const shown = () => {
    const last = document.querySelector("#messages > article.msg:last-of-type");
    if (!last || last.dataset.key !== key) return false;
    if (!last.querySelector(".msg-body").textContent) return false;
    const doc = document.documentElement;
    return doc.scrollHeight - window.scrollY - window.innerHeight < 4;
  };
  const watch = new MutationObserver(() => {
    if (note.ready !== null || !shown()) return;
    note.ready = performance.now();
    watch.disconnect();
    requestAnimationFrame(() => { note.frame = performance.now(); });
  });
  watch.observe(document.getElementById("messages"), {
    childList: true, subtree: true, characterData: true,
  });
  return true;
})()"""
# The page's clock, for the offset between it and time.perf_counter().
_PAGE_NOW = "performance.now()"


async def until(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    """Wait, turning the loop, until predicate() holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.002)


async def js(easel: EaselApp, script: str) -> Any:  # noqa: ANN401 - any JSON value
    """The value of a script run in the transcript page."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    easel.transcript.page().runJavaScript(
        script, 0, lambda value: future.done() or future.set_result(value)
    )
    return await future


async def page_clock(easel: EaselApp) -> float:
    """Seconds to add to the page's performance.now() (in s) to get time.perf_counter().

    Both are monotonic clocks; the offset is taken from the quickest of a few round trips, the
    page's reading placed halfway through it (within half that round trip, well under 1 ms).
    """
    best: tuple[float, float] | None = None
    for _ in range(8):
        before = time.perf_counter()
        page_ms = await js(easel, _PAGE_NOW)
        after = time.perf_counter()
        if best is None or after - before < best[0]:
            best = (after - before, (before + after) / 2 - page_ms / 1000)
    assert best is not None
    return best[1]


async def open_seconds(easel: EaselApp, conversation_id: int) -> tuple[float, float]:
    """Seconds from opening a conversation to its first paint (see the module's docstring),
    and to the start of the frame that paints it."""
    from widgets.chat import message_key

    last = easel.store.messages(conversation_id)[-1]
    offset = await page_clock(easel)
    assert await js(easel, _WATCH % json.dumps(message_key(last.id)))
    start = time.perf_counter()
    easel.chat.open(conversation_id)
    note = None
    deadline = time.monotonic() + 60
    while not (note and note["ready"] is not None and note["frame"] is not None):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the conversation was not shown in time: {note}")
        await asyncio.sleep(0.005)  # the moment is noted on the page: polling adds nothing to it
        note = json.loads(await js(easel, "JSON.stringify(window.__opened)"))
    return (
        note["ready"] / 1000 + offset - start,
        note["frame"] / 1000 + offset - start,
    )


async def settle(easel: EaselApp) -> None:
    """Let deleteLater and the transcript's leftover work run before the next measurement."""
    await until(lambda: not (easel.transcript.rendering or easel.chat.loader.loading), 120)
    quick = 0  # the page answers at once three times in a row: its renderer is idle
    while quick < 3:
        start = time.perf_counter()
        await js(easel, "0")
        quick = quick + 1 if time.perf_counter() - start < 0.02 else 0
        await asyncio.sleep(0.05)
    gc.collect()


async def tab_memory(easel: EaselApp, conversation_id: int, tabs: int) -> dict[str, Any]:
    """PSS before any artifact tab, and after opening (showing each) and closing `tabs` tabs."""
    from widgets.artifact_panel import RELEASE_AFTER_MS
    from widgets.artifact_tab import ArtifactTab

    async def open_all(count: int) -> None:
        easel.chat.open(conversation_id)
        panel = easel.panel
        for index in range(min(count, panel.tabs.count())):
            tab = panel.tabs.widget(index)
            assert isinstance(tab, ArtifactTab)
            loaded: list[bool] = []
            tab.view.loaded.connect(loaded.append)
            panel.tabs.setCurrentIndex(index)
            await until(lambda loaded=loaded: bool(loaded))
        easel.chat.open(None)  # another conversation: every tab closes
        await settle(easel)
        await asyncio.sleep(RELEASE_AFTER_MS / 1000 + 1.0)  # renderers exit, memory is handed back

    await settle(easel)
    release_freed_memory()  # the start as the end will be: freed memory handed back
    start = pss_tree_kb()
    await open_all(tabs)
    end = pss_tree_kb()
    return {"start_kb": start, "end_kb": end}


async def turn_stall_ms(easel: EaselApp, conversation_id: int) -> float:
    """The longest event-loop stall (ms) of one turn at the end of the conversation."""
    from bench.loop_lag import LagProbe

    easel.chat.open(conversation_id)
    await settle(easel)
    probe = LagProbe(memory=False)
    probe.start()
    easel.chat.send("One more question about the plan?")
    await until(lambda: easel.chat.task is not None and easel.chat.task.done())
    await settle(easel)
    await asyncio.sleep(1.0)  # the reply is indexed for search a moment after it is shown
    probe.stop()
    return max(probe.lags)


WINDOW_ARGS = argparse.Namespace(
    provider=None, base_url="http://127.0.0.1:9/v1", model="m", api_key_env=None, kind=None,
    screenshot=None, theme=None,
)  # fmt: skip


async def main(args: argparse.Namespace, early: EarlyStart) -> dict[str, Any]:
    from widgets.app import EaselApp

    loop = asyncio.get_running_loop()
    options = WINDOW_ARGS
    if args.mode == "turn":
        options = argparse.Namespace(**{**vars(WINDOW_ARGS), "base_url": args.url})
    easel = EaselApp(options, loop, KeyStore.found_later(), GATE, early)
    task = asyncio.ensure_future(easel.run())
    await until(lambda: easel.transcript_ready)
    result: dict[str, Any] = {"seconds": time.perf_counter() - STARTED}
    if args.mode == "open":
        await settle(easel)
        times: dict[str, list[float]] = {
            "small": [], "big": [], "small_frame": [], "big_frame": []
        }  # fmt: skip
        for _ in range(args.rounds):
            for conversation, name in ((args.small, "small"), (args.big, "big")):
                # From the same state each time: a new chat (closing 2,000 messages costs too).
                easel.chat.open(None)
                await settle(easel)
                ready, frame = await open_seconds(easel, conversation)
                times[name].append(ready)
                times[f"{name}_frame"].append(frame)
        result = dict(times)
    elif args.mode == "tabs":
        result = await tab_memory(easel, args.conversation, args.tabs)
    elif args.mode == "turn":
        await asyncio.wait_for(easel.warmed_up.wait(), 60)  # as a user's window is by then
        stalls: dict[str, list[float]] = {"small": [], "big": []}
        for _ in range(args.rounds):
            for conversation, name in ((args.small, "small"), (args.big, "big")):
                stalls[name].append(await turn_stall_ms(easel, conversation))
        result = dict(stalls)
    easel.window.close()
    await task
    return result


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    modes.add_parser("startup")
    opening = modes.add_parser("open")
    opening.add_argument("small", type=int)
    opening.add_argument("big", type=int)
    opening.add_argument("rounds", type=int)
    tabs = modes.add_parser("tabs")
    tabs.add_argument("conversation", type=int)
    tabs.add_argument("tabs", type=int)
    turn = modes.add_parser("turn")
    turn.add_argument("small", type=int)
    turn.add_argument("big", type=int)
    turn.add_argument("rounds", type=int)
    turn.add_argument("url")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    gc.disable()  # as main.py does while the window is built (EaselApp.run turns it back on)
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    # As main.py does: the transcript page loads while the rest of the app is imported.
    started = start_early(app, run_theme(WINDOW_ARGS, load_settings()))
    import_meanwhile(["widgets.app"])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        print(json.dumps(loop.run_until_complete(main(arguments, started))), flush=True)
