"""WebGL without a GPU: three.js pages draw in the offscreen view and through `render --png`.

Offscreen Chromium finds only a software OpenGL and blocklists it, so without the switches of
`sandbox.engine.add_gpu_switches` every WebGL context fails and three.js pages stay black.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from sandbox.engine import FLAGS_VARIABLE, SOFTWARE_WEBGL, add_gpu_switches, needs_software_webgl
from sandbox.printing import grab_image

ROOT = Path(__file__).resolve().parents[1]
LOAD_MS = 20_000

# A red cube on a white page, drawn once (three.js from cdnjs, answered by the vendored copy).
THREE_PAGE = """<!doctype html><html><head><style>body{margin:0;background:#fff}</style>
<script src="https://cdnjs.cloudflare.com/ajax/libs/three.js/r128/three.min.js"></script>
</head><body><script>
const renderer = new THREE.WebGLRenderer({antialias: true});
renderer.setSize(640, 480);
renderer.setClearColor(0xffffff);
document.body.appendChild(renderer.domElement);
const scene = new THREE.Scene();
const camera = new THREE.PerspectiveCamera(60, 640 / 480, 0.1, 100);
camera.position.z = 3;
const cube = new THREE.Mesh(new THREE.BoxGeometry(1.5, 1.5, 1.5),
                            new THREE.MeshBasicMaterial({color: 0xff0000}));
cube.rotation.set(0.5, 0.7, 0);
scene.add(cube);
renderer.render(scene, camera);
document.title = "drawn";
</script></body></html>"""


def red_pixels(image: QImage) -> int:
    """How many pixels of the image are clearly red (the cube), sampled every 4 pixels."""
    count = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            color = image.pixelColor(x, y)
            if color.red() > 200 and color.green() < 80 and color.blue() < 80:
                count += 1
    return count


def test_a_three_js_scene_draws_in_the_offscreen_view(qtbot, view):
    view.show_document("webgl-cube", THREE_PAGE)
    qtbot.waitUntil(lambda: view.title() == "drawn", timeout=LOAD_MS)
    # Drawn frames reach the widget a compositor frame later.
    qtbot.waitUntil(lambda: red_pixels(grab_image(view)) > 500, timeout=LOAD_MS)


def test_render_png_of_a_three_js_page_is_not_blank(tmp_path):
    page = tmp_path / "cube.html"
    page.write_text(THREE_PAGE, encoding="utf-8")
    out = tmp_path / "cube.png"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "render",
            str(page),
            "--png",
            str(out),
            "--console",
            "--wait",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "WebGL" not in done.stdout, done.stdout  # no "context could not be created" line
    assert red_pixels(QImage(str(out))) > 500


@pytest.mark.parametrize(
    ("env", "platform", "render_node", "software"),
    [
        ({}, "offscreen", True, True),  # offscreen never has a GPU context
        ({"QT_QPA_PLATFORM": "offscreen"}, None, True, True),
        ({"QT_QPA_PLATFORM": "xcb"}, None, False, sys.platform.startswith("linux")),
        ({"QT_QPA_PLATFORM": "xcb"}, None, True, False),  # a GPU: WebGL keeps it
        ({"EASEL_WEBGL": "gpu", "QT_QPA_PLATFORM": "offscreen"}, None, False, False),
        ({"EASEL_WEBGL": "software", "QT_QPA_PLATFORM": "xcb"}, None, True, True),
    ],
)
def test_software_webgl_only_where_no_gpu_can_serve_it(
    tmp_path, env, platform, render_node, software
):
    dri = tmp_path / "dri"
    dri.mkdir()
    if render_node:
        (dri / "renderD128").touch()
    assert needs_software_webgl(dict(env), platform, dri) is software


def test_the_switches_are_added_once_and_a_users_gl_choice_is_kept():
    env = {FLAGS_VARIABLE: "--no-sandbox --proxy-server=http://127.0.0.1:1"}
    assert add_gpu_switches(env, "offscreen") is True
    assert env[FLAGS_VARIABLE].split() == [
        "--no-sandbox",
        "--proxy-server=http://127.0.0.1:1",
        *SOFTWARE_WEBGL,
    ]
    assert add_gpu_switches(env, "offscreen") is True  # a second call adds nothing
    assert env[FLAGS_VARIABLE].split().count(SOFTWARE_WEBGL[0]) == 1
    mine = {FLAGS_VARIABLE: "--use-gl=egl"}
    assert add_gpu_switches(mine, "offscreen") is False
    assert mine[FLAGS_VARIABLE] == "--use-gl=egl"
