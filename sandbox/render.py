"""`python main.py render IN.html …`: load a page in the artifact sandbox, headless, and export.

The page goes through exactly the app's path (`make_artifact_profile`, `ArtifactView`,
`show_document`), so what render shows is what the app would run. Waiting uses nested
`QEventLoop`s bounded by one deadline (`--timeout`): a busy loop or a crash ends the command with
one sentence on stderr and exit code 7, never a hang or a traceback.

Outputs are *exporters*: each adds its options to the parser and runs once the page is ready,
in order, through a `RenderedPage` (JavaScript, waiting on callbacks, the view itself). Export
formats (PDF, PNG, HTML) plug in by passing more exporters to `render_main`.

Before any export the page must answer a probe (a `runJavaScript` round trip within the
deadline): a page stuck in a loop keeps showing its last frame, and exporting that frame would
pass a hung page off as a success. The console is a bounded `ConsoleLog` (a page logging in a
tight loop would otherwise grow the process without limit); `--console` says how many lines
were dropped, and is printed even when the page fails, since that is when it helps most.

Screen capture: with a display in the environment, `getDisplayMedia()` made QtWebEngine list
the screen's windows through Xlib before any signal reached us, and on an X server without a
window manager that ended the process with "X Error … BadAtom (X_GetProperty)" and a
segmentation fault. render draws offscreen and needs no display, so it forgets DISPLAY and
WAYLAND_DISPLAY before the engine starts (the list of windows is then simply empty), and refuses
the capture request itself: the page's promise rejects and `--console` shows a `blocked:` line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEventLoop, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWebEngineCore import QWebEngineDesktopMediaRequest
from PySide6.QtWidgets import QApplication

from app.console_log import ConsoleLog, dropped_note, format_line
from app.fix import ConsoleLine
from app.import_maps import with_import_map
from sandbox.bridge import BridgeEndpoint
from sandbox.engine import add_gpu_switches, start_network_wall
from sandbox.profile import ArtifactProfile, make_artifact_profile
from sandbox.render_source import (
    RenderSource,
    SourceError,
    add_source_arguments,
    open_source,
    run_in_thread,
)
from sandbox.scheme import register_scheme
from sandbox.view import ArtifactView

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PAGE_FAILED = 7
_PROG = "main.py render"
# A console line this recent proves the renderer alive, whatever the heartbeat says.
_LINES_SHOW_LIFE_SECONDS = 1.0
# The blocked: line of a refused screen capture.
CAPTURE_REFUSED = "screen capture (getDisplayMedia)"


class PageFailed(Exception):
    """The page crashed or did not finish in time; the message is the sentence to print."""


class RenderedPage:
    """The loaded page, for exporters: run JavaScript and wait, always within the deadline."""

    def __init__(self, view: ArtifactView, deadline: float, timeout: float) -> None:
        self.view = view
        self._deadline = deadline
        self._timeout = timeout
        self._failure = ""
        self._loop: QEventLoop | None = None
        self._last_line = float("-inf")
        view.crashed.connect(self._fail)
        view.hung.connect(self._on_hung)
        view.consoleMessage.connect(self._on_console_line)

    def wait(self, start: Callable[[Callable[..., None]], None]) -> tuple:
        """Call `start(done)`, spin the event loop until `done(*args)` is called; return args."""
        results: list[tuple] = []
        loop = QEventLoop()

        def done(*args: object) -> None:
            results.append(args)
            loop.quit()

        start(done)
        remaining_ms = int((self._deadline - time.monotonic()) * 1000)
        if not results and not self._failure and remaining_ms > 0:
            QTimer.singleShot(remaining_ms, loop.quit)
            self._loop = loop
            loop.exec()
            self._loop = None
        if self._failure:
            raise PageFailed(self._failure)
        if not results:
            raise PageFailed(
                f"the page did not finish within {self._timeout:g} seconds (is it stuck in a loop?)."
            )
        return results[0]

    def run_js(self, script: str) -> object:
        """The value of `script` evaluated in the page."""
        return self.wait(lambda done: self.view.page().runJavaScript(script, 0, done))[0]

    def pause(self, seconds: float) -> None:
        """Let the page run for `seconds` (the event loop keeps serving it)."""
        self.wait(lambda done: QTimer.singleShot(int(seconds * 1000), done))

    def ensure_responsive(self) -> None:
        """Return once the page's renderer answers; PageFailed if it is stuck or gone."""
        self.run_js("1")

    def _on_console_line(self, *_line: object) -> None:
        self._last_line = time.monotonic()

    def _on_hung(self) -> None:
        # The heartbeat's answer queues behind every console line the page sent before it: a
        # page logging faster than we print is alive, only late. Its deadline still holds.
        if time.monotonic() - self._last_line > _LINES_SHOW_LIFE_SECONDS:
            self._fail("the page stopped responding (is it stuck in a loop?).")

    def _fail(self, sentence: str) -> None:
        self._failure = self._failure or sentence
        if self._loop is not None:
            self._loop.quit()


@dataclass(frozen=True)
class Exporter:
    """One output of `render`: its command-line options, and what it does with a ready page."""

    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[RenderedPage, argparse.Namespace, ConsoleLog], None]


def _add_text(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text", action="store_true", help="print the page's visible text")


def _run_text(page: RenderedPage, args: argparse.Namespace, _report: ConsoleLog) -> None:
    if args.text:
        text = page.run_js("document.body ? document.body.innerText : ''")
        print(str(text or ""))


def _add_console(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--console", action="store_true", help="print console messages and blocked requests"
    )


def _run_console(_page: RenderedPage | None, args: argparse.Namespace, report: ConsoleLog) -> None:
    if args.console:
        if report.dropped:
            print(dropped_note(report.dropped))
        for line in report.lines():
            print(format_line(line))


TEXT = Exporter(_add_text, _run_text)
CONSOLE = Exporter(_add_console, _run_console)
DEFAULT_EXPORTERS: tuple[Exporter, ...] = (TEXT, CONSOLE)


def build_parser(exporters: Sequence[Exporter]) -> argparse.ArgumentParser:
    """The `render` command line: the input, the timing options, each exporter's options."""
    parser = argparse.ArgumentParser(prog=_PROG, description="Load a page in the artifact sandbox.")
    add_source_arguments(parser)
    parser.add_argument("--wait", type=float, default=0.5, help="seconds to let it run (0.5)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before failing (30)")
    for exporter in exporters:
        exporter.add_arguments(parser)
    return parser


def render_main(
    argv: list[str],
    exporters: Sequence[Exporter] = DEFAULT_EXPORTERS,
    environment: Mapping[str, str] | None = None,
) -> int:
    """Run `render` with `argv` (the words after "render"); return the exit code.

    environment: the secret variables taken out of os.environ before the engine started (the
    keys `--allow-model` may need).
    """
    args = build_parser(exporters).parse_args(argv)
    try:
        source = open_source(args, environment or {})
    except SourceError as error:
        return _say(str(error), EXIT_USAGE if error.usage else EXIT_FAILED)
    args.page_html = source.html  # for exporters that save the page itself (--html)
    try:
        return _render(args, source, exporters)
    except PageFailed as failure:
        return _say(str(failure), EXIT_PAGE_FAILED)
    finally:
        source.close()


def _render(args: argparse.Namespace, source: RenderSource, exporters: Sequence[Exporter]) -> int:
    gate = start_network_wall()
    add_gpu_switches(platform="offscreen")  # render is always offscreen: software WebGL
    app = _make_application()
    endpoint = BridgeEndpoint(source.bridge, run_in_thread)
    profile = make_artifact_profile(gate=gate, bridge=endpoint)
    view = ArtifactView(profile, open_links=False)
    view.resize(1280, 900)
    report = ConsoleLog()
    view.consoleMessage.connect(
        lambda level, message, source, line: report.add(ConsoleLine(level, message, source, line))
    )
    view.requestBlocked.connect(lambda url: report.add(ConsoleLine("blocked", url, url)))
    view.page().desktopMediaRequested.connect(lambda request: _refuse_capture(request, report))
    page = RenderedPage(view, time.monotonic() + args.timeout, args.timeout)
    try:
        view.show()
        page.wait(lambda done: _load(view, source.key, source.html, done))
        page.pause(max(args.wait, 0.0))
        page.ensure_responsive()
        for exporter in exporters:
            exporter.run(page, args, report)
        return EXIT_OK
    except PageFailed:
        if CONSOLE in exporters:
            _run_console(None, args, report)  # what it logged before it failed
        raise
    finally:
        _close(app, view, profile)
        endpoint.close()
        endpoint.deleteLater()


def _refuse_capture(request: QWebEngineDesktopMediaRequest, report: ConsoleLog) -> None:
    request.cancel()  # the page's getDisplayMedia() rejects with an AbortError
    report.add(ConsoleLine("blocked", CAPTURE_REFUSED, CAPTURE_REFUSED))


def _load(view: ArtifactView, key: str, html: str, done: Callable[..., None]) -> None:
    view.loaded.connect(done)
    view.show_document(key, with_import_map(html))  # as the app's html_document


def _make_application() -> QApplication:
    register_scheme()  # before the QApplication, as QtWebEngine requires
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        # Offscreen needs no display, and Chromium's screen capture would talk to it by itself.
        os.environ.pop(name, None)
    # Qt's own warnings (no GPU, no display) are noise for a command whose stderr is for us.
    qInstallMessageHandler(_quiet_qt_messages)
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--log-level" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --log-level=3".strip()
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return QApplication([sys.argv[0] or "easel", "-platform", "offscreen"])


def _quiet_qt_messages(kind: QtMsgType, _context: object, message: str) -> None:
    if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        print(f"{_PROG}: Qt: {message}", file=sys.stderr)


def _close(app: QApplication, view: ArtifactView, profile: ArtifactProfile) -> None:
    # Pages before their profile, or QtWebEngine warns and may crash on exit.
    view.close()
    view.deleteLater()
    app.processEvents()
    profile.deleteLater()
    app.processEvents()


def _say(sentence: str, code: int) -> int:
    # One sentence, like every other command's errors (DESIGN.md §5).
    print(sentence[:1].upper() + sentence[1:], file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(render_main(sys.argv[1:]))
