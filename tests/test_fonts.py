"""Google Fonts offline: the CSS API is answered from the vendored @fontsource faces.

Real pages in the offscreen sandbox view: `document.fonts` must list the vendored faces as
loaded, no request is reported blocked, and a family Easel does not have falls back quietly
with one `info` console line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.fonts import parse_request
from app.vendor import default_index, font_notice, resolve_cdn_url

ROOT = Path(__file__).resolve().parents[1]
LOAD_MS = 20_000

# After the fonts are ready, the page lists its loaded faces as "Family weight style".
REPORT = """<script>
document.fonts.ready.then(() => {
  const loaded = [...document.fonts].filter(f => f.status === "loaded")
    .map(f => `${f.family.replace(/["']/g, "")} ${f.weight} ${f.style}`);
  document.title = JSON.stringify({loaded: [...new Set(loaded)],
                                   bold: document.fonts.check("700 16px Poppins")});
});
</script>"""

CSS2_PAGE = (
    """<!doctype html><html><head>
<link rel="preconnect" href="https://fonts.googleapis.com">
<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>
<link href="https://fonts.googleapis.com/css2?family=Poppins:wght@400;700&family=JetBrains+Mono\
&display=swap" rel="stylesheet">
<style>h1{font:700 32px Poppins,sans-serif} p{font:400 16px Poppins} code{font-family:\
'JetBrains Mono',monospace}</style></head>
<body><h1>Hello fonts</h1><p>Plain text</p><code>let x = 1;</code>"""
    + REPORT
    + "</body></html>"
)

CSS1_AND_IMPORT_PAGE = (
    """<!doctype html><html><head>
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto:400,700|Lato:400i">
<style>@import url('https://fonts.googleapis.com/css2?family=Press+Start+2P&display=swap');
body{font-family:Roboto} b{font-weight:700} i{font-family:Lato} .game{font-family:'Press Start 2P'}
</style></head>
<body>Roboto <b>bold</b> <i>italic</i> <div class="game">SCORE 100</div>"""
    + REPORT
    + "</body></html>"
)

MISSING_PAGE = (
    """<!doctype html><html><head>
<link href="https://fonts.googleapis.com/css2?family=Comic+Neue:wght@400&family=Inter\
&display=swap" rel="stylesheet">
<style>body{font-family:'Comic Neue',Inter,sans-serif}</style></head>
<body>Mostly fine</body>"""
    + REPORT
    + "</html>"
)


def show(qtbot, view, html: str, key: str) -> tuple[dict, list, list]:
    lines: list = []
    blocked: list = []
    view.consoleMessage.connect(lambda *line: lines.append(line))
    view.requestBlocked.connect(blocked.append)
    view.show_document(key, html)
    qtbot.waitUntil(lambda: view.title().startswith("{"), timeout=LOAD_MS)
    return json.loads(view.title()), lines, blocked


def test_css2_link_loads_the_vendored_faces(qtbot, view):
    result, lines, blocked = show(qtbot, view, CSS2_PAGE, "fonts-css2")
    assert "Poppins 700 normal" in result["loaded"]
    assert "Poppins 400 normal" in result["loaded"]
    assert "JetBrains Mono 400 normal" in result["loaded"]
    assert result["bold"] is True
    assert blocked == []
    assert [line for line in lines if line[0] != "info"] == []


def test_css_v1_link_and_an_import_in_a_stylesheet(qtbot, view):
    result, lines, blocked = show(qtbot, view, CSS1_AND_IMPORT_PAGE, "fonts-css1")
    for face in (
        "Roboto 400 normal",
        "Roboto 700 normal",
        "Lato 400 italic",
        "Press Start 2P 400 normal",
    ):
        assert face in result["loaded"], result
    assert blocked == []
    assert lines == []


def test_a_family_not_vendored_falls_back_with_one_info_line(qtbot, view):
    result, lines, blocked = show(qtbot, view, MISSING_PAGE, "fonts-missing")
    assert blocked == []
    assert "Inter 400 normal" in result["loaded"]  # the vendored one of the two still loads
    qtbot.waitUntil(lambda: len(lines) >= 1, timeout=LOAD_MS)
    assert len(lines) == 1
    level, message, source, _line = lines[0]
    assert level == "info" and "'Comic Neue'" in message and "Inter" not in message
    assert source.startswith("https://fonts.googleapis.com/css2")


def test_a_direct_gstatic_file_is_refused_quietly(qtbot, view):
    page = (
        """<style>@font-face{font-family:Mine;src:url(https://fonts.gstatic.com/s/mine/v1/a.woff2)}
    body{font-family:Mine,serif}</style><body>text"""
        + REPORT
    )
    result, lines, blocked = show(qtbot, view, page, "fonts-gstatic")
    assert blocked == []
    assert [line[0] for line in lines] == ["info"]


def test_noto_sans_sc_maps_to_the_system_cjk_font(qtbot, view):
    css = resolve_cdn_url("https://fonts.googleapis.com/css2?family=Noto+Sans+SC:wght@400;700")
    assert css is not None
    assert "local('Noto Sans CJK SC Bold')" in css.read_bytes().decode()
    assert font_notice("https://fonts.googleapis.com/css2?family=Noto+Sans+SC") == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/css2?family=Poppins:wght@400;700", [("Poppins", [("normal", 400), ("normal", 700)])]),
        (
            "/css2?family=Inter:ital,wght@0,400;1,700",
            [("Inter", [("normal", 400), ("italic", 700)])],
        ),
        (
            "/css2?family=Orbitron:wght@700..900",
            [("Orbitron", [("normal", w) for w in (700, 800, 900)])],
        ),
        (
            "/css2?family=Lato&family=Open+Sans",
            [("Lato", [("normal", 400)]), ("Open Sans", [("normal", 400)])],
        ),
        (
            "/css?family=Roboto:300,700italic|Lato",
            [("Roboto", [("normal", 300), ("italic", 700)]), ("Lato", [("normal", 400)])],
        ),
    ],
)
def test_the_css_api_requests_are_parsed(url, expected):
    path, _, query = url.partition("?")
    got = [(r.family, list(r.variants)) for r in parse_request(path, query)]
    assert got == expected


def test_a_weight_not_vendored_gets_the_nearest_face_under_its_own_weight():
    css = resolve_cdn_url("https://fonts.googleapis.com/css2?family=Inter:wght@900")
    text = css.read_bytes().decode()
    assert "font-weight: 900" in text and "inter-latin-800-normal.woff2" in text


def test_every_vendored_family_is_listed_with_its_licence():
    families = default_index().font_families
    for name in (
        "inter",
        "roboto",
        "poppins",
        "press start 2p",
        "orbitron",
        "jetbrains mono",
        "fira code",
        "montserrat",
        "open sans",
        "lato",
    ):
        assert name in families
    for entry in default_index().manifest["packages"]:
        if entry.get("font"):
            assert entry["license"] == "OFL-1.1" and entry["license_files"] == ["LICENSE"]


def test_render_console_has_no_blocked_line_for_a_google_fonts_page(tmp_path):
    page = tmp_path / "fonts.html"
    page.write_text(MISSING_PAGE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "render", str(page), "--console"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert not [line for line in lines if line.startswith(("blocked:", "error:"))], lines
    assert len([line for line in lines if "'Comic Neue'" in line]) == 1


def test_a_refused_preconnect_to_google_fonts_is_not_reported(qtbot, view, profile):
    blocked: list = []
    view.requestBlocked.connect(blocked.append)
    view.show_document("fonts-preconnect", "<p>fonts</p>")
    qtbot.waitUntil(lambda: view.key == "fonts-preconnect", timeout=LOAD_MS)
    for target in ("fonts.gstatic.com:443", "fonts.googleapis.com:443", "evil.example:443"):
        profile.connectionRefused.emit(target)
    qtbot.waitUntil(lambda: bool(blocked), timeout=LOAD_MS)
    assert blocked == ["evil.example:443 (a connection outside the page's requests)"]
