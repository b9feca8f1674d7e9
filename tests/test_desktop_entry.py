"""The XDG launcher and the check of Qt's system libraries, as `main.py` runs them."""

from __future__ import annotations

import configparser
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from easel import desktop_entry
from easel.desktop_entry import PNG_SIZES, data_home, exec_line, launch_command
from easel.system_libraries import debian_packages, problem

ROOT = Path(__file__).resolve().parents[1]


def run_main(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=cwd,
        env=env,
    )


def read_desktop_file(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_launcher_runs_the_command_that_installed_it(tmp_path):
    script = tmp_path / "bin" / "easel"
    assert launch_command(str(script), "/py") == [str(script)]
    assert launch_command("relative/easel", "/py") == [os.path.abspath("relative/easel")]
    assert launch_command("/src/main.py", "/venv/python") == ["/venv/python", "/src/main.py"]
    assert launch_command("/x/easel/__main__.py", "/py") == ["/py", "-m", "easel"]


def test_exec_arguments_are_quoted_as_the_spec_says():
    assert exec_line(["/opt/easel"]) == "/opt/easel"
    assert exec_line(["/home/me/My Apps/easel"]) == '"/home/me/My Apps/easel"'
    # A literal $ is escaped inside quotes; % is doubled; a backslash becomes four.
    assert exec_line(["/a$b/easel"]) == '"/a\\\\$b/easel"'
    assert exec_line(["/100%/easel"]) == "/100%%/easel"
    assert exec_line(["/a\\b"]) == '"/a\\\\\\\\b"'


def test_xdg_data_home_is_honoured_when_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert data_home() == tmp_path
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")  # invalid by the spec: ignored
    assert data_home() == Path.home() / ".local" / "share"


def test_install_writes_the_launcher_and_every_icon_size(tmp_path):
    written = desktop_entry.install(["/opt/easel bin/easel"], tmp_path)
    entry = read_desktop_file(tmp_path / "applications" / "easel.desktop")
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Easel"
    assert entry["Exec"] == '"/opt/easel bin/easel"'
    assert entry["Icon"] == "easel"
    assert entry["StartupWMClass"] == "Easel"
    assert entry["Categories"].endswith(";")
    assert (tmp_path / "icons/hicolor/scalable/apps/easel.svg").read_bytes().startswith(b"<svg")
    for size in PNG_SIZES:
        image = QImage(str(tmp_path / f"icons/hicolor/{size}x{size}/apps/easel.png"))
        assert (image.width(), image.height()) == (size, size)
        # The tile is opaque in the middle, transparent in the corner.
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
        assert image.pixelColor(0, 0).alpha() == 0
    assert len(written) == 2 + len(PNG_SIZES)
    assert not list(tmp_path.rglob("*.part"))

    assert sorted(desktop_entry.uninstall(tmp_path)) == sorted(written)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="needs desktop-file-utils")
def test_the_desktop_file_is_valid(tmp_path):
    desktop_entry.install(["/home/me/.local/bin/easel"], tmp_path)
    checked = subprocess.run(
        ["desktop-file-validate", str(tmp_path / "applications" / "easel.desktop")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == ""  # no warnings or hints either


def test_main_installs_and_removes_the_launcher(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    done = run_main("--install-desktop-entry", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    entry = read_desktop_file(tmp_path / "data" / "applications" / "easel.desktop")
    assert entry["Exec"] == exec_line([sys.executable, str(ROOT / "main.py")])

    done = run_main("--uninstall-desktop-entry", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Removed the launcher (10 files)." in done.stdout
    done = run_main("--uninstall-desktop-entry", env=env, cwd=tmp_path)
    assert "No launcher was installed" in done.stdout


def test_an_unwritable_data_folder_is_one_sentence(tmp_path):
    (tmp_path / "data").write_text("a file where the folder should be")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    done = run_main("--install-desktop-entry", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("Cannot write the launcher under")
    assert "Traceback" not in done.stderr


def test_version(tmp_path):
    from easel import __version__

    done = run_main("--version", env=dict(os.environ), cwd=tmp_path)
    assert done.stdout.strip() == f"Easel {__version__}"
    as_module = subprocess.run(
        [sys.executable, "-m", "easel", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert as_module.stdout.strip() == f"Easel {__version__}"


def fake_ldd(folder: Path, missing: str) -> dict[str, str]:
    """An `ldd` first on PATH that reports `missing` as not found (the real check's input)."""
    folder.mkdir()
    ldd = folder / "ldd"
    ldd.write_text(
        f"#!/bin/sh\necho '\t{missing} => not found'\necho '\tlibc.so.6 => /lib/libc.so.6'\n"
    )
    ldd.chmod(ldd.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_libraries_map_to_debian_packages():
    assert debian_packages(["libxkbcommon.so.0", "libnss3.so", "libmystery.so.9"]) == (
        ["libnss3", "libxkbcommon0"],
        ["libmystery.so.9"],
    )


def test_nothing_is_missing_here():
    assert problem(gui=True) is None


def test_a_missing_library_names_the_apt_get_line(tmp_path, monkeypatch):
    env = fake_ldd(tmp_path / "bin", "libxkbcommon.so.0")
    monkeypatch.setenv("PATH", env["PATH"])
    sentence = problem(gui=False)
    assert sentence is not None
    assert "sudo apt-get install libxkbcommon0" in sentence

    page = tmp_path / "page.html"
    page.write_text("<p>hi</p>")
    for command in (["render", str(page), "--text"], ["--screenshot", "out.png"]):
        done = run_main(*command, env=env, cwd=tmp_path)
        assert done.returncode == 1, command
        assert "sudo apt-get install libxkbcommon0" in done.stderr
        assert "Traceback" not in done.stderr


# Qt failing to load (as a missing libnss3.so makes `import PySide6.QtWebEngineCore` fail): the
# module the window imports Qt through cannot be imported.
QT_FAILS = (
    "import sys; sys.path.insert(0, {root!r}); sys.modules['sandbox.engine'] = None\n"
    "from easel.main import main; sys.exit(main(['--screenshot', 'out.png']))"
)


def test_qt_failing_to_import_names_the_missing_library(tmp_path):
    """ldd runs while Qt is imported: when the import fails, its answer is the message."""
    env = fake_ldd(tmp_path / "bin", "libnss3.so")
    done = subprocess.run(
        [sys.executable, "-c", QT_FAILS.format(root=str(ROOT))],
        capture_output=True, text=True, timeout=90, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 1
    assert "sudo apt-get install libnss3" in done.stderr and "Traceback" not in done.stderr


def test_an_import_error_with_every_library_there_is_not_hidden(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", QT_FAILS.format(root=str(ROOT))],
        capture_output=True, text=True, timeout=90, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert "import of sandbox.engine halted" in done.stderr and "apt-get" not in done.stderr
