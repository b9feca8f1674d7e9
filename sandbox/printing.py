"""Print a loaded artifact page to A4 PDF: paged, fit to one page, or a snapshot (DESIGN.md §6).

*Paged* is Chromium's own print (`printToPdf` with an A4 `QPageLayout`): the page's print CSS is
honoured, text stays text, fonts come through fontconfig (CJK included). An artifact's own
`@page { size: … }` would override the layout, so a small style sheet is put into the page for
the print and taken out again: `@page { size: A4 portrait !important }` (or landscape).

*Fit to one page* prints the same way with the document zoomed (CSS `zoom` under
`@media print`, so the screen never changes and text stays text). The zoom is found by
printing: the page count and how far down the last page's ink reaches give the document's
height in pages, hence the zoom; a few prints (each ~50–100 ms) settle it. Forced page breaks
are switched off, since no zoom could undo them. When nothing fits (a page's own `!important`
breaks, a page that overrides the zoom, the trial prints run out, the zoom reaches its floor),
the body is clipped to the one page: at the last zoom if shrinking still helped, else at full
size. A page whose renderer is gone fails with a sentence rather than waiting for ever.

*Snapshot* grabs the view as it is on screen (a game mid-play, WebGL that prints blank) and
places the image on one A4 page with `QPdfWriter`.

Everything is asynchronous and callback-driven (`start_pdf`), so it works under the app's
qasync loop (`print_to_pdf` wraps it in a future) and under `render`'s nested event loops alike.
Page scripts never see ours: they run in the isolated application world.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, QRectF, QSize, QTimer
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineScript, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView

from app.i18n import translate

MODES = ("paged", "fit", "snapshot")
_WORLD = QWebEngineScript.ScriptWorldId.ApplicationWorld.value
_STYLE_ID = "easel-print-style-7f3c"
_CSS_PX_PER_MM = 96 / 25.4
# Fit to one page: at most this many trial prints, and aim a little under a full page because
# layout at a new zoom is only nearly proportional.
_FIT_TRIES = 6
_FIT_SLACK = 0.97
# Below this zoom nothing is legible, and a page that ignores the zoom (its own `html { zoom }`)
# would drive it towards 0 and the centring margin and clip height towards millions of pixels,
# which Chromium then prints for ever: clip from here instead.
_MIN_ZOOM = 0.01
_SNAPSHOT_DPI = 300
# Below this a pixel counts as ink when looking for the bottom of the content.
_INK_LEVEL = 245


def _renderer_gone() -> str:
    return translate(
        "Printing",
        "The artifact's page has stopped (its renderer ended): reload it and print again.",
    )


class PrintError(Exception):
    """The page could not be printed; the message is a sentence for the user."""


@dataclass(frozen=True)
class PrintOptions:
    """How to print: mode "paged" | "fit" | "snapshot", orientation, margins, backgrounds."""

    mode: str = "paged"
    landscape: bool = False
    margins_mm: float = 12.0
    background: bool = True

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not 0 <= self.margins_mm <= 50:
            raise ValueError("margins must be between 0 and 50 mm")


PdfCallback = Callable[[bytes | PrintError], None]


def page_layout(options: PrintOptions) -> QPageLayout:
    """The A4 layout for `options` (orientation and equal margins in millimetres)."""
    orientation = (
        QPageLayout.Orientation.Landscape if options.landscape else QPageLayout.Orientation.Portrait
    )
    m = options.margins_mm
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        orientation,
        QMarginsF(m, m, m, m),
        QPageLayout.Unit.Millimeter,
    )


def print_css(options: PrintOptions, zoom: float | None = None, clip: bool = False) -> str:
    """The style sheet put into the page while it prints.

    With a `zoom` (fit to one page) the document keeps the width it has when printed paged, so
    shrinking scales the printed page as a whole instead of reflowing it into very long lines.
    With `clip`, whatever still does not fit on the one page is cut off.
    """
    size = "landscape" if options.landscape else "portrait"
    rules = [f"@page {{ size: A4 {size} !important; }}"]
    adjust = "exact" if options.background else "economy"
    rules.append(
        f"* {{ -webkit-print-color-adjust: {adjust} !important; print-color-adjust: {adjust} !important; }}"
    )
    if zoom is not None:
        breaks = "; ".join(
            f"{name}: auto !important"
            for name in ("break-before", "break-after", "page-break-before", "page-break-after")
        )
        width = printable_mm(options)[0] * _CSS_PX_PER_MM
        # Centred by hand: the zoom scales the margin too, and `auto` does not centre the root.
        left = width * (1 - zoom) / 2 / zoom
        rules.append(
            f"@media print {{ html {{ zoom: {zoom:.5f} !important; width: {width:.1f}px !important;"
            f" margin: 0 0 0 {left:.1f}px !important; }} * {{ {breaks}; }} }}"
        )
    if clip:
        # Last resort of fit: cut what still does not fit rather than spill onto page two. The
        # body, not the root, is clipped: a clipping body is one unbreakable box, so even a
        # page's own `break-before: page !important` cannot split it. Its height is in vh (the
        # page area), which holds whether or not the page let our zoom apply.
        rules.append(
            "@media print { html { overflow: hidden !important; padding-top: 0 !important;"
            " padding-bottom: 0 !important; }"
            f" body {{ height: {_FIT_SLACK * 100:.0f}vh !important; overflow: hidden !important;"
            " box-sizing: border-box !important; margin-top: 0 !important;"
            " margin-bottom: 0 !important; } }"
        )
    return "\n".join(rules)


def printable_mm(options: PrintOptions) -> tuple[float, float]:
    """Width and height of the printable area of the page, in millimetres."""
    rect = page_layout(options).paintRect(QPageLayout.Unit.Millimeter)
    return rect.width(), rect.height()


def _set_style_js(css: str | None) -> str:
    """JavaScript that puts our print style sheet in place (or removes it when css is None)."""
    return (
        "(function(css){var id=" + json.dumps(_STYLE_ID) + ";"
        "var s=document.getElementById(id);"
        "if(css===null){if(s)s.remove();return true;}"
        "if(!s){s=document.createElement('style');s.id=id;"
        "(document.head||document.documentElement).appendChild(s);}"
        "s.textContent=css;return true;})(" + json.dumps(css) + ")"
    )


def page_count(pdf: bytes) -> int:
    """How many pages the PDF has (0 if it cannot be read)."""
    document, _buffer = _open_pdf(pdf)
    return max(document.pageCount(), 0)


def ink_depth(pdf: bytes, index: int, margins_mm: float) -> float:
    """How far down the printable area of page `index` the ink reaches, from 0 to 1."""
    document, _buffer = _open_pdf(pdf)
    size_pt = document.pagePointSize(index)
    if size_pt.height() <= 0:
        return 1.0
    width = 150
    height = round(width * size_pt.height() / size_pt.width())
    last = _last_ink_row(_on_paper(document.render(index, QSize(width, height))))
    margin_px = margins_mm * 72 / 25.4 * height / size_pt.height()
    usable = height - 2 * margin_px
    return 1.0 if usable <= 0 else min(max((last + 1 - margin_px) / usable, 0.0), 1.0)


def _on_paper(rendered: QImage) -> QImage:
    """A rendered page over white paper, in grey (unpainted parts render transparent)."""
    paper = QImage(rendered.size(), QImage.Format.Format_RGB32)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return paper.convertToFormat(QImage.Format.Format_Grayscale8)


def _last_ink_row(image: QImage) -> int:
    """The lowest row of a greyscale image with a pixel darker than paper (-1 if blank)."""
    for y in range(image.height() - 1, -1, -1):
        row = image.constScanLine(y).tobytes()[: image.width()]
        if min(row) < _INK_LEVEL:
            return y
    return -1


def _open_pdf(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    # The buffer must outlive the document's use of it, so both are returned.
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    return document, buffer


def snapshot_pdf(image: QImage, options: PrintOptions, title: str = "") -> bytes:
    """A one-page A4 PDF with `image` scaled to fit inside the margins, centred."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(page_layout(options))
    writer.setResolution(_SNAPSHOT_DPI)
    writer.setCreator("Easel")
    writer.setTitle(title)
    painter = QPainter(writer)
    area = writer.pageLayout().paintRectPixels(_SNAPSHOT_DPI)
    if not image.isNull():
        scale = min(area.width() / image.width(), area.height() / image.height())
        w, h = image.width() * scale, image.height() * scale
        target = QRectF((area.width() - w) / 2, 0, w, h)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, image)
    painter.end()
    buffer.close()
    return bytes(buffer.data().data())


def grab_image(view: QWebEngineView) -> QImage:
    """What the view shows now, as an image (canvas and WebGL included)."""
    image = view.grab().toImage()
    if image.isNull():
        raise PrintError(
            translate("Printing", "The artifact is not shown, so there is nothing to snapshot.")
        )
    return image


class _PdfJob(QObject):
    """One PDF being made: a chain of callbacks that ends with exactly one `done(result)`."""

    def __init__(self, view: QWebEngineView, options: PrintOptions, done: PdfCallback) -> None:
        super().__init__(view)
        self._view = view
        self._page: QWebEnginePage = view.page()
        self._options = options
        self._done = done
        self._layout = page_layout(options)
        self._tries = 0
        self._zoom = 1.0
        self._best: bytes | None = None
        self._grown = False
        self._page_counts: list[int] = []

    def start(self) -> None:
        if self._options.mode == "snapshot":
            try:
                self._finish(snapshot_pdf(grab_image(self._view), self._options, self._title()))
            except PrintError as error:
                self._finish(error)
            return
        # A dead renderer answers neither runJavaScript nor printToPdf: without these two
        # checks the job (and the print dialog waiting on it) would wait forever.
        if not self._renderer_alive():
            self._finish(PrintError(_renderer_gone()))
            return
        self._page.renderProcessTerminated.connect(self._renderer_ended)
        self._page.settings().setAttribute(
            QWebEngineSettings.WebAttribute.PrintElementBackgrounds, self._options.background
        )
        zoom = 1.0 if self._options.mode == "fit" else None
        self._print_with(print_css(self._options, zoom), self._after_print)

    def _title(self) -> str:
        return self._page.title()

    def _renderer_alive(self) -> bool:
        return self._page.renderProcessPid() > 0

    def _renderer_ended(self, *_status: object) -> None:
        self._finish(PrintError(_renderer_gone()))

    # -- one print: style in, printToPdf, then the next step ----------------------------------

    def _print_with(self, css: str, then: Callable[[bytes], None]) -> None:
        def printed(data: QByteArray) -> None:
            if self._done is None:  # already finished (the renderer ended meanwhile)
                return
            pdf = bytes(data.data())
            if not pdf:
                refused = translate(
                    "Printing", "The page could not be printed (the renderer refused)."
                )
                self._finish(PrintError(refused))
            else:
                then(pdf)

        def styled(_result: object) -> None:
            if self._done is None:  # finished meanwhile (the renderer ended): the job is gone
                return
            self._tries += 1
            # Qt applies settings changes from a zero timer (batched); printing from the event
            # loop, after it, makes sure the backgrounds choice is the one in force.
            QTimer.singleShot(0, self, lambda: self._page.printToPdf(printed, self._layout))

        self._page.runJavaScript(_set_style_js(css), _WORLD, styled)

    def _after_print(self, pdf: bytes) -> None:
        if self._options.mode == "paged":
            self._finish(pdf)
        else:
            self._fit_step(pdf)

    # -- fit to one page -------------------------------------------------------------------------

    def _fit_step(self, pdf: bytes) -> None:
        pages = page_count(pdf)
        self._page_counts.append(pages)
        margins = self._options.margins_mm
        if pages == 1:
            self._best = pdf
            depth = ink_depth(pdf, 0, margins)
            # One page with room to spare after shrinking: try once to use that room.
            if self._zoom < 1 and not self._grown and depth < 0.9 and self._tries < _FIT_TRIES:
                self._grown = True
                self._retry(min(1.0, self._zoom / max(depth, 0.05) * _FIT_SLACK))
            else:
                self._finish(pdf)
            return
        if self._best is not None:  # the attempt to grow overshot: keep the fitting one
            self._finish(self._best)
            return
        height = pages - 1 + ink_depth(pdf, pages - 1, margins)
        if self._tries >= _FIT_TRIES or self._zoom <= _MIN_ZOOM:
            self._clip()
            return
        self._retry(max(self._zoom / max(height, 1.0) * _FIT_SLACK, _MIN_ZOOM))

    def _retry(self, zoom: float) -> None:
        self._zoom = zoom
        self._print_with(print_css(self._options, zoom), self._fit_step)

    def _clip(self) -> None:
        # If the last shrink did not lower the page count (the page overrides our zoom, or
        # forces its own page breaks), the zoom does nothing but move the page aside: clip at
        # full size.
        counts = self._page_counts
        zoom = self._zoom if len(counts) >= 2 and counts[-1] < counts[-2] else None
        self._print_with(print_css(self._options, zoom, clip=True), self._finish)

    # -- the end -----------------------------------------------------------------------------

    def _finish(self, result: bytes | PrintError) -> None:
        done, self._done = self._done, None
        if done is None:
            return

        def deliver(_removed: object = None) -> None:
            self.deleteLater()
            done(result)

        if self._options.mode == "snapshot" or not self._renderer_alive():
            deliver()
        else:  # the page goes back to exactly what it was before the print
            self._page.runJavaScript(_set_style_js(None), _WORLD, deliver)


def start_pdf(view: QWebEngineView, options: PrintOptions, done: PdfCallback) -> None:
    """Start making the PDF of the page loaded in `view`; `done(pdf_bytes | PrintError)` follows.

    `done` is called exactly once, on the GUI thread, from the event loop (or at once for a
    snapshot). One job per view at a time: the print style sheet is shared.
    """
    _PdfJob(view, options, done).start()


def print_to_pdf(view: QWebEngineView, options: PrintOptions) -> asyncio.Future[bytes]:
    """The PDF as a future on the running (qasync) loop; raises PrintError on failure."""
    future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def done(result: bytes | PrintError) -> None:
        if future.done():
            return
        if isinstance(result, PrintError):
            future.set_exception(result)
        else:
            future.set_result(result)

    start_pdf(view, options, done)
    return future


CANVAS_PROBE = """(function(){
  var vw = innerWidth || 1, vh = innerHeight || 1, best = 0;
  document.querySelectorAll('canvas').forEach(function(c){
    var r = c.getBoundingClientRect();
    var w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
    var h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    best = Math.max(best, w * h);
  });
  var text = document.body ? document.body.innerText.trim().length : 0;
  return JSON.stringify({canvas: best / (vw * vh), text: text});
})()"""


def suggest_mode(view: QWebEngineView, done: Callable[[str], None]) -> None:
    """Call `done("snapshot")` when a canvas fills much of a page with little text, else "paged".

    Games and drawings are what is on screen; documents are what prints.
    """

    def measured(result: object) -> None:
        try:
            facts = json.loads(str(result))
            canvas_page = facts["canvas"] >= 0.3 and facts["text"] < 600
        except (ValueError, KeyError, TypeError):
            canvas_page = False
        done("snapshot" if canvas_page else "paged")

    view.page().runJavaScript(CANVAS_PROBE, _WORLD, measured)
