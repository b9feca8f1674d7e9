"""The child process of bench/scale.py: the real main window on a prepared EASEL_HOME.

    python bench/scale_window.py startup                 seconds to a ready window
    python bench/scale_window.py open SMALL BIG ROUNDS   seconds to open each conversation
    python bench/scale_window.py tabs CONVERSATION TABS  memory before and after the tabs

Started like `main.py` (scheme, network wall, GPU switches, the QApplication, the transcript page
loading while the app is imported) and offscreen.
Prints one JSON line. "Ready" is bench/startup.py's definition: the transcript page of the main
window has loaded, with the newest stored conversation open. "Opened" is the first paint of a
conversation: the transcript's last article is the conversation's last message, with its text,
and the page is scrolled to its end. Memory is the PSS of the process and all its children
(QtWebEngine's browser, GPU and renderer processes).
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

# True once the transcript shows `key` last, with text, scrolled to the end.
_OPENED = """(() => {
  const last = document.querySelector("#messages > article.msg:last-of-type");
  if (!last || last.dataset.key !== %s) return false;
  if (!last.querySelector(".msg-body").textContent) return false;
  const doc = document.documentElement;
  return doc.scrollHeight - window.scrollY - window.innerHeight < 4;
})()"""


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


async def open_seconds(easel: EaselApp, conversation_id: int) -> float:
    """Seconds from opening a conversation to its first paint (see the module's docstring)."""
    from widgets.chat import message_key

    last = easel.store.messages(conversation_id)[-1]
    probe = _OPENED % json.dumps(message_key(last.id))
    start = time.perf_counter()
    easel.chat.open(conversation_id)
    while not await js(easel, probe):
        await asyncio.sleep(0.001)
    return time.perf_counter() - start


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


WINDOW_ARGS = argparse.Namespace(
    provider=None, base_url="http://127.0.0.1:9/v1", model="m", api_key_env=None, kind=None,
    screenshot=None, theme=None,
)  # fmt: skip


async def main(args: argparse.Namespace, early: EarlyStart) -> dict[str, Any]:
    from widgets.app import EaselApp

    loop = asyncio.get_running_loop()
    easel = EaselApp(WINDOW_ARGS, loop, KeyStore.found_later(), GATE, early)
    task = asyncio.ensure_future(easel.run())
    await until(lambda: easel.transcript_ready)
    result: dict[str, Any] = {"seconds": time.perf_counter() - STARTED}
    if args.mode == "open":
        await settle(easel)
        small, big = [], []
        for _ in range(args.rounds):
            for conversation, times in ((args.small, small), (args.big, big)):
                # From the same state each time: a new chat (closing 2,000 messages costs too).
                easel.chat.open(None)
                await settle(easel)
                times.append(await open_seconds(easel, conversation))
        result = {"small": small, "big": big}
    elif args.mode == "tabs":
        result = await tab_memory(easel, args.conversation, args.tabs)
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
