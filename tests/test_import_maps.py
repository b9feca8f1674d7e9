"""Bare module specifiers (`'three'`, `'three/addons/…'`, `'react'`, `'react-dom/client'`) and
jsDelivr `/+esm` imports resolve offline: in the sandbox view, and in a saved `.html` file opened
by a real headless Chromium with no network."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from app.documents import artifact_document, inline_vendored
from app.import_maps import default_imports, resolve_specifier, specifiers, with_import_map

CHROMIUM = Path("/usr/bin/chromium")
LOAD_MS = 20_000

# Each check writes "ok-<name>" or "error-<name>: …" into #results, then "done".
MODULE_PAGE = """<!doctype html><html><head><title>modules</title></head><body>
<div id="root"></div><pre id="results"></pre>
<script type="module">
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { EffectComposer } from 'three/examples/jsm/postprocessing/EffectComposer.js';
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import * as ESM from 'https://cdn.jsdelivr.net/npm/three@0.160.0/+esm';
const out = [];
const check = (name, test) => { try { out.push(test() ? `ok-${name}` : `error-${name}`); }
  catch (e) { out.push(`error-${name}: ${e}`); } };
check("three", () => new THREE.Vector3(3, 4, 0).length() === 5);
check("addons", () => typeof OrbitControls === "function" && typeof EffectComposer === "function");
check("esm", () => new ESM.Vector3(0, 0, 2).length() === 2);
function Counter() { const [n] = useState(41); return React.createElement("p", {id: "count"}, n + 1); }
check("react", () => {
  flushSync(() => createRoot(document.getElementById("root")).render(React.createElement(Counter)));
  return document.getElementById("count").textContent === "42";
});
out.push("done");
document.getElementById("results").textContent = out.join(" ");
document.title = out.join(" ");
</script></body></html>"""

EXPECTED = ["ok-three", "ok-addons", "ok-esm", "ok-react", "done"]


def test_the_import_map_is_added_only_when_the_page_needs_one():
    page = artifact_document("text/html", MODULE_PAGE)
    assert page.index('<script type="importmap">') < page.index('<script type="module">')
    mapped = json.loads(re.search(r'importmap">(.*?)</script', page).group(1))["imports"]
    assert mapped == default_imports()
    own = MODULE_PAGE.replace("<head>", '<head><script type="importmap">{"imports":{}}</script>')
    assert with_import_map(own) == own  # the page's own map is never replaced
    plain = "<script type=module>import {x} from './local.js';</script>"
    assert with_import_map(plain) == plain
    classic = "<script>const s = \"import x from 'three'\";</script>"
    assert with_import_map(classic) == classic


def test_specifiers_and_resolution_follow_import_map_rules():
    code = "import a from 'a'; import {b} from \"b/c.js\"; export * from './d.js'; import('e');"
    assert specifiers(code) == ["a", "b/c.js", "./d.js", "e"]
    imports = {"b/": "https://x/b/", "b/c.js": "https://y/c.js", "a": "https://x/a.js"}
    assert resolve_specifier("b/c.js", imports) == "https://y/c.js"
    assert resolve_specifier("b/d.js", imports) == "https://x/b/d.js"
    assert resolve_specifier("./d.js", imports, "https://x/m/n.js") == "https://x/m/d.js"
    assert resolve_specifier("unknown", imports) is None


def test_bare_specifiers_run_in_the_view(qtbot, view):
    lines = []
    view.consoleMessage.connect(lambda *line: lines.append(line))
    view.show_document("import-map", artifact_document("text/html", MODULE_PAGE))
    qtbot.waitUntil(lambda: "done" in view.title(), timeout=LOAD_MS)
    assert view.title().split() == EXPECTED, (view.title(), lines)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_a_saved_file_runs_its_modules_offline_in_chromium(tmp_path):
    saved = inline_vendored(artifact_document("text/html", MODULE_PAGE))
    assert "https://cdn.jsdelivr.net/npm/three@0.160.0/+esm" in saved  # now a map key only
    path = tmp_path / "saved.html"
    path.write_text(saved, encoding="utf-8")
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--proxy-server=http://127.0.0.1:9",  # nothing listens: any network use fails
        "--virtual-time-budget=5000",
        "--dump-dom",
        path.as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=100).stdout
    results = re.search(r'<pre id="results">([^<]*)</pre>', dom)
    assert results is not None, dom[-2000:]
    assert results.group(1).split() == EXPECTED


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_without_inlining_the_saved_file_would_not_run(tmp_path):
    # The planted bug: the same page saved without its modules inlined fails offline.
    path = tmp_path / "online.html"
    path.write_text(artifact_document("text/html", MODULE_PAGE), encoding="utf-8")
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--proxy-server=http://127.0.0.1:9",
        "--virtual-time-budget=5000",
        "--dump-dom",
        path.as_uri(),
    ]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=100).stdout
    assert "ok-three" not in dom
