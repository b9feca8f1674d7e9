"""The panel beside the chat: one tab per artifact, its live preview, code, versions, console.

While an artifact streams, its code streams into the Code view and the tab shows progress; the
moment it closes, the stored version runs in the sandboxed preview. Every stored version can be
shown again from the version switcher.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.documents import artifact_document, inline_vendored
from app.store import ArtifactVersion
from sandbox.profile import ArtifactProfile
from sandbox.view import ArtifactView

TYPE_LABELS = {
    "text/html": "HTML",
    "image/svg+xml": "SVG",
    "text/markdown": "Document",
    "application/vnd.react": "React",
    "application/vnd.mermaid": "Diagram",
}
ORIGIN_LABELS = {
    "full": "written",
    "edit": "edited",
    "hand": "your edit",
    "fix": "fixed",
    "restore": "restored",
}


class ArtifactTab(QWidget):
    """One artifact: toolbar, preview / code, and a console drawer."""

    # Console lines changed: the panel updates the tab's badge.
    consoleCountChanged = Signal(int)

    def __init__(
        self, key: str, identifier: str, profile: ArtifactProfile, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.identifier = identifier
        self.versions: list[ArtifactVersion] = []
        self.current: ArtifactVersion | None = None
        self.streaming = False
        self._stream_chars = 0
        self._console_count = 0
        self._allow_network = False

        self.view = ArtifactView(profile, self)
        self.code = QPlainTextEdit(self)
        self.code.setReadOnly(True)
        self.code.setObjectName("artifactCode")
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.code.setFont(mono)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.code)
        self.banner = QLabel("", self)
        self.banner.setObjectName("artifactBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.console = QListWidget(self)
        self.console.setObjectName("console")
        self.console.setMaximumHeight(150)
        self.console.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._toolbar())
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.console)

        self.view.consoleMessage.connect(self._on_console)
        self.view.requestBlocked.connect(self._on_blocked)
        self.view.crashed.connect(self._on_crashed)
        self.view.hung.connect(self._on_hung)
        self.view.loaded.connect(lambda ok: self._hide_failure())

    def _toolbar(self) -> QWidget:
        bar = QWidget(self)
        bar.setObjectName("artifactToolbar")
        self.preview_button = _tool("Preview", bar, checkable=True)
        self.code_button = _tool("Code", bar, checkable=True)
        self.preview_button.setChecked(True)
        group = QButtonGroup(bar)
        group.addButton(self.preview_button)
        group.addButton(self.code_button)
        self.version_combo = QComboBox(bar)
        self.version_combo.setObjectName("versionCombo")
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status = QLabel("", bar)
        self.status.setObjectName("artifactStatus")
        self.reload_button = _tool("Reload", bar, tip="Reload the page (a fresh renderer)")
        self.browser_button = _tool("Browser ↗", bar, tip="Open in the system browser")
        self.full_button = _tool("Full screen", bar, tip="Show the page alone (Esc leaves)")
        self.copy_button = _tool("Copy", bar, tip="Copy the code")
        self.console_button = _tool("Console", bar, checkable=True)
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        for widget in (self.preview_button, self.code_button, self.version_combo, self.status):
            row.addWidget(widget)
        row.addStretch(1)
        for widget in (
            self.console_button,
            self.reload_button,
            self.copy_button,
            self.browser_button,
            self.full_button,
        ):
            row.addWidget(widget)
        self.preview_button.clicked.connect(lambda: self.stack.setCurrentWidget(self.view))
        self.code_button.clicked.connect(lambda: self.stack.setCurrentWidget(self.code))
        self.version_combo.activated.connect(self._on_version_picked)
        self.reload_button.clicked.connect(self.view.reload_document)
        self.browser_button.clicked.connect(self.open_in_browser)
        self.full_button.clicked.connect(self.show_full_screen)
        self.copy_button.clicked.connect(self.copy_code)
        self.console_button.toggled.connect(self.console.setVisible)
        return bar

    # --- streaming -------------------------------------------------------------------------

    def begin_stream(self) -> None:
        """The model started writing a new version: show its code as it arrives."""
        self.streaming = True
        self._stream_chars = 0
        self.code.setPlainText("")
        self.show_code()
        self.status.setText("writing…")

    def append_stream(self, text: str) -> None:
        """More of the version being written."""
        cursor = self.code.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(text)
        self._stream_chars += len(text)
        self.status.setText(f"writing… {_size(self._stream_chars)}")

    # --- versions --------------------------------------------------------------------------

    def set_versions(self, versions: list[ArtifactVersion], show: ArtifactVersion | None) -> None:
        """All stored versions of this artifact; show one (the newest by default)."""
        self.versions = sorted(versions, key=lambda v: v.version)
        self.version_combo.clear()
        for version in self.versions:
            label = f"v{version.version} · {ORIGIN_LABELS.get(version.origin, version.origin)}"
            if not version.complete:
                label += " · incomplete"
            self.version_combo.addItem(label, version.version)
        self.show_version(show or self.versions[-1])

    def add_version(self, version: ArtifactVersion) -> None:
        """A new version was stored: it becomes the one shown, running."""
        self.streaming = False
        others = [v for v in self.versions if v.version != version.version]
        self.set_versions([*others, version], version)
        self.show_preview()

    def show_version(self, version: ArtifactVersion) -> None:
        """Run this version in the preview and show its code."""
        self.current = version
        self.version_combo.setCurrentIndex(max(0, self.version_combo.findData(version.version)))
        self.code.setPlainText(version.content)
        note = "" if version.complete else "incomplete — the reply ended before it did"
        self.status.setText(f"{TYPE_LABELS.get(version.type, version.type)} · {note}".strip(" ·"))
        self._clear_console()
        page = artifact_document(version.type, version.content, version.title)
        self.view.show_document(self.key, page, allow_network=self._allow_network)

    def _on_version_picked(self, index: int) -> None:
        number = self.version_combo.itemData(index)
        for version in self.versions:
            if version.version == number:
                self.show_version(version)

    def show_preview(self) -> None:
        """Switch to the running page."""
        self.preview_button.setChecked(True)
        self.stack.setCurrentWidget(self.view)

    def show_code(self) -> None:
        """Switch to the code."""
        self.code_button.setChecked(True)
        self.stack.setCurrentWidget(self.code)

    # --- actions ---------------------------------------------------------------------------

    def self_contained_html(self) -> str:
        """The shown version as one page that runs anywhere, offline."""
        version = self.current
        if version is None:
            return ""
        return inline_vendored(artifact_document(version.type, version.content, version.title))

    def open_in_browser(self) -> None:
        """Write the page to a temporary file and hand it to the system browser."""
        if self.current is None:
            return
        folder = Path(tempfile.gettempdir()) / "easel-open"
        folder.mkdir(exist_ok=True)
        path = folder / f"{self.identifier}-v{self.current.version}.html"
        path.write_text(self.self_contained_html(), "utf-8")
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def copy_code(self) -> None:
        """Put the shown version's code on the clipboard."""
        if self.current is not None:
            QGuiApplication.clipboard().setText(self.current.content)

    def show_full_screen(self) -> None:
        """The page alone on the whole screen, in the same sandbox and origin; Esc leaves."""
        if self.current is None:
            return
        window = FullScreenArtifact(self.view.profile, self.key, self.current, self.window())
        window.showFullScreen()

    def allow_network(self) -> None:
        """The user let this artifact reach the network: reload with it allowed."""
        self._allow_network = True
        self.banner.hide()
        self.view.set_allow_network(True)

    # --- what the page reports -------------------------------------------------------------

    def _on_console(self, level: str, message: str, source: str, line: int) -> None:
        where = f" ({source.rsplit('/', 1)[-1] or 'page'}:{line})" if line else ""
        self.console.addItem(f"{level}: {message}{where}")
        self._console_count += 1
        self._update_console_button()

    def _on_blocked(self, url: str) -> None:
        self.console.addItem(f"blocked: {url}")
        self._console_count += 1
        self._update_console_button()
        self.banner.setText(
            f"This artifact tried to reach {QUrl(url).host() or url}, which is blocked. "
            "<a href='allow'>Allow network for this artifact</a>"
        )
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        try:
            self.banner.linkActivated.disconnect()
        except (RuntimeError, TypeError):
            pass
        self.banner.linkActivated.connect(lambda _: self.allow_network())
        self.banner.show()

    def _on_crashed(self, reason: str) -> None:
        self._show_failure(f"The page crashed ({reason}).")

    def _on_hung(self) -> None:
        self._show_failure("The page stopped responding.")

    def _show_failure(self, text: str) -> None:
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setText(f"{text} <a href='reload'>Reload</a>")
        try:
            self.banner.linkActivated.disconnect()
        except (RuntimeError, TypeError):
            pass
        self.banner.linkActivated.connect(lambda _: self.view.reload_document())
        self.banner.show()

    def _hide_failure(self) -> None:
        if "Reload" in self.banner.text():
            self.banner.hide()

    def _clear_console(self) -> None:
        self.console.clear()
        self._console_count = 0
        self._update_console_button()

    def _update_console_button(self) -> None:
        count = self._console_count
        self.console_button.setText(f"Console ({count})" if count else "Console")
        self.consoleCountChanged.emit(count)


class FullScreenArtifact(QWidget):
    """A top-level window showing one artifact full screen."""

    def __init__(
        self,
        profile: ArtifactProfile,
        key: str,
        version: ArtifactVersion,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(version.title)
        self.view = ArtifactView(profile, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        page = artifact_document(version.type, version.content, version.title)
        self.view.show_document(key, page)


class ArtifactPanel(QWidget):
    """Tabs of the conversation's artifacts, with an empty state when there are none."""

    def __init__(self, profile: ArtifactProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("artifactPanel")
        self.profile = profile
        self.conversation_id: int | None = None
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("artifactTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(True)
        self.empty = QLabel(
            "<div style='font-size:15px'><b>Artifacts appear here</b></div>"
            "<div>Ask for a game, a page, a one-page report or a diagram:<br>"
            "it runs right here, sandboxed and offline.</div>",
            self,
        )
        self.empty.setObjectName("emptyArtifacts")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.tabs, 1)
        self.tabs.hide()
        self._tabs: dict[str, ArtifactTab] = {}

    def clear(self, conversation_id: int | None) -> None:
        """Forget the tabs (another conversation is opened)."""
        self.conversation_id = conversation_id
        for tab in self._tabs.values():
            tab.deleteLater()
        self._tabs.clear()
        self.tabs.clear()
        self._update_empty()

    def load(self, versions: list[ArtifactVersion]) -> None:
        """Show a stored conversation's artifacts, each at its newest version."""
        by_identifier: dict[str, list[ArtifactVersion]] = {}
        for version in versions:
            by_identifier.setdefault(version.identifier, []).append(version)
        for identifier, group in by_identifier.items():
            self._tab(identifier, group[-1].title).set_versions(group, None)
        self._update_empty()

    def tab(self, identifier: str) -> ArtifactTab | None:
        """The tab of this artifact, if it has one."""
        return self._tabs.get(identifier)

    def current_tab(self) -> ArtifactTab | None:
        """The tab in front."""
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, ArtifactTab) else None

    def begin_stream(self, identifier: str, title: str) -> None:
        """The model started writing an artifact: its tab comes to the front, code streaming."""
        tab = self._tab(identifier, title)
        self.tabs.setCurrentWidget(tab)
        tab.begin_stream()
        self._set_tab_title(tab, f"✎ {title}")

    def append_stream(self, identifier: str, text: str) -> None:
        """More code of the artifact being written."""
        tab = self._tabs.get(identifier)
        if tab is not None and tab.streaming:
            tab.append_stream(text)

    def add_version(self, version: ArtifactVersion) -> None:
        """A version was stored: show it running, in front."""
        tab = self._tab(version.identifier, version.title)
        tab.add_version(version)
        self._set_tab_title(tab, version.title)
        self.tabs.setCurrentWidget(tab)

    def focus(self, identifier: str, version: int | None = None) -> None:
        """Bring an artifact to the front (a card in the chat was clicked)."""
        tab = self._tabs.get(identifier)
        if tab is None:
            return
        self.tabs.setCurrentWidget(tab)
        for stored in tab.versions:
            if stored.version == version and stored is not tab.current:
                tab.show_version(stored)
        tab.show_preview()

    def _tab(self, identifier: str, title: str) -> ArtifactTab:
        tab = self._tabs.get(identifier)
        if tab is None:
            key = f"{self.conversation_id}/{identifier}"
            tab = ArtifactTab(key, identifier, self.profile, self.tabs)
            self._tabs[identifier] = tab
            self.tabs.addTab(tab, title or identifier)
            self._update_empty()
        return tab

    def _set_tab_title(self, tab: ArtifactTab, title: str) -> None:
        self.tabs.setTabText(self.tabs.indexOf(tab), title)

    def _update_empty(self) -> None:
        has_tabs = bool(self._tabs)
        self.tabs.setVisible(has_tabs)
        self.empty.setVisible(not has_tabs)


def _tool(text: str, parent: QWidget, *, tip: str = "", checkable: bool = False) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip or text)
    button.setCheckable(checkable)
    button.setAutoRaise(True)
    return button


def _size(chars: int) -> str:
    return f"{chars / 1024:.1f} KB" if chars >= 1024 else f"{chars} B"
