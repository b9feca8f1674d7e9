"""The window in Simplified Chinese: every string a user can see is translated.

Easel's and Qt's zh_CN translators are installed before the app is built, as main.py does for
`--language zh_CN`. The test then walks every widget of the main window (first-run panel,
chat, artifact panel with an artifact open, its toolbar and ⋯ menu, the menus and their
actions, tooltips, placeholders) and every dialog (providers, prices, system prompt, tools,
print, publish, rename, delete, export, history notice, language), and the transcript page's
own buttons and labels; then the attachment tray (a refused file, chips, the vision note, the
paperclip's dialog), Edit/Regenerate and the ‹ 2/2 › switcher's tooltips in the page, the edit
bar, the Theme, zoom, Edit and Help menus and their status lines, every row of the shortcuts
sheet, search hits and "No conversations match", and the Changes view's fold lines. A text
that still holds ASCII letters once product names, model names, shortcuts and code examples
(ALLOWED) are taken out is untranslated, and the test names it with the widget that shows it.
EASEL_TEST_SHOTS=DIR saves the picture of docs/screenshots/zh_CN.png.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Iterable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QTextDocumentFragment
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTextEdit,
    QWidget,
)

from app.presets import PRESETS
from app.secrets import KeyStore
from tests.model_server import openai_text_reply
from tests.test_gui import _args, _js, _until
from widgets.app import EaselApp
from widgets.language import CHINESE, install_language, remove_language

GAME = (
    "<!DOCTYPE html>\n<html><head><title>Breakout</title></head><body>"
    "<canvas id=c width=200 height=100></canvas><script>console.error('boom')</script>"
    "</body></html>"
)
REPLY = (
    "好的：\n"
    f'<artifact identifier="breakout" type="text/html" title="打砖块">\n{GAME}\n</artifact>\n'
    "```html\n<p>x</p>\n```\n"
)
MODEL = "test-model"

# What may stay in Latin letters in a Chinese UI: product and model names, keys, shortcuts,
# file types, code and command examples. Each is cut out before looking for ASCII letters.
ALLOWED = [
    r"https?://\S*",
    r"[\w./-]*\*?\.(?:json|html|md|pdf)\b",
    r"\$\w+",
    r"\bX-[\w-]+",
    r"\bmcp-server-time --local-timezone Europe/Paris\b",
    r"/chat/completions|/v1/messages",
    r"\b(?:Ctrl|Shift|Alt)\+[\w+]+",  # shortcuts
    r"\b(?:Easel|DeepSeek|Kimi|Moonshot|OpenAI|OpenRouter|Anthropic Messages|Anthropic)\b",
    r"\b(?:Claude Desktop|Claude|Ollama|LM Studio|Markdown|React|Wi-Fi|WebP|Streamable|stdio)\b",
    r"\b(?:Base URL|Secret Service|token|tok|uvx|npx|fetch_url|English|sqlite3)\b",
    r"\b[A-Z][A-Z0-9_]{1,}\b",  # acronyms and variables: API, URL, HTML, PDF, MCP, A4, CA…
    r"\bv\d+\b",  # version numbers
    r"\b(?:Ctrl|Shift|Alt|Enter|Esc|Return)\b",
    r"\([A-Z]\)",  # a menu's keyboard accelerator, "文件(F)"
]


def _allowed_pattern(extra: Iterable[str]) -> re.Pattern[str]:
    names = {MODEL, *extra}
    for preset in PRESETS:
        names.update(preset.models_hint)
        names.add(preset.default_model)
    words = [re.escape(name) for name in sorted(names, key=len, reverse=True) if name]
    return re.compile("|".join([*ALLOWED, *words]))


def untranslated(text: str, pattern: re.Pattern[str]) -> bool:
    """Whether `text` still has English in it once the allowed words are cut out."""
    return re.search(r"[A-Za-z]", pattern.sub("", text)) is not None


def plain(text: str) -> str:
    """What a label shows: rich text without its tags, menus without their & marks."""
    if "<" in text and ">" in text:
        text = QTextDocumentFragment.fromHtml(text).toPlainText()
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class Walk:
    """Collects (where, text) for everything a user can read in the widgets it is shown."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def add(self, where: str, text: str | None) -> None:
        if text and text.strip():
            self.seen.append((where, plain(text)))

    def widget_tree(self, root: QWidget, skip: Callable[[QWidget], bool] = lambda w: False) -> None:
        for widget in [root, *root.findChildren(QWidget)]:
            if not skip(widget):
                self.widget(widget)

    def widget(self, widget: QWidget) -> None:
        where = f"{type(widget).__name__}#{widget.objectName() or '?'}"
        self.add(f"{where} tooltip", widget.toolTip())
        if widget.isWindow():
            self.add(f"{where} title", widget.windowTitle())
        if isinstance(widget, QLabel):
            text, whole = widget.text(), widget.toolTip()
            # A label cut short with "…" keeps its whole text in its tooltip, read above.
            if not (text.endswith("…") and whole.startswith(text[:-1])):
                self.add(where, text)
        elif isinstance(widget, QAbstractButton):
            self.add(where, widget.text())
        elif isinstance(widget, QLineEdit):
            self.add(f"{where} placeholder", widget.placeholderText())
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            self.add(f"{where} placeholder", widget.placeholderText())
        elif isinstance(widget, QComboBox) and not widget.isEditable():
            for index in range(widget.count()):
                self.add(f"{where} item", widget.itemText(index))
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            self.add(f"{where} suffix", widget.suffix())
        elif isinstance(widget, QTableWidget):
            for column in range(widget.columnCount()):
                header = widget.horizontalHeaderItem(column)
                self.add(f"{where} header", header.text() if header else "")
            if widget.objectName() == "shortcutsTable":  # its cells are the app's words
                for row in range(widget.rowCount()):
                    for column in range(widget.columnCount()):
                        cell = widget.item(row, column)
                        self.add(f"{where} row {row}", cell.text() if cell else "")
        if isinstance(widget, QMenu):
            self.menu(widget)
        # QWidget's own list: MainWindow keeps its named actions in an attribute `actions`.
        for action in QWidget.actions(widget):
            self.action(f"{where} action", action)

    def menu(self, menu: QMenu) -> None:
        self.add(f"menu {menu.title()!r}", menu.title())
        for action in menu.actions():
            self.action(f"menu {menu.title()!r}", action)

    def action(self, where: str, action: QAction) -> None:
        if action.isSeparator():
            return
        self.add(where, action.text())
        if action.toolTip() != action.text().replace("&", ""):
            self.add(f"{where} tooltip", action.toolTip())
        if action.menu() is not None:
            self.menu(action.menu())

    def problems(self, pattern: re.Pattern[str]) -> list[str]:
        return sorted(
            {f"{where}: {text!r}" for where, text in self.seen if untranslated(text, pattern)}
        )


@pytest.fixture
def chinese(qapp):
    """Easel's and Qt's zh_CN translators, as main.py installs them for --language zh_CN."""
    translators = install_language(qapp, CHINESE)
    assert len(translators) == 3, "Easel's, qtbase's and qtwebengine's catalogues"
    yield
    remove_language(qapp, translators)


def _new_windows(before: set[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w not in before and w.isVisible()]


async def _dialog(walk: Walk, open_it: Callable[[], object], *, skip=None) -> None:
    """Open a dialog or message box, walk every window it showed, close them."""
    before = set(QApplication.topLevelWidgets())
    open_it()
    await _until(lambda: bool(_new_windows(before)))
    await asyncio.sleep(0.05)
    for window in _new_windows(before):
        walk.widget_tree(window, lambda w: _conversation_list(w) or (skip is not None and skip(w)))
        if isinstance(window, QMessageBox):
            walk.add("message box informative text", window.informativeText())
        window.close()
    await asyncio.sleep(0.05)  # let the closed windows go (never processEvents in a task)


def _conversation_list(widget: QWidget) -> bool:
    # Conversation titles are the user's own words, not the app's.
    # The file dialog's folder box shows a path.
    return widget.objectName() in ("conversationList", "promptEdit", "lookInCombo")


def test_first_run_panel_is_chinese(chinese, qasync_loop, run_async, model_server):
    walk = Walk()

    async def scenario():
        args = _args(model_server, base_url=None, model=None)
        easel = EaselApp(args, qasync_loop, await KeyStore.open_default())
        task = asyncio.ensure_future(easel.run())
        await _until(lambda: easel.transcript_ready)
        form = easel.form
        walk.widget_tree(easel.window, _conversation_list)
        for preset in PRESETS:  # each preset says something else about its key
            form.choose(preset)
            walk.add(f"key note for {preset.id}", form.key_note.text())
        ollama = next(p for p in PRESETS if p.id == "ollama")
        form.offer_local_servers([(ollama, ["qwen3:8b"])])
        form.advanced_toggle.setChecked(True)
        walk.widget_tree(form)
        form.temperature.setText("hot")
        walk.add("form problem", form.problem())
        easel.window.close()
        await asyncio.wait_for(task, 10)
        return walk.problems(_allowed_pattern(["qwen3:8b", "hot"]))

    problems = run_async(scenario())
    assert problems == [], "\n".join(problems)


def test_main_window_dialogs_and_transcript_are_chinese(
    chinese, qasync_loop, run_async, model_server
):
    model_server.enqueue(openai_text_reply(REPLY, chunk_chars=40, reasoning="嗯"))
    walk = Walk()

    async def scenario():
        easel = EaselApp(_args(model_server), qasync_loop, await KeyStore.open_default())
        task = asyncio.ensure_future(easel.run())
        await _until(lambda: easel.transcript_ready)
        window, panel = easel.window, easel.panel
        welcome = await _js(easel.transcript, "document.getElementById('empty').innerText")
        walk.add("welcome page", welcome)
        walk.widget_tree(window, _conversation_list)  # empty states, before any artifact

        easel.composer.edit.setPlainText("做一个打砖块游戏")
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
        await _until(lambda: not easel.chat.busy and panel.tab("breakout") is not None)
        tab = panel.tab("breakout")
        await _until(lambda: tab.console_button.text() != "控制台")  # the page's error arrived
        tab.changes_button.click()
        tab.show_preview()
        walk.widget_tree(window, _conversation_list)
        walk.menu(tab.toolbar.more_button.menu())
        for menu_action in window.menuBar().actions():
            walk.action("menu bar", menu_action)
        walk.add("status line", window.stream_status.text())
        walk.add("status line", window.model_status.text())

        page = await _js(
            easel.transcript,
            "Array.from(document.querySelectorAll("
            "'.msg-actions button, .badge, .card-sub, .card-state, .code-actions button,"
            " summary, .notice, .msg-footer, .fold-toggle'))"
            ".map(n => n.innerText).join('\\n')",
        )
        for line in page.splitlines():
            walk.add("transcript page", line)

        await _dialog(walk, easel.settings_menu.show_providers)
        await _dialog(walk, easel.settings_menu.show_prices)
        await _dialog(
            walk,
            easel.settings_menu.show_system_prompt,
            skip=lambda w: isinstance(w, QPlainTextEdit),
        )
        await _dialog(walk, window.actions["tools"].trigger)
        await _dialog(walk, tab.print_pdf)
        await _dialog(walk, tab.publish)
        conversation = easel.chat.conversation_id
        await _dialog(walk, lambda: easel.sidebar.ask_rename(conversation, "打砖块"))
        await _dialog(walk, lambda: easel.sidebar.ask_delete(conversation, "打砖块"))
        await _dialog(walk, window.actions["export-md"].trigger)
        await _dialog(walk, lambda: _recovery_notice(window))
        english = next(a for a in window.language_menu.actions() if a.data() == "en")
        await _dialog(walk, english.trigger)
        easel.settings.language = "system"

        window.close()
        await asyncio.wait_for(task, 10)
        return walk.problems(_allowed_pattern([MODEL, "Breakout"]))

    problems = run_async(scenario(), timeout=120)
    assert problems == [], "\n".join(problems)


# The regenerated reply: a second version of the game that draws a frame (the README's picture).
GAME_V2 = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>打砖块</title><style>
body { margin: 0; background: #0f172a; color: #e2e8f0; font: 16px system-ui, sans-serif;
  display: flex; flex-direction: column; align-items: center; }
h1 { font-size: 20px; margin: 16px 0 4px; } p { margin: 0 0 12px; color: #94a3b8; }
canvas { background: #1e293b; border-radius: 8px; }
</style></head><body><h1>打砖块</h1><p>得分 120 · 生命 3 · 用 ← → 移动挡板</p>
<canvas id="c" width="420" height="300"></canvas><script>
const g = document.getElementById("c").getContext("2d");
const colours = ["#f87171", "#fb923c", "#facc15", "#4ade80", "#60a5fa"];
colours.forEach((colour, row) => { for (let col = 0; col < 8; col++) {
  if ((row + col) % 5 === 2) continue;
  g.fillStyle = colour; g.fillRect(12 + col * 50, 20 + row * 22, 46, 16); } });
g.fillStyle = "#e2e8f0"; g.fillRect(170, 270, 80, 10);
g.beginPath(); g.arc(230, 200, 7, 0, Math.PI * 2); g.fill();
</script></body></html>"""
DEEPSEEK = next(p.default_model for p in PRESETS if p.id == "deepseek")
SECOND = (
    "换一种写法：挡板更宽，球速随得分变快。\n"
    f'<artifact identifier="breakout" type="text/html" title="打砖块">\n{GAME_V2}\n</artifact>\n'
    "```js\nconst speed = 2;\nlet lives = 3;\n```\n"
)


def test_branches_attachments_search_and_shortcuts_are_chinese(
    chinese, qasync_loop, run_async, model_server, tmp_path, monkeypatch
):
    """Wave 1's surfaces: the attachment tray (a refused file, chips, the vision note) and the
    chips on the sent message, Edit/Regenerate and the ‹ 2/2 › switcher in the page, the edit
    bar, View ▸ Theme and zoom, the Edit and Help menus, the status lines of zoom and Copy last
    code block, the shortcuts sheet's every row, and search hits and "No conversations match"."""
    from tests.attachment_files import write_pdf, write_png

    model_server.enqueue(
        openai_text_reply(REPLY, chunk_chars=40), openai_text_reply(SECOND, chunk_chars=40)
    )
    photo = write_png(tmp_path / "照片.png", 40, 30)
    report = write_pdf(tmp_path / "报告.pdf", ["Quarterly report"])
    refused = tmp_path / "工具.bin"
    refused.write_bytes(b"\x00\x01binary")
    monkeypatch.setenv("ZH_WALK_KEY", "sk-loopback")  # DeepSeek's profile, on the loopback server
    walk = Walk()

    async def scenario():
        args = _args(model_server, provider="deepseek", model=DEEPSEEK, api_key_env="ZH_WALK_KEY")
        easel = EaselApp(args, qasync_loop, await KeyStore.open_default())
        task = asyncio.ensure_future(easel.run())
        await _until(lambda: easel.transcript_ready)
        window, store, tray = easel.window, easel.store, easel.composer.tray

        # The tray: a file it refuses, then an image and a PDF for a model without vision.
        tray.add_paths([refused])
        await _until(lambda: not tray.busy() and tray.message.isVisible())
        walk.widget_tree(tray)
        await _dialog(walk, tray.choose_files)  # the paperclip's file dialog (Qt's own words)
        tray.add_paths([photo, report])
        await _until(lambda: not tray.busy() and len(tray.attachments()) == 2)
        assert tray.message.isVisible(), "test-model sees no images: the tray says so"
        walk.widget_tree(easel.composer)

        easel.composer.edit.setPlainText("做一个打砖块游戏")
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Return)
        await _until(lambda: not easel.chat.busy and easel.panel.tab("breakout") is not None)
        cid = easel.chat.conversation_id
        question, answer = store.messages(cid)
        await _click(easel, f"m{answer.id}", "button[data-action=regenerate]")
        await _until(lambda: not easel.chat.busy and len(store.all_messages(cid)) == 3)
        reply = store.messages(cid)[-1]
        await _until_js(easel, f"!!document.querySelector('[data-key=m{reply.id}] .branch-switch')")
        page = await _js(
            easel.transcript,
            "Array.from(document.querySelectorAll("
            "'.msg-actions button, .msg-files .file-chip, .card-sub, .card-state'))"
            ".map(n => n.innerText).concat(Array.from(document.querySelectorAll("
            "'.branch-switch button')).map(n => n.title)).join('\\n')",
        )
        for line in page.splitlines():
            walk.add("transcript page", line)
        assert "重新生成" in page and "编辑" in page and "上一个版本" in page
        folder = os.environ.get("EASEL_TEST_SHOTS")
        if folder:  # docs/screenshots/zh_CN.png: 1280×720, an artifact open, the switcher
            # Without the conversation list: with it, the artifact toolbar keeps the window
            # wider than 1280 until its ⋯ overflow lands (issue 13, small screens).
            size = window.size()
            window.actions["toggle-sidebar"].setChecked(False)
            await asyncio.sleep(0.2)  # the layout takes the list's minimum width away first
            window.resize(1280, 720)
            easel.transcript.flush()
            await asyncio.sleep(2.0)  # the web views paint a moment after they changed
            window.grab().save(os.path.join(folder, "zh_CN.png"))
            window.actions["toggle-sidebar"].setChecked(True)
            window.resize(size)

        # The edit bar above the composer while a sent message is edited.
        await _click(easel, f"m{question.id}", "button[data-action=edit]")
        await _until(lambda: easel.chat.branches.bar.isVisible())
        walk.widget_tree(easel.composer)
        easel.chat.branches.bar.cancel.click()

        # Status lines: Copy last code block and the zoom level; the menus hold the new items.
        window.actions["copy-code"].trigger()
        walk.add("status line", window.statusBar().currentMessage())
        assert "2" in window.statusBar().currentMessage()  # two lines copied
        window.actions["zoom-in"].trigger()
        for menu_action in window.menuBar().actions():
            walk.action("menu bar", menu_action)
        window.actions["zoom-reset"].trigger()
        shown = {text for _, text in walk.seen}
        assert {"主题(T)", "深色(D)", "放大(I)", "编辑(E)", "帮助(H)"} <= shown, "menus walked"
        assert any(text.startswith("缩放：") for text in shown)

        await _dialog(walk, window.actions["shortcuts"].trigger)
        sheet = [text for where, text in walk.seen if where.startswith("QTableWidget#shortcuts")]
        assert "发送消息" in sheet and "新对话" in sheet, "the sheet's rows were walked"
        assert [text for text in sheet if re.search(r"\([A-Z]\)", text)] == [], "no (N) left"

        # Search: a hit (the conversation's title over a snippet), then nothing found.
        sidebar = easel.sidebar
        sidebar.focus_search()
        # "游戏" is only in the user's words: a hit's snippet is the conversation's own text,
        # and the reply's (```html <p>…) would read as English to the walk.
        sidebar.search.insert("游戏")  # as an input method commits it
        await _until(lambda: sidebar.results.isVisible() and sidebar.results.count() > 0)
        walk.widget_tree(sidebar, _conversation_list)
        sidebar.search.setText("没有这个词")
        await _until(lambda: sidebar.results.empty.isVisible())
        walk.widget_tree(sidebar, _conversation_list)
        sidebar.search.clear()

        window.close()
        await asyncio.wait_for(task, 10)
        names = ["deepseek", "Breakout", "照片.png", "工具.bin"]  # --provider's name as given
        return walk.problems(_allowed_pattern(names))

    problems = run_async(scenario(), timeout=120)
    assert problems == [], "\n".join(problems)


async def _click(easel, key: str, selector: str) -> None:
    """Press one of the page's own buttons (they carry its nonce), as the user would."""
    easel.transcript.flush()
    script = (
        f"(() => {{ const b = document.querySelector('[data-key={key}] {selector}');"
        " if (!b) return false; b.click(); return true; })()"
    )
    await _until_js(easel, script)


async def _until_js(easel, script: str) -> None:
    for _ in range(200):
        easel.transcript.flush()
        if await _js(easel.transcript, script):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never true in the page: {script}")


def test_diff_folds_and_labels_are_chinese(chinese, qtbot):
    """The Changes view's own words: the fold lines between hunks and the version labels."""
    from tests.test_diff import version
    from widgets.diff_view import DiffView

    body = "\n".join(f"line {n}" for n in range(200))
    view = DiffView()
    qtbot.addWidget(view)
    view.set_versions([version(1, body), version(2, body.replace("line 100", "LINE 100"))], 1, 2)
    walk = Walk()
    walk.widget_tree(view)
    folds = [line.text for line in view.unified.lines if line.kind == "fold"]
    view.set_mode("side")
    folds += [line.text for line in view.left_pane.lines if line.kind == "fold"]
    assert len(folds) == 4
    for text in folds:
        walk.add("diff fold", text)
    problems = walk.problems(_allowed_pattern([]))
    assert problems == [], "\n".join(problems)


def test_a_chat_not_named_yet_is_chinese_in_the_list_and_in_search(chinese, qtbot):
    """The store keeps "New chat" as the title of a chat not named yet (one sent with files
    only, say): the list, its tooltip and a search hit in it all say 新对话."""
    from app.store_records import Conversation
    from app.store_search import SearchHit
    from widgets.search_results import hit_html
    from widgets.sidebar import Sidebar

    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    sidebar.set_conversations([Conversation(1, "New chat", 0.0, 0.0, None, None, 2)], 1)
    item = sidebar.list.item(0)
    hit = SearchHit(1, 7, "New chat", "季度报告", ((0, 2),))
    shown = [item.text(), item.toolTip(), plain(hit_html(hit))]
    assert all("新对话" in text for text in shown), shown
    problems = [text for text in shown if untranslated(text, _allowed_pattern([]))]
    assert problems == []


def _recovery_notice(window: QWidget) -> None:
    from widgets.history_notice import show_recovery_notice

    show_recovery_notice(window, "历史数据库已损坏。", lambda: None)


def test_the_walk_sees_english(qapp):
    """The checker itself: English is caught, names and shortcuts are not."""
    pattern = _allowed_pattern([])
    assert untranslated("Save as one .html file (Ctrl+S)", pattern)
    assert untranslated("打印 (Print)", pattern)
    assert not untranslated("保存为 .html 文件（Ctrl+S）", pattern)
    assert not untranslated("使用 DeepSeek · deepseek-v4-flash", pattern)
    assert not untranslated(plain("<b>MCP 服务器</b>"), pattern)
    assert plain("文件(&F)") == "文件(F)"
