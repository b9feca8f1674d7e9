"""The artifact profile: one function makes a web profile ready for untrusted pages.

`make_artifact_profile` is the only place that decides how the profile is hardened: the scheme
handler, the network interceptor, the scripts that make the remaining risky APIs inert, the fixed
settings, refused downloads. The profile is off the record and separate from the transcript's and
from the default profile, so artifacts share no cookies, cache or storage with anything else;
each artifact still has its own origin.

The network: every connection of the engine goes through `sandbox.gate.NetworkGate` (see
`sandbox.engine`). An artifact the user allowed to use the network is shown in a profile of its
own (`profile_for`), whose pages answer the gate's proxy challenge with that artifact's token;
Chromium keeps proxy credentials per profile, so no other artifact can ride on them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtNetwork import QAuthenticator
from PySide6.QtWebEngineCore import (
    QWebEngineDownloadRequest,
    QWebEngineProfile,
    QWebEngineSettings,
)

from app.vendor import resolve_cdn_url
from sandbox.bridge import BridgeEndpoint
from sandbox.gate import NetworkGate
from sandbox.interceptor import ArtifactInterceptor
from sandbox.policy import SCHEME, CdnResolver, DocumentRegistry, document_url, host_for_key
from sandbox.scheme import ArtifactSchemeHandler
from sandbox.shims import new_report_mark, sandbox_scripts

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
    # A line for the console of the artifact at `host` (a font not available offline): host,
    # url, line.
    requestNoticed = Signal(str, str, str)
    # A page tried to download something; the download was cancelled: url.
    downloadRefused = Signal(str)
    # The gate refused a connection it could not tie to one artifact: "host:port" or the URL.
    connectionRefused = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        gate: NetworkGate | None = None,
        network_key: str = "",
        bridge: BridgeEndpoint | None = None,
    ) -> None:
        # No storage name: an off-the-record profile (nothing is written to disk).
        super().__init__(parent)
        self.registry = DocumentRegistry()
        self.handler: ArtifactSchemeHandler | None = None
        self.interceptor: ArtifactInterceptor | None = None
        self.handler_resolver: CdnResolver = resolve_cdn_url  # what `_make` gave the handler
        self.gate = gate
        self.bridge = bridge  # answers /_easel/ (storage, the model, files); None: no bridge
        # The artifact this profile serves with the network allowed ("" for the shared one).
        self.network_key = network_key
        # The secret prefix of reports from the inert-API scripts (sandbox.shims).
        self.report_mark = new_report_mark()
        self._network_profiles: dict[str, ArtifactProfile] = {}
        if gate is not None and not network_key:
            relay = self.connectionRefused.emit  # emitted from the gate's thread: queued
            gate.add_listener(relay)
            self.destroyed.connect(lambda: gate.remove_listener(relay))

    def publish(self, key: str, html: str, *, allow_network: bool = False) -> QUrl:
        """Serve `html` as the artifact `key`; return its URL (stable for the key)."""
        return QUrl(document_url(self.registry.publish(key, html, allow_network=allow_network)))

    def profile_for(self, key: str, allow_network: bool) -> ArtifactProfile:
        """The profile that shows `key`: this one, or the artifact's own when it may go online."""
        if not allow_network or self.gate is None or self.network_key:
            return self
        profile = self._network_profiles.get(key)
        if profile is None:
            profile = _make(self, self.gate, key, self.handler_resolver, self.bridge)
            self._network_profiles[key] = profile
        return profile

    def set_allow_network(self, key: str, allowed: bool) -> None:
        """Let (or stop letting) the artifact `key` reach the network."""
        self.registry.set_allow_network(host_for_key(key), allowed)
        own = self._network_profiles.get(key)
        if own is not None:
            own.registry.set_allow_network(host_for_key(key), allowed)
        if not allowed and self.gate is not None:
            self.gate.revoke(key)

    def answer_proxy(self, authenticator: QAuthenticator) -> bool:
        """Answer the gate's challenge for this profile's artifact; False when it may not pass."""
        if self.gate is None or not self.network_key:
            return False
        if not self.registry.allows_network(host_for_key(self.network_key)):
            return False
        user, password = self.gate.grant(self.network_key)
        authenticator.setUser(user)
        authenticator.setPassword(password)
        return True

    def refuse_download(self, download: QWebEngineDownloadRequest) -> None:
        """Cancel a download before anything is written, and report it."""
        download.cancel()
        self.downloadRefused.emit(download.url().toString())


def make_artifact_profile(
    parent: QObject | None = None,
    *,
    resolve_cdn: CdnResolver = resolve_cdn_url,
    gate: NetworkGate | None = None,
    bridge: BridgeEndpoint | None = None,
) -> ArtifactProfile:
    """Create the artifact profile with its handler, interceptor and hardened settings.

    `gate` is the engine's proxy (`sandbox.engine.harden_engine` routed every connection to it):
    without it, no artifact can be allowed onto the network, and refusals the interceptor did
    not see are not reported. `bridge` answers the artifacts' `window.storage`,
    `window.claude.complete` and `window.fs` calls; without it they are refused.
    """
    return _make(parent, gate, "", resolve_cdn, bridge)


def _make(
    parent: QObject | None,
    gate: NetworkGate | None,
    network_key: str,
    resolve_cdn: CdnResolver,
    bridge: BridgeEndpoint | None,
) -> ArtifactProfile:
    profile = ArtifactProfile(parent, gate=gate, network_key=network_key, bridge=bridge)
    profile.handler_resolver = resolve_cdn
    handler = ArtifactSchemeHandler(profile.registry, resolve_cdn, profile, bridge=bridge)
    profile.installUrlSchemeHandler(SCHEME.encode(), handler)
    interceptor = ArtifactInterceptor(profile.registry, resolve_cdn, profile)
    interceptor.requestBlocked.connect(profile.requestBlocked)
    interceptor.requestNoticed.connect(profile.requestNoticed)
    profile.setUrlRequestInterceptor(interceptor)
    # Keep the Python wrappers referenced: if one were collected, its Python overrides would
    # vanish and the interceptor would let everything out.
    profile.handler, profile.interceptor = handler, interceptor
    for script in sandbox_scripts(profile.report_mark):
        profile.scripts().insert(script)
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
