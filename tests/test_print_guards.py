"""Guards for printing that a mutation pass found missing: A4 wins over a page's own `@page`
wherever that rule sits, the 12 mm margin is really 12 mm, and every fit-to-one-page fallback
(shrink, grow, keep the fitting print, clip, the renderer refusing) ends in one real A4 page.

Real pages in offscreen QtWebEngine, read back with pypdf and rasterised with poppler's
pdftoppm. The fit branches are observed by wrapping the job's own methods (they still run).
"""

from __future__ import annotations

import io
import os
import shutil
import signal

import pytest
from pypdf import PdfReader

from sandbox import printing
from sandbox.printing import PrintError, PrintOptions, start_pdf
from tests import test_printing as tp

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
LATE_LETTER = (
    "<style>@page { size: letter portrait; margin: 0 } @page :first { size: letter }</style>"
)


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


# --- fit to one page: every way out of the loop -----------------------------------------------


class FitSpy:
    """Records which steps the fit job takes; the job's own methods still do the work."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.steps: list[tuple[str, object]] = []
        job = printing._PdfJob
        real_retry, real_clip, real_finish = job._retry, job._clip, job._finish
        real_step = job._fit_step
        spy = self

        def fit_step(self, pdf: bytes) -> None:
            spy.steps.append(("printed", printing.page_count(pdf)))
            real_step(self, pdf)

        def retry(self, zoom: float) -> None:
            spy.steps.append(("retry", round(zoom, 4)))
            real_retry(self, zoom)

        def clip(self) -> None:
            spy.steps.append(("clip", round(self._zoom, 4)))
            real_clip(self)

        def finish(self, result) -> None:
            kept = "best" if isinstance(result, bytes) and result is self._best else "last"
            kind = "error" if isinstance(result, PrintError) else kept
            spy.steps.append(("finish", kind))
            real_finish(self, result)

        monkeypatch.setattr(job, "_fit_step", fit_step)
        monkeypatch.setattr(job, "_retry", retry)
        monkeypatch.setattr(job, "_clip", clip)
        monkeypatch.setattr(job, "_finish", finish)

    def names(self) -> list[str]:
        return [name for name, _ in self.steps]


@pytest.fixture
def fit_spy(monkeypatch) -> FitSpy:
    return FitSpy(monkeypatch)


def fit_pdf(qtbot, view, **options: object) -> bytes | PrintError:
    results: list[bytes | PrintError] = []
    start_pdf(view, PrintOptions(mode="fit", **options), results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=tp.LOAD_MS)
    assert len(results) == 1
    return results[0]


def one_a4_page(result: bytes | PrintError, landscape: bool = False) -> bytes:
    assert isinstance(result, bytes), result
    assert printing.page_count(result) == 1
    assert_a4(result, landscape)
    return result


def test_fit_an_empty_page_is_one_blank_page_from_one_print(qtbot, view, fit_spy):
    tp.show(qtbot, view, "")
    pdf = one_a4_page(fit_pdf(qtbot, view))
    assert fit_spy.steps == [("printed", 1), ("finish", "best")]
    assert printing.ink_depth(pdf, 0, 12) == 0
    assert tp.text_of(pdf).strip() == ""


def test_fit_a_page_that_fits_is_printed_once_at_full_size(qtbot, view, fit_spy):
    tp.show(qtbot, view, "<p>SHORT-MARKER</p>")
    pdf = one_a4_page(fit_pdf(qtbot, view))
    assert fit_spy.steps == [("printed", 1), ("finish", "best")]
    assert "SHORT-MARKER" in tp.text_of(pdf)


def test_fit_a_three_page_document_shrinks_once(qtbot, view, fit_spy):
    page = "<p style='font-size:40px'>TWO-START</p>" + "<p>line</p>" * 60 + "<p>TWO-END</p>"
    tp.show(qtbot, view, page)
    pdf = one_a4_page(fit_pdf(qtbot, view))
    assert fit_spy.names() == ["printed", "retry", "printed", "finish"]
    assert fit_spy.steps[0][1] > 1 and fit_spy.steps[2] == ("printed", 1)
    text = tp.text_of(pdf)
    assert "TWO-START" in text and "TWO-END" in text


def test_fit_keeps_the_fitting_print_when_growing_overshoots(qtbot, view, fit_spy):
    # Mostly empty space with small text at the end: the shrunk print shows almost no ink at
    # the bottom, so the job tries to grow, overshoots onto many pages, and must fall back.
    page = (
        "<p style='font-size:100px'>TALL-START</p><div style='height:30000px'></div><p>tall-end</p>"
    )
    tp.show(qtbot, view, page)
    pdf = one_a4_page(fit_pdf(qtbot, view))
    assert fit_spy.names() == ["printed", "retry", "printed", "retry", "printed", "finish"]
    pages = [count for name, count in fit_spy.steps if name == "printed"]
    shrink, grow = [zoom for name, zoom in fit_spy.steps if name == "retry"]
    assert pages[0] > 1 and pages[1] == 1  # shrinking fitted it on one page,
    assert grow > shrink and pages[2] > 1  # growing into the spare room overshot,
    assert fit_spy.steps[-1] == ("finish", "best")  # so the one-page print is the one kept
    text = tp.text_of(pdf)
    assert "TALL-START" in text and "tall-end" in text


@pytest.mark.parametrize("landscape", [False, True], ids=["portrait", "landscape"])
def test_fit_clips_a_page_whose_own_page_breaks_defeat_every_zoom(qtbot, view, fit_spy, landscape):
    # `!important` on a more specific selector beats our `* { break-before: auto !important }`:
    # five pages at every zoom, so the trial prints run out and the clip must hold.
    page = "<style>p.b { break-before: page !important }</style>" + "".join(
        f"<p class=b>PART-{n}</p>" for n in range(5)
    )
    tp.show(qtbot, view, page)
    pdf = one_a4_page(fit_pdf(qtbot, view, landscape=landscape), landscape)
    assert "clip" in fit_spy.names()
    assert all(pages == 5 for name, pages in fit_spy.steps if name == "printed")
    assert "PART-0" in tp.text_of(pdf)


def test_fit_clips_a_page_that_refuses_the_zoom_and_still_finishes(qtbot, view, fit_spy):
    # The page's own `html { zoom: 1 !important }` (later than ours) makes every zoom a no-op:
    # no zoom can fit it. Before the zoom had a floor this print never finished.
    page = (
        "<p>NZ-START</p>" + "<p>line</p>" * 300 + "<p>NZ-END</p>"
        "<style>html { zoom: 1 !important }</style>"
    )
    tp.show(qtbot, view, page)
    pdf = one_a4_page(fit_pdf(qtbot, view))
    assert fit_spy.names()[-2:] == ["clip", "finish"]
    assert min(zoom for name, zoom in fit_spy.steps if name == "retry") >= printing._MIN_ZOOM
    assert "NZ-START" in tp.text_of(pdf)
    assert printing.ink_depth(pdf, 0, 12) > 0.5  # the clipped page is full, not a sliver


def kill_renderer(qtbot, view) -> None:
    pid = view.page().renderProcessPid()
    assert pid > 0
    with qtbot.waitSignal(view.crashed, timeout=tp.LOAD_MS):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("mode", ["paged", "fit"])
def test_printing_a_crashed_page_fails_with_a_sentence_instead_of_waiting(qtbot, view, mode):
    tp.show(qtbot, view, "<p>about to crash</p>")
    kill_renderer(qtbot, view)
    results: list[bytes | PrintError] = []
    start_pdf(view, PrintOptions(mode=mode), results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=tp.LOAD_MS)
    assert len(results) == 1 and isinstance(results[0], PrintError)
    assert "reload it and print again" in str(results[0])


def test_a_renderer_that_dies_during_fit_ends_the_job_with_a_sentence(qtbot, view):
    tp.show(qtbot, view, "<p>line</p>" * 2000)
    results: list[bytes | PrintError] = []
    start_pdf(view, PrintOptions(mode="fit"), results.append)
    kill_renderer(qtbot, view)
    qtbot.waitUntil(lambda: bool(results), timeout=tp.LOAD_MS)
    qtbot.wait(200)  # a late answer from the dead page must not deliver a second result
    assert len(results) == 1 and isinstance(results[0], PrintError)
    # The page can be reloaded and printed again.
    tp.show(qtbot, view, "<p>AGAIN</p>")
    assert "AGAIN" in tp.text_of(one_a4_page(fit_pdf(qtbot, view)))
