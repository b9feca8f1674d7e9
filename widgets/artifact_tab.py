"""One artifact's tab: its live preview, code, changes and console, and what can be done with it.

While an artifact streams, its code streams into the Code view and an HTML page grows in the
preview without running its scripts; the moment it closes, the stored version runs in the
sandbox. Every stored version can be shown again, compared with another, restored, edited by
hand, saved as one file, printed on A4 or published on this computer. The parts live in their
own modules: the toolbar (`artifact_toolbar`), the Code page (`artifact_code_page`), the console
drawer (`console_drawer`), saving (`page_files`), full screen (`full_screen_artifact`).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.config import Settings
from app.documents import artifact_document, inline_vendored
from app.fix import ConsoleLine, fix_prompt
from app.i18n import translate
from app.partial_preview import partial_preview
from app.publish import Publisher
from app.store import ArtifactVersion
from sandbox.profile import ArtifactProfile
from sandbox.view import ArtifactView
from widgets.artifact_code_page import ArtifactCodePage
from widgets.artifact_toolbar import ArtifactToolbar
from widgets.code_editor import CodeEditor
from widgets.console_drawer import ConsoleDrawer
from widgets.diff_view import DiffView
from widgets.file_folders import FileFolders
from widgets.full_screen_artifact import FullScreenArtifact
from widgets.model_consent_bar import ModelConsentBar
from widgets.page_files import (
    MARKDOWN,
    PDF,
    ask_save_path,
    open_copy_in_browser,
    write_page,
    write_pdf,
)
from widgets.print_dialog import PrintDialog
from widgets.publish_dialog import PublishDialog
from widgets.version_labels import origin_label, type_label

# How often a streaming page's partial preview is redrawn.
PARTIAL_PREVIEW_MS = 250
# A streaming page longer than this stops growing in the preview until it is complete: each
# redraw rebuilds the whole page (app.partial_preview) and hands it to the renderer, which for
# megabytes stalled the window for seconds.
PARTIAL_PREVIEW_MAX_CHARS = 200_000
# Versions this long together are compared only when the Changes view is opened: diffing and
# laying out megabytes of lines for a view nobody looks at stalled the window for seconds.
DIFF_AT_ONCE_CHARS = 200_000


class ArtifactTab(QWidget):
    """One artifact: toolbar, preview / code / changes, and a console drawer."""

    # Console lines changed: the count of lines seen since the version started (kept or not).
    consoleCountChanged = Signal(int)
    # The user ran their own edit of the code: (identifier, content).
    handEdited = Signal(str, str)
    # The user restored an older version as the newest: (identifier, version number).
    restoreRequested = Signal(str, int)
    # The user asked the model to fix the page's errors: (identifier, the prompt to send).
    fixRequested = Signal(str, str)
    # The user reloaded the page: its model calls may be asked for again (key).
    reloaded = Signal(str)
    # The user took back "always allow model calls" for this artifact (key).
    modelPermissionRevoked = Signal(str)

    def __init__(
        self,
        key: str,
        identifier: str,
        profile: ArtifactProfile,
        publisher: Publisher,
        parent: QWidget | None = None,
        folders: FileFolders | None = None,
    ) -> None:
        super().__init__(parent)
        # Where save dialogs open (the last folder per kind); the app's keeps it in settings.
        self.folders = folders or FileFolders(Settings())
        self.key = key
        self.identifier = identifier
        self.publisher = publisher
        self.versions: list[ArtifactVersion] = []
        self.current: ArtifactVersion | None = None
        self.streaming = False
        self._stream_type = "text/html"
        self._stream_text: list[str] = []
        self._stream_chars = 0
        self._allow_network = False
        self._pending_page: str | None = None
        # The (from, to) versions the Changes view is yet to compare (see set_versions).
        self._diff_pending: tuple[int, int] | None = None
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
        self.consent = ModelConsentBar(self)
        self.console = ConsoleDrawer(self)
        self.console.setMaximumHeight(150)
        self.console.hide()
        self.console.countsChanged.connect(self._on_console_counts)
        self.toolbar = self._toolbar()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(self.consent)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.console)

        self.view.consoleMessage.connect(self._on_console)
        self.view.requestBlocked.connect(self._on_blocked)
        self.view.crashed.connect(
            lambda reason: self._show_failure(
                translate("ArtifactTab", "The page crashed ({reason}).").format(reason=reason)
            )
        )
        self.view.hung.connect(
            lambda: self._show_failure(translate("ArtifactTab", "The page stopped responding."))
        )
        self.view.loaded.connect(lambda _ok: self._hide_failure())
        self.code.modifiedChanged.connect(self._on_code_modified)
        self.diff.restoreRequested.connect(lambda n: self.restoreRequested.emit(self.identifier, n))

    # --- building ---------------------------------------------------------------------------

    def _code_page(self) -> ArtifactCodePage:
        page = ArtifactCodePage(self.code, self)
        self.edit_bar = page.edit_bar
        self.run_button = page.run_button
        page.runRequested.connect(self.run_hand_edit)
        page.discardRequested.connect(self._discard_edit)
        return page

    def _toolbar(self) -> ArtifactToolbar:
        bar = ArtifactToolbar(self)
        # The tab's own names for the toolbar's parts (tests and the panel use them).
        self.preview_button = bar.preview_button
        self.code_button = bar.code_button
        self.changes_button = bar.changes_button
        self.version_combo = bar.version_combo
        self.status = bar.status
        self.fix_button = bar.fix_button
        self.console_button = bar.console_button
        bar.set_more_actions(
            (
                (translate("ArtifactTab", "Reload (fresh renderer)"), self.reload),
                (translate("ArtifactTab", "Copy code"), self.copy_code),
                (translate("ArtifactTab", "Open in the system browser"), self.open_in_browser),
                (translate("ArtifactTab", "Full screen"), self.show_full_screen),
                (
                    translate("ArtifactTab", "Save with CDN links (smaller file)…"),
                    lambda: self.save(keep_cdn=True),
                ),
                (
                    translate("ArtifactTab", "Ask before model calls again"),
                    lambda: self.modelPermissionRevoked.emit(self.key),
                ),
            )
        )
        self.preview_button.clicked.connect(self.show_preview)
        self.code_button.clicked.connect(self.show_code)
        self.changes_button.clicked.connect(self.show_changes)
        self.version_combo.activated.connect(self._on_version_picked)
        self.fix_button.clicked.connect(self.request_fix)
        self.console_button.toggled.connect(self.console.setVisible)
        bar.save_button.clicked.connect(lambda: self.save(keep_cdn=False))
        bar.print_button.clicked.connect(self.print_pdf)
        bar.publish_button.clicked.connect(self.publish)
        return bar

    def reload(self) -> None:
        """Load the page again in a fresh renderer; a declined model call may be asked again."""
        self.consent.cancel()
        self.reloaded.emit(self.key)
        self.view.reload_document()

    def show_model_usage(self, calls: int, tokens: int) -> None:
        """The artifact's model calls and tokens in this session, on the toolbar."""
        self.toolbar.set_model_usage(calls, tokens)

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
        self.status.setText(translate("ArtifactTab", "writing…"))
        if type_ == "text/html":
            self.show_preview()
        else:
            self.show_code()

    def append_stream(self, text: str) -> None:
        """More of the version being written."""
        self.code.append_text(text)
        self._stream_chars += len(text)
        html = self._stream_type == "text/html"
        growing = html and self._stream_chars <= PARTIAL_PREVIEW_MAX_CHARS
        if growing:
            self._stream_text.append(text)
        later = translate("ArtifactTab", " · shown when complete") if html and not growing else ""
        written = translate("ArtifactTab", "writing… {size}").format(size=_size(self._stream_chars))
        self.status.setText(written + later)
        if growing and not self._partial_timer.isActive():
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
            label = f"v{version.version} · {origin_label(version.origin)}"
            if not version.complete:
                label += translate("ArtifactTab", " · incomplete")
            self.version_combo.addItem(label, version.version)
        shown = show or self.versions[-1]
        before = shown
        if len(self.versions) > 1:
            before = self.versions[-2] if shown is self.versions[-1] else self.versions[0]
        self._diff_pending = (before.version, shown.version)
        small = len(before.content) + len(shown.content) <= DIFF_AT_ONCE_CHARS
        if small or self.stack.currentWidget() is self.diff:
            self._update_diff()
        self.show_version(shown)

    def _update_diff(self) -> None:
        """Compare the versions set_versions chose, if that is still to do."""
        if self._diff_pending is not None:
            left, right = self._diff_pending
            self._diff_pending = None
            self.diff.set_versions(self.versions, left, right)

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
        kind = type_label(version.type)
        plain = translate("ArtifactTab", " · large: code shown without colours")
        plain = "" if self.code.is_highlighted() else plain
        if not version.complete:
            kind += translate("ArtifactTab", " · incomplete")
        self.status.setText(kind + plain)
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
        self._update_diff()
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
        """Ask where, then write the shown version (a document: .html, .md or .pdf)."""
        if self.current is None:
            return
        ask_save_path(
            self.window(),
            self.folders,
            self.suggested_file_name(),
            self.current.type,
            lambda fmt, path: self.save_as(fmt, path, keep_cdn=keep_cdn),
        )

    def save_as(self, fmt: str, path: Path, *, keep_cdn: bool = False) -> None:
        """Write the shown version as one page, its Markdown source, or an A4 PDF."""
        if self.current is None:
            return
        if fmt == MARKDOWN:
            write_page(self.window(), path, self.current.content.rstrip("\n") + "\n")
        elif fmt == PDF:
            write_pdf(self.window(), self.view, path)
        else:
            self.write_file(path, self.self_contained_html(keep_cdn=keep_cdn))

    def write_file(self, path: Path, html: str) -> bool:
        """Write the page; a failure is one clear message, never silent."""
        return write_page(self.window(), path, html)

    def print_pdf(self) -> None:
        """The A4 print dialog for the page as it is now."""
        if self.current is not None:
            dialog = PrintDialog(self.view, self.current.title, self.window(), self.folders)
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
        if self.current is not None:
            open_copy_in_browser(
                self.window(), self.suggested_file_name(), self.self_contained_html()
            )

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
        self.console.flush()
        errors = self.console.errors()
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
        self.console.add(ConsoleLine(level, message, source, line))

    def _on_blocked(self, url: str) -> None:
        self.console.add(ConsoleLine("blocked", url))
        if url.startswith(("http:", "https:", "ws:", "wss:")):
            host = QUrl(url).host() or url
            text = translate(
                "ArtifactTab",
                "This artifact tried to reach <b>{host}</b>, which is blocked. "
                "<a href='allow'>Allow network for this artifact</a>",
            ).format(host=host)
            if text != self.banner.text():  # a page retrying in a loop costs no relayout
                self.banner.setText(text)
            self.banner.show()

    def _show_failure(self, text: str) -> None:
        reload = translate("ArtifactTab", "<a href='reload'>Reload</a>")
        self.banner.setText(f"{text} {reload}")
        self.banner.show()

    def _on_banner_link(self, link: str) -> None:
        if link == "allow":
            self.allow_network()
        elif link == "reload":
            self.banner.hide()
            self.reload()

    def _hide_failure(self) -> None:
        if "href='reload'" in self.banner.text():
            self.banner.hide()

    def _clear_console(self) -> None:
        self.banner.hide()
        self.console.clear_log()

    def _on_console_counts(self, lines: int, errors: int) -> None:
        self.toolbar.set_counts(lines, errors, can_fix=not self.streaming)
        self.consoleCountChanged.emit(lines)


def _size(chars: int) -> str:
    if chars >= 1024 * 1024:
        return f"{chars / (1024 * 1024):.1f} MB"
    return f"{chars / 1024:.1f} KB" if chars >= 1024 else f"{chars} B"
