"""The Content-Security-Policy for artifacts that leave Easel: exported and published pages.

Inside the app, a request interceptor decides about every remote request (sandbox/policy.py),
so the app's CSP lets remote URLs through to it. An exported HTML file or a published page
runs in the user's ordinary browser, where no interceptor stands guard: there the policy
itself must refuse every load from anywhere but the document. Vendored libraries are inlined
into the page (`inline_vendored`), so an artifact needs only inline script and style, `eval`
(Babel compiles React artifacts in the page), and data:/blob: URLs for what it makes itself
(images, fonts, workers, object URLs). `connect-src` allows no host, so fetch, XHR,
WebSocket, EventSource and sendBeacon to the network are refused; `form-action` and
`base-uri` close the form and <base> routes.

The policy goes with an opaque origin (`sandbox allow-scripts`: as an HTTP header for a
published page, as the `sandbox` attribute of the iframe in an export), so a page cannot read
the cookies or storage of another page served from the same host, or of the exporting one.

What no CSP can stop, and these pages therefore still can do: navigate their own frame (a
user-visible change of page), and use WebRTC (RTCPeerConnection ignores CSP in Chromium).
"""

from __future__ import annotations

ARTIFACT_EXPORT_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'unsafe-inline' 'unsafe-eval' data: blob:",
        "style-src 'unsafe-inline' data: blob:",
        "img-src data: blob:",
        "font-src data: blob:",
        "media-src data: blob:",
        "connect-src data: blob:",
        "worker-src data: blob:",
        "child-src data: blob:",
        "frame-src data: blob:",
        "manifest-src 'none'",
        "object-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
    )
)

# For a published page (an HTTP header): the same policy, in an opaque origin of its own.
PUBLISHED_PAGE_CSP = f"sandbox allow-scripts; {ARTIFACT_EXPORT_CSP}"

# The iframe sandbox an exported conversation puts each artifact in.
EXPORT_IFRAME_SANDBOX = "allow-scripts"
