"""Themes, zoom and shortcuts in the real window, offscreen, against the loopback model server.

Dark and light are checked where the user sees them: the window's palette, the transcript's
computed style, the code view's colours, and an artifact's own `prefers-color-scheme` (read
when its first script ran and again live). A PDF printed in the dark theme is still light.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPalette
from PySide6.QtPdf import QPdfDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from app.appearance import zoom_from_json, zoom_in, zoom_out
from app.config import Settings, load_settings, save_settings
from app.secrets import KeyStore
from sandbox.page_appearance import apply_web_scheme, apply_web_zoom
from sandbox.printing import PrintOptions, print_to_pdf
from sandbox.view import ArtifactView
from tests.model_server import openai_text_reply
from tests.test_gui import _args, _close, _js, _type_and_send, _until
from widgets.app import EaselApp
from widgets.shortcuts_dialog import ShortcutsDialog

# An artifact that records what it preferred when its first script ran, counts live changes,
# and is black on screen in dark (white in light).
SCHEMED = (
    "<!DOCTYPE html>\n<html><head><title>Schemed</title><style>"
    "html { background: #ffffff; } "
    "@media (prefers-color-scheme: dark) { html { background: #000000; } }"
    "</style></head><body><p>colours</p><script>"
    "window.firstDark = matchMedia('(prefers-color-scheme: dark)').matches;"
    "window.changes = 0;"
    "matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => changes++);"
    "document.title = 'schemed ' + window.firstDark;"
    "</script></body></html>"
)
REPLY = (
    "A page that follows the theme:\n"
    f'<artifact identifier="schemed" type="text/html" title="Schemed">\n{SCHEMED}\n</artifact>\n'
    "And a snippet:\n\n```python\nprint('first')\n```\n\n```js\nconsole.log('last')\n```\n"
)
DARK_MEDIA = "matchMedia('(prefers-color-scheme: dark)').matches"


@pytest.fixture
def loop(qasync_loop):
    return qasync_loop


@pytest.fixture
def run(run_async):
    return run_async


@pytest.fixture(autouse=True)
def restore_look(qapp):
    """The application is shared by every test: give the next one the default look back."""
    yield
    apply_web_scheme(None)
    apply_web_zoom(1.0)
    qapp.setPalette(qapp.style().standardPalette())
    qapp.setStyleSheet("")


async def _start_with_reply(loop, server, **extra) -> tuple[EaselApp, asyncio.Task]:
    server.enqueue(openai_text_reply(REPLY, chunk_chars=40, delay=0.001))
    easel = EaselApp(_args(server, **extra), loop, await KeyStore.open_default())
    task = asyncio.ensure_future(easel.run())
    await _until(lambda: easel.transcript_ready)
    await _type_and_send(easel, "make a page that follows the theme")
    await _until(lambda: not easel.chat.busy and easel.panel.current_tab() is not None)
    tab = easel.panel.current_tab()
    await _until(lambda: tab.view.title().startswith("schemed "))
    return easel, task


async def _background(view) -> str:
    return await _js(view, "getComputedStyle(document.body).backgroundColor")


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _ink_lightness(icon: QIcon) -> float:
    """The mean lightness of an icon's drawn pixels."""
    image = icon.pixmap(QSize(24, 24)).toImage()
    inks = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 128
    ]
    assert inks, "the icon draws nothing"
    return sum(c.lightness() for c in inks) / len(inks)


def test_dark_theme_reaches_widgets_transcript_code_and_artifacts(loop, run, model_server):
    """--theme dark: everything dark; View ▸ Theme ▸ Light: everything light, live, saved."""

    async def scenario():
        easel, task = await _start_with_reply(loop, model_server, theme="dark")
        tab = easel.panel.current_tab()
        assert _is_dark(QApplication.palette())
        assert _is_dark(easel.window.palette())
        assert await _background(easel.transcript) == "rgb(31, 31, 30)"  # transcript.css dark
        assert tab.code._colours.dark
        assert tab.diff.unified._colours.dark and tab.diff._dark and tab.code.find_bar._dark
        assert _ink_lightness(easel.composer.attach_button.icon()) > 160  # a light paperclip
        # The artifact preferred dark from its very first script, as in a dark browser.
        assert tab.view.title() == "schemed true"
        assert await _js(tab.view, DARK_MEDIA) is True
        assert (
            await _js(tab.view, "getComputedStyle(document.documentElement).backgroundColor")
            == "rgb(0, 0, 0)"
        )

        easel.window.actions["theme-light"].trigger()
        assert not _is_dark(QApplication.palette())
        await _until(lambda: not tab.code._colours.dark)
        assert not tab.diff.unified._colours.dark and not tab.diff._dark
        assert not tab.code.find_bar._dark
        assert _ink_lightness(easel.composer.attach_button.icon()) < 110  # a dark one again
        transcript_light = None
        for _ in range(100):
            transcript_light = await _background(easel.transcript)
            if transcript_light == "rgb(255, 255, 255)":
                break
            await asyncio.sleep(0.05)
        assert transcript_light == "rgb(255, 255, 255)"
        for _ in range(100):
            if await _js(tab.view, DARK_MEDIA) is False:
                break
            await asyncio.sleep(0.05)
        assert await _js(tab.view, DARK_MEDIA) is False
        assert await _js(tab.view, "window.changes") >= 1  # the page heard the change live
        assert load_settings().theme == "light"  # a menu choice is kept
        await _close(easel, task)

    run(scenario())


def test_every_artifact_of_a_reply_runs_its_first_script_dark(loop, run, model_server):
    """Three artifacts in one reply open three pages at once: each page's set-up writes the
    light hint into the engine's one web theme, and none of them may run light for it."""
    pages = "".join(
        f'<artifact identifier="page{n}" type="text/html" title="Page {n}">\n{SCHEMED}\n'
        "</artifact>\n"
        for n in range(3)
    )
    model_server.enqueue(openai_text_reply("Three pages:\n" + pages, chunk_chars=60))

    async def scenario():
        easel = EaselApp(_args(model_server, theme="dark"), loop, await KeyStore.open_default())
        task = asyncio.ensure_future(easel.run())
        await _until(lambda: easel.transcript_ready)
        await _type_and_send(easel, "three pages that follow the theme")
        tabs = [lambda n=n: easel.panel.tab(f"page{n}") for n in range(3)]
        await _until(lambda: all(tab() is not None for tab in tabs) and not easel.chat.busy)
        views = [tab().view for tab in tabs]
        await _until(lambda: all(view.title().startswith("schemed ") for view in views))
        titles = [view.title() for view in views]
        await _close(easel, task)
        return titles

    assert run(scenario()) == ["schemed true"] * 3


def test_theme_flag_is_for_one_run_and_the_menu_choice_is_saved(loop, run, model_server):
    settings = Settings(theme="light")
    save_settings(settings)

    async def scenario():
        easel, task = await _start_with_reply(loop, model_server, theme="dark")
        assert easel.theme.scheme() == "dark"
        assert easel.window.actions["theme-dark"].isChecked()
        await _close(easel, task)  # closing saves the settings (geometry, splitter...)

    run(scenario())
    assert load_settings().theme == "light"


def test_dark_pdf_prints_light(loop, run, model_server):
    """Printing stays light: the artifact is black on screen, its PDF page white."""

    async def scenario():
        easel, task = await _start_with_reply(loop, model_server, theme="dark")
        tab = easel.panel.current_tab()
        assert await _js(tab.view, DARK_MEDIA) is True
        pdf = await print_to_pdf(tab.view, PrintOptions())
        await _close(easel, task)
        return pdf

    pdf = run(scenario())
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    assert document.pageCount() == 1
    image = document.render(0, QSize(210, 297))
    # The middle of the page and a point well below the text: paper white, not the dark page.
    for x, y in ((105, 150), (105, 250), (30, 200)):
        colour = image.pixelColor(x, y)
        assert min(colour.red(), colour.green(), colour.blue()) > 240, (x, y, colour.name())


def test_system_theme_follows_the_hint_and_artifacts_follow_the_app(loop, run, model_server):
    """ "system" (the default) is light where Qt has no hint (offscreen), and so are pages."""

    async def scenario():
        easel, task = await _start_with_reply(loop, model_server)
        tab = easel.panel.current_tab()
        assert easel.theme.mode == "system"
        assert QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Unknown
        assert easel.theme.scheme() == "light"
        assert tab.view.title() == "schemed false"
        easel.window.actions["theme-dark"].trigger()
        for _ in range(100):
            if await _js(tab.view, DARK_MEDIA) is True:
                break
            await asyncio.sleep(0.05)
        assert await _js(tab.view, DARK_MEDIA) is True
        # A page opened after the switch starts dark too (its set-up resets the engine's).
        tab.view.reload_document()
        await _until(lambda: tab.view.title() == "schemed true")
        await _close(easel, task)

    run(scenario())


def _press(window, key: Qt.Key, modifiers=Qt.KeyboardModifier.ControlModifier) -> None:
    target = QApplication.focusWidget() or window
    QTest.keyClick(target, key, modifiers)


def test_zoom_keys_change_both_views_and_persist(loop, run, model_server):
    async def scenario():
        easel, task = await _start_with_reply(loop, model_server)
        window, tab = easel.window, easel.panel.current_tab()
        window.activateWindow()
        easel.composer.focus()
        await _until(lambda: QApplication.focusWidget() is easel.composer.edit)
        _press(window, Qt.Key.Key_Equal)
        assert easel.settings.zoom == pytest.approx(1.1)
        assert easel.transcript.zoomFactor() == pytest.approx(1.1)
        assert tab.view.zoomFactor() == pytest.approx(1.1)
        assert "110 %" in window.actions["zoom-level"].text()
        _press(window, Qt.Key.Key_Plus)  # Ctrl++ (with Shift on most keyboards) too
        assert easel.settings.zoom == pytest.approx(1.25)
        _press(window, Qt.Key.Key_Minus)
        _press(window, Qt.Key.Key_Minus)
        _press(window, Qt.Key.Key_Minus)
        assert easel.settings.zoom == pytest.approx(0.9)
        assert json.loads((easel_settings_path()).read_text())["zoom"] == pytest.approx(0.9)
        # A view made later (a new artifact tab, full screen) takes the zoom in force.
        later = ArtifactView(easel.artifact_profile)
        later.resize(400, 300)
        later.show()
        later.show_document("later", "<title>later</title><p>later</p>")
        await _until(lambda: later.title() == "later")
        await _until(lambda: later.zoomFactor() == pytest.approx(0.9))
        later.close()
        later.deleteLater()
        window.activateWindow()
        easel.composer.focus()
        await _until(lambda: QApplication.focusWidget() is easel.composer.edit)
        _press(window, Qt.Key.Key_0)
        assert easel.settings.zoom == 1.0
        assert tab.view.zoomFactor() == pytest.approx(1.0)
        _press(window, Qt.Key.Key_Equal)
        await _close(easel, task)

    run(scenario())
    assert load_settings().zoom == pytest.approx(1.1)


def test_shortcuts_work_with_the_focus_in_a_web_view(loop, run, model_server):
    """The keys are the window's: they work in the artifact and the transcript too."""

    async def scenario():
        easel, task = await _start_with_reply(loop, model_server)
        window, tab = easel.window, easel.panel.current_tab()
        window.activateWindow()
        for view in (tab.view, easel.transcript):
            view.setFocus()
            await _until(lambda view=view: view.isAncestorOf(QApplication.focusWidget()))
            before = easel.settings.zoom
            _press(window, Qt.Key.Key_Equal)
            assert easel.settings.zoom > before
            QGuiApplication.clipboard().setText("")
            _press(
                window,
                Qt.Key.Key_C,
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
            )
            assert QGuiApplication.clipboard().text() == "console.log('last')\n"
        _press(window, Qt.Key.Key_0)
        await _close(easel, task)

    run(scenario())


def easel_settings_path():
    from app.config import _settings_path

    return _settings_path()


def test_each_shortcut_triggers_its_action(loop, run, model_server):
    async def scenario():
        easel, task = await _start_with_reply(loop, model_server)
        window = easel.window
        window.activateWindow()
        easel.composer.focus()
        await _until(lambda: QApplication.focusWidget() is easel.composer.edit)

        # Ctrl+Shift+C: the last code block of the reply on screen.
        QGuiApplication.clipboard().setText("")
        _press(
            window,
            Qt.Key.Key_C,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        assert QGuiApplication.clipboard().text() == "console.log('last')\n"
        assert "Copied" in window.statusBar().currentMessage()

        # Ctrl+K from the composer: the conversation search has the cursor.
        _press(window, Qt.Key.Key_K)
        await _until(lambda: QApplication.focusWidget() is easel.sidebar.search)

        # Ctrl+/: the cheat sheet, listing every menu shortcut.
        _press(window, Qt.Key.Key_Slash)
        await _until(lambda: window.findChild(ShortcutsDialog) is not None)
        sheet = window.findChild(ShortcutsDialog)
        listed = dict(sheet.rows())
        for name in (
            "new",
            "search",
            "copy-code",
            "providers",
            "zoom-in",
            "zoom-out",
            "zoom-reset",
            "shortcuts",
            "toggle-sidebar",
            "save-artifact",
        ):
            action = window.actions[name]
            text = action.text().replace("&", "")
            assert text in listed, text
            assert (
                action.shortcut().toString(action.shortcut().SequenceFormat.NativeText)
                in listed[text]
            )
        assert "Ctrl+=" in listed["Zoom in"] and "Ctrl++" in listed["Zoom in"]
        sheet.reject()

        # Ctrl+,: the providers dialog.
        _press(window, Qt.Key.Key_Comma)
        await _until(
            lambda: any(
                d.isVisible()
                for d in window.findChildren(QDialog)
                if not isinstance(d, ShortcutsDialog)
            )
        )
        for dialog in window.findChildren(QDialog):
            dialog.reject()

        # Ctrl+N: a new, empty chat.
        assert easel.chat.conversation_id is not None
        easel.composer.focus()
        await _until(lambda: QApplication.focusWidget() is easel.composer.edit)
        _press(window, Qt.Key.Key_N)
        assert easel.chat.conversation_id is None
        await _close(easel, task)

    run(scenario())


def test_no_shortcut_is_ambiguous(loop, run, model_server):
    """Qt fires neither of two actions with the same keys: every key sequence is used once."""

    async def scenario():
        easel, task = await _start_with_reply(loop, model_server)
        from PySide6.QtGui import QKeySequence, QShortcut

        seen: dict[str, str] = {}
        for name, action in easel.window.actions.items():
            for sequence in action.shortcuts():
                key = sequence.toString()
                assert key not in seen, f"{key} is on both {seen[key]} and {name}"
                seen[key] = name
        # Widget shortcuts (find in code, run, leave full screen) must not take a window key.
        for shortcut in easel.window.findChildren(QShortcut):
            key = shortcut.key().toString()
            assert key not in seen, f"{key} is a menu shortcut and a widget's ({seen.get(key)})"
        assert QKeySequence("Ctrl+K").toString() in seen
        await _close(easel, task)

    run(scenario())


def test_saved_theme_and_zoom_survive_bad_values():
    save_settings(Settings(theme="dark", zoom=1.5))
    assert (load_settings().theme, load_settings().zoom) == ("dark", 1.5)
    path = easel_settings_path()
    raw = json.loads(path.read_text())
    raw.update(theme="purple", zoom=40)
    path.write_text(json.dumps(raw))
    settings = load_settings()
    assert (settings.theme, settings.zoom) == ("system", 1.0)
    assert settings.profiles == []  # nothing else was lost


def test_zoom_steps():
    assert zoom_in(1.0) == 1.1 and zoom_out(1.0) == 0.9
    assert zoom_in(3.0) == 3.0 and zoom_out(0.5) == 0.5
    assert zoom_in(1.05) == 1.1  # an odd saved value joins the ladder
    assert zoom_from_json(True) == 1.0 and zoom_from_json("2") == 1.0
