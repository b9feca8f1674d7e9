"""Easel's entry point and composition root: parse the command line, then build and run.

Headless commands (`ask`, `history`, `extract`) never import Qt, so they start in a blink;
`render` and the desktop app import QtWebEngine only when they run. Nothing imports this file.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

HEADLESS = ("ask", "history", "extract", "render", "tools")


def main(argv: list[str]) -> int:
    """Run the command named in argv (the desktop app when none is named)."""
    logging.basicConfig(
        level=os.environ.get("EASEL_LOG", "WARNING").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if argv and argv[0] in HEADLESS:
        try:
            return _headless(argv[0], argv[1:])
        except Exception as error:  # the last line of defence: a sentence, not a traceback
            logging.getLogger("easel").debug("unexpected error", exc_info=True)
            print(f"Easel failed unexpectedly: {error}", file=sys.stderr)
            return 1
    return _desktop(argv)


def _headless(command: str, argv: list[str]) -> int:
    if command == "render":
        from app.secret_env import take_secret_environment

        take_secret_environment()  # render needs no key: the renderers get none
        _allow_root_chromium()
        from sandbox.exporters import RENDER_EXPORTERS
        from sandbox.render import render_main

        return render_main(argv, RENDER_EXPORTERS)
    from app import cli

    runners = {"ask": cli.ask_main, "history": cli.history_main, "extract": cli.extract_main}
    runners["tools"] = cli.tools_main
    return runners[command](argv)


def _desktop(argv: list[str]) -> int:
    from app.cli import add_provider_options

    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Easel: a chat whose answers are live pages. Commands: "
        + ", ".join(HEADLESS)
        + " (see `main.py COMMAND --help`).",
    )
    add_provider_options(parser)
    parser.add_argument(
        "--screenshot", type=Path, metavar="OUT.png", help="start, save the window, exit"
    )
    args = parser.parse_args(argv)
    return run_app(args)


def run_app(args: argparse.Namespace) -> int:
    """Build every object of the desktop app, wire them, run the event loop."""
    if not _has_display():
        if args.screenshot is None:
            print(
                "No display found (DISPLAY and WAYLAND_DISPLAY are unset): start Easel in a "
                "desktop session, or use --screenshot or a headless command.",
                file=sys.stderr,
            )
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    from app.secret_env import take_secret_environment

    # Before the web engine exists: its renderers inherit the environment, the keys must not.
    secret_environment = take_secret_environment([args.api_key_env or ""])
    _allow_root_chromium()
    _quiet_qt()
    from sandbox.engine import start_network_wall
    from sandbox.scheme import register_scheme

    register_scheme()  # must precede the QApplication
    gate = start_network_wall()  # every connection of the engine passes Easel's gate

    import qasync
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.secrets import KeyStore
    from app.store_errors import StoreError
    from widgets.app import EaselApp
    from widgets.history_notice import cannot_start

    qt_app = QApplication(sys.argv[:1])
    qt_app.setApplicationName("Easel")
    qt_app.setOrganizationName("Easel")
    # The app ends when EaselApp.run() returns (after saving), not when Qt sees no window.
    qt_app.setQuitOnLastWindowClosed(False)
    # Easel's widgets are styled light; keep the web views (prefers-color-scheme) in step.
    qt_app.styleHints().setColorScheme(Qt.ColorScheme.Light)
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    _install_asyncgen_hooks(loop)
    with loop:
        # Finding the keyring backend may wait on D-Bus: done off the GUI thread.
        keys = loop.run_until_complete(KeyStore.open_default(secret_environment))
        try:
            easel = EaselApp(args, loop, keys, gate)
        except StoreError as error:  # no history can be opened (a read-only home)
            return cannot_start(str(error), interactive=args.screenshot is None)
        return loop.run_until_complete(easel.run())


def _quiet_qt() -> None:
    """Qt's and Chromium's chatter (no GPU, no D-Bus) goes to the log, not the terminal."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {QtMsgType.QtCriticalMsg: logging.ERROR, QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.DEBUG), "%s", message)

    qInstallMessageHandler(handler)
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--log-level" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --log-level=3".strip()


def _has_display() -> bool:
    """Whether Qt can show a window here (or was told which platform to use)."""
    names = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    return sys.platform != "linux" or any(os.environ.get(name) for name in names)


def _allow_root_chromium() -> None:
    """Chromium's sandbox cannot start as root; say so, and run without it there only."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:
            print(
                "Running as root: Chromium's own sandbox is off (run Easel as a normal user).",
                file=sys.stderr,
            )
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()


def _install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> None:
    """qasync does not install these; without them closing a stream early warns."""
    hooks = (
        getattr(loop, "_asyncgen_firstiter_hook", None),
        getattr(loop, "_asyncgen_finalizer_hook", None),
    )
    if all(hooks):
        sys.set_asyncgen_hooks(firstiter=hooks[0], finalizer=hooks[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
