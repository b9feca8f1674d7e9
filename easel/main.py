"""Easel's entry point and composition root: parse the command line, then build and run.

Headless commands (`ask`, `history`, `extract`) never import Qt, so they start in a blink;
`render` and the desktop app import QtWebEngine only when they run, after checking that the
system libraries Qt needs are there. `run` is the installed `easel` command; a checkout's
main.py calls it too. Only those two entry points import this module.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.bytecode_cache import keep_bytecode
from easel import APP_ID, APP_NAME, __version__

if TYPE_CHECKING:
    from easel.system_libraries import LibraryCheck

HEADLESS = ("ask", "history", "extract", "render", "tools")


def run() -> None:
    """The `easel` command (and `python main.py`): exit with main's code."""
    sys.exit(main(sys.argv[1:]))


def main(argv: list[str]) -> int:
    """Run the command named in argv (the desktop app when none is named)."""
    # Before any of Easel's dataclasses is made: their methods' code is kept (~0.4 ms a class).
    keep_bytecode()
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

        if (missing := _missing_qt_libraries(gui=False)) is not None:
            return missing
        # The renderers get no key; `render --allow-model` finds its key in what was taken.
        taken = take_secret_environment([_option_value(argv, "--api-key-env")])
        _allow_root_chromium()
        _quick_pyside_imports()
        from sandbox.exporters import RENDER_EXPORTERS
        from sandbox.render import render_main

        return render_main(argv, RENDER_EXPORTERS, taken)
    from app import cli

    runners = {
        "ask": cli.ask_main,
        "history": cli.history_main,
        "extract": cli.extract_main,
        "tools": cli.tools_main,
    }
    return runners[command](argv)


def _option_value(argv: list[str], option: str) -> str:
    """The value given to `option` in argv ("--x V" or "--x=V"), or ""."""
    for index, word in enumerate(argv):
        if word == option and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith(option + "="):
            return word[len(option) + 1 :]
    return ""


def _desktop(argv: list[str]) -> int:
    from app.provider_options import add_provider_options

    parser = argparse.ArgumentParser(
        description="Easel: a chat whose answers are live pages. Commands: "
        + ", ".join(HEADLESS)
        + " (see `COMMAND --help`).",
    )
    add_provider_options(parser)
    parser.add_argument(
        "--screenshot", type=Path, metavar="OUT.png", help="start, save the window, exit"
    )
    parser.add_argument("--version", action="version", version=f"Easel {__version__}")
    parser.add_argument(
        "--theme",
        choices=("light", "dark", "system"),
        help="the colour theme for this run (the settings keep the one chosen in View ▸ Theme)",
    )
    parser.add_argument(
        "--language",
        choices=("en", "zh_CN", "system"),
        help="the window's language for this run (the setting keeps the user's choice)",
    )
    launcher = parser.add_mutually_exclusive_group()
    launcher.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="put Easel in the desktop's application menu (~/.local/share), then exit",
    )
    launcher.add_argument(
        "--uninstall-desktop-entry", action="store_true", help="remove that launcher, then exit"
    )
    args = parser.parse_args(argv)
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        return _desktop_entry(install=args.install_desktop_entry)
    return run_app(args)


def _desktop_entry(install: bool) -> int:
    """Write or remove the XDG launcher; one sentence says what happened."""
    from easel import desktop_entry

    home = desktop_entry.data_home()
    try:
        if not install:
            removed = desktop_entry.uninstall(home)
            print(
                f"Removed the launcher ({len(removed)} files)."
                if removed
                else f"No launcher was installed under {home}."
            )
            return 0
        command = desktop_entry.launch_command(sys.argv[0], sys.executable)
        written = desktop_entry.install(command, home)
    except OSError as error:
        print(f"Cannot write the launcher under {home}: {error}.", file=sys.stderr)
        return 1
    print(f"Installed the launcher {written[0]} (it runs {' '.join(command)}).")
    return 0


def _missing_qt_libraries(gui: bool, check: LibraryCheck | None = None) -> int | None:
    """Exit code 1 with the apt-get line when Qt's system libraries are missing, else None
    (check: the answer of a check started earlier)."""
    from easel.system_libraries import problem

    sentence = problem(gui, check)
    if sentence is None:
        return None
    print(sentence, file=sys.stderr)
    return 1


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
    # Building the window makes ~100 young collections (~35 ms) that free next to nothing;
    # EaselApp.run() freezes what start-up made and turns the collector back on.
    gc.disable()
    from app.secret_env import take_secret_environment
    from easel.system_libraries import start_check

    # Before the web engine exists: its renderers inherit the environment, the keys must not.
    secret_environment = take_secret_environment([args.api_key_env or ""])
    # ldd runs while Qt is imported; its answer is read before Qt could abort for a library.
    check = start_check(gui=True)
    _allow_root_chromium()
    _quick_pyside_imports()
    try:
        _quiet_qt()
        from sandbox.engine import add_gpu_switches, start_network_wall
        from sandbox.scheme import register_scheme

        register_scheme()  # must precede the QApplication
        gate = start_network_wall()  # every connection of the engine passes Easel's gate
        add_gpu_switches()  # software WebGL where no GPU can make a context

        import qasync
        from PySide6.QtGui import QIcon
        from PySide6.QtWidgets import QApplication

        from app.config import load_settings
        from app.resources import icon_svg
        from app.secrets import KeyStore
        from app.store_errors import StoreError
        from widgets.early_start import import_meanwhile, start_early
        from widgets.language import choose_language, install_language
        from widgets.theme import run_theme
    except ImportError:  # a library of Qt's is missing: say which package has it
        if (missing := _missing_qt_libraries(gui=True, check=check)) is None:
            raise
        return missing
    # Now, before Qt's X11 plugin could abort for a library of its own.
    if (missing := _missing_qt_libraries(gui=True, check=check)) is not None:
        return missing
    qt_app = QApplication(sys.argv[:1])
    qt_app.setApplicationName(APP_NAME)  # also the X11 WM_CLASS
    qt_app.setOrganizationName("Easel")
    # The launcher's name: Wayland's app id, so the dock matches the window to easel.desktop
    # (on X11 the WM_CLASS from the application name matches its StartupWMClass).
    qt_app.setDesktopFileName(APP_ID)
    qt_app.setWindowIcon(QIcon(str(icon_svg())))
    settings = load_settings()
    # Before any widget exists: each reads its text once, when it is made.
    install_language(qt_app, choose_language(args.language, settings.language))
    # The transcript's page starts loading while the rest of the app is imported.
    early = start_early(qt_app, run_theme(args, settings))
    import_meanwhile(["widgets.app"])
    from widgets.app import EaselApp

    # The app ends when EaselApp.run() returns (after saving), not when Qt sees no window.
    qt_app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    _install_asyncgen_hooks(loop)
    # The keyring backend is looked for on a thread once the first frame is on screen.
    keys = KeyStore.found_later(secret_environment)
    with loop:
        try:
            easel = EaselApp(args, loop, keys, gate, early)
        except StoreError as error:  # no history can be opened (a read-only home)
            from widgets.history_notice import cannot_start  # QMessageBox: only when needed

            return cannot_start(str(error), interactive=args.screenshot is None)
        return loop.run_until_complete(easel.run())


def _quick_pyside_imports() -> None:
    """Before the first PySide6 import: shiboken6's own modules come from kept bytecode
    (~15 ms), its check of each later import reads bytes (~30 ms), and its enum classes are
    made the quick way (~15 ms)."""
    from app.bytecode_cache import import_shiboken, keep_bytecode
    from easel.pyside_import_hook import answer_from_bytes
    from easel.quick_enums import install

    install()
    import_shiboken(keep_bytecode())
    answer_from_bytes()


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
