"""The artifact sandbox's rules as pure values: origins, the CSP, request decisions, resolving.

Nothing here imports Qt, so every rule can be tested without a browser. The Qt glue
(`scheme.py`, `interceptor.py`) asks these functions and only carries out their answers.

Origins: every artifact key gets a stable host, `uuid5(key)`, so `easel-artifact://<host>/` is
its own origin. The same key keeps its origin (and its localStorage) across versions and
reloads; two keys never share one.

Why the CSP lets remote URLs through: the request interceptor is the wall, not the CSP. A
request that CSP refuses never reaches the interceptor, so it could not be reported to the
user ("this artifact tried to reach …") nor be allowed later for that one artifact. The CSP
therefore names remote schemes as allowed sources and the interceptor blocks and reports every
one of them; what the CSP adds is what the interceptor cannot express: no plugins
(`object-src 'none'`), no `<base>` hijack, no framing of an artifact by another page, workers and
frames only from the artifact itself, and nothing from `file:` or foreign custom schemes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

SCHEME = "easel-artifact"
# Requests under this path of an artifact's own origin go to its bridge (sandbox/bridge.py).
BRIDGE_PREFIX = "/_easel/"
VENDOR_PREFIX = "/_vendor/"
DOCUMENT_PATH = "/"

# A fixed namespace: hosts must be the same in every run so an artifact keeps its origin.
_HOST_NAMESPACE = "6f1d8c0e-4b5a-5e4f-9a77-1c2d3e4f5a6b"

# Remote sources are listed so requests reach the interceptor (see the module docstring).
_REMOTE = "http: https: ws: wss:"
_LOCAL = "'self' data: blob:"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        f"default-src {_LOCAL} 'unsafe-inline' 'unsafe-eval' {_REMOTE}",
        f"script-src {_LOCAL} 'unsafe-inline' 'unsafe-eval' {_REMOTE}",
        f"style-src {_LOCAL} 'unsafe-inline' {_REMOTE}",
        f"img-src {_LOCAL} {_REMOTE}",
        f"font-src {_LOCAL} {_REMOTE}",
        f"media-src {_LOCAL} {_REMOTE}",
        f"connect-src {_LOCAL} {_REMOTE}",
        f"worker-src {_LOCAL}",
        f"frame-src {_LOCAL}",
        "object-src 'none'",
        "base-uri 'self'",
        # The page refuses and reports a form sent away; the CSP would refuse it unseen.
        f"form-action 'self' {_REMOTE}",
        "frame-ancestors 'none'",
    ]
)

# Schemes that never leave the machine and carry nothing of the user's: always allowed.
_LOCAL_SCHEMES = frozenset({SCHEME, "data", "blob", "about", "javascript"})
# Schemes that reach the network: allowed only when the user allowed the network.
_NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})


class VendoredFileLike(Protocol):
    """What the resolver needs from `app.vendor.VendoredFile`."""

    path: Path
    mime: str

    def read_bytes(self) -> bytes:
        """The answer's bytes (a file's, or a generated stylesheet's)."""
        ...


CdnResolver = Callable[[str], VendoredFileLike | None]


def host_for_key(key: str) -> str:
    """The stable host (a uuid5 in hex) that serves the artifact `key`."""
    import uuid  # with the first artifact, not with the window

    return uuid.uuid5(uuid.UUID(_HOST_NAMESPACE), key).hex


def document_url(host: str) -> str:
    """The URL of the document served at `host`."""
    return f"{SCHEME}://{host}{DOCUMENT_PATH}"


@dataclass(frozen=True)
class Document:
    """One published artifact page; `allow_network` is the user's choice for this artifact;
    `key` is the artifact it shows (its bridge calls are that artifact's)."""

    html: str
    allow_network: bool = False
    key: str = ""


class DocumentRegistry:
    """The documents a profile serves, by host. Owned by one profile, never global."""

    def __init__(self) -> None:
        self._documents: dict[str, Document] = {}

    def publish(self, key: str, html: str, *, allow_network: bool = False) -> str:
        """Store (or replace) the document for `key`; return its host."""
        host = host_for_key(key)
        self._documents[host] = Document(html, allow_network, key)
        return host

    def get(self, host: str) -> Document | None:
        """The document at `host`, if one was published."""
        return self._documents.get(host)

    def allows_network(self, host: str) -> bool:
        """Whether the user allowed the network for the artifact at `host`."""
        document = self._documents.get(host)
        return document is not None and document.allow_network

    def set_allow_network(self, host: str, allowed: bool) -> None:
        """Change the network choice for an already published document."""
        document = self._documents.get(host)
        if document is not None:
            self._documents[host] = Document(document.html, allowed, document.key)


# ---------------------------------------------------------------------------------------------
# Decisions about requests (the interceptor carries them out)


class Action(Enum):
    """What to do with one request leaving a page."""

    ALLOW = "allow"
    BLOCK = "block"
    REDIRECT = "redirect"


@dataclass(frozen=True)
class Decision:
    """An action, the redirect target for REDIRECT, and whether to report a block to the user.

    `notice` is an `info` line for the artifact's console (a Google Font not available offline):
    said, not reported as a blocked request.
    """

    action: Action
    target: str = ""
    report: bool = False
    notice: str = ""


ALLOW = Decision(Action.ALLOW)


def vendor_url(host: str, cdn_url: str) -> str:
    """The same-origin URL under which `host` serves the vendored copy of `cdn_url`."""
    parts = urlsplit(cdn_url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{SCHEME}://{host}{VENDOR_PREFIX}{parts.netloc}{parts.path}{query}"


def cdn_url_from_vendor_path(path: str, query: str) -> str:
    """Invert `vendor_url`: the CDN URL a `/_vendor/...` path stands for."""
    rest = path[len(VENDOR_PREFIX) :]
    return f"https://{rest}" + (f"?{query}" if query else "")


def decide_request(
    url: str, artifact_host: str | None, registry: DocumentRegistry, resolve_cdn: CdnResolver
) -> Decision:
    """Decide one request from a page whose top-level artifact is `artifact_host` (or unknown).

    Vendored CDN URLs are redirected to the artifact's own `/_vendor/` path; other network
    requests pass only when the user allowed the network for that artifact; everything else
    that is not local (file:, ftp:, foreign schemes) is blocked and reported.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme in _LOCAL_SCHEMES:
        return ALLOW
    if scheme in ("http", "https") and artifact_host and resolve_cdn(url) is not None:
        return Decision(Action.REDIRECT, vendor_url(artifact_host, url), notice=font_notice(url))
    if scheme in _NETWORK_SCHEMES and artifact_host and registry.allows_network(artifact_host):
        return ALLOW
    return _font_fallback(url) or Decision(Action.BLOCK, report=True)


def font_notice(url: str) -> str:
    """The console `info` line for a Google Fonts URL Easel cannot fully answer ("" if none)."""
    from app.vendor import font_notice as notice  # the fonts table lives with the vendor index

    return notice(url)


def _font_fallback(url: str) -> Decision | None:
    """A Google Fonts request left unanswered offline: refused quietly, with an `info` line.

    The page is fine (its text falls back to a system font), so it is not reported as blocked.
    """
    notice = font_notice(url)
    return Decision(Action.BLOCK, notice=notice) if notice else None


# ---------------------------------------------------------------------------------------------
# Resolving requests to the scheme (the scheme handler carries the answer out)


class Refusal(Enum):
    """Why the scheme handler refuses a request; the glue maps each to a `job.fail` error."""

    NOT_FOUND = "not found"
    DENIED = "denied"
    BAD_METHOD = "bad method"


class ResolveError(Exception):
    """A request to the scheme that gets no content."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(f"{refusal.value}: {detail}" if detail else refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class Resolved:
    """The bytes and MIME type to answer with; `is_document` says whether to send the CSP."""

    body: bytes
    mime: str
    is_document: bool


def initiator_allowed(initiator: str, host: str, path: str) -> bool:
    """Whether a request for `host`'s `path` may come from a page at origin `initiator`.

    An empty initiator is the app itself (a load or reload). An artifact may fetch its own
    files. Vendored libraries are public, so an opaque origin ("null": a sandboxed frame or a
    data: page inside the artifact) may load them, but never an artifact's document.
    """
    if not initiator:
        return True
    own = f"{SCHEME}://{host}"
    if initiator.rstrip("/") == own:
        return True
    return initiator == "null" and path.startswith(VENDOR_PREFIX)


def resolve(
    registry: DocumentRegistry,
    resolve_cdn: CdnResolver,
    *,
    host: str,
    path: str,
    query: str = "",
    method: str = "GET",
    initiator: str = "",
) -> Resolved:
    """The answer to a request for `easel-artifact://<host><path>?<query>`, or ResolveError."""
    if method.upper() != "GET":
        raise ResolveError(Refusal.BAD_METHOD, method)
    if not initiator_allowed(initiator, host, path):
        raise ResolveError(Refusal.DENIED, f"{initiator} may not load {host}")
    if path.startswith(VENDOR_PREFIX):
        return _resolve_vendored(resolve_cdn, cdn_url_from_vendor_path(path, query))
    document = registry.get(host)
    if document is None or path != DOCUMENT_PATH:
        raise ResolveError(Refusal.NOT_FOUND, f"{host}{path}")
    return Resolved(document.html.encode("utf-8"), "text/html;charset=utf-8", True)


def _resolve_vendored(resolve_cdn: CdnResolver, cdn_url: str) -> Resolved:
    """The vendored copy of `cdn_url` (the vendor module alone maps URLs to files)."""
    vendored = resolve_cdn(cdn_url)
    if vendored is None:
        raise ResolveError(Refusal.NOT_FOUND, cdn_url)
    try:
        body = vendored.read_bytes()
    except OSError as error:
        raise ResolveError(Refusal.NOT_FOUND, f"{cdn_url}: {error}") from error
    return Resolved(body, vendored.mime, False)
