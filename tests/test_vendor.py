"""The vendored libraries: CDN URL resolution, the manifest, and the libraries running in Chromium."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.documents import inline_vendored
from app.vendor import (
    VendorIndex,
    compat_key,
    min_twin,
    package_version,
    parse_version,
    resolve_cdn_url,
    vendor_root,
    vendored_packages,
)
from tests.conftest import corpus_path

CHROMIUM = Path("/usr/bin/chromium")

# URL as models write it -> (package, kept path) it must be answered with.
RESOLVES = {
    # jsDelivr
    "https://cdn.jsdelivr.net/npm/chart.js": ("chart.js", "dist/chart.umd.js"),
    "https://cdn.jsdelivr.net/npm/chart.js@4": ("chart.js", "dist/chart.umd.js"),
    "https://cdn.jsdelivr.net/npm/chart.js@latest": ("chart.js", "dist/chart.umd.js"),
    "https://cdn.jsdelivr.net/npm/chart.js@4.4.1": ("chart.js", "dist/chart.umd.js"),
    "https://cdn.jsdelivr.net/npm/chart.js@4.4.0/dist/chart.umd.min.js": (
        "chart.js",
        "dist/chart.umd.js",
    ),
    "https://cdn.jsdelivr.net/npm/chart.js@3.9.1/dist/chart.min.js": (
        "chart.js",
        "dist/chart.umd.js",
    ),
    "https://cdn.jsdelivr.net/npm/chart.js@^4.4.0/dist/chart.umd.js": (
        "chart.js",
        "dist/chart.umd.js",
    ),
    "https://cdn.jsdelivr.net/npm/d3@7": ("d3", "dist/d3.min.js"),
    "https://cdn.jsdelivr.net/npm/d3@7.8.5/dist/d3.min.js": ("d3", "dist/d3.min.js"),
    "https://cdn.jsdelivr.net/npm/@tailwindcss/browser@4": (
        "@tailwindcss/browser",
        "dist/index.global.js",
    ),
    "https://cdn.jsdelivr.net/npm/@tailwindcss/browser@4.1.11/dist/index.global.js": (
        "@tailwindcss/browser",
        "dist/index.global.js",
    ),
    "https://cdn.jsdelivr.net/npm/three@0.160.0/build/three.module.js": (
        "three",
        "build/three.module.min.js",
    ),
    "https://cdn.jsdelivr.net/npm/three@0.160.0/examples/jsm/controls/OrbitControls.js": (
        "three",
        "examples/jsm/controls/OrbitControls.js",
    ),
    "https://cdn.jsdelivr.net/npm/three@0.165.0/addons/controls/OrbitControls.js": (
        "three",
        "examples/jsm/controls/OrbitControls.js",
    ),
    "https://cdn.jsdelivr.net/npm/three@0.128.0/examples/js/controls/OrbitControls.js": (
        "three",
        "examples/js/controls/OrbitControls.js",
    ),
    "https://cdn.jsdelivr.net/npm/three@0.150.1/+esm": ("three", "build/three.module.min.js"),
    "https://cdn.jsdelivr.net/npm/mermaid@10/dist/mermaid.min.js": (
        "mermaid",
        "dist/mermaid.min.js",
    ),
    "https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.esm.min.mjs": (
        "mermaid",
        "dist/mermaid.esm.min.mjs",
    ),
    "https://cdn.jsdelivr.net/npm/mermaid@10.9.1/+esm": ("mermaid", "dist/mermaid.esm.min.mjs"),
    "https://cdn.jsdelivr.net/npm/mermaid/dist/mermaid.js": ("mermaid", "dist/mermaid.min.js"),
    "https://cdn.jsdelivr.net/npm/marked/marked.min.js": ("marked", "lib/marked.umd.js"),
    "https://cdn.jsdelivr.net/npm/marked@4.3.0/marked.min.js": ("marked", "lib/marked.umd.js"),
    "https://cdn.jsdelivr.net/npm/gsap@3.12.5/dist/gsap.min.js": ("gsap", "dist/gsap.min.js"),
    "https://cdn.jsdelivr.net/npm/gsap@3/dist/ScrollTrigger.js": (
        "gsap",
        "dist/ScrollTrigger.min.js",
    ),
    "https://cdn.jsdelivr.net/npm/p5@1.9.0/lib/p5.js": ("p5", "lib/p5.min.js"),
    "https://cdn.jsdelivr.net/npm/animejs@3.2.1/lib/anime.min.js": (
        "animejs",
        "lib/anime.min.js",
    ),
    "https://cdn.jsdelivr.net/npm/lodash@4.17.21/lodash.min.js": ("lodash", "lodash.min.js"),
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.5.1/css/all.min.css": (
        "@fortawesome/fontawesome-free",
        "css/all.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.5.1/webfonts/fa-solid-900.woff2": (
        "@fortawesome/fontawesome-free",
        "webfonts/fa-solid-900.woff2",
    ),
    "https://fastly.jsdelivr.net/npm/tone@14.7.77/build/Tone.min.js": ("tone", "build/Tone.js"),
    # unpkg
    "https://unpkg.com/react@18/umd/react.development.js": ("react", "umd/react.development.js"),
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": (
        "react",
        "umd/react.production.min.js",
    ),
    "https://unpkg.com/react-dom@18/umd/react-dom.development.js": (
        "react-dom",
        "umd/react-dom.development.js",
    ),
    "https://unpkg.com/react@17/umd/react.production.min.js": (
        "react",
        "umd/react.production.min.js",
    ),
    "https://unpkg.com/@babel/standalone/babel.min.js": ("@babel/standalone", "babel.min.js"),
    "https://unpkg.com/@babel/standalone@7.23.5/babel.js": ("@babel/standalone", "babel.min.js"),
    "https://unpkg.com/babel-standalone@6/babel.min.js": None,  # another package name
    "https://unpkg.com/three@0.160.0/examples/jsm/controls/OrbitControls.js?module": (
        "three",
        "examples/jsm/controls/OrbitControls.js",
    ),
    "https://unpkg.com/three@0.158.0/examples/jsm/postprocessing/UnrealBloomPass.js": (
        "three",
        "examples/jsm/postprocessing/UnrealBloomPass.js",
    ),
    "https://unpkg.com/tone": ("tone", "build/Tone.js"),
    "https://unpkg.com/lodash": ("lodash", "lodash.js"),
    "https://unpkg.com/tailwindcss-cdn@3.4.10/tailwindcss.js": (
        "tailwindcss-cdn",
        "tailwindcss.js",
    ),
    "//unpkg.com/d3@7.9.0/dist/d3.js": ("d3", "dist/d3.js"),
    # cdnjs
    "https://cdnjs.cloudflare.com/ajax/libs/three.js/r128/three.min.js": (
        "three",
        "build/three.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/three.js/0.160.0/three.module.min.js": (
        "three",
        "build/three.module.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Chart.js/4.4.0/chart.umd.min.js": (
        "chart.js",
        "dist/chart.umd.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Chart.js/3.9.1/chart.min.js": (
        "chart.js",
        "dist/chart.umd.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/d3/7.8.5/d3.min.js": ("d3", "dist/d3.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/tone/14.8.49/Tone.js": ("tone", "build/Tone.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/gsap/3.12.2/gsap.min.js": ("gsap", "dist/gsap.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/gsap/3.12.2/ScrollTrigger.min.js": (
        "gsap",
        "dist/ScrollTrigger.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/p5.js/1.4.0/p5.min.js": ("p5", "lib/p5.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/p5.js/1.9.0/addons/p5.sound.min.js": (
        "p5",
        "lib/addons/p5.sound.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/animejs/3.2.1/anime.min.js": (
        "animejs",
        "lib/anime.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.21/lodash.min.js": (
        "lodash",
        "lodash.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/mermaid/10.6.1/mermaid.min.js": (
        "mermaid",
        "dist/mermaid.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/marked/9.1.2/marked.min.js": (
        "marked",
        "lib/marked.umd.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.4.0/css/all.min.css": (
        "@fortawesome/fontawesome-free",
        "css/all.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.4.0/css/all.css": (
        "@fortawesome/fontawesome-free",
        "css/all.min.css",
    ),
    # what all.min.css's ../webfonts/ URLs become once it is served at a cdnjs URL
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.4.0/webfonts/fa-brands-400.woff2": (
        "@fortawesome/fontawesome-free",
        "webfonts/fa-brands-400.woff2",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/5.15.4/css/all.min.css": (
        "@fortawesome/fontawesome-free",
        "css/all.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/react/18.2.0/umd/react.production.min.js": (
        "react",
        "umd/react.production.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/babel-standalone/7.23.2/babel.min.js": (
        "@babel/standalone",
        "babel.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/babel-standalone/6.26.0/babel.min.js": (
        "@babel/standalone",
        "babel.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js": (
        "jquery",
        "dist/jquery.min.js",
    ),
    # special hosts
    "https://cdn.tailwindcss.com": ("tailwindcss-cdn", "tailwindcss.js"),
    "https://cdn.tailwindcss.com/": ("tailwindcss-cdn", "tailwindcss.js"),
    "https://cdn.tailwindcss.com/3.4.1": ("tailwindcss-cdn", "tailwindcss.js"),
    "https://cdn.tailwindcss.com?plugins=forms": (
        "tailwindcss-cdn",
        "tailwindcss-with-all-plugins.js",
    ),
    "https://cdn.tailwindcss.com/?plugins=forms,typography,aspect-ratio,line-clamp": (
        "tailwindcss-cdn",
        "tailwindcss-with-all-plugins.js",
    ),
    "https://d3js.org/d3.v7.min.js": ("d3", "dist/d3.min.js"),
    "https://d3js.org/d3.v7.js": ("d3", "dist/d3.js"),
    "https://d3js.org/d3.v6.min.js": ("d3", "dist/d3.min.js"),
    "https://d3js.org/d3.min.js": ("d3", "dist/d3.min.js"),
    "http://d3js.org/d3.v7.min.js": ("d3", "dist/d3.min.js"),
    "https://code.jquery.com/jquery-3.6.0.min.js": ("jquery", "dist/jquery.min.js"),
    "https://code.jquery.com/jquery-3.7.1.js": ("jquery", "dist/jquery.min.js"),
    "https://ajax.googleapis.com/ajax/libs/jquery/3.6.0/jquery.min.js": (
        "jquery",
        "dist/jquery.min.js",
    ),
    "https://ajax.googleapis.com/ajax/libs/d3js/7.8.5/d3.min.js": ("d3", "dist/d3.min.js"),
    "https://threejs.org/build/three.module.js": ("three", "build/three.module.min.js"),
    "https://use.fontawesome.com/releases/v5.15.4/css/all.css": (
        "@fortawesome/fontawesome-free",
        "css/all.min.css",
    ),
    "https://use.fontawesome.com/releases/v6.4.0/webfonts/fa-solid-900.woff2": (
        "@fortawesome/fontawesome-free",
        "webfonts/fa-solid-900.woff2",
    ),
}

BLOCKED = [
    # other hosts, unknown packages, unvendored files
    "https://example.com/chart.js",
    "https://evil.example/npm/chart.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js",
    "https://unpkg.com/lucide-react@0.263.1/dist/umd/lucide-react.js",
    "https://cdn.plot.ly/plotly-2.27.0.min.js",
    "https://fonts.gstatic.com/s/inter/v13/UcC73FwrK3iLTeHuS_fvQtMwCp50KnMa1ZL7.woff2",
    "https://kit.fontawesome.com/abc123.js",
    "https://cdn.jsdelivr.net/gh/mrdoob/three.js@r128/build/three.min.js",
    "https://esm.sh/react@18",
    "https://cdn.jsdelivr.net/npm/chart.js@4/dist/chart.umd.js.map",
    "https://cdn.jsdelivr.net/npm/three@0.160.0/examples/jsm/loaders/GLTFLoader.js",
    "https://code.jquery.com/jquery-3.6.0.slim.min.js",
    "https://cdn.tailwindcss.com/not-a-version",
    "https://cdn.jsdelivr.net/npm/tailwindcss@2.2.19/dist/tailwind.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/unknownlib/1.0.0/x.js",
    # a different major than the vendored one
    "https://cdn.jsdelivr.net/npm/chart.js@2.9.4/dist/Chart.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Chart.js/2.9.4/Chart.min.js",
    "https://d3js.org/d3.v5.min.js",
    "https://d3js.org/d3.v3.min.js",
    "https://unpkg.com/react@19/umd/react.production.min.js",
    "https://unpkg.com/react@15/dist/react.min.js",
    "https://cdn.jsdelivr.net/npm/p5@2.0.0/lib/p5.min.js",
    "https://cdn.jsdelivr.net/npm/animejs@4.0.0/lib/anime.min.js",
    "https://cdn.jsdelivr.net/npm/lodash@3.10.1/lodash.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/three.js/r84/three.min.js",
    "https://cdn.jsdelivr.net/npm/three@1.0.0/build/three.module.js",
    "https://cdn.jsdelivr.net/npm/@tailwindcss/browser@3",
    "https://cdn.jsdelivr.net/npm/chart.js@next",
    "https://cdn.jsdelivr.net/npm/chart.js@>=4",
    # path traversal and odd paths: never outside the vendor folder
    "https://cdn.jsdelivr.net/npm/react@18/../../etc/passwd",
    "https://cdn.jsdelivr.net/npm/react@18/umd/../../../../etc/passwd",
    "https://cdn.jsdelivr.net/npm/react@18/%2e%2e/%2e%2e/manifest.json",
    "https://cdn.jsdelivr.net/npm/react@18/umd%2f..%2f..%2fmanifest.json",
    "https://unpkg.com/react@18/umd\\..\\..\\manifest.json",
    "https://unpkg.com/react@18//etc/passwd",
    "https://unpkg.com/react@18/./umd/react.development.js",
    "https://unpkg.com/react@18/LICENSE/../../manifest.json",
    "https://unpkg.com/..%2f..%2fmanifest.json",
    "https://cdnjs.cloudflare.com/ajax/libs/react/18.2.0/../../../../manifest.json",
    "https://cdn.tailwindcss.com/../manifest.json",
    "https://use.fontawesome.com/releases/v6.4.0/../../manifest.json",
    # not http(s), or a port
    "file:///etc/passwd",
    "ftp://cdn.jsdelivr.net/npm/chart.js",
    "https://cdn.jsdelivr.net:8443/npm/chart.js",
    "https://cdn.jsdelivr.net:notaport/npm/chart.js",
    "javascript:alert(1)",
    "",
    "https://cdn.jsdelivr.net",
    "https://cdn.jsdelivr.net/npm/",
    "https://unpkg.com/",
]


@pytest.mark.parametrize("url", sorted(RESOLVES))
def test_cdn_urls_resolve_to_vendored_files(url: str) -> None:
    expected = RESOLVES[url]
    found = resolve_cdn_url(url)
    if expected is None:
        assert found is None
        return
    package, kept = expected
    assert found is not None, url
    assert found.package == package
    assert found.path.is_file()
    assert found.path.as_posix().endswith(f"{package}@{found.version}/{kept}")
    assert found.path.resolve().is_relative_to(vendor_root().resolve())


@pytest.mark.parametrize("url", BLOCKED)
def test_other_urls_do_not_resolve(url: str) -> None:
    assert resolve_cdn_url(url) is None


def test_csv_to_charts_page_gets_chart_js_from_the_vendor_folder() -> None:
    page = corpus_path("pages", "gpt-5-coding-examples-csv-to-charts-chartjs-cdn.html")
    sources = re.findall(r'<script[^>]+src="([^"]+)"', page.read_text(encoding="utf-8"))
    assert sources
    for src in sources:
        found = resolve_cdn_url(src)
        assert found is not None and found.package == "chart.js"
    inlined = inline_vendored(page.read_text(encoding="utf-8"))
    assert "cdn.jsdelivr.net" not in inlined


def test_three_picks_the_copy_closest_to_the_requested_release() -> None:
    old = resolve_cdn_url("https://unpkg.com/three@0.128.0/build/three.min.js")
    new_module = resolve_cdn_url("https://unpkg.com/three@0.128.0/build/three.module.js")
    latest = resolve_cdn_url("https://unpkg.com/three")
    assert old is not None and old.version == "0.147.0"
    # the r147 copy keeps no module build, so the module request falls back to r160
    assert new_module is not None and new_module.version == "0.160.1"
    assert latest is not None and latest.version == "0.160.1"


def test_mime_types_follow_the_extension() -> None:
    cases = {
        "https://cdn.jsdelivr.net/npm/d3@7": "text/javascript",
        "https://cdn.jsdelivr.net/npm/mermaid@11/+esm": "text/javascript",
        "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.4.0/css/all.min.css": "text/css",
        "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.4.0/webfonts/fa-solid-900.woff2": "font/woff2",
    }
    for url, mime in cases.items():
        found = resolve_cdn_url(url)
        assert found is not None and found.mime == mime


def test_manifest_matches_the_files_on_disk() -> None:
    root = vendor_root()
    total = 0
    packages = vendored_packages()
    assert {p["name"] for p in packages} >= {
        "tailwindcss-cdn",
        "@tailwindcss/browser",
        "react",
        "react-dom",
        "@babel/standalone",
        "three",
        "chart.js",
        "d3",
        "tone",
        "gsap",
        "p5",
        "animejs",
        "lodash",
        "mermaid",
        "marked",
        "@fortawesome/fontawesome-free",
    }
    for entry in packages:
        folder = root / entry["dir"]
        assert entry["license_files"], entry["name"]
        for licence in entry["license_files"]:
            assert (folder / licence).stat().st_size > 100
        for rel, meta in entry["files"].items():
            data = (folder / rel).read_bytes()
            assert len(data) == meta["size"]
            assert hashlib.sha256(data).hexdigest() == meta["sha256"], rel
            total += len(data)
        assert entry["default"] in entry["files"]
    on_disk = {p for p in root.rglob("*") if p.is_file()}
    listed = {root / e["dir"] / rel for e in packages for rel in [*e["files"], *e["license_files"]]}
    assert on_disk - listed == {root / "manifest.json", root / "README.md"}
    assert not any(p.suffix == ".map" for p in on_disk)
    # 14.2 MB of libraries and 2.1 MB of Google Fonts faces (woff2, latin + latin-ext).
    assert total < 17 * 1024 * 1024


def test_readme_names_every_vendored_version() -> None:
    readme = (vendor_root() / "README.md").read_text(encoding="utf-8")
    for entry in vendored_packages():
        assert f"| {entry['name']} | {entry['version']} |" in readme
    assert "python tools/vendor.py" in readme


def test_package_version_is_the_newest_copy() -> None:
    assert package_version("react") == "18.3.1"
    assert package_version("three") == "0.160.1"
    with pytest.raises(KeyError):
        package_version("left-pad")


def test_version_helpers() -> None:
    assert parse_version("4.4.1") == (4, 4, 1)
    assert parse_version("^4.4") == (4, 4)
    assert parse_version("~4") == (4,)
    assert parse_version("4.x") == (4,)
    assert parse_version("r128") == (0, 128)
    assert parse_version("7.0.0-beta.2") == (7, 0, 0)
    assert parse_version("next") is None
    assert compat_key((0, 160, 1)) == (0, 160)
    assert compat_key((4, 6, 1)) == (4,)
    assert min_twin("a/b.min.js") == "a/b.js"
    assert min_twin("a/b.css") == "a/b.min.css"
    assert min_twin("font.woff2") is None


def test_manifest_entries_outside_the_root_are_ignored(tmp_path: Path) -> None:
    root = tmp_path / "vendor"
    (root / "pkg@1.0.0").mkdir(parents=True)
    (root / "pkg@1.0.0" / "ok.js").write_text("ok")
    (tmp_path / "secret.js").write_text("secret")
    manifest = {
        "packages": [
            {
                "name": "pkg",
                "version": "1.0.0",
                "dir": "pkg@1.0.0",
                "accept": {"from": "1", "below": "2"},
                "default": "ok.js",
                "cdnjs": None,
                "files": {"ok.js": {}, "../../secret.js": {}, "missing.js": {}},
                "aliases": {"evil.js": "../../secret.js"},
            }
        ]
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    index = VendorIndex(root)
    assert index.resolve("https://unpkg.com/pkg@1/ok.js") is not None
    assert index.resolve("https://unpkg.com/pkg@1") is not None
    assert index.resolve("https://unpkg.com/pkg@1/evil.js") is None
    assert index.resolve("https://unpkg.com/pkg@1/missing.js") is None
    assert index.resolve("https://unpkg.com/pkg@2/ok.js") is None


PATH_TEXT = st.text(alphabet="./%2e\\abcfmnjsu@_-", max_size=40)


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(sorted({u.rsplit("/", 1)[0] for u in RESOLVES})), tail=PATH_TEXT)
def test_no_url_escapes_the_vendor_folder(prefix: str, tail: str) -> None:
    found = resolve_cdn_url(f"{prefix}/{tail}")
    if found is not None:
        assert found.path.resolve().is_relative_to(vendor_root().resolve())
        assert found.path.is_file()


# --- every library, through its CDN URL, inlined, in headless Chromium -----------------------

LIBRARY_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<script>window.easelErrors = [];
window.addEventListener("error", e => window.easelErrors.push(String(e.message)));</script>
<script src="https://cdn.tailwindcss.com"></script>
<script src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
<script src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
<script src="https://unpkg.com/@babel/standalone/babel.min.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/three.js/r128/three.min.js"></script>
<script src="https://cdn.jsdelivr.net/npm/three@0.128.0/examples/js/controls/OrbitControls.js"></script>
<script src="https://cdn.jsdelivr.net/npm/chart.js"></script>
<script src="https://d3js.org/d3.v7.min.js"></script>
<script src="https://unpkg.com/tone@14.7.77/build/Tone.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/gsap/3.12.2/gsap.min.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/gsap/3.12.2/ScrollTrigger.min.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/p5.js/1.9.0/p5.min.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/animejs/3.2.1/anime.min.js"></script>
<script src="https://cdn.jsdelivr.net/npm/lodash@4.17.21/lodash.min.js"></script>
<script src="https://cdn.jsdelivr.net/npm/mermaid@10/dist/mermaid.min.js"></script>
<script src="https://cdn.jsdelivr.net/npm/marked/marked.min.js"></script>
<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<link rel="stylesheet" href="https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.4.0/css/all.min.css">
</head><body>
<div id="tw" class="bg-red-500 p-4">tailwind</div><i id="fa" class="fa-solid fa-check"></i>
<div id="react"></div><canvas id="chart" width="200" height="100"></canvas><div id="d3"></div>
<pre id="results"></pre>
<iframe id="tw4" srcdoc="TW4_SRCDOC"></iframe>
<script type="importmap">IMPORTMAP</script>
<script type="module">
import * as THREE from "three";
import { OrbitControls } from "ORBIT_URL";
const camera = new THREE.PerspectiveCamera();
if (new OrbitControls(camera, document.body).update) window.easelModule = "ok-three-module";
</script>
<script>
const results = [];
const ok = name => results.push("ok-" + name);
async function check() {
  if (getComputedStyle(document.getElementById("tw")).backgroundColor === "rgb(239, 68, 68)") ok("tailwind");
  const el = React.createElement("span", {id: "r"}, "hi");
  ReactDOM.createRoot(document.getElementById("react")).render(el);
  await new Promise(r => setTimeout(r, 50));
  if (document.getElementById("r")) ok("react");
  if (Babel.transform("<a/>", {presets: ["react"]}).code.includes("createElement")) ok("babel");
  if (new THREE.Scene().isScene && THREE.OrbitControls) ok("three");
  if (new Chart(document.getElementById("chart"), {type: "bar", options: {animation: false},
      data: {labels: ["a"], datasets: [{data: [1]}]}}).data) ok("chart");
  d3.select("#d3").append("b").text("d3");
  if (document.querySelector("#d3 b")) ok("d3");
  if (typeof Tone.Synth === "function") ok("tone");
  gsap.registerPlugin(ScrollTrigger);
  if (gsap.to("#tw", {x: 1, duration: 0}) && ScrollTrigger.create) ok("gsap");
  await new Promise(r => new p5(s => { s.setup = () => { s.createCanvas(4, 4); r(); }; }));
  ok("p5");
  if (anime({targets: "#d3", opacity: 1, duration: 1}).play) ok("anime");
  if (_.chunk([1, 2, 3], 2).length === 2) ok("lodash");
  mermaid.initialize({startOnLoad: false});
  const diagram = await mermaid.render("m", "graph TD; A-->B");
  if (diagram.svg.includes("<svg")) ok("mermaid");
  if (marked.parse("# hi").includes("<h1")) ok("marked");
  if ($("#d3 b").length === 1) ok("jquery");
  await document.fonts.ready;
  const before = getComputedStyle(document.getElementById("fa"), "::before");
  if (before.fontFamily.includes("Font Awesome") && document.fonts.check('900 16px "Font Awesome 6 Free"')) ok("fontawesome");
  const tw4 = document.getElementById("tw4").contentDocument.getElementById("x");
  if (tw4 && getComputedStyle(tw4).paddingTop === "16px") ok("tailwind4");
  if (window.easelModule) ok("three-module");
}
window.addEventListener("load", () => check().catch(e => results.push("error: " + e))
  .finally(() => { document.getElementById("results").textContent =
    results.concat(window.easelErrors.map(e => "error: " + e)).join(" ") + " done"; }));
</script>
</body></html>
"""

TW4_PAGE = """<!DOCTYPE html><html><head>
<script src="https://cdn.jsdelivr.net/npm/@tailwindcss/browser@4"></script></head>
<body><div id="x" class="p-4">v4</div></body></html>"""

EXPECTED = [
    "tailwind",
    "react",
    "babel",
    "three",
    "chart",
    "d3",
    "tone",
    "gsap",
    "p5",
    "anime",
    "lodash",
    "mermaid",
    "marked",
    "jquery",
    "fontawesome",
    "tailwind4",
    "three-module",
]


def data_url(url: str) -> str:
    found = resolve_cdn_url(url)
    assert found is not None
    return "data:text/javascript;base64," + base64.b64encode(found.path.read_bytes()).decode()


def run_chromium(page: Path, profile: Path) -> str:
    """Load a file in headless Chromium and return the DOM after it settled."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=100, check=False)
    _wait_until_profile_free(profile)
    return done.stdout


def _wait_until_profile_free(profile: Path, timeout: float = 15.0) -> None:
    """Chromium's helper processes (its storage service among them) outlive the browser
    process for a moment and hold the profile: a second run on it meanwhile finds its
    localStorage locked and starts with none. Wait until none is left."""
    wanted = f"--user-data-dir={profile}".encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(wanted in cmdline for cmdline in _command_lines()):
            return
        time.sleep(0.05)


def _command_lines() -> list[bytes]:
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append((entry / "cmdline").read_bytes())
            except OSError:  # gone meanwhile
                continue
    return lines


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_libraries_run_in_chromium(tmp_path: Path) -> None:
    three = "https://unpkg.com/three@0.160.0/build/three.module.js"
    orbit = "https://unpkg.com/three@0.160.0/examples/jsm/controls/OrbitControls.js"
    importmap = json.dumps({"imports": {"three": data_url(three)}})
    tw4 = html.escape(inline_vendored(TW4_PAGE), quote=True)
    page = (
        LIBRARY_PAGE.replace("TW4_SRCDOC", tw4)
        .replace("IMPORTMAP", importmap)
        .replace("ORBIT_URL", data_url(orbit))
    )
    inlined = inline_vendored(page)
    assert not re.search(r"<script[^>]+src=", inlined)
    assert '<link rel="stylesheet" href="https://cdnjs' not in inlined
    assert "../webfonts" not in inlined and "data:font/woff2;base64," in inlined
    path = tmp_path / "libraries.html"
    path.write_text(inlined, encoding="utf-8")
    dom = run_chromium(path, tmp_path / "profile")
    results = re.search(r'<pre id="results">([^<]*)</pre>', dom)
    assert results is not None, dom[-2000:]
    text = results.group(1)
    assert "done" in text, text
    missing = [name for name in EXPECTED if f"ok-{name}" not in text.split()]
    assert not missing, text
    assert "error" not in text, text
