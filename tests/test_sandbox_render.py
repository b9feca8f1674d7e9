"""`main.py render` as a user runs it: a subprocess, real QtWebEngine, offscreen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).parent / "hostile"


def render(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "render", *args],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
    )


def test_text_and_console(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<h1>Hello render</h1><p>second</p>\n"
        "<script>\nconsole.log('hi');\nconsole.warn('careful');\n"
        "fetch('https://example.com/data').catch(() => {});\nthrow new Error('oops');\n</script>"
    )
    done = render(str(page), "--text", "--console", "--wait", "0.3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Hello render"
    assert "second" in lines
    origin = next(line for line in lines if line.startswith("info: hi ("))
    source = origin[len("info: hi (") : origin.rindex(":")]
    assert source.startswith("easel-artifact://")
    assert f"info: hi ({source}:3)" in lines
    assert f"warning: careful ({source}:4)" in lines
    assert f"error: Uncaught Error: oops ({source}:6)" in lines
    assert "blocked: https://example.com/data" in lines
    assert "Traceback" not in done.stderr


def test_a_busy_page_fails_with_exit_7_and_one_sentence():
    done = render(str(HOSTILE / "busy.html"), "--text", "--timeout", "3")
    assert done.returncode == 7
    assert done.stderr.strip().splitlines() == [
        "The page did not finish within 3 seconds (is it stuck in a loop?)."
    ]
    assert done.stdout == ""


def test_a_missing_file_is_a_usage_error(tmp_path):
    done = render(str(tmp_path / "absent.html"), "--text")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "absent.html" in done.stderr and "Traceback" not in done.stderr
