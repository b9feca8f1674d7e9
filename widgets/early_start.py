"""The desktop app's first moments: the transcript's page loads while the rest is imported.

Most of start-up is Python importing the app (~0.25 s of it on our 2-core machines) and the web
engine starting (its context, a renderer process, the transcript page). One after the other,
the window waited for the sum. `start_early()` applies the theme and starts the transcript's
page as soon as the QApplication exists; `import_meanwhile()` then imports the rest of the app
on a thread while Qt's event loop runs, so the engine's work (which mostly needs the GUI thread
only in C++, without the GIL) goes on beside the imports. Measured: 200 ms of Python work on a
thread beside a page's start cost the page ~100 ms less than the same work before it.

Only imports run on the thread: no Qt object is made there (a module defines classes only, as
the warm-up after the first frame relies on too). `EaselApp(early=...)` takes the theme and
the page over; `TranscriptView(page=...)` emits `ready` once the window shows a page that
finished loading before the view existed.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEventLoop, QMetaObject, Qt
from PySide6.QtWebEngineCore import QWebEngineProfile
from PySide6.QtWidgets import QApplication

from sandbox.page_appearance import follow_app_appearance, load_followed
from widgets.theme import ThemeController
from widgets.transcript_page import TranscriptPage


@dataclass(frozen=True)
class EarlyStart:
    """What start_early() began: the applied theme and the transcript's loading page."""

    theme: ThemeController
    transcript_page: TranscriptPage


def start_early(app: QApplication, theme: str) -> EarlyStart:
    """Apply the theme (`theme`: light, dark or system), then start loading the transcript.

    The theme comes first: the page must load under the colour scheme the window will show.
    """
    controller = ThemeController(app, theme)
    controller.apply(style_sheet=False)  # set once the window is built (EaselApp)
    # Off the record and not the default profile: the transcript shares nothing with artifacts
    # or anything else. A child of the page, so it is deleted after it.
    profile = QWebEngineProfile()
    page = TranscriptPage(profile)
    profile.setParent(page)
    follow_app_appearance(page)  # the page's own set-up would write Qt's (light) hint back
    load_followed(page, page.home)
    return EarlyStart(controller, page)


def import_meanwhile(names: Sequence[str]) -> None:
    """Import the modules `names` on a thread while this (GUI) thread runs Qt's event loop;
    return once they are imported. An import that fails raises here, on this thread."""
    failures: list[BaseException] = []
    waiting = QEventLoop()

    def work() -> None:
        try:
            for name in names:
                importlib.import_module(name)
        except BaseException as error:  # raised again below, where the caller can see it
            failures.append(error)
        finally:
            # Queued to this thread's loop: it ends the wait even if posted before exec()
            # starts. (Polling instead took the GIL from the imports every few milliseconds.)
            QMetaObject.invokeMethod(waiting, "quit", Qt.ConnectionType.QueuedConnection)

    thread = threading.Thread(target=work, name="early-imports", daemon=True)
    thread.start()
    waiting.exec()
    thread.join()
    if failures:
        raise failures[0]
