"""`ArtifactView`: the widget the main window embeds to show one artifact at a time.

Its Python API is deliberately tiny (show, reload, allow network, and signals); there is no
bridge into the page. Blocked requests, refused navigations, pop-ups, downloads, switched-off
APIs (WebRTC, WebTransport) and connections the network gate refused all arrive as
`requestBlocked(url)` so the window can say "this artifact tried to reach …". The gate cannot
tell which page opened a connection the interceptor never saw, so such a refusal is reported by
every view that is showing an artifact at that moment.

A link the user really clicked (see `sandbox.page`) is shown with its full URL before it opens in
the system browser, so data a page packed into a link is visible before it leaves.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest, QWebEngineScript
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from app.documents import script_json as script_value
from app.partial_preview import framework_script
from app.vendor import VendoredFile, answered_host
from sandbox.links import confirm_and_open
from sandbox.page import ArtifactPage
from sandbox.profile import ArtifactProfile

# Replaces the shown document with a newly parsed one, keeping the scroll position.
_SWAP_DOCUMENT = """function (html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const y = window.scrollY;
  document.documentElement.replaceWith(document.adoptNode(parsed.documentElement));
  window.scrollTo(0, y);
}"""
# Tailwind's play script styles what changes after it starts (it expects to start while the page
# is parsed): one change to the DOM, undone at once, makes it style the whole preview.
_WAKE_FRAMEWORK = '\n;(n => { document.head.append(n); n.remove(); })(document.createTextNode(""));'
# The same, keeping the <html> element: a CSS framework run for the preview observes it.
_SWAP_HEAD_AND_BODY = """function (html) {
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const y = window.scrollY;
  const root = document.documentElement, next = parsed.documentElement;
  for (const a of [...root.attributes]) if (!next.hasAttribute(a.name)) root.removeAttribute(a.name);
  for (const a of [...next.attributes]) root.setAttribute(a.name, a.value);
  document.head.replaceWith(document.adoptNode(parsed.head));
  document.body.replaceWith(document.adoptNode(parsed.body));
  window.scrollTo(0, y);
}"""


class ArtifactView(QWebEngineView):
    """Shows artifacts in the sandbox profile and reports what they do."""

    # A console line: level ("info" | "warning" | "error"), message, source, line.
    consoleMessage = Signal(str, str, str, int)
    # The artifact tried to reach this URL and was refused.
    requestBlocked = Signal(str)
    # The user clicked an external link (with open_links, shown to the user, then opened outside).
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
        self._partial_loaded = False
        self._pending_partial = ""
        self._framework: VendoredFile | None = None  # run in the preview's isolated world
        self._wanted_framework: VendoredFile | None = None
        self._heartbeat = False
        self._current = profile  # the profile of the page shown (see `_use_profile`)
        self._page = self._make_page(profile)
        self.setPage(self._page)
        profile.connectionRefused.connect(self._on_gate_refused)
        if open_links:
            self.linkClicked.connect(self._confirm_and_open)

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
        self._use_profile(self._profile.profile_for(key, allow_network))
        url = self._current.publish(key, html, allow_network=allow_network)
        self._key = key
        self._host = url.host()
        self._partial = False
        self._partial_loaded = False
        self._pending_partial = ""
        self._framework = self._wanted_framework = None
        self._page.open_document(url)

    def show_partial(self, key: str, html: str) -> None:
        """Show a growing, script-free page (see app.partial_preview) without flicker.

        The first call loads it; later calls swap the document's content from Easel's own
        isolated script world (the page's scripts cannot see it; DOMParser never runs scripts),
        so the view is not reloaded for every piece that arrives. It also warms the renderer
        of the artifact's origin, so the finished version starts at once.

        A page styled by a run-time CSS framework (Tailwind's play script) gets the vendored
        copy of that framework run in the same isolated world (named by the preview, see
        app.partial_preview), so the preview is styled as the finished page will be.
        """
        framework = framework_script(html)
        if not self._partial or key != self._key:
            self.show_document(key, html)
            self._partial = True
            self._wanted_framework = framework
            return
        if framework is not None and self._framework is None:
            self._wanted_framework = framework
        if not self._partial_loaded:
            self._pending_partial = html  # swapped in once the first piece has loaded
            return
        self._swap_partial(html)
        self._run_framework()

    def _swap_partial(self, html: str) -> None:
        swap = _SWAP_HEAD_AND_BODY if self._framework else _SWAP_DOCUMENT
        self._page.runJavaScript(
            f"({swap})({script_value(html)})", QWebEngineScript.ScriptWorldId.ApplicationWorld
        )

    def _on_loaded(self, ok: bool) -> None:
        if self._partial and ok and not self._partial_loaded:
            self._partial_loaded = True
            pending, self._pending_partial = self._pending_partial, ""
            if pending:
                self._swap_partial(pending)
            self._run_framework()

    def _run_framework(self) -> None:
        """Run the wanted CSS framework on the preview, in Easel's world (never the page's)."""
        found, self._wanted_framework = self._wanted_framework, None
        if found is None or self._framework is not None:
            return
        try:
            code = found.read_bytes().decode("utf-8")
        except OSError:
            return  # the preview stays unstyled; the finished page loads the framework itself
        self._framework = found
        self._page.runJavaScript(
            code + _WAKE_FRAMEWORK, QWebEngineScript.ScriptWorldId.ApplicationWorld
        )

    def reload_document(self) -> None:
        """Load the current document again, in a fresh renderer if it crashed or hung."""
        if self._key:
            self._page.reload_fresh()

    def set_allow_network(self, allowed: bool) -> None:
        """Let the current artifact reach the network (or not), then show it again."""
        if not self._key:
            return
        self._profile.set_allow_network(self._key, allowed)
        document = self._current.registry.get(self._host)
        if document is not None:
            self.show_document(self._key, document.html, allow_network=allowed)

    # -- pages and profiles ---------------------------------------------------------------------

    def _make_page(self, profile: ArtifactProfile) -> ArtifactPage:
        page = ArtifactPage(profile, self)
        page.consoleMessage.connect(self.consoleMessage)
        page.navigationRefused.connect(self._on_refused)
        page.apiBlocked.connect(self.requestBlocked)
        page.linkClicked.connect(self.linkClicked)
        page.crashed.connect(self.crashed)
        page.hung.connect(self.hung)
        page.loadFinished.connect(self.loaded)
        page.loadFinished.connect(self._on_loaded)
        profile.requestBlocked.connect(self._on_blocked)
        profile.requestNoticed.connect(self._on_noticed)
        profile.downloadRequested.connect(self._on_download)
        return page

    def _use_profile(self, profile: ArtifactProfile) -> None:
        """Show the next document in `profile` (an artifact allowed online has its own)."""
        if self._current is profile:
            return
        old, old_profile = self._page, self._current
        self._current = profile
        old.set_heartbeat(False)
        self._page = self._make_page(profile)
        self.setPage(self._page)
        self._page.set_heartbeat(self._heartbeat)
        old_profile.requestBlocked.disconnect(self._on_blocked)
        old_profile.requestNoticed.disconnect(self._on_noticed)
        old_profile.downloadRequested.disconnect(self._on_download)
        old.deleteLater()

    # -- reports --------------------------------------------------------------------------------

    def _on_blocked(self, host: str, url: str) -> None:
        # The profile is shared by every view: report only this artifact's requests.
        if host and host == self._host:
            self.requestBlocked.emit(url)

    def _on_noticed(self, host: str, url: str, line: str) -> None:
        # Said in this artifact's console as an `info` line; not a blocked request.
        if host and host == self._host:
            self.consoleMessage.emit("info", line, url, 0)

    def _on_refused(self, url: str) -> None:
        self.requestBlocked.emit(url or "a pop-up window")

    def _on_gate_refused(self, target: str) -> None:
        # Which page opened it is unknown (the interceptor never saw it): every view showing an
        # artifact says so, rather than none.
        if answered_host(target):
            return  # a preconnect to a CDN Easel answers offline: refused, nothing lost
        if self._key and self.isVisible():
            self.requestBlocked.emit(f"{target} (a connection outside the page's requests)")

    def _confirm_and_open(self, url: QUrl) -> None:
        """Show the full URL the user's click leads to; open it in the browser if they agree."""
        confirm_and_open(self, url)

    def _on_download(self, download: QWebEngineDownloadRequest) -> None:
        # The profile already cancelled it; tell the user only about this view's page.
        if download.page() is self._page:
            self.requestBlocked.emit(download.url().toString())

    # -- visibility ----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        """Watch for hangs while visible."""
        super().showEvent(event)
        self._heartbeat = True
        self._page.set_heartbeat(True)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        """A hidden artifact is not probed."""
        super().hideEvent(event)
        self._heartbeat = False
        self._page.set_heartbeat(False)
