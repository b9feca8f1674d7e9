"""The panel beside the chat: one tab per artifact (widgets/artifact_tab.py), or an empty state.

The panel routes what the session reports (a stream begins, grows, a version is stored) to the
artifact's tab, creating it on first sight, and re-emits what the tabs ask of the session.
A tab's module (its code editor brings Pygments' lexers) is imported with the first tab, not at
start-up: the app warms it up in the background once the window is on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from app.heap import release_freed_memory
from app.i18n import translate
from app.publish import Publisher
from app.store import ArtifactVersion
from widgets.file_folders import FileFolders

if TYPE_CHECKING:
    from collections.abc import Callable

    from sandbox.profile import ArtifactProfile
    from widgets.artifact_tab import ArtifactTab

# How long after closed tabs are deleted their memory is handed back (see clear()).
RELEASE_AFTER_MS = 1000


class ArtifactPanel(QWidget):
    """Tabs of the conversation's artifacts, with an empty state when there are none."""

    # Re-emitted from the tabs: see ArtifactTab.
    handEdited = Signal(str, str)
    restoreRequested = Signal(str, int)
    fixRequested = Signal(str, str)
    # The user reloaded an artifact's page: its key.
    tabReloaded = Signal(str)
    # The user took back an artifact's "always allow model calls": its key.
    modelPermissionRevoked = Signal(str)
    # An artifact starts or was asked for: a panel the user folded away should come back.
    revealRequested = Signal()

    def __init__(
        self,
        profile: Callable[[], ArtifactProfile],
        publisher: Publisher,
        parent: QWidget | None = None,
        folders: FileFolders | None = None,
    ) -> None:
        super().__init__(parent)
        self.folders = folders
        self.setObjectName("artifactPanel")
        self._profile = profile  # the artifacts' web profile, made when the first tab needs it
        self.publisher = publisher
        self.conversation_id: int | None = None
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("artifactTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(True)
        self.empty = QLabel(
            translate(
                "ArtifactPanel",
                "<div style='font-size:15px'><b>Artifacts appear here</b></div>"
                "<div>Ask for a game, a page, a one-page report or a diagram:<br>"
                "it runs right here, sandboxed and offline.</div>",
            ),
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
        self._release = QTimer(self)
        self._release.setSingleShot(True)
        self._release.setInterval(RELEASE_AFTER_MS)
        self._release.timeout.connect(release_freed_memory)

    def clear(self, conversation_id: int | None) -> None:
        """Forget the tabs (another conversation is opened)."""
        self.conversation_id = conversation_id
        for tab in self._tabs.values():
            tab.consent.cancel()  # a question left open on a closed tab is a no
            tab.deleteLater()
        if self._tabs:
            # A while after the last is deleted (they go in order; the engine frees their pages
            # on its own turns), what they held goes back to the system: without this the
            # process kept ~300 MB after 50 tabs (see app/heap.py).
            tab.destroyed.connect(lambda: self._release.start())
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

    def tab_for_key(self, key: str) -> ArtifactTab | None:
        """The tab showing the artifact with this view key (`<conversation>/<identifier>`)."""
        return next((tab for tab in self._tabs.values() if tab.key == key), None)

    def show_model_usage(self, key: str, calls: int, tokens: int) -> None:
        """An artifact's model calls in this session, on its tab's toolbar."""
        tab = self.tab_for_key(key)
        if tab is not None:
            tab.show_model_usage(calls, tokens)

    def current_tab(self) -> ArtifactTab | None:
        """The tab in front."""
        widget = self.tabs.currentWidget()
        return next((tab for tab in self._tabs.values() if tab is widget), None)

    def begin_stream(self, identifier: str, title: str, type_: str) -> None:
        """The model started writing an artifact: its tab comes to the front, growing."""
        tab = self._tab(identifier, title)
        self.tabs.setCurrentWidget(tab)
        self.revealRequested.emit()
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
        self.revealRequested.emit()
        for stored in tab.versions:
            if stored.version == version and stored is not tab.current:
                tab.show_version(stored)
        tab.show_preview()

    def _tab(self, identifier: str, title: str) -> ArtifactTab:
        tab = self._tabs.get(identifier)
        if tab is None:
            from widgets.artifact_tab import ArtifactTab  # deferred: see the docstring

            key = f"{self.conversation_id}/{identifier}"
            tab = ArtifactTab(
                key, identifier, self._profile(), self.publisher, self.tabs, self.folders
            )
            tab.handEdited.connect(self.handEdited)
            tab.restoreRequested.connect(self.restoreRequested)
            tab.fixRequested.connect(self.fixRequested)
            tab.reloaded.connect(self.tabReloaded)
            tab.modelPermissionRevoked.connect(self.modelPermissionRevoked)
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
