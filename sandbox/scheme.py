"""The `easel-artifact:` URL scheme: its registration and its thin handler.

`register_scheme()` must run before the QApplication exists. The flags are `SecureScheme` (a
secure context, so artifacts get crypto.subtle, clipboard-less modern APIs, and https CDN
scripts are not "mixed content") and `FetchApiAllowed` (artifacts fetch their own vendored
files). Deliberately absent: `CorsEnabled` (one artifact could then read another's content),
`LocalScheme`/`LocalAccessAllowed` (file access), `ContentSecurityPolicyIgnored` (our CSP must
apply), `ServiceWorkersAllowed` (a worker that outlives the page could bypass reloads).

The handler is glue: it asks `sandbox.policy.resolve` for the bytes and carries the answer out.
`/_easel/…` is the artifact's bridge, answered by `sandbox.bridge.BridgeEndpoint`.

A path that does not exist is answered with a network error the page can catch (a redirect to
about:blank): `job.fail(UrlNotFound)` would make `fetch()` resolve with a 404 whose body never
ends, so `r.text()` would hang the page (PITFALLS.md), and a reply cannot carry a 404 status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QUrl
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from sandbox.policy import (
    BRIDGE_PREFIX,
    CONTENT_SECURITY_POLICY,
    SCHEME,
    CdnResolver,
    DocumentRegistry,
    Refusal,
    ResolveError,
    resolve,
)

if TYPE_CHECKING:  # the bridge (and the store behind it) is not needed to register the scheme
    from sandbox.bridge import BridgeEndpoint

__all__ = ["SCHEME", "ArtifactSchemeHandler", "register_scheme"]

_FAILURES = {
    Refusal.DENIED: QWebEngineUrlRequestJob.Error.RequestDenied,
    Refusal.BAD_METHOD: QWebEngineUrlRequestJob.Error.RequestDenied,
}

# Where a missing path is sent: every loader (fetch, XHR, script, img) fails at once, catchably.
_NOT_FOUND = QUrl("about:blank#easel-not-found")

# The header value must be a list: a bare bytes value is split into one header per character
# and the policy silently does nothing (PITFALLS.md).
_CSP_HEADERS = {b"Content-Security-Policy": [CONTENT_SECURITY_POLICY.encode("ascii")]}


def register_scheme() -> None:
    """Declare the artifact scheme to QtWebEngine; call before QApplication. Idempotent."""
    if QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME.encode())).name():
        return
    scheme = QWebEngineUrlScheme(SCHEME.encode())
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.FetchApiAllowed
    )
    QWebEngineUrlScheme.registerScheme(scheme)


class ArtifactSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves published documents and vendored libraries; refuses everything else."""

    def __init__(
        self,
        registry: DocumentRegistry,
        resolve_cdn: CdnResolver,
        parent: QObject | None = None,
        *,
        bridge: BridgeEndpoint | None = None,
    ) -> None:
        super().__init__(parent)
        self._registry = registry
        self._resolve_cdn = resolve_cdn
        self._bridge = bridge

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt API)
        """Answer one request with bytes from the resolver (or the bridge), or fail it."""
        url = job.requestUrl()
        if self._bridge is not None and url.path().startswith(BRIDGE_PREFIX):
            try:
                self._bridge.handle(job, self._registry)
            except Exception:  # noqa: BLE001 - a handler that raises leaves the page hanging
                job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
            return
        try:
            resolved = resolve(
                self._registry,
                self._resolve_cdn,
                host=url.host(),
                path=url.path() or "/",
                query=url.query(),
                method=bytes(job.requestMethod().data()).decode("latin-1"),
                initiator=job.initiator().toString(),
            )
        except ResolveError as error:
            if error.refusal is Refusal.NOT_FOUND:
                job.redirect(_NOT_FOUND)
            else:
                job.fail(_FAILURES[error.refusal])
            return
        except Exception:  # noqa: BLE001 - a handler that raises leaves the page hanging
            job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
            return
        if resolved.is_document:
            job.setAdditionalResponseHeaders(_CSP_HEADERS)
        # Parented to the job so the buffer lives exactly as long as the reply needs it.
        buffer = QBuffer(job)
        buffer.setData(resolved.body)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(resolved.mime.encode("ascii"), buffer)
