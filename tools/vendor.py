"""Install Easel's pinned front-end libraries from the npm registry into assets/vendor.

Run from the repository root:  python tools/vendor.py

For each pinned package it runs `npm pack <name>@<version>` in a temporary folder (a plain
download of the published tarball: no install scripts run), extracts the tarball, and copies only
the files a CDN would serve to artifacts (the UMD/minified builds, CSS, fonts) plus the
package's licence file into `assets/vendor/<name>@<version>/`. It then writes
`assets/vendor/manifest.json` (read by `app/vendor.py`) and `assets/vendor/README.md`.

The PACKAGES table below is the single place where versions are pinned. Re-running the script
with the same table reproduces the same tree byte for byte (file hashes are in the manifest).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "assets" / "vendor"
LICENSE_NAMES = re.compile(r"^(licen[cs]e|copying)(\.(md|txt))?$", re.IGNORECASE)
# Relative ES-module imports inside three.js add-ons: `from './x.js'` or `import '../y.js'`.
RELATIVE_IMPORT = re.compile(r"""(?:from|import)\s*['"](\.{1,2}/[^'"]+)['"]""")

MERMAID_ESM_SHIM = """\
// Easel shim (not part of the mermaid package): Mermaid's ES-module entry point needs ~100
// chunk files; this module loads the vendored single-file build next to it instead and
// exports the same default object, so `import mermaid from ".../mermaid.esm.min.mjs"` works.
const url = new URL("./mermaid.min.js", import.meta.url).href;
if (!globalThis.mermaid) {
  await new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = resolve;
    script.onerror = () => reject(new Error("could not load " + url));
    document.head.appendChild(script);
  });
}
export default globalThis.mermaid;
"""

REACT_EXPORTS = (
    "Children Component Fragment Profiler PureComponent StrictMode Suspense cloneElement "
    "createContext createElement createFactory createRef forwardRef isValidElement lazy memo "
    "startTransition useCallback useContext useDebugValue useDeferredValue useEffect useId "
    "useImperativeHandle useInsertionEffect useLayoutEffect useMemo useReducer useRef useState "
    "useSyncExternalStore useTransition version"
).split()
REACT_DOM_EXPORTS = (
    "createPortal createRoot findDOMNode flushSync hydrate hydrateRoot render "
    "unmountComponentAtNode unstable_batchedUpdates version"
).split()
REACT_ESM = "https://cdn.jsdelivr.net/npm/react@18.3.1/+esm"
REACT_DOM_ESM = "https://cdn.jsdelivr.net/npm/react-dom@18.3.1/+esm"


def esm_prelude(name: str, global_name: str, imports: str = "") -> str:
    """What precedes a UMD build to make it an ES module (it runs once per page)."""
    return (
        "// Easel shim (not part of the package): the UMD build below, run as an ES module, sets\n"
        f"// the global; the module then exports it, so `import ... from '{name}'` works offline.\n"
        f"{imports}if (!globalThis.{global_name}) {{\n"
    )


def esm_epilogue(global_name: str, names: list[str]) -> str:
    """What follows a UMD build to make it an ES module: its global as default and by name."""
    return (
        f"\n}}\nconst __easel = globalThis.{global_name};\nexport default __easel;\n"
        f"export const {{ {', '.join(names)} }} = __easel;\n"
    )


JSX_RUNTIME_SHIM = """\
// Easel shim (not part of the react package): react/jsx-runtime on top of React.createElement.
import React from "REACT_ESM";
export const Fragment = React.Fragment;
export function jsx(type, props, key) {
  return React.createElement(type, key === undefined ? props : { ...props, key });
}
export const jsxs = jsx;
export const jsxDEV = jsx;
""".replace("REACT_ESM", REACT_ESM)

REACT_DOM_CLIENT_SHIM = """\
// Easel shim (not part of the react-dom package): react-dom/client from the ES-module wrapper.
import ReactDOM from "REACT_DOM_ESM";
export const createRoot = ReactDOM.createRoot;
export const hydrateRoot = ReactDOM.hydrateRoot;
export default { createRoot, hydrateRoot };
""".replace("REACT_DOM_ESM", REACT_DOM_ESM)

GSAP_LICENSE_NOTE = """\
GSAP (https://gsap.com) - the npm package "gsap" ships no licence file.
Its package.json declares: Standard 'no charge' license: https://gsap.com/standard-license.
Each file's header says: Copyright GreenSock. All rights reserved. Subject to the terms at
https://gsap.com/standard-license.
This note was written by Easel's tools/vendor.py to record that licence next to the files.
"""


@dataclass(frozen=True)
class Package:
    """One pinned npm package and what of it we keep.

    accept_from/accept_below: the range of requested versions this copy answers (the rule is
    documented in app/vendor.py). aliases: request path -> kept path; prefix_aliases: request
    path prefix -> kept prefix. cdnjs: (library name on cdnjs, folder of the npm package that
    cdnjs serves at its root).
    """

    name: str
    version: str
    files: tuple[str, ...]
    default: str
    accept_from: str
    accept_below: str
    cdnjs: tuple[str, str] | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    prefix_aliases: dict[str, str] = field(default_factory=dict)
    follow_imports: bool = False
    license_from: str | None = None
    shims: dict[str, str] = field(default_factory=dict)
    note: str = ""
    # The kept ES-module file a jsDelivr `/+esm` request for the bare package gets ("": none).
    esm: str = ""
    # Written as LICENSE-NOTE.txt when the tarball carries no licence file at all.
    license_note: str = ""
    # A @fontsource font: its files are chosen by `font_files`, not listed in `files`.
    font: FontSpec | None = None
    # ES-module wrappers of a UMD build: kept path -> (prelude, UMD file, epilogue).
    esm_wraps: dict[str, tuple[str, str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class FontSpec:
    """What of one @fontsource family is kept: woff2 only, the subsets and weights pages use."""

    family: str
    subsets: tuple[str, ...] = ("latin", "latin-ext")
    weights: tuple[int, ...] = (300, 400, 500, 600, 700, 800)
    italic_weights: tuple[int, ...] = (400, 700)

    @property
    def font_id(self) -> str:
        """Fontsource's id of the family: `Press Start 2P` -> `press-start-2p`."""
        return self.family.lower().replace(" ", "-")


THREE_JSM = tuple(
    f"examples/jsm/{p}"
    for p in (
        "controls/OrbitControls.js",
        "controls/PointerLockControls.js",
        "controls/TrackballControls.js",
        "controls/FirstPersonControls.js",
        "postprocessing/EffectComposer.js",
        "postprocessing/RenderPass.js",
        "postprocessing/UnrealBloomPass.js",
        "postprocessing/OutputPass.js",
        "postprocessing/ShaderPass.js",
        "math/SimplexNoise.js",
        "math/ImprovedNoise.js",
        "libs/stats.module.js",
        "libs/lil-gui.module.min.js",
    )
)

# Google Fonts families pages ask for most, as @fontsource packages (all OFL-1.1). The Google
# Fonts CSS API is answered from these by app/fonts.py; Noto Sans SC/TC/JP/KR are mapped there to
# the system's Noto CJK fonts instead (tens of MB each).
FONT_FAMILIES = (
    "Inter",
    "Roboto",
    "Poppins",
    "Press Start 2P",
    "Orbitron",
    "JetBrains Mono",
    "Fira Code",
    "Montserrat",
    "Open Sans",
    "Lato",
)
FONT_VERSION = "5.3.0"
# A kept face, named after the package's font id: `<subset>-<weight>-<style>.woff2`.
FONT_FACE = re.compile(r"^(?P<subset>[a-z0-9-]+)-(?P<weight>\d+)-(?P<style>normal|italic)\.woff2$")


def font_package(family: str) -> Package:
    """The pinned @fontsource package of a family (its files are chosen at install time)."""
    spec = FontSpec(family)
    return Package(
        f"@fontsource/{spec.font_id}",
        FONT_VERSION,
        (),
        default="",
        accept_from="4",
        accept_below="6",
        font=spec,
        note="",
    )


PACKAGES: tuple[Package, ...] = (
    Package(
        "tailwindcss-cdn",
        "3.4.10",
        ("tailwindcss.js", "tailwindcss-with-all-plugins.js"),
        default="tailwindcss.js",
        accept_from="3",
        accept_below="4",
        license_from="tailwindcss@3.4.10",
        note="Byte copy of the v3.4.10 play script cdn.tailwindcss.com served (plain, and with "
        "?plugins=forms,typography,aspect-ratio,container-queries); the code is Tailwind CSS "
        "(MIT), whose LICENSE is kept.",
    ),
    Package(
        "@tailwindcss/browser",
        "4.3.4",
        ("dist/index.global.js",),
        default="dist/index.global.js",
        accept_from="4",
        accept_below="5",
    ),
    Package(
        "react",
        "18.3.1",
        ("umd/react.development.js", "umd/react.production.min.js"),
        default="umd/react.production.min.js",
        accept_from="16",
        accept_below="19",
        cdnjs=("react", ""),
        esm="esm/react.mjs",
        esm_wraps={
            "esm/react.mjs": (
                esm_prelude("react", "React"),
                "umd/react.production.min.js",
                esm_epilogue("React", REACT_EXPORTS),
            )
        },
        shims={"esm/jsx-runtime.mjs": JSX_RUNTIME_SHIM},
        aliases={"jsx-runtime/+esm": "esm/jsx-runtime.mjs", "jsx-runtime": "esm/jsx-runtime.mjs"},
        note="esm/*.mjs are Easel shims (written by tools/vendor.py): the UMD build wrapped as an "
        "ES module, and jsx-runtime on createElement; bare `react` imports and `/+esm` get them.",
    ),
    Package(
        "react-dom",
        "18.3.1",
        ("umd/react-dom.development.js", "umd/react-dom.production.min.js"),
        default="umd/react-dom.production.min.js",
        accept_from="16",
        accept_below="19",
        cdnjs=("react-dom", ""),
        esm="esm/react-dom.mjs",
        esm_wraps={
            "esm/react-dom.mjs": (
                esm_prelude("react-dom", "ReactDOM", f'import "{REACT_ESM}";\n'),
                "umd/react-dom.production.min.js",
                esm_epilogue("ReactDOM", REACT_DOM_EXPORTS),
            )
        },
        shims={"esm/client.mjs": REACT_DOM_CLIENT_SHIM},
        aliases={"client/+esm": "esm/client.mjs", "client": "esm/client.mjs"},
        note="esm/*.mjs are Easel shims (written by tools/vendor.py): the UMD build wrapped as an "
        "ES module (it imports `react` first), and react-dom/client on top of it.",
    ),
    Package(
        "@babel/standalone",
        "7.29.13",
        ("babel.min.js",),
        default="babel.min.js",
        accept_from="6",
        accept_below="9",
        cdnjs=("babel-standalone", ""),
    ),
    Package(
        "three",
        "0.147.0",
        (
            "build/three.min.js",
            "examples/js/controls/OrbitControls.js",
            "examples/js/controls/PointerLockControls.js",
            "examples/js/controls/TrackballControls.js",
            "examples/js/libs/stats.min.js",
        ),
        default="build/three.min.js",
        accept_from="0.125",
        accept_below="1",
        cdnjs=("three.js", "build"),
        note="The last release with examples/js (global THREE.OrbitControls); answers classic "
        "<script> requests, notably cdnjs r128, with r128-era lighting.",
    ),
    Package(
        "three",
        "0.160.1",
        ("build/three.module.min.js", *THREE_JSM),
        default="build/three.module.min.js",
        accept_from="0.125",
        accept_below="1",
        prefix_aliases={"addons/": "examples/jsm/"},
        follow_imports=True,
        esm="build/three.module.min.js",
        note="ES-module build and common add-ons (examples/jsm, also as addons/).",
    ),
    Package(
        "chart.js",
        "4.6.1",
        ("dist/chart.umd.js",),
        default="dist/chart.umd.js",
        accept_from="3",
        accept_below="5",
        cdnjs=("Chart.js", "dist"),
        aliases={"dist/chart.min.js": "dist/chart.umd.js", "dist/chart.js": "dist/chart.umd.js"},
    ),
    Package(
        "d3",
        "7.9.2",
        ("dist/d3.min.js", "dist/d3.js"),
        default="dist/d3.min.js",
        accept_from="6",
        accept_below="8",
        cdnjs=("d3", "dist"),
    ),
    Package(
        "tone",
        "15.5.44",
        ("build/Tone.js",),
        default="build/Tone.js",
        accept_from="14",
        accept_below="16",
        cdnjs=("tone", "build"),
    ),
    Package(
        "gsap",
        "3.15.0",
        (
            "dist/gsap.min.js",
            "dist/ScrollTrigger.min.js",
            "dist/ScrollToPlugin.min.js",
            "dist/Draggable.min.js",
            "dist/TextPlugin.min.js",
            "dist/MotionPathPlugin.min.js",
        ),
        default="dist/gsap.min.js",
        accept_from="3",
        accept_below="4",
        cdnjs=("gsap", "dist"),
        license_note=GSAP_LICENSE_NOTE,
    ),
    Package(
        "p5",
        "1.11.13",
        ("lib/p5.min.js", "lib/addons/p5.sound.min.js"),
        default="lib/p5.min.js",
        accept_from="1",
        accept_below="2",
        cdnjs=("p5.js", "lib"),
    ),
    Package(
        "animejs",
        "3.2.2",
        ("lib/anime.min.js", "lib/anime.js"),
        default="lib/anime.min.js",
        accept_from="3",
        accept_below="4",
        cdnjs=("animejs", "lib"),
    ),
    Package(
        "lodash",
        "4.18.1",
        ("lodash.min.js", "lodash.js"),
        default="lodash.js",
        accept_from="4",
        accept_below="5",
        cdnjs=("lodash.js", ""),
    ),
    Package(
        "mermaid",
        "11.17.2",
        ("dist/mermaid.min.js",),
        default="dist/mermaid.min.js",
        accept_from="9",
        accept_below="13",
        cdnjs=("mermaid", "dist"),
        aliases={"dist/mermaid.esm.mjs": "dist/mermaid.esm.min.mjs"},
        shims={"dist/mermaid.esm.min.mjs": MERMAID_ESM_SHIM},
        esm="dist/mermaid.esm.min.mjs",
        note="dist/mermaid.esm.min.mjs is an Easel shim (written by tools/vendor.py): it loads "
        "the single-file build beside it and exports it as the default, instead of the ~100 "
        "chunk files (3.5 MB) of Mermaid's own ES-module build.",
    ),
    Package(
        "marked",
        "18.2.1",
        ("lib/marked.umd.js",),
        default="lib/marked.umd.js",
        accept_from="4",
        accept_below="19",
        cdnjs=("marked", ""),
        # Older releases shipped the same UMD build at these paths.
        aliases={
            "marked.min.js": "lib/marked.umd.js",
            "lib/marked.min.js": "lib/marked.umd.js",
            "lib/marked.js": "lib/marked.umd.js",
            "lib/marked.umd.min.js": "lib/marked.umd.js",
        },
    ),
    Package(
        "@fortawesome/fontawesome-free",
        "6.7.2",
        (
            "css/all.min.css",
            "css/fontawesome.min.css",
            "css/solid.min.css",
            "css/regular.min.css",
            "css/brands.min.css",
            "css/v4-shims.min.css",
            "webfonts/fa-solid-900.woff2",
            "webfonts/fa-regular-400.woff2",
            "webfonts/fa-brands-400.woff2",
            "webfonts/fa-v4compatibility.woff2",
        ),
        default="css/all.min.css",
        accept_from="5",
        accept_below="8",
        cdnjs=("font-awesome", ""),
        note="woff2 fonts only (every browser Easel runs uses them; .ttf fallbacks dropped).",
    ),
    Package(
        "jquery",
        "3.8.0",
        ("dist/jquery.min.js",),
        default="dist/jquery.min.js",
        accept_from="3",
        accept_below="4",
        cdnjs=("jquery", "dist"),
    ),
    *(font_package(family) for family in FONT_FAMILIES),
)


def package_dir(pkg: Package) -> str:
    """The folder of one copy under assets/vendor, e.g. `@tailwindcss/browser@4.3.4`."""
    return f"{pkg.name}@{pkg.version}"


def npm_pack(spec: str, dest: Path) -> tuple[Path, dict]:
    """Download one package tarball with `npm pack`; return its path and npm's JSON record."""
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
        cwd=dest,
    )
    record = json.loads(out.stdout)[0]
    return dest / record["filename"], record


def extract(tarball: Path, dest: Path) -> Path:
    """Extract a tarball safely (the `data` filter refuses links and absolute paths)."""
    with tarfile.open(tarball) as tar:
        tar.extractall(dest, filter="data")
    return dest / "package"


def with_imports(root: Path, paths: tuple[str, ...]) -> list[str]:
    """The given files plus every file they import by relative path, transitively."""
    seen: list[str] = []
    todo = list(paths)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.append(path)
        text = (root / path).read_text(encoding="utf-8")
        for spec in RELATIVE_IMPORT.findall(text):
            todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), spec)))
    return sorted(seen)


def license_files(root: Path) -> list[str]:
    """The licence files at the top of an extracted package."""
    return sorted(p.name for p in root.iterdir() if p.is_file() and LICENSE_NAMES.match(p.name))


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install(pkg: Package, work: Path) -> dict:
    """Fetch one package, copy the kept files into assets/vendor, return its manifest entry."""
    tmp = work / package_dir(pkg).replace("/", "__")
    tmp.mkdir()
    tarball, record = npm_pack(f"{pkg.name}@{pkg.version}", tmp)
    root = extract(tarball, tmp)
    if pkg.font:
        wanted = font_files(root, pkg.font)
    else:
        wanted = with_imports(root, pkg.files) if pkg.follow_imports else sorted(pkg.files)
    lic_root = root
    if pkg.license_from:
        lic_tmp = tmp / "licence"
        lic_tmp.mkdir()
        lic_root = extract(npm_pack(pkg.license_from, lic_tmp)[0], lic_tmp)
    licences = license_files(lic_root)
    if not licences and not pkg.license_note:
        raise SystemExit(f"{pkg.name}@{pkg.version}: no licence file found")
    target = VENDOR / package_dir(pkg)
    for rel in wanted:
        copy(root / rel, target / rel)
    for rel in licences:
        copy(lic_root / rel, target / rel)
    if not licences:
        licences = ["LICENSE-NOTE.txt"]
        (target / licences[0]).write_text(pkg.license_note, encoding="utf-8")
    shims = dict(pkg.shims)
    for rel, (prelude, source, epilogue) in pkg.esm_wraps.items():
        shims[rel] = prelude + (root / source).read_text(encoding="utf-8") + epilogue
    for rel, text in shims.items():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_text(text, encoding="utf-8")
    meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
    entry = manifest_entry(pkg, meta, record, [*wanted, *shims], licences, target)
    entry["shims"] = sorted(shims)
    if pkg.font:
        entry["font"] = font_record(root, pkg.font, wanted)
        entry["default"] = next(f for f in wanted if "-latin-400-normal" in f)
    return entry


def font_face(rel: str, spec: FontSpec) -> re.Match[str] | None:
    """Subset, weight and style of a package file `files/<id>-<subset>-<weight>-<style>.woff2`."""
    prefix = f"files/{spec.font_id}-"
    return FONT_FACE.match(rel[len(prefix) :]) if rel.startswith(prefix) else None


def font_files(root: Path, spec: FontSpec) -> list[str]:
    """The woff2 files of a @fontsource package kept for `spec` (sorted)."""
    kept = []
    for path in sorted((root / "files").iterdir()):
        match = font_face(f"files/{path.name}", spec)
        if not match or match["subset"] not in spec.subsets:
            continue
        weights = spec.weights if match["style"] == "normal" else spec.italic_weights
        if int(match["weight"]) in weights:
            kept.append(f"files/{path.name}")
    if not any("-latin-400-normal" in f for f in kept):
        raise SystemExit(f"{spec.family}: no latin 400 face in the package")
    return kept


def font_record(root: Path, spec: FontSpec, files: list[str]) -> dict:
    """The manifest's description of a kept font: family, faces, unicode range of each subset."""
    ranges = json.loads((root / "unicode.json").read_text(encoding="utf-8"))
    faces = []
    for rel in files:
        match = font_face(rel, spec)
        assert match is not None  # font_files kept only matching names
        faces.append(
            {
                "file": rel,
                "subset": match["subset"],
                "weight": int(match["weight"]),
                "style": match["style"],
            }
        )
    subsets = sorted({face["subset"] for face in faces})
    return {"family": spec.family, "faces": faces, "unicode_range": {s: ranges[s] for s in subsets}}


def copy(src: Path, dst: Path) -> None:
    """Copy one file, creating folders."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def manifest_entry(
    pkg: Package, meta: dict, record: dict, files: list[str], licences: list[str], target: Path
) -> dict:
    """The manifest.json record of one vendored copy."""
    return {
        "name": pkg.name,
        "version": pkg.version,
        "dir": package_dir(pkg),
        "license": meta.get("license", ""),
        "license_files": licences,
        "integrity": record.get("integrity", ""),
        "accept": {"from": pkg.accept_from, "below": pkg.accept_below},
        "default": pkg.default,
        "cdnjs": {"name": pkg.cdnjs[0], "base": pkg.cdnjs[1]} if pkg.cdnjs else None,
        "aliases": pkg.aliases,
        "prefix_aliases": pkg.prefix_aliases,
        "shims": sorted(pkg.shims),
        "esm": pkg.esm,
        "note": pkg.note,
        "files": {
            rel: {"size": (target / rel).stat().st_size, "sha256": sha256(target / rel)}
            for rel in sorted(files)
        },
    }


def readme(entries: list[dict]) -> str:
    """assets/vendor/README.md: what is here, versions, licences, how to update."""
    rows = []
    for e in entries:
        size = sum(f["size"] for f in e["files"].values())
        accept = f">={e['accept']['from']} <{e['accept']['below']}"
        files = ", ".join(e["files"])
        if e.get("font"):
            faces = e["font"]["faces"]
            weights = sorted(
                {f"{f['weight']}{'i' if f['style'] == 'italic' else ''}" for f in faces}
            )
            subsets = sorted({f["subset"] for f in faces})
            files = f"{len(faces)} woff2 faces: {' '.join(weights)}; {', '.join(subsets)}"
        rows.append(
            f"| {e['name']} | {e['version']} | {accept} | {e['license']} | {size / 1024:.0f} KB "
            f"| {files} |"
        )
    total = sum(f["size"] for e in entries for f in e["files"].values())
    notes = [f"- **{e['name']}@{e['version']}**: {e['note']}" for e in entries if e["note"]]
    return README_TEMPLATE.format(
        rows="\n".join(rows), total=f"{total / 1024 / 1024:.1f}", notes="\n".join(notes)
    )


README_TEMPLATE = """\
# Vendored front-end libraries

Artifacts load libraries from public CDNs. Easel answers those requests from the copies here
(`app/vendor.py` maps CDN URLs to these files), so typical artifacts run offline, and the
"Save as .html" export inlines them. Only the files a CDN URL would serve are kept (UMD and
minified builds, CSS, fonts), each package with its licence file. Generated by
`tools/vendor.py`; do not edit by hand. Total of library files: {total} MB.

| package | version | answers requested versions | licence | size | files |
|---|---|---|---|---|---|
{rows}

Notes:
{notes}
- A request for a build that is not kept gets its minified/unminified twin (`x.js` <-> `x.min.js`).
- `https://cdn.tailwindcss.com` (no query) gets the plain v3 play script; with any `?plugins=`
  it gets the build with all four official plugins. The npm package `tailwindcss` ships no play
  script; `tailwindcss-cdn` is a byte copy of what that URL served. `@tailwindcss/browser` (v4)
  answers `@tailwindcss/browser@4` URLs only: v4 drops `tailwind.config = {{...}}`.
- Not served (blocked like any remote request): the Tailwind 2 CSS build, esm.sh/skypack
  module rewrites, p5 2.x, anime.js 4, React 19 (no UMD build), packages not listed here.
- Which requested versions each copy answers, and why, is documented in `app/vendor.py`.
- GSAP is under GreenSock's "Standard No Charge" licence (free use, see the header of each file
  and https://gsap.com/standard-license), not an OSI licence. p5.js is LGPL-2.1.
- Fonts (`@fontsource/*`, SIL Open Font License 1.1): woff2 files only, latin and latin-ext
  subsets, weights 300-800 and italic 400/700 where the family has them. `app/fonts.py` answers
  the Google Fonts CSS API (`fonts.googleapis.com/css` and `/css2`) with @font-face rules that
  point at these files by their jsDelivr URLs; Noto Sans SC/TC/JP/KR map to the system's Noto
  CJK fonts (`local()`); any other family falls back to a system font.
- `manifest.json` lists every file with its size and SHA-256, and npm's integrity of each tarball.

## How to update

1. Change the version (or the file list) in the `PACKAGES` table of `tools/vendor.py`.
2. Run `python tools/vendor.py` from the repository root (needs `npm` and the npm registry;
   it runs `npm pack`, which runs no package scripts). It rewrites this folder completely.
3. Run `pytest tests/test_vendor.py` (it loads every library in headless Chromium).
"""


def main() -> int:
    """Rebuild assets/vendor from the PACKAGES table."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    VENDOR.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="easel-vendor-") as work:
        entries = [install(pkg, Path(work)) for pkg in PACKAGES]
    manifest = {"generated_by": "tools/vendor.py", "packages": entries}
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (VENDOR / "manifest.json").write_text(text, encoding="utf-8")
    (VENDOR / "README.md").write_text(readme(entries), encoding="utf-8")
    total = sum(f["size"] for e in entries for f in e["files"].values())
    print(f"vendored {len(entries)} packages, {total / 1024 / 1024:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
