"""The panel beside the chat: one tab per artifact, its live preview, code, changes, console.

While an artifact streams, its code streams into the Code view and an HTML page grows in the
preview without running its scripts; the moment it closes, the stored version runs in the
sandbox. Every stored version can be shown again, compared with another, restored, edited by
hand, saved as one file, printed on A4 or published on this computer.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.documents import artifact_document, inline_vendored
from app.fix import ConsoleLine, collect_errors, fix_prompt
from app.partial_preview import partial_preview
from app.private_files import write_private_file
from app.publish import Publisher
from app.store import ArtifactVersion
from sandbox.profile import ArtifactProfile
from sandbox.view import ArtifactView
from widgets.code_editor import CodeEditor
from widgets.diff_view import DiffView
from widgets.print_dialog import PrintDialog
from widgets.publish_dialog import PublishDialog

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
# How often a streaming page's partial preview is redrawn.
PARTIAL_PREVIEW_MS = 250


class ArtifactTab(QWidget):
    """One artifact: toolbar, preview / code / changes, and a console drawer."""

    # Console lines changed: the count of lines now.
    consoleCountChanged = Signal(int)
    # The user ran their own edit of the code: (identifier, content).
    handEdited = Signal(str, str)
    # The user restored an older version as the newest: (identifier, version number).
    restoreRequested = Signal(str, int)
    # The user asked the model to fix the page's errors: (identifier, the prompt to send).
    fixRequested = Signal(str, str)

    def __init__(
        self,
        key: str,
        identifier: str,
        profile: ArtifactProfile,
        publisher: Publisher,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.identifier = identifier
        self.publisher = publisher
        self.versions: list[ArtifactVersion] = []
        self.current: ArtifactVersion | None = None
        self.streaming = False
        self._stream_type = "text/html"
        self._stream_text: list[str] = []
        self._stream_chars = 0
        self._console: list[ConsoleLine] = []
        self._allow_network = False
        self._pending_page: str | None = None
        self._partial_timer = QTimer(self)
        self._partial_timer.setSingleShot(True)
        self._partial_timer.setInterval(PARTIAL_PREVIEW_MS)
        self._partial_timer.timeout.connect(self._show_partial)

        self.view = ArtifactView(profile, self)
        self.code = CodeEditor(self)
        self.code.setObjectName("artifactCode")
        self.diff = DiffView(self)
        self.stack = QStackedWidget(self)
        for page in (self.view, self._code_page(), self.diff):
            self.stack.addWidget(page)
        self.banner = QLabel("", self)
        self.banner.setObjectName("artifactBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.linkActivated.connect(self._on_banner_link)
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
        self.view.crashed.connect(
            lambda reason: self._show_failure(f"The page crashed ({reason}).")
        )
        self.view.hung.connect(lambda: self._show_failure("The page stopped responding."))
        self.view.loaded.connect(lambda _ok: self._hide_failure())
        self.code.modifiedChanged.connect(self._on_code_modified)
        self.diff.restoreRequested.connect(lambda n: self.restoreRequested.emit(self.identifier, n))

    # --- building ---------------------------------------------------------------------------

    def _code_page(self) -> QWidget:
        page = QWidget(self)
        self.edit_bar = QWidget(page)
        self.edit_bar.setObjectName("editBar")
        self.run_button = QPushButton("Run as new version", self.edit_bar)
        self.run_button.setObjectName("primary")
        self.discard_button = QPushButton("Discard", self.edit_bar)
        row = QHBoxLayout(self.edit_bar)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(QLabel("You edited the code.", self.edit_bar))
        row.addStretch(1)
        row.addWidget(self.discard_button)
        row.addWidget(self.run_button)
        self.edit_bar.hide()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.edit_bar)
        layout.addWidget(self.code, 1)
        self.run_button.clicked.connect(self.run_hand_edit)
        self.discard_button.clicked.connect(self._discard_edit)
        QShortcut(QKeySequence("Ctrl+Return"), self.code, self.run_hand_edit)
        return page

    def _toolbar(self) -> QWidget:
        bar = QWidget(self)
        bar.setObjectName("artifactToolbar")
        self.preview_button = _tool("Preview", bar, checkable=True)
        self.code_button = _tool("Code", bar, checkable=True)
        self.changes_button = _tool(
            "Changes", bar, checkable=True, tip="Compare versions, restore an older one"
        )
        self.preview_button.setChecked(True)
        group = QButtonGroup(bar)
        for button in (self.preview_button, self.code_button, self.changes_button):
            group.addButton(button)
        self.version_combo = QComboBox(bar)
        self.version_combo.setObjectName("versionCombo")
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status = QLabel("", bar)
        self.status.setObjectName("artifactStatus")
        self.fix_button = _tool("Fix", bar, tip="Send the page's errors to the model for a fix")
        self.fix_button.setObjectName("fixButton")
        self.fix_button.hide()
        self.console_button = _tool("Console", bar, checkable=True)
        self.save_button = _tool(
            "Save", bar, tip="Save as one .html file that runs offline (Ctrl+S)"
        )
        self.print_button = _tool("Print", bar, tip="Print or save as an A4 PDF (Ctrl+P)")
        self.more_button = _tool("⋯", bar, tip="More")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setMenu(self._more_menu())
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        for widget in (
            self.preview_button,
            self.code_button,
            self.changes_button,
            self.version_combo,
            self.status,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        for widget in (
            self.fix_button,
            self.console_button,
            self.save_button,
            self.print_button,
            self.more_button,
        ):
            row.addWidget(widget)
        self.preview_button.clicked.connect(self.show_preview)
        self.code_button.clicked.connect(self.show_code)
        self.changes_button.clicked.connect(self.show_changes)
        self.version_combo.activated.connect(self._on_version_picked)
        self.fix_button.clicked.connect(self.request_fix)
        self.console_button.toggled.connect(self.console.setVisible)
        self.save_button.clicked.connect(lambda: self.save(keep_cdn=False))
        self.print_button.clicked.connect(self.print_pdf)
        return bar

    def _more_menu(self) -> QMenu:
        menu = QMenu(self)
        entries = (
            ("Reload (fresh renderer)", self.view.reload_document),
            ("Copy code", self.copy_code),
            ("Open in the system browser", self.open_in_browser),
            ("Full screen", self.show_full_screen),
            ("Publish on this computer…", self.publish),
            ("Save with CDN links (smaller file)…", lambda: self.save(keep_cdn=True)),
        )
        for text, slot in entries:
            action = QAction(text, menu)
            action.triggered.connect(slot)
            menu.addAction(action)
        return menu

    # --- streaming -------------------------------------------------------------------------

    def begin_stream(self, type_: str) -> None:
        """The model started writing a new version: its code and a script-free page grow."""
        self.streaming = True
        self._stream_type = type_
        self._stream_text = []
        self._stream_chars = 0
        self.code.set_language(type_)
        self.code.set_text("")
        self.code.set_read_only(True)
        self.status.setText("writing…")
        if type_ == "text/html":
            self.show_preview()
        else:
            self.show_code()

    def append_stream(self, text: str) -> None:
        """More of the version being written."""
        self.code.append_text(text)
        self._stream_text.append(text)
        self._stream_chars += len(text)
        self.status.setText(f"writing… {_size(self._stream_chars)}")
        if self._stream_type == "text/html" and not self._partial_timer.isActive():
            if self._stream_chars == len(text):
                self._show_partial()  # at once: this also starts the origin's renderer early
            self._partial_timer.start()

    def _show_partial(self) -> None:
        if self.streaming and self._stream_type == "text/html":
            self._pending_page = None
            self.view.show_partial(self.key, partial_preview("".join(self._stream_text)))

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
        shown = show or self.versions[-1]
        if len(self.versions) > 1:
            before = self.versions[-2] if shown is self.versions[-1] else self.versions[0]
            self.diff.set_versions(self.versions, before.version, shown.version)
        else:
            self.diff.set_versions(self.versions, shown.version, shown.version)
        self.show_version(shown)

    def add_version(self, version: ArtifactVersion) -> None:
        """A new version was stored: it becomes the one shown, running."""
        self.streaming = False
        self._partial_timer.stop()
        others = [v for v in self.versions if v.version != version.version]
        self.set_versions([*others, version], version)
        self.show_preview()

    def show_version(self, version: ArtifactVersion) -> None:
        """Run this version in the preview and show its code."""
        self.current = version
        self.version_combo.setCurrentIndex(max(0, self.version_combo.findData(version.version)))
        self.code.set_language(version.type)
        self.code.set_text(version.content)
        self.code.set_read_only(False)
        self.edit_bar.hide()
        kind = TYPE_LABELS.get(version.type, version.type)
        self.status.setText(kind if version.complete else f"{kind} · incomplete")
        self._clear_console()
        page = artifact_document(version.type, version.content, version.title)
        if self.isVisible():
            self._pending_page = None
            self.view.show_document(self.key, page, allow_network=self._allow_network)
        else:
            # A tab behind another runs nothing (no renderer, no memory) until it is shown.
            self._pending_page = page

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """A tab brought to the front starts the page it was given while hidden."""
        super().showEvent(event)
        if self._pending_page is not None:
            page, self._pending_page = self._pending_page, None
            self.view.show_document(self.key, page, allow_network=self._allow_network)

    def _on_version_picked(self, index: int) -> None:
        number = self.version_combo.itemData(index)
        for version in self.versions:
            if version.version == number:
                self.show_version(version)

    def show_preview(self) -> None:
        """Switch to the running page."""
        self.preview_button.setChecked(True)
        self.stack.setCurrentIndex(0)

    def show_code(self) -> None:
        """Switch to the code."""
        self.code_button.setChecked(True)
        self.stack.setCurrentIndex(1)

    def show_changes(self) -> None:
        """Switch to the comparison of versions."""
        self.changes_button.setChecked(True)
        self.stack.setCurrentIndex(2)

    # --- editing by hand ----------------------------------------------------------------------

    def _on_code_modified(self, modified: bool) -> None:
        self.edit_bar.setVisible(modified and not self.streaming)

    def run_hand_edit(self) -> None:
        """Store the edited code as a new version (the model sees it next time)."""
        if self.current is None or self.streaming or not self.code.is_modified():
            return
        self.handEdited.emit(self.identifier, self.code.text())

    def _discard_edit(self) -> None:
        if self.current is not None:
            self.code.set_text(self.current.content)

    # --- actions ---------------------------------------------------------------------------

    def self_contained_html(self, *, keep_cdn: bool = False) -> str:
        """The shown version as one page; with every vendored library inlined unless keep_cdn."""
        version = self.current
        if version is None:
            return ""
        page = artifact_document(version.type, version.content, version.title)
        return page if keep_cdn else inline_vendored(page)

    def suggested_file_name(self) -> str:
        """A file name from the title and version, e.g. "breakout-game-v2.html"."""
        title = self.current.title if self.current else self.identifier
        slug = re.sub(r"[^\w\-]+", "-", title.lower(), flags=re.UNICODE).strip("-") or "artifact"
        version = f"-v{self.current.version}" if self.current and len(self.versions) > 1 else ""
        return f"{slug}{version}.html"

    def save(self, *, keep_cdn: bool = False) -> None:
        """Ask where, then write the shown version as one .html file."""
        if self.current is None:
            return
        dialog = QFileDialog(self.window(), "Save artifact", self.suggested_file_name())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("Web page (*.html)")
        dialog.setDefaultSuffix("html")
        html = self.self_contained_html(keep_cdn=keep_cdn)

        def write(result: int) -> None:
            if result and dialog.selectedFiles():
                self.write_file(Path(dialog.selectedFiles()[0]), html)

        dialog.finished.connect(write)
        dialog.open()

    def write_file(self, path: Path, html: str) -> bool:
        """Write the page; a failure is one clear message, never silent."""
        try:
            path.write_text(html, "utf-8")
        except OSError as error:
            reason = error.strerror or str(error)
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Could not save",
                f"Could not save {path.name}: {reason}.",
                QMessageBox.StandardButton.Ok,
                self.window(),
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return False
        return True

    def print_pdf(self) -> None:
        """The A4 print dialog for the page as it is now."""
        if self.current is not None:
            dialog = PrintDialog(self.view, self.current.title, self.window())
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    def publish(self) -> None:
        """Serve the shown version at a local URL (with a QR code)."""
        if self.current is None:
            return
        dialog = PublishDialog(self.publisher, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.publish(self.current.title or self.identifier, self.self_contained_html())
        dialog.open()

    def open_in_browser(self) -> None:
        """Write the page to a new private file and hand it to the system browser."""
        if self.current is None:
            return
        try:
            path = write_private_file(self.suggested_file_name(), self.self_contained_html())
        except OSError as error:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Could not open in the browser",
                f"Could not write a temporary copy: {error.strerror or error}.",
                QMessageBox.StandardButton.Ok,
                self.window(),
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return
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

    def request_fix(self) -> None:
        """Ask the model to fix the errors the page logged."""
        errors = collect_errors(self._console)
        if self.current is None or not errors:
            return
        prompt = fix_prompt(
            self.identifier,
            self.current.title,
            self.current.content,
            errors,
            type=self.current.type,
        )
        self.fixRequested.emit(self.identifier, prompt)

    # --- what the page reports -------------------------------------------------------------

    def _on_console(self, level: str, message: str, source: str, line: int) -> None:
        where = f" ({source.rsplit('/', 1)[-1] or 'page'}:{line})" if line else ""
        self.console.addItem(f"{level}: {message}{where}")
        self._console.append(ConsoleLine(level, message, source, line))
        self._update_console_button()

    def _on_blocked(self, url: str) -> None:
        self.console.addItem(f"blocked: {url}")
        self._console.append(ConsoleLine("blocked", url))
        self._update_console_button()
        if url.startswith(("http:", "https:", "ws:", "wss:")):
            host = QUrl(url).host() or url
            self.banner.setText(
                f"This artifact tried to reach <b>{host}</b>, which is blocked. "
                "<a href='allow'>Allow network for this artifact</a>"
            )
            self.banner.show()

    def _show_failure(self, text: str) -> None:
        self.banner.setText(f"{text} <a href='reload'>Reload</a>")
        self.banner.show()

    def _on_banner_link(self, link: str) -> None:
        if link == "allow":
            self.allow_network()
        elif link == "reload":
            self.banner.hide()
            self.view.reload_document()

    def _hide_failure(self) -> None:
        if "Reload" in self.banner.text():
            self.banner.hide()

    def _clear_console(self) -> None:
        self.console.clear()
        self._console.clear()
        self.banner.hide()
        self._update_console_button()

    def _update_console_button(self) -> None:
        count = len(self._console)
        self.console_button.setText(f"Console ({count})" if count else "Console")
        errors = sum(group.count for group in collect_errors(self._console))
        self.fix_button.setText(f"Fix {errors} error{'s' if errors != 1 else ''}")
        self.fix_button.setVisible(errors > 0 and not self.streaming)
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

    # Re-emitted from the tabs: see ArtifactTab.
    handEdited = Signal(str, str)
    restoreRequested = Signal(str, int)
    fixRequested = Signal(str, str)

    def __init__(
        self, profile: ArtifactProfile, publisher: Publisher, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("artifactPanel")
        self.profile = profile
        self.publisher = publisher
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

    def begin_stream(self, identifier: str, title: str, type_: str) -> None:
        """The model started writing an artifact: its tab comes to the front, growing."""
        tab = self._tab(identifier, title)
        self.tabs.setCurrentWidget(tab)
        tab.begin_stream(type_)
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
            tab = ArtifactTab(key, identifier, self.profile, self.publisher, self.tabs)
            tab.handEdited.connect(self.handEdited)
            tab.restoreRequested.connect(self.restoreRequested)
            tab.fixRequested.connect(self.fixRequested)
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
