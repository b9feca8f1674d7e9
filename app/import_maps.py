"""Bare module specifiers for vendored libraries: Easel's import map, and saved files offline.

Models write `import * as THREE from 'three'`, `'three/addons/controls/OrbitControls.js'`,
`import React from 'react'` or `'react-dom/client'` without an import map (pages written for a
bundler, or for an artifact host that provides one). A browser cannot resolve those, so:

- `with_import_map(page)` adds Easel's import map, which maps these specifiers to the canonical
  CDN URLs of the vendored copies (the sandbox answers those from assets/vendor), when the page
  has a module script using one of them and no import map of its own.
- `inline_modules(page, resolve)` is the "Save as .html" step for modules: every module a page's
  module scripts reach through its import map (or by an absolute CDN URL such as jsDelivr's
  `/+esm`) that is vendored becomes a `data:` URL in the page's import map, transitively (a
  vendored module's relative imports are made absolute first, since a `data:` module has no
  base URL). Each module gets one `data:` URL, so `three` imported by the page and by an add-on
  is one module instance, as online.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable
from urllib.parse import urljoin

from app.vendor import VendoredFile, package_version

Resolver = Callable[[str], VendoredFile | None]
JSDELIVR = "https://cdn.jsdelivr.net/npm"

IMPORT_MAP_SCRIPT = re.compile(
    r"""<script\b[^>]*\btype\s*=\s*["']?importmap["']?[^>]*>(.*?)</script\s*>""",
    re.IGNORECASE | re.DOTALL,
)
MODULE_SCRIPT = re.compile(
    r"""<script\b([^>]*\btype\s*=\s*["']?module["']?[^>]*)>(.*?)</script\s*>""",
    re.IGNORECASE | re.DOTALL,
)
SRC_ATTRIBUTE = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# `import x from "s"`, `export {x} from "s"`, `import "s"`, `import("s")`.
SPECIFIER = re.compile(
    r"""(?:\b(?:import|export)\b[^'"`;()]*?\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"\n]+)\1"""
)
RELATIVE_IMPORT = re.compile(r"""((?:\bfrom|\bimport)\s*\(?\s*)(['"])(\.{1,2}/[^'"\n]+)\2""")
HEAD_OPEN = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
FIRST_SCRIPT = re.compile(r"<script\b", re.IGNORECASE)


@functools.cache
def default_imports() -> dict[str, str]:
    """Easel's import map: bare specifiers of vendored libraries -> their canonical CDN URLs."""
    three = f"{JSDELIVR}/three@{package_version('three')}"
    react = f"{JSDELIVR}/react@{package_version('react')}"
    react_dom = f"{JSDELIVR}/react-dom@{package_version('react-dom')}"
    return {
        "three": f"{three}/build/three.module.min.js",
        "three/addons/": f"{three}/examples/jsm/",
        "three/examples/jsm/": f"{three}/examples/jsm/",
        "react": f"{react}/+esm",
        "react/jsx-runtime": f"{react}/jsx-runtime/+esm",
        "react-dom": f"{react_dom}/+esm",
        "react-dom/client": f"{react_dom}/client/+esm",
        "mermaid": f"{JSDELIVR}/mermaid@{package_version('mermaid')}/+esm",
    }


def specifiers(code: str) -> list[str]:
    """The module specifiers a piece of JavaScript imports (static, re-exports and dynamic)."""
    return list(dict.fromkeys(match.group(2) for match in SPECIFIER.finditer(code)))


def resolve_specifier(spec: str, imports: dict[str, str], base: str = "") -> str | None:
    """What an import map does to `spec`: an exact key, else the longest prefix key ending in
    `/`; a URL or a path relative to `base` resolves as a URL; an unmapped bare name is None."""
    if spec in imports:
        return imports[spec]
    prefixes = [k for k in imports if k.endswith("/") and spec.startswith(k)]
    if prefixes:
        key = max(prefixes, key=len)
        return imports[key] + spec[len(key) :]
    if re.match(r"^[a-z][a-z0-9+.-]*:", spec, re.IGNORECASE):
        return spec
    if spec.startswith(("./", "../", "/")):
        return urljoin(base, spec) if base else None
    return None


def _is_bare(spec: str) -> bool:
    return resolve_specifier(spec, {}, "https://example.invalid/") is None


def _module_code(page: str) -> list[str]:
    return [body for _attrs, body in MODULE_SCRIPT.findall(page)]


def with_import_map(page: str) -> str:
    """The page with Easel's import map added, when it needs one and has none of its own."""
    if IMPORT_MAP_SCRIPT.search(page):
        return page
    mapped = default_imports()
    used = [
        spec
        for code in _module_code(page)
        for spec in specifiers(code)
        if _is_bare(spec) and resolve_specifier(spec, mapped) is not None
    ]
    if not used:
        return page
    return _insert_map(page, {"imports": mapped})


def _insert_map(page: str, import_map: dict) -> str:
    # An import map must come before every module script: first thing in <head>.
    tag = f'<script type="importmap">{_json(import_map)}</script>'
    head = HEAD_OPEN.search(page)
    if head:
        return page[: head.end()] + "\n" + tag + page[head.end() :]
    first = FIRST_SCRIPT.search(page)
    at = first.start() if first else 0
    return page[:at] + tag + "\n" + page[at:]


def _json(value: object) -> str:
    # Safe inside <script>: no `</script>` can appear in the JSON text.
    return json.dumps(value, ensure_ascii=True).replace("<", "\\u003c")


def inline_modules(page: str, resolve: Resolver) -> str:
    """The page with every vendored module its module scripts reach inlined as `data:` URLs."""
    own = IMPORT_MAP_SCRIPT.search(page)
    try:
        original = json.loads(own.group(1)) if own else {"imports": default_imports()}
    except ValueError:
        return page  # a broken import map is the page's own business; leave it as written
    imports = original.get("imports") if isinstance(original, dict) else None
    if not isinstance(imports, dict):
        return page
    walker = _ModuleWalker(imports, resolve)
    for attrs, code in MODULE_SCRIPT.findall(page):
        src = SRC_ATTRIBUTE.search(attrs)
        if src:
            code = walker.source(src.group(1))  # inline_vendored inlines the file itself
        for spec in specifiers(code):
            walker.visit(spec, "")
    if not walker.entries:
        return page
    merged = {**original, "imports": {**imports, **walker.entries}}
    tag = f'<script type="importmap">{_json(merged)}</script>'
    if own:
        return page[: own.start()] + tag + page[own.end() :]
    return _insert_map(page, merged)


class _ModuleWalker:
    """Follows imports from the page into vendored modules; collects map entries -> data URLs."""

    def __init__(self, imports: dict[str, str], resolve: Resolver) -> None:
        self.imports = imports
        self.resolve = resolve
        self.entries: dict[str, str] = {}
        self._data: dict[str, str | None] = {}

    def visit(self, spec: str, base: str) -> None:
        url = resolve_specifier(spec, self.imports, base)
        if url is None:
            return
        data = self._data_url(url)
        if data is not None:
            # Bare names and URLs alike: the map sends the specifier to the one data: module.
            self.entries[spec if _is_bare(spec) else url] = data

    def source(self, url: str) -> str:
        """The code of a vendored module script (its imports are followed), else ""."""
        found = self.resolve(url)
        if found is None or not found.mime.endswith("javascript"):
            return ""
        return found.read_bytes().decode("utf-8", errors="replace")

    def _data_url(self, url: str) -> str | None:
        if url in self._data:
            return self._data[url]
        self._data[url] = None  # a cycle stops here; the module is being inlined already
        found = self.resolve(url)
        if found is None or not found.mime.endswith("javascript"):
            return None
        code = found.read_bytes().decode("utf-8")
        # A data: module has no base URL: its relative imports become absolute CDN URLs.
        code = RELATIVE_IMPORT.sub(lambda m: f"{m[1]}{m[2]}{urljoin(url, m[3])}{m[2]}", code)
        for spec in specifiers(code):
            self.visit(spec, url)
        encoded = base64.b64encode(code.encode("utf-8")).decode("ascii")
        self._data[url] = f"data:text/javascript;base64,{encoded}"
        return self._data[url]
