"""The wheel, installed as a user installs it, runs from any folder: `easel --version`,
`easel render` of a Tailwind page offline, `easel --screenshot`, the desktop launcher.

The wheel is built offline (no build isolation) from a copy of the source tree, so nothing is
written into the checkout, and installed with --no-deps into a fresh venv outside it. Its
dependencies (PySide6 is half a gigabyte) come from the running interpreter's site-packages
through a .pth line, never from the checkout, and nothing is downloaded. Building and
installing take a few seconds; the module's tests take about 15 s together.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.model_server import openai_text_reply

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[1]
# What the top of a source tree holds that is not part of the program (assets/vendor has its
# own dist/ and build/ folders, which are).
NOT_SOURCE = {".git", ".venv", "tests", "bench", "build", "dist", "out", "node_modules"}


def not_source(folder: str, names: list[str]) -> set[str]:
    ignored = {name for name in names if name == "__pycache__" or name.endswith(".egg-info")}
    if Path(folder) == ROOT:
        ignored |= {name for name in names if name in NOT_SOURCE or name.startswith(".")}
    return ignored


TAILWIND_PAGE = """<!DOCTYPE html>
<html><head><script src="https://cdn.tailwindcss.com"></script></head>
<body class="m-0">
<div id="box" class="bg-[#ff0000] w-screen h-screen text-white">unstyled</div>
<script>
window.addEventListener('load', () => setTimeout(() => {
  const box = document.getElementById('box');
  box.textContent = 'background ' + getComputedStyle(box).backgroundColor;
}, 300));
</script>
</body></html>
"""


class Installed:
    """A venv outside the checkout with the wheel installed, and a folder to run it from."""

    def __init__(self, venv: Path, wheel: Path, home: Path) -> None:
        self.venv, self.wheel, self.home = venv, wheel, home
        self.elsewhere = home / "elsewhere"
        self.elsewhere.mkdir(parents=True)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env.update(HOME=str(self.home), EASEL_HOME=str(self.home / "easel"), **extra)
        return env

    def easel(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / "easel"), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.elsewhere,
            env=self.env(**extra),
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=not_source)
    wheels = work / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), "."],
        cwd=source, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("easel-*.whl")

    venv = work / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    done = subprocess.run(
        [*pip, "--python", str(venv / "bin" / "python"), "install", "--no-deps", "--no-index",
         str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # The dependencies: this interpreter's site-packages, after the wheel's own (a plain path
    # line: the .pth files there, such as an editable install of the checkout, are not run).
    purelib = Path(sysconfig.get_paths(vars={"base": str(venv)})["purelib"])
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "easel-test-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return Installed(venv, wheel, work / "home")


def test_the_wheel_carries_every_run_time_file(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    on_disk = [
        p for p in (ROOT / "assets").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    missing = [
        str(p.relative_to(ROOT)) for p in on_disk
        if "easel_assets/" + p.relative_to(ROOT / "assets").as_posix() not in names
    ]  # fmt: skip
    assert missing == []
    assert "easel_assets/vendor/manifest.json" in names
    assert "easel_assets/translations/easel_zh_CN.qm" in names  # committed, never built here
    assert any(name.startswith("easel_assets/vendor/") and "LICENSE" in name for name in names)


def test_it_runs_the_installed_code_not_the_checkout(installed):
    done = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c",
         "import app, easel; from app.resources import assets_root;"
         "print(app.__file__); print(easel.__file__); print(assets_root())"],
        capture_output=True, text=True, cwd=installed.elsewhere, env=installed.env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        assert Path(line).is_relative_to(installed.venv), line
    assert done.stdout.splitlines()[2].endswith("easel_assets")


def test_version(installed):
    from easel import __version__

    done = installed.easel("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"Easel {__version__}")


def test_render_runs_tailwind_offline(installed):
    page = installed.elsewhere / "page.html"
    page.write_text(TAILWIND_PAGE)
    done = installed.easel("render", "page.html", "--text", "--png", "out.png", "--console",
                           "--wait", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Tailwind answered from the wheel's vendored copy: its class made the box red.
    assert "background rgb(255, 0, 0)" in done.stdout
    assert "blocked:" not in done.stdout
    image = QImage(str(installed.elsewhere / "out.png"))
    assert image.pixelColor(image.width() // 2, image.height() // 2).name() == "#ff0000"


def test_ask_saves_an_artifact_and_history_lists_it(installed, model_server):
    reply = 'Here.\n<artifact identifier="hello" type="text/html" title="Hello">\n<h1>Hi</h1>\n</artifact>\n'
    model_server.enqueue(openai_text_reply(reply))
    done = installed.easel("ask", "--base-url", model_server.openai_base, "--model", "m",
                           "--save-artifacts", "saved", "a page")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "[artifact hello: Hello → saved/hello.html]" in done.stdout
    assert "<h1>Hi</h1>" in (installed.elsewhere / "saved" / "hello.html").read_text()

    done = installed.easel("history", "--json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 1


def test_screenshot_from_another_folder(installed):
    done = installed.easel("--screenshot", "window.png", DISPLAY="", WAYLAND_DISPLAY="")
    assert done.returncode == 0, done.stderr
    image = QImage(str(installed.elsewhere / "window.png"))
    assert not image.isNull() and image.width() > 400


def test_desktop_entry_points_at_the_installed_command(installed):
    data = installed.home / "data"
    done = installed.easel("--install-desktop-entry", XDG_DATA_HOME=str(data))
    assert done.returncode == 0, done.stderr
    desktop = data / "applications" / "easel.desktop"
    lines = desktop.read_text(encoding="utf-8").splitlines()
    assert f"Exec={installed.venv / 'bin' / 'easel'}" in lines
    assert (data / "icons/hicolor/256x256/apps/easel.png").is_file()
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True,
                                 text=True)  # fmt: skip
        assert checked.returncode == 0, checked.stdout + checked.stderr

    done = installed.easel("--uninstall-desktop-entry", XDG_DATA_HOME=str(data))
    assert done.returncode == 0, done.stderr
    assert not desktop.exists()
    assert not (data / "icons/hicolor/scalable/apps/easel.svg").exists()
