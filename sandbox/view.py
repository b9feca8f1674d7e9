"""`ArtifactView`: the widget the main window embeds to show one artifact at a time.

Its Python API is deliberately tiny (show, reload, allow network, and signals); there is no
bridge into the page. Blocked requests, refused navigations, pop-ups and downloads all arrive
as `requestBlocked(url)` so the window can say "this artifact tried to reach …".
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QHideEvent, QShowEvent
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest, QWebEngineScript
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from app.documents import script_json as script_value
from sandbox.page import ArtifactPage
from sandbox.profile import ArtifactProfile

# Replaces the shown document with a newly parsed one, keeping the scroll position.
_SWAP_DOCUMENT = """function (html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const y = window.scrollY;
  document.documentElement.replaceWith(document.adoptNode(parsed.documentElement));
  window.scrollTo(0, y);
}"""

# Input events that make the next link click the user's own.
_USER_INPUT = frozenset(
    {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.KeyPress}
)


class ArtifactView(QWebEngineView):
    """Shows artifacts in the sandbox profile and reports what they do."""

    # A console line: level ("info" | "warning" | "error"), message, source, line.
    consoleMessage = Signal(str, str, str, int)
    # The artifact tried to reach this URL and was refused.
    requestBlocked = Signal(str)
    # The user clicked an external link (opened with the system browser unless open_links=False).
    linkClicked = Signal(QUrl)
    # The renderer crashed: a sentence for the user.
    crashed = Signal(str)
    # The renderer stopped answering (a busy loop); `reload_document` recovers.
    hung = Signal()
    # The document finished loading: ok.
    loaded = Signal(bool)

    def __init__(
        self, profile: ArtifactProfile, parent: QWidget | None = None, *, open_links: bool = True
    ) -> None:
        super().__init__(parent)
        self._profile = profile
        self._key = ""
        self._host = ""
        self._partial = False
        self._page = ArtifactPage(profile, self)
        self.setPage(self._page)
        self._page.consoleMessage.connect(self.consoleMessage)
        self._page.navigationRefused.connect(self._on_refused)
        self._page.linkClicked.connect(self.linkClicked)
        self._page.crashed.connect(self.crashed)
        self._page.hung.connect(self.hung)
        self._page.loadFinished.connect(self.loaded)
        self._page.loadFinished.connect(self._watch_input)
        profile.requestBlocked.connect(self._on_blocked)
        profile.downloadRequested.connect(self._on_download)
        if open_links:
            self.linkClicked.connect(QDesktopServices.openUrl)

    @property
    def artifact_page(self) -> ArtifactPage:
        """The page (for printing and tests); never exposed to the artifact itself."""
        return self._page

    @property
    def key(self) -> str:
        """The key of the artifact shown, or "" before the first one."""
        return self._key

    def show_document(self, key: str, html: str, *, allow_network: bool = False) -> None:
        """Show `html` as (a version of) the artifact `key`; the same key keeps its origin."""
        url = self._profile.publish(key, html, allow_network=allow_network)
        self._key = key
        self._host = url.host()
        self._partial = False
        self._page.open_document(url)

    def show_partial(self, key: str, html: str) -> None:
        """Show a growing, script-free page (see app.partial_preview) without flicker.

        The first call loads it; later calls swap the document's content from Easel's own
        isolated script world (the page's scripts cannot see it; DOMParser never runs scripts),
        so the view is not reloaded for every piece that arrives. It also warms the renderer
        of the artifact's origin, so the finished version starts at once.
        """
        if not self._partial or key != self._key:
            self.show_document(key, html)
            self._partial = True
            return
        self._page.runJavaScript(
            f"({_SWAP_DOCUMENT})({script_value(html)})",
            QWebEngineScript.ScriptWorldId.ApplicationWorld,
        )

    def reload_document(self) -> None:
        """Load the current document again, in a fresh renderer if it crashed or hung."""
        if self._key:
            self._page.reload_fresh()

    def set_allow_network(self, allowed: bool) -> None:
        """Let the current artifact reach the network (or not), then reload it."""
        if self._key:
            self._profile.set_allow_network(self._key, allowed)
            self.reload_document()

    # -- reports --------------------------------------------------------------------------------

    def _on_blocked(self, host: str, url: str) -> None:
        # The profile is shared by every view: report only this artifact's requests.
        if host and host == self._host:
            self.requestBlocked.emit(url)

    def _on_refused(self, url: str) -> None:
        self.requestBlocked.emit(url or "a pop-up window")

    def _on_download(self, download: QWebEngineDownloadRequest) -> None:
        # The profile already cancelled it; tell the user only about this view's page.
        if download.page() is self._page:
            self.requestBlocked.emit(download.url().toString())

    # -- visibility and input -------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        """Watch for hangs while visible."""
        super().showEvent(event)
        self._page.set_heartbeat(True)
        self._watch_input()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        """A hidden artifact is not probed."""
        super().hideEvent(event)
        self._page.set_heartbeat(False)

    def _watch_input(self, _ok: bool = True) -> None:
        # Input lands on the render widget (the focus proxy); a new renderer may bring a new one.
        proxy = self.focusProxy()
        if proxy is not None and not proxy.property("easel_input_watched"):
            proxy.installEventFilter(self)
            proxy.setProperty("easel_input_watched", True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """Note user input so the page can tell a real click from a script's navigation."""
        if event.type() in _USER_INPUT:
            self._page.note_user_input()
        return super().eventFilter(watched, event)
