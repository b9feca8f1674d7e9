"""Printing artifacts to A4 PDF in real QtWebEngine (offscreen), checked with pypdf and poppler.

The fixture pages in tests/fixtures/pages are ours: a two-day Hebei itinerary (CJK, a table,
links, colour), a self-playing breakout game (canvas) and a long report. The PDFs are read
back with pypdf (page sizes, text) and rasterised with pdftoppm (glyphs, canvas pixels).
"""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QImage

from app.saved_bridge import with_offline_bridge
from sandbox.printing import PrintError, PrintOptions, start_pdf, suggest_mode
from sandbox.scheme import register_scheme
from sandbox.view import ArtifactView

register_scheme()  # before pytest-qt creates the QApplication

ROOT = Path(__file__).resolve().parents[1]
PAGES = Path(__file__).parent / "fixtures" / "pages"
LOAD_MS = 30_000
A4 = (595.0, 842.0)


def show(qtbot, view: ArtifactView, html: str) -> None:
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS) as loaded:
        view.show_document(uuid.uuid4().hex, html)
    assert loaded.args == [True]


def fixture(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def make_pdf(qtbot, view: ArtifactView, **options: object) -> bytes:
    results: list[bytes | PrintError] = []
    start_pdf(view, PrintOptions(**options), results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=LOAD_MS)
    assert len(results) == 1
    assert isinstance(results[0], bytes), results[0]
    return results[0]


def run_js(qtbot, view: ArtifactView, script: str) -> object:
    answers: list[object] = []
    view.page().runJavaScript(script, 0, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=LOAD_MS)
    return answers[0]


def sizes(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def poppler_text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / f"{uuid.uuid4().hex}.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def is_a4(size: tuple[float, float], landscape: bool = False) -> bool:
    want = A4[::-1] if landscape else A4
    return abs(size[0] - want[0]) < 2 and abs(size[1] - want[1]) < 2


def rasterise(pdf: bytes, tmp_path: Path, dpi: int = 50, page: int = 1) -> QImage:
    source = tmp_path / f"{uuid.uuid4().hex}.pdf"
    source.write_bytes(pdf)
    out = tmp_path / uuid.uuid4().hex
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-png",
            "-singlefile",
            str(source),
            str(out),
        ],
        check=True,
        timeout=60,
    )
    image = QImage(str(out) + ".png")
    assert not image.isNull()
    return image.convertToFormat(QImage.Format.Format_RGB32)


def ink_mask(image: QImage) -> list[bool]:
    """Which pixels are darker than paper."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    stride = gray.bytesPerLine()
    data = gray.constBits().tobytes()
    return [data[y * stride + x] < 128 for y in range(gray.height()) for x in range(gray.width())]


def count_colour(
    image: QImage, rgb: tuple[int, int, int], tolerance: int = 40, top: float = 1.0
) -> int:
    """Pixels of about this colour (every other row and column) in the top part of the page."""
    hits = 0
    for y in range(0, int(image.height() * top), 2):
        for x in range(0, image.width(), 2):
            colour = image.pixelColor(x, y)
            if all(abs(a - b) <= tolerance for a, b in zip(colour.getRgb()[:3], rgb, strict=True)):
                hits += 1
    return hits


def test_a_long_report_prints_on_several_a4_pages_with_its_text(qtbot, view):
    show(qtbot, view, fixture("report.html"))
    pdf = make_pdf(qtbot, view)
    pages = sizes(pdf)
    assert len(pages) >= 4
    assert all(is_a4(size) for size in pages)
    reader = PdfReader(io.BytesIO(pdf))
    assert "FINAL-MARKER-START" in reader.pages[0].extract_text()
    assert "FINAL-MARKER-END" in reader.pages[-1].extract_text()
    # The print style sheet is gone again: the page on screen is as it was.
    assert run_js(qtbot, view, "document.querySelectorAll('style').length") == 1


def test_fit_to_one_page_gives_exactly_one_page_and_keeps_the_text(qtbot, view):
    show(qtbot, view, fixture("report.html"))
    pdf = make_pdf(qtbot, view, mode="fit")
    assert len(sizes(pdf)) == 1 and is_a4(sizes(pdf)[0])
    text = text_of(pdf)
    assert "FINAL-MARKER-START" in text and "FINAL-MARKER-END" in text
    assert "Recommendations" in text


def test_landscape_and_an_artifacts_own_page_size_is_overridden(qtbot, view):
    page = "<style>@page { size: letter portrait; margin: 0 }</style>" + "<p>landscape</p>" * 80
    show(qtbot, view, page)
    landscape = make_pdf(qtbot, view, landscape=True)
    assert sizes(landscape) and all(is_a4(size, landscape=True) for size in sizes(landscape))
    portrait = make_pdf(qtbot, view)
    assert all(is_a4(size) for size in sizes(portrait))
    assert len(sizes(portrait)) < len(sizes(landscape))  # taller pages hold more lines
    fit = make_pdf(qtbot, view, mode="fit", landscape=True)
    assert len(sizes(fit)) == 1 and is_a4(sizes(fit)[0], landscape=True)


def test_forced_page_breaks_do_not_defeat_fit_to_one_page(qtbot, view):
    page = "".join(f'<h2 style="break-before: page">Part {n}</h2><p>text</p>' for n in range(4))
    show(qtbot, view, page)
    assert len(sizes(make_pdf(qtbot, view))) >= 4
    fit = make_pdf(qtbot, view, mode="fit")
    assert len(sizes(fit)) == 1
    assert all(f"Part {n}" in text_of(fit) for n in range(4))


def test_cjk_text_is_extractable_and_rasterises_as_real_glyphs(qtbot, view, tmp_path):
    show(qtbot, view, fixture("itinerary.html"))
    itinerary = make_pdf(qtbot, view)
    # poppler (what Linux PDF viewers search with) reads the characters back exactly; pypdf
    # reports some ideographs as their look-alike Kangxi radicals (same glyph in Noto CJK).
    text = poppler_text(itinerary, tmp_path).replace(" ", "")
    for words in ("避暑山庄", "承德", "正定古城", "隆兴寺", "楽しい旅", "즐거운"):
        assert words in text

    # Tofu boxes look alike whatever the character; real glyphs do not.
    masks = []
    for words in ("避暑山庄", "正定古城"):
        show(qtbot, view, f'<p style="font-size:120px;margin:0">{words}</p>')
        masks.append(ink_mask(rasterise(make_pdf(qtbot, view), tmp_path, dpi=30)))
    inked = [sum(mask) for mask in masks]
    assert min(inked) > 200  # something was drawn
    differing = sum(a != b for a, b in zip(*masks, strict=True))
    assert differing > 0.3 * max(inked)


def test_a_canvas_game_prints_its_drawing_not_a_blank_page(qtbot, view, tmp_path):
    show(qtbot, view, fixture("breakout.html"))
    qtbot.wait(300)  # a few frames of play
    brick_red = (0xEF, 0x47, 0x6F)
    for mode in ("paged", "snapshot"):
        pdf = make_pdf(qtbot, view, mode=mode)
        assert len(sizes(pdf)) == 1 and is_a4(sizes(pdf)[0])
        image = rasterise(pdf, tmp_path)
        assert count_colour(image, brick_red) > 20, mode


def test_backgrounds_can_be_left_out(qtbot, view, tmp_path):
    show(qtbot, view, fixture("itinerary.html"))
    header_red = (0xB4, 0x23, 0x2C)
    with_background = rasterise(make_pdf(qtbot, view), tmp_path)
    without = rasterise(make_pdf(qtbot, view, background=False), tmp_path)
    # The header band (top tenth) is a red gradient, drawn only with backgrounds.
    assert count_colour(with_background, header_red, 60, top=0.1) > 50
    assert count_colour(without, header_red, 60, top=0.1) < 5


def test_snapshot_mode_is_suggested_for_a_canvas_page_only(qtbot, view):
    answers: list[str] = []
    show(qtbot, view, fixture("breakout.html"))
    suggest_mode(view, answers.append)
    show(qtbot, view, fixture("report.html"))
    qtbot.waitUntil(lambda: len(answers) == 1, timeout=LOAD_MS)
    suggest_mode(view, answers.append)
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=LOAD_MS)
    assert answers == ["snapshot", "paged"]


def test_options_are_checked():
    with pytest.raises(ValueError):
        PrintOptions(mode="poster")
    with pytest.raises(ValueError):
        PrintOptions(margins_mm=-1)


def exporters(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sandbox.exporters", *args],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
    )


def test_render_writes_pdf_png_and_html(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    done = exporters(
        str(PAGES / "itinerary.html"),
        "--pdf",
        str(out / "trip.pdf"),
        "--png",
        str(out / "trip.png"),
        "--html",
        str(out / "trip.html"),
        "--fit-one-page",
        "--landscape",
        "--wait",
        "0.1",
    )
    assert done.returncode == 0, done.stderr
    pdf = (out / "trip.pdf").read_bytes()
    assert len(sizes(pdf)) == 1 and is_a4(sizes(pdf)[0], landscape=True)
    assert "避暑山庄" in poppler_text(pdf, tmp_path).replace(" ", "")
    png = QImage(str(out / "trip.png"))
    assert png.width() > 600 and png.height() > 400
    # Saved as the app saves a page: the same document, with the offline storage shim first.
    saved = (out / "trip.html").read_text(encoding="utf-8")
    assert saved == with_offline_bridge(fixture("itinerary.html"))
    assert sorted(p.name for p in out.iterdir()) == ["trip.html", "trip.pdf", "trip.png"]


def test_render_refuses_an_output_folder_that_does_not_exist(tmp_path):
    done = exporters(str(PAGES / "report.html"), "--pdf", str(tmp_path / "nowhere" / "r.pdf"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr
