"""What the app's choices do to every web page: `prefers-color-scheme` and the zoom factor.

The zoom is simple: `apply_web_zoom` sets it on every followed page a view shows and keeps it
as the QApplication's property `easelZoom`, and a followed page takes it again when a load
finishes (a new artifact tab, a reload, the transcript). The colour scheme is the subtle part.

The pages' `prefers-color-scheme` is the app's theme, as a browser's is the desktop's.

How QtWebEngine decides (measured with 6.11, read in its `web_contents_adapter.cpp`): each page,
when it is set up, writes Qt's colour-scheme hint (`QStyleHints.colorScheme()`, Unknown counting
as light) into Chromium's one web `NativeTheme`, and listens to `colorSchemeChanged` to write it
again. Pages read that value whenever their preferences are computed: at their next navigation,
or when a setting of theirs changes. Two consequences:

- `QStyleHints.setColorScheme()` only works where the platform theme can change its scheme (a
  desktop's portal, Windows, macOS). On X11 without one, Wayland without a portal, and the
  offscreen platform of the tests and `--screenshot`, `colorScheme()` stays Unknown: every page
  would be light whatever the user chose.
- Where it does work, open pages still keep their scheme until something makes them recompute.

So `apply_web_scheme` both asks Qt (the proper path) and, when Qt cannot, emits
`colorSchemeChanged` itself with the wanted scheme: the engine's own slot writes it into the
web theme. It then nudges every open page's settings (an unchanged value: the engine re-applies
them, reading the theme) so open pages switch live and `matchMedia` listeners hear a change.

A page being set up (its first `load()` or `setHtml()`) writes the hint back into that one web
theme: light, on such platforms, and for every page whose preferences are computed next. So a
followed page asserts the wanted scheme again twice: right after its load call returns
(`load_followed`, before the event loop can compute another page's preferences), and when its
load starts, with its own settings nudged too. Asserting the theme's value on `loadStarted`
alone reached a page's first script only now and then: measured, a dark artifact ran its first
script light in 19 of 24 loads, and in 1 of 5 when another page was set up as it started
loading (tests/test_page_scheme.py).

The wanted scheme is the QApplication's property `easelWebScheme` ("light", "dark", or absent:
the engine's default, Qt's hint): the one place a page can find it without a global in Python.
Printing is light on its own: Chromium prints with the light scheme (measured: a page that is
dark on screen prints its light rules), so nothing here touches printing.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView

SCHEME_PROPERTY = "easelWebScheme"
ZOOM_PROPERTY = "easelZoom"
_SCHEMES = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}


def apply_web_scheme(scheme: str | None) -> None:
    """Make every page prefer `scheme` ("light" or "dark"; None: whatever Qt's hint says)."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return
    app.setProperty(SCHEME_PROPERTY, scheme or "")
    hints = app.styleHints()
    wanted = _SCHEMES.get(scheme or "", Qt.ColorScheme.Unknown)
    # The proper path: where the platform can, Qt itself changes scheme (and tells the engine).
    hints.setColorScheme(wanted)
    if scheme is None:
        # Back to the hint: undo what an earlier emitted choice wrote into the web theme.
        hints.colorSchemeChanged.emit(hints.colorScheme())
    _assert_scheme()
    for page in _open_pages():
        _reapply(page)


def apply_web_zoom(factor: float) -> None:
    """Zoom every open page by `factor`, and pages opened later too."""
    app = QGuiApplication.instance()
    if app is None:
        return
    app.setProperty(ZOOM_PROPERTY, factor)
    for page in _open_pages():
        page.setZoomFactor(factor)


# The pages that follow the app's appearance, until they are destroyed. Asking Qt for every
# widget instead (QApplication.allWidgets) made PySide6 look up the type of each widget Qt made
# itself, which the first time builds the Python enums of every widget class (~20 ms).
_FOLLOWING: set[QWebEnginePage] = set()


def follow_app_appearance(page: QWebEnginePage) -> None:
    """Have `page` load under the wanted scheme (its set-up resets the engine's) and zoom.
    Once per page: following it again changes nothing."""
    if page in _FOLLOWING:
        return
    _FOLLOWING.add(page)
    page.destroyed.connect(lambda: _FOLLOWING.discard(page))
    page.loadStarted.connect(lambda: _keep_scheme(page))
    page.loadFinished.connect(lambda _ok: _take_zoom(page))


def load_followed(page: QWebEnginePage, url: QUrl) -> None:
    """Load `url` into a followed page under the wanted scheme. The page's first load call
    sets it up, which writes Qt's (light) hint into the engine's one web theme: the wanted
    scheme goes back in before the event loop can compute any page's preferences. Every load
    of a followed page goes through here, so no load site can forget it."""
    page.load(url)
    _assert_scheme()


def _keep_scheme(page: QWebEnginePage) -> None:
    # A load started: the page computes its preferences afresh for its new document.
    if _assert_scheme():
        _reapply(page)


def _take_zoom(page: QWebEnginePage) -> None:
    app = QGuiApplication.instance()
    factor = app.property(ZOOM_PROPERTY) if app is not None else None
    if isinstance(factor, float) and abs(page.zoomFactor() - factor) > 1e-6:
        page.setZoomFactor(factor)


def wanted_web_scheme() -> str:
    """The scheme pages are given: "light" or "dark"."""
    app = QGuiApplication.instance()
    chosen = str(app.property(SCHEME_PROPERTY) or "") if app is not None else ""
    if chosen in _SCHEMES:
        return chosen
    hint = QGuiApplication.styleHints().colorScheme()
    return "dark" if hint == Qt.ColorScheme.Dark else "light"


def _assert_scheme() -> bool:
    """Write the wanted scheme into the engine's web theme when Qt's hint disagrees with it;
    return whether it had to."""
    app = QGuiApplication.instance()
    if app is None or str(app.property(SCHEME_PROPERTY) or "") not in _SCHEMES:
        return False  # no choice made: the engine follows Qt's hint by itself
    wanted = _SCHEMES[wanted_web_scheme()]
    hints = QGuiApplication.styleHints()
    if hints.colorScheme() == wanted:
        return False  # page set-ups write the wanted scheme themselves
    # The engine's slot on this signal sets Chromium's web theme (see the docstring).
    hints.colorSchemeChanged.emit(wanted)
    return True


def _open_pages() -> list[QWebEnginePage]:
    """The followed pages a view shows now."""
    return [
        page
        for page in list(_FOLLOWING)
        if shiboken6.isValid(page) and QWebEngineView.forPage(page) is not None
    ]


def _reapply(page: QWebEnginePage) -> None:
    """Make the engine re-apply the page's settings (they then read the web theme afresh)."""
    settings = page.settings()
    # Writing back the value in force changes nothing but schedules the re-application.
    settings.setDefaultTextEncoding(settings.defaultTextEncoding())
