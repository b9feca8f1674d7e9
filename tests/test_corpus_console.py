"""Pages real models write run clean through `main.py render --console`: no error line a real
browser would not show, no blocked request for a library or font Easel answers offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parents[1]
GALAXY = Path(__file__).parent / "fixtures" / "pages" / "galaxy.html"
CORPUS_PAGES = sorted((CORPUS / "pages").glob("*.html")) if CORPUS.exists() else []
# What Tailwind's play script always says, in a real browser too.
EXPECTED_WARNINGS = ("cdn.tailwindcss.com should not be used in production",)


def render(page: Path, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "render", str(page), "--console", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def unexpected(lines: list[str]) -> list[str]:
    return [
        line
        for line in lines
        if line.startswith(("error:", "blocked:", "warning:"))
        and not any(text in line for text in EXPECTED_WARNINGS)
    ]


@pytest.mark.skipif(not CORPUS_PAGES, reason="../shared/corpus is only beside a developer's clone")
@pytest.mark.parametrize("page", CORPUS_PAGES, ids=lambda p: p.stem)
def test_corpus_pages_run_clean(page: Path):
    assert unexpected(render(page, "--wait", "1")) == []


def test_a_three_tailwind_google_fonts_page_runs_clean_and_draws(tmp_path):
    out = tmp_path / "galaxy.png"
    lines = render(GALAXY, "--wait", "1.5", "--png", str(out))
    assert unexpected(lines) == []
    image = QImage(str(out))
    background = image.pixelColor(image.width() - 5, image.height() - 5)
    lit = 0
    for y in range(0, image.height(), 6):
        for x in range(0, image.width(), 6):
            color = image.pixelColor(x, y)
            if color.red() - background.red() > 60:  # the orange core and the inner stars
                lit += 1
    assert lit > 50
