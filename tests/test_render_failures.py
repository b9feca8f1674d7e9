"""`render` when the page fails: every output, not only --text, ends in exit code 7.

A renderer stuck in a loop still shows its last frame; a PNG grabbed from it would pass the
hung page off as a success (it exited 0). The console is printed even then: it is what tells
the user why. With a real display, a page asking for screen capture made QtWebEngine talk to the
X server by itself and die of an X error; render refuses the capture instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_sandbox_render import render  # the same subprocess helper

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).parent / "hostile"


def test_png_of_a_hung_page_exits_7_and_writes_nothing(tmp_path):
    out = tmp_path / "shot.png"
    done = render(str(HOSTILE / "busy.html"), "--png", str(out), "--timeout", "3")
    assert done.returncode == 7, done.stderr
    assert done.stderr.strip().splitlines() == [
        "The page did not finish within 3 seconds (is it stuck in a loop?)."
    ]
    assert not out.exists()


def test_html_and_console_of_a_hung_page_exit_7_with_what_it_logged(tmp_path):
    page = tmp_path / "logs-then-hangs.html"
    page.write_text(
        "<p>x</p><script>console.log('about to spin');"
        "setTimeout(() => { while (true) {} }, 100);</script>"
    )
    out = tmp_path / "page.html"
    done = render(str(page), "--html", str(out), "--console", "--timeout", "3")
    assert done.returncode == 7, done.stderr
    assert any(line.startswith("info: about to spin (") for line in done.stdout.splitlines())
    assert not out.exists()


def test_png_of_a_healthy_page_still_works(tmp_path):
    out = tmp_path / "shot.png"
    page = tmp_path / "ok.html"
    page.write_text("<h1 style='color:red'>fine</h1>")
    done = render(str(page), "--png", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def x_display() -> Iterator[str]:
    """A bare X server (Xvfb, no window manager) for the test's child processes."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (scripts/test installs it)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as numbers:
        number = numbers.readline().strip()  # Xvfb writes it once it accepts connections
    try:
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def test_screen_capture_under_a_real_display_is_refused_not_fatal(tmp_path, x_display):
    page = tmp_path / "capture.html"
    page.write_text(
        "<p>capture</p><script>navigator.mediaDevices.getDisplayMedia({video: true}).then("
        "(s) => console.log('GOT ' + s.getTracks().length),"
        "(e) => console.log('refused: ' + e.name));</script>"
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "render", str(page), "--console", "--wait", "1"],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
        env={**os.environ, "DISPLAY": x_display},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "blocked: screen capture (getDisplayMedia)" in lines
    assert any(line.startswith("info: refused: NotAllowedError (") for line in lines)
    assert not any("GOT" in line for line in lines)
    assert "X Error" not in done.stderr
