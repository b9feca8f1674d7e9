"""Map well-known CDN URLs of front-end libraries to the copies vendored in assets/vendor.

Artifacts load libraries from public CDNs; the sandbox asks `resolve_cdn_url(url)` for every
request and answers from the vendored file when there is one (DESIGN.md §4). The tables are
built once from `assets/vendor/manifest.json` (written by tools/vendor.py), so a lookup is a URL
split and a few dictionary reads: no disk access per call.

URL shapes understood:
- jsDelivr `https://cdn.jsdelivr.net/npm/<pkg>[@<ver>][/<path>]` (also `/+esm` for packages
  with an ES-module build), unpkg `https://unpkg.com/<pkg>[@<ver>][/<path>]`;
- cdnjs `https://cdnjs.cloudflare.com/ajax/libs/<name>/<ver>/<file>` and Google's
  `https://ajax.googleapis.com/ajax/libs/<name>/<ver>/<file>`;
- `https://fonts.googleapis.com/css?family=…` and `/css2?family=…`: a stylesheet written by
  `app.fonts` for the vendored @fontsource families (the body is generated, not a file);
- `https://cdn.tailwindcss.com[/<ver>][?plugins=…]`, `https://d3js.org/d3.v7.min.js`,
  `https://code.jquery.com/jquery-3.7.1.min.js`, `https://threejs.org/build/…`,
  `https://use.fontawesome.com/releases/v6.4.0/css/all.css`.
esm.sh and skypack rewrite modules on the fly and are not emulated (they resolve to None).

Version rule: each vendored copy declares the range of requested versions it answers
(`accept` in the manifest, e.g. chart.js 4.6.1 answers >=3 <5). A request with no version,
`@latest`, a major (`@4`), a partial (`@4.4`), a full version (`@4.4.1`) or a range (`@^4.4.1`,
`@~4`, `@4.x`) is served when its *compatibility key* lies in that range; the key is the major
version, or `0.<minor>` for 0.x releases (three.js, whose every minor release may break API).
Any other version is blocked (None). Ranges wider than one major are used only where the older
API still runs on the vendored one (Chart.js 3, D3 6, React 16/17 UMD, Font Awesome 5/7 class
names, Mermaid 9/10/12 syntax, Babel 6/8 `text/babel`, marked 4+ `marked.parse`). When several
copies of a package are vendored (three.js r147 for classic scripts, r160 for modules), the one
closest to the requested version that has the file wins. A build that is not kept is answered
by its minified/unminified twin (`x.js` <-> `x.min.js`).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from app import fonts
from app.resources import asset

MIME_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".cjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".txt": "text/plain",
    ".md": "text/markdown",
}

JSDELIVR_HOSTS = frozenset({"cdn.jsdelivr.net", "fastly.jsdelivr.net", "gcore.jsdelivr.net"})
UNPKG_HOSTS = frozenset({"unpkg.com", "www.unpkg.com"})
# Google Hosted Libraries: their library name -> (npm package, folder served at the root).
GOOGLE_LIBS = {"jquery": ("jquery", "dist"), "d3js": ("d3", "dist"), "threejs": ("three", "build")}
TAILWIND_V3 = "tailwindcss-cdn"
TAILWIND_PLAIN = "tailwindcss.js"
TAILWIND_PLUGINS = "tailwindcss-with-all-plugins.js"

VERSION_RE = re.compile(r"^[\^~=v]?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:[-+].*)?$")
D3_ORG_RE = re.compile(r"^/d3(?:\.v(\d+))?(\.min)?\.js$")
JQUERY_RE = re.compile(r"^/jquery(?:-(\d+(?:\.\d+)*))?(\.min)?\.js$")
FA_RELEASE_RE = re.compile(r"^/releases/v([\d.]+)/(.+)$")

Version = tuple[int, ...]


@dataclass(frozen=True)
class VendoredFile:
    """One vendored file that answers a CDN URL (or, with `body`, a generated answer)."""

    package: str
    version: str
    path: Path
    mime: str
    body: bytes | None = None

    def read_bytes(self) -> bytes:
        """The answer's bytes: the generated body, else the file's."""
        return self.body if self.body is not None else self.path.read_bytes()


@dataclass(frozen=True)
class _Copy:
    """One vendored copy of a package: its accepted range and its files by request path."""

    name: str
    version: Version
    accept_from: Version
    accept_below: Version
    default: str
    esm: str
    files: dict[str, VendoredFile]
    aliases: dict[str, str]
    prefix_aliases: dict[str, str]

    def accepts(self, requested: Version | None) -> bool:
        """Whether a request for this version (None: latest/unversioned) may get this copy."""
        if requested is None:
            return True
        key = compat_key(requested)
        return self.accept_from <= key < self.accept_below

    def lookup(self, path: str) -> VendoredFile | None:
        """The kept file for a request path (aliases and min/non-min twins included)."""
        for candidate in self._candidates(path):
            found = self.files.get(candidate)
            if found is not None:
                return found
        return None

    def _candidates(self, path: str) -> list[str]:
        direct = [path, self.aliases.get(path, path)]
        for prefix, target in self.prefix_aliases.items():
            if path.startswith(prefix):
                direct.append(target + path[len(prefix) :])
        return direct + [twin for p in direct if (twin := min_twin(p))]


def parse_version(text: str) -> Version | None:
    """`4.4.1`, `^4.4`, `~4`, `4.x`, `v7`, `r128` (three.js) -> numbers; None if not a version."""
    if text.startswith("r") and text[1:].isdigit():
        return (0, int(text[1:]))
    match = VERSION_RE.match(text)
    if not match:
        return None
    return tuple(int(part) for part in match.groups() if part is not None and part.isdigit())


def compat_key(version: Version) -> Version:
    """The part of a version that decides compatibility: the major, or 0.<minor> for 0.x."""
    if version[0] == 0 and len(version) > 1:
        return version[:2]
    return version[:1]


def min_twin(path: str) -> str | None:
    """`a.min.js` <-> `a.js` (also .css, .mjs): the other build of the same file."""
    for ext in (".js", ".mjs", ".css"):
        if path.endswith(".min" + ext):
            return path[: -len(".min" + ext)] + ext
        if path.endswith(ext):
            return path[: -len(ext)] + ".min" + ext
    return None


def safe_path(path: str) -> str | None:
    """A decoded request path relative to a package, or None if it is odd or climbs out."""
    path = unquote(path).strip("/")
    if "\\" in path or "\x00" in path or "//" in path:
        return None
    if any(part in (".", "..") for part in path.split("/")):
        return None
    return path


def _distance(copy: _Copy, requested: Version | None) -> tuple[int, int]:
    """Sort key: the copy closest to the requested version (newest first for `latest`)."""
    if requested is None:
        return (0, -_ordinal(copy.version))
    return (abs(_ordinal(copy.version) - _ordinal(requested)), -_ordinal(copy.version))


def _ordinal(version: Version) -> int:
    padded = (*version, 0, 0, 0)[:3]
    return padded[0] * 1_000_000 + padded[1] * 1_000 + padded[2]


class VendorIndex:
    """The CDN-URL lookup tables for one vendor folder (built once, then read-only)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.manifest: dict = json.loads((self.root / "manifest.json").read_text("utf-8"))
        self._packages: dict[str, list[_Copy]] = {}
        self._cdnjs: dict[str, tuple[str, str]] = {}
        for entry in self.manifest["packages"]:
            self._add(entry)
        self.font_families = fonts.families_from_manifest(self.manifest["packages"])

    def _add(self, entry: dict) -> None:
        base = (self.root / entry["dir"]).resolve()
        files = {}
        for rel in entry["files"]:
            path = (base / rel).resolve()
            # A manifest entry can never point outside the vendor folder, nor at nothing.
            if path.is_relative_to(self.root) and path.is_file():
                mime = MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
                files[rel] = VendoredFile(entry["name"], entry["version"], path, mime)
        copy = _Copy(
            name=entry["name"],
            version=parse_version(entry["version"]) or (0,),
            accept_from=parse_version(entry["accept"]["from"]) or (0,),
            accept_below=parse_version(entry["accept"]["below"]) or (0,),
            default=entry["default"],
            esm=entry.get("esm", ""),
            files=files,
            aliases=entry.get("aliases", {}),
            prefix_aliases=entry.get("prefix_aliases", {}),
        )
        self._packages.setdefault(copy.name, []).append(copy)
        if entry.get("cdnjs"):
            self._cdnjs[entry["cdnjs"]["name"].lower()] = (copy.name, entry["cdnjs"]["base"])

    def package_version(self, name: str) -> str:
        """The newest vendored version of a package, as text (KeyError if not vendored)."""
        newest = max(self._packages[name], key=lambda c: _ordinal(c.version))
        return ".".join(str(n) for n in newest.version)

    def find(self, name: str, version: str, path: str) -> VendoredFile | None:
        """The vendored file for package `name`, requested version text ("" = latest), path."""
        copies = self._packages.get(name)
        rel = safe_path(path)
        if not copies or rel is None:
            return None
        requested = None if version in ("", "latest") else parse_version(version)
        if requested is None and version not in ("", "latest"):
            return None
        for copy in sorted(copies, key=lambda c: _distance(c, requested)):
            if not copy.accepts(requested):
                continue
            if rel in ("", "+esm"):
                target = copy.default if rel == "" else copy.esm
                found = copy.files.get(target) if target else None
            else:
                found = copy.lookup(rel)
            if found is not None:
                return found
        return None

    def resolve(self, url: str) -> VendoredFile | None:
        """The vendored file that answers this CDN URL, or None (not a vendored library)."""
        if url.startswith("//"):
            url = "https:" + url
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or port not in (None, 80, 443):
            return None
        handler = self._HOSTS.get((parts.hostname or "").lower())
        return handler(self, parts.path, parts.query) if handler else None

    def _npm_style(self, path: str, query: str) -> VendoredFile | None:
        """`/<pkg>[@<ver>][/<path>]` (unpkg, and jsDelivr after its `/npm` prefix)."""
        segments = path.lstrip("/").split("/")
        count = 2 if segments[0].startswith("@") else 1
        if len(segments) < count:
            return None
        spec = "/".join(segments[:count])
        name, _, version = spec.rpartition("@") if spec.count("@") > count - 1 else (spec, "", "")
        return self.find(name, version, "/".join(segments[count:]))

    def _jsdelivr(self, path: str, query: str) -> VendoredFile | None:
        if not path.startswith("/npm/"):
            return None  # /gh/, /combine/, /wp/: not npm packages
        return self._npm_style(path[len("/npm") :], query)

    def _cdnjs_lib(self, path: str, query: str) -> VendoredFile | None:
        segments = path.split("/")
        if segments[:3] != ["", "ajax", "libs"] or len(segments) < 6:
            return None
        known = self._cdnjs.get(segments[3].lower())
        if known is None:
            return None
        name, base = known
        rest = "/".join(segments[5:])
        for rel in (f"{base}/{rest}" if base else rest, rest):
            found = self.find(name, segments[4], rel)
            if found is not None:
                return found
        return None

    def _google(self, path: str, query: str) -> VendoredFile | None:
        segments = path.split("/")
        if segments[:3] != ["", "ajax", "libs"] or len(segments) < 6:
            return None
        known = GOOGLE_LIBS.get(segments[3])
        if known is None:
            return None
        return self.find(known[0], segments[4], f"{known[1]}/" + "/".join(segments[5:]))

    def _tailwind(self, path: str, query: str) -> VendoredFile | None:
        """cdn.tailwindcss.com: the v3 play script; any `?plugins=` gets the all-plugins build."""
        version = path.strip("/")
        if version and parse_version(version) is None:
            return None
        plugins = parse_qs(query).get("plugins", [""])[0]
        return self.find(TAILWIND_V3, version, TAILWIND_PLUGINS if plugins else TAILWIND_PLAIN)

    def _d3js_org(self, path: str, query: str) -> VendoredFile | None:
        match = D3_ORG_RE.match(path)
        if not match:
            return None
        return self.find("d3", match[1] or "", f"dist/d3{match[2] or ''}.js")

    def _jquery(self, path: str, query: str) -> VendoredFile | None:
        match = JQUERY_RE.match(path)
        if not match:
            return None
        return self.find("jquery", match[1] or "", f"dist/jquery{match[2] or ''}.js")

    def _threejs_org(self, path: str, query: str) -> VendoredFile | None:
        return self.find("three", "", path)

    def _fontawesome(self, path: str, query: str) -> VendoredFile | None:
        match = FA_RELEASE_RE.match(path)
        if not match:
            return None
        return self.find("@fortawesome/fontawesome-free", match[1], match[2])

    def _google_fonts(self, path: str, query: str) -> VendoredFile | None:
        """fonts.googleapis.com/css(2): @font-face rules for the vendored families asked for."""
        if not fonts.is_css_request(fonts.FONTS_CSS_HOST, path):
            return None
        css = fonts.stylesheet(path, query, self.font_families)
        origin = self.root / "@fontsource"  # not read: the body is generated
        return VendoredFile("google-fonts", "", origin, "text/css", css.encode("utf-8"))

    _HOSTS = {
        **dict.fromkeys(JSDELIVR_HOSTS, _jsdelivr),
        **dict.fromkeys(UNPKG_HOSTS, _npm_style),
        "cdnjs.cloudflare.com": _cdnjs_lib,
        "ajax.googleapis.com": _google,
        "cdn.tailwindcss.com": _tailwind,
        "d3js.org": _d3js_org,
        "code.jquery.com": _jquery,
        "threejs.org": _threejs_org,
        "use.fontawesome.com": _fontawesome,
        fonts.FONTS_CSS_HOST: _google_fonts,
    }


def vendor_root() -> Path:
    """The folder holding the vendored libraries and manifest.json."""
    return asset("vendor")


@functools.cache
def default_index() -> VendorIndex:
    """The index of the app's own vendor folder, built on first use."""
    return VendorIndex(vendor_root())


def resolve_cdn_url(url: str) -> VendoredFile | None:
    """The vendored file answering a CDN URL, or None when the URL is not one we serve."""
    return default_index().resolve(url)


def vendored_packages() -> list[dict]:
    """The manifest: one dict per vendored copy (name, version, license, files, …)."""
    return [dict(entry) for entry in default_index().manifest["packages"]]


def package_version(name: str) -> str:
    """The newest vendored version of an npm package, e.g. `package_version("react")`."""
    return default_index().package_version(name)


def font_notice(url: str) -> str:
    """The `info` line for a Google Fonts URL not fully answered offline ("" otherwise)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    return fonts.notice_for(host, parts.path, parts.query, default_index().font_families)


def answered_host(target: str) -> bool:
    """Whether a gate target ("host:port" or a URL) is a CDN host Easel answers offline.

    A connection to one that the gate refuses is a preconnect (`<link rel=preconnect>` to
    fonts.gstatic.com, in most model pages): every request to that host reaches the request
    interceptor, which answers or reports it; the bare connection carries nothing.
    """
    host = urlsplit(target if "//" in target else f"//{target}").hostname or ""
    return host.lower() in (*VendorIndex._HOSTS, fonts.FONTS_FILE_HOST)
