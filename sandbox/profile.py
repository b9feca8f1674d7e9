"""The artifact profile: one function makes a web profile ready for untrusted pages.

`make_artifact_profile` is the only place that decides how the profile is hardened: the scheme
handler, the network interceptor, the fixed settings, refused downloads. The profile is off the
record and separate from the transcript's and from the default profile, so artifacts share no
cookies, cache or storage with anything else; each artifact still has its own origin.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineDownloadRequest,
    QWebEngineProfile,
    QWebEngineSettings,
)

from app.vendor import resolve_cdn_url
from sandbox.interceptor import ArtifactInterceptor
from sandbox.policy import SCHEME, CdnResolver, DocumentRegistry, document_url, host_for_key
from sandbox.scheme import ArtifactSchemeHandler

_Attr = QWebEngineSettings.WebAttribute

# Attributes with a fixed value for every artifact page; the comment says why when not obvious.
_SETTINGS: dict[QWebEngineSettings.WebAttribute, bool] = {
    _Attr.JavascriptEnabled: True,
    _Attr.LocalStorageEnabled: True,  # games keep scores; the origin is per artifact
    _Attr.JavascriptCanOpenWindows: False,  # on by default
    _Attr.LocalContentCanAccessFileUrls: False,  # on by default
    _Attr.LocalContentCanAccessRemoteUrls: False,
    _Attr.JavascriptCanAccessClipboard: False,
    _Attr.JavascriptCanPaste: False,
    _Attr.AllowRunningInsecureContent: False,
    _Attr.AllowGeolocationOnInsecureOrigins: False,
    _Attr.AllowWindowActivationFromJavaScript: False,
    _Attr.PluginsEnabled: False,
    _Attr.PdfViewerEnabled: False,
    _Attr.FullScreenSupportEnabled: False,  # a page must not take over the screen
    _Attr.ScreenCaptureEnabled: False,
    _Attr.DnsPrefetchEnabled: False,  # a DNS lookup is a request the interceptor cannot see
    _Attr.HyperlinkAuditingEnabled: False,  # <a ping>
    _Attr.NavigateOnDropEnabled: False,  # a dropped file would load a file:// URL
    _Attr.WebRTCPublicInterfacesOnly: True,  # do not reveal local addresses
}


class ArtifactProfile(QWebEngineProfile):
    """An off-the-record profile that serves published artifacts, each from its own origin."""

    # A request from the artifact at `host` was blocked: host, url.
    requestBlocked = Signal(str, str)
    # A page tried to download something; the download was cancelled: url.
    downloadRefused = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        # No storage name: an off-the-record profile (nothing is written to disk).
        super().__init__(parent)
        self.registry = DocumentRegistry()
        self.handler: ArtifactSchemeHandler | None = None
        self.interceptor: ArtifactInterceptor | None = None

    def publish(self, key: str, html: str, *, allow_network: bool = False) -> QUrl:
        """Serve `html` as the artifact `key`; return its URL (stable for the key)."""
        return QUrl(document_url(self.registry.publish(key, html, allow_network=allow_network)))

    def set_allow_network(self, key: str, allowed: bool) -> None:
        """Let (or stop letting) the artifact `key` reach the network."""
        self.registry.set_allow_network(host_for_key(key), allowed)

    def refuse_download(self, download: QWebEngineDownloadRequest) -> None:
        """Cancel a download before anything is written, and report it."""
        download.cancel()
        self.downloadRefused.emit(download.url().toString())


def make_artifact_profile(
    parent: QObject | None = None, *, resolve_cdn: CdnResolver = resolve_cdn_url
) -> ArtifactProfile:
    """Create the artifact profile with its handler, interceptor and hardened settings."""
    profile = ArtifactProfile(parent)
    handler = ArtifactSchemeHandler(profile.registry, resolve_cdn, profile)
    profile.installUrlSchemeHandler(SCHEME.encode(), handler)
    interceptor = ArtifactInterceptor(profile.registry, resolve_cdn, profile)
    interceptor.requestBlocked.connect(profile.requestBlocked)
    profile.setUrlRequestInterceptor(interceptor)
    # Keep the Python wrappers referenced: if one were collected, its Python overrides would
    # vanish and the interceptor would let everything out.
    profile.handler, profile.interceptor = handler, interceptor
    settings = profile.settings()
    for attribute, value in _SETTINGS.items():
        settings.setAttribute(attribute, value)
    profile.setPersistentCookiesPolicy(
        QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
    )
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
    profile.setPersistentPermissionsPolicy(
        QWebEngineProfile.PersistentPermissionsPolicy.AskEveryTime
    )
    profile.downloadRequested.connect(profile.refuse_download)
    return profile
