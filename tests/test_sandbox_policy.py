"""The sandbox's pure rules: origins, the CSP, request decisions and the resolver (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.policy import (
    CONTENT_SECURITY_POLICY,
    Action,
    DocumentRegistry,
    Refusal,
    ResolveError,
    cdn_url_from_vendor_path,
    decide_request,
    host_for_key,
    resolve,
    vendor_url,
)

CDN = "https://cdn.example.org/lib@1/lib.js"


@dataclass
class Vendored:
    path: Path
    mime: str

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@pytest.fixture
def library(tmp_path: Path) -> Vendored:
    path = tmp_path / "lib.js"
    path.write_text("window.LIB = 1;")
    return Vendored(path, "text/javascript")


@pytest.fixture
def resolver(library: Vendored):
    return lambda url: library if url.split("?")[0] == CDN else None


def test_hosts_are_stable_per_key_and_distinct_between_keys():
    assert host_for_key("game") == host_for_key("game")
    assert host_for_key("game") != host_for_key("game2")
    assert host_for_key("x").isalnum() and len(host_for_key("x")) == 32


def test_csp_keeps_plugins_bases_and_framing_out():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-eval'" in directives["script-src"]  # Babel compiles in the page
    assert "http" not in directives["worker-src"] and "http" not in directives["frame-src"]
    assert "file:" not in CONTENT_SECURITY_POLICY


def test_vendor_urls_round_trip():
    url = vendor_url("abc", "https://cdn.tailwindcss.com/?plugins=forms")
    assert url == "easel-artifact://abc/_vendor/cdn.tailwindcss.com/?plugins=forms"
    assert cdn_url_from_vendor_path("/_vendor/cdn.tailwindcss.com/", "plugins=forms") == (
        "https://cdn.tailwindcss.com/?plugins=forms"
    )


def test_decisions(resolver):
    registry = DocumentRegistry()
    open_host = registry.publish("open", "<p>", allow_network=True)
    closed = registry.publish("closed", "<p>")
    redirect = decide_request(CDN, closed, registry, resolver)
    assert redirect.action is Action.REDIRECT
    assert redirect.target == vendor_url(closed, CDN)
    for url in ("https://evil.test/x", "ws://evil.test/", "file:///etc/passwd", "ftp://x/"):
        decision = decide_request(url, closed, registry, resolver)
        assert decision.action is Action.BLOCK and decision.report, url
    assert (
        decide_request("https://evil.test/x", open_host, registry, resolver).action is Action.ALLOW
    )
    assert (
        decide_request("file:///etc/passwd", open_host, registry, resolver).action is Action.BLOCK
    )
    assert decide_request("https://evil.test/x", None, registry, resolver).action is Action.BLOCK
    assert decide_request("data:text/plain,x", None, registry, resolver).action is Action.ALLOW
    registry.set_allow_network(open_host, False)
    assert (
        decide_request("https://evil.test/x", open_host, registry, resolver).action is Action.BLOCK
    )


def test_resolver_serves_documents_and_vendored_files(resolver):
    registry = DocumentRegistry()
    host = registry.publish("k", "<p>é</p>")
    document = resolve(registry, resolver, host=host, path="/")
    assert document.body == "<p>é</p>".encode() and document.is_document
    own = f"easel-artifact://{host}"
    library = resolve(
        registry, resolver, host=host, path="/_vendor/cdn.example.org/lib@1/lib.js", initiator=own
    )
    assert library.body == b"window.LIB = 1;" and not library.is_document


@pytest.mark.parametrize(
    ("path", "method", "initiator", "refusal"),
    [
        ("/", "POST", "", Refusal.BAD_METHOD),
        ("/", "GET", "easel-artifact://someoneelse", Refusal.DENIED),
        ("/", "GET", "null", Refusal.DENIED),
        ("/_vendor/cdn.example.org/lib@1/lib.js", "GET", "easel-artifact://other", Refusal.DENIED),
        ("/other", "GET", "", Refusal.NOT_FOUND),
        ("/_vendor/cdn.example.org/not-vendored.js", "GET", "", Refusal.NOT_FOUND),
        ("/_vendor/../../etc/passwd", "GET", "", Refusal.NOT_FOUND),
    ],
)
def test_resolver_refusals(resolver, path, method, initiator, refusal):
    registry = DocumentRegistry()
    host = registry.publish("k", "<p>")
    with pytest.raises(ResolveError) as raised:
        resolve(registry, resolver, host=host, path=path, method=method, initiator=initiator)
    assert raised.value.refusal is refusal


def test_unpublished_host_is_not_found(resolver):
    with pytest.raises(ResolveError):
        resolve(DocumentRegistry(), resolver, host="nobody", path="/")
