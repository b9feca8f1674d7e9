"""The network wall: every request from an artifact page passes through `interceptRequest`.

QtWebEngine lets a request out when `interceptRequest` raises (it fails open), so the whole
body is guarded and blocks on any error. It runs on the GUI thread for every request: the
decision is a dictionary lookup and a URL split (`sandbox.policy.decide_request`).

Vendored CDN URLs are answered with `info.redirect()` to the artifact's own
`easel-artifact://<host>/_vendor/<cdn-host>/<path>`, not by rewriting the document: measured
with Qt 6.11, the redirect works for `<script src>`, `<link rel=stylesheet>`, `fetch`, XHR,
static ES module imports and dynamic `import()`, and it also covers URLs a script builds at
run time, which rewriting the HTML text never could.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor

from sandbox.policy import SCHEME, Action, CdnResolver, DocumentRegistry, decide_request


class ArtifactInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks remote requests, redirects vendored ones, reports each block."""

    # A request was refused: the artifact's host (empty if unknown) and the URL.
    requestBlocked = Signal(str, str)
    # Something the artifact's console should say (a font not available offline): host, URL, line.
    requestNoticed = Signal(str, str, str)

    def __init__(
        self, registry: DocumentRegistry, resolve_cdn: CdnResolver, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._registry = registry
        self._resolve_cdn = resolve_cdn

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 (Qt API)
        """Carry out the policy's decision; block when anything goes wrong."""
        try:
            self._intercept(info)
        except BaseException:  # noqa: BLE001 - raising here would let the request out
            info.block(True)

    def _intercept(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl().toString()
        host = _artifact_host(info)
        decision = decide_request(url, host, self._registry, self._resolve_cdn)
        if decision.action is Action.REDIRECT:
            info.redirect(QUrl(decision.target))
        elif decision.action is Action.BLOCK:
            info.block(True)
            if decision.report:
                self.requestBlocked.emit(host or "", url)
        if decision.notice:
            self.requestNoticed.emit(host or "", url, decision.notice)


def _artifact_host(info: QWebEngineUrlRequestInfo) -> str | None:
    """The artifact a request belongs to: its initiator's host, else the top-level page's."""
    for url in (info.initiator(), info.firstPartyUrl()):
        if url.scheme() == SCHEME and url.host():
            return url.host()
    return None
