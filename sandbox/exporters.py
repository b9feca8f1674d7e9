"""The file outputs of `render` (DESIGN.md §5): `--pdf`, `--png`, `--html`, `--fit-one-page`, `--landscape`.

Each is an `Exporter` for `sandbox.render.render_main` and shares its code with the app's print
dialog: the PDF is `sandbox.printing` (paged, or fit to one page), the PNG is the snapshot grab,
the HTML is the "Save as .html" step (`app.documents.inline_vendored`).

An output path whose folder does not exist is a usage error before the page is even loaded;
a write that fails later (full disk, no permission) is one sentence on stderr and exit code 2.
`python -m sandbox.exporters IN.html …` runs `render` with these outputs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice

from app.console_log import ConsoleLog
from app.documents import inline_vendored
from app.saved_bridge import with_offline_bridge
from app.whole_files import write_file
from sandbox.printing import PrintError, PrintOptions, grab_image, start_pdf
from sandbox.render import (
    CONSOLE,
    EXIT_USAGE,
    TEXT,
    Exporter,
    PageFailed,
    RenderedPage,
    render_main,
)


def output_path(text: str) -> Path:
    """An argparse type: a file path whose folder exists."""
    path = Path(text).expanduser()
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"the folder {str(path.parent)!r} does not exist")
    return path


def _save(path: Path, data: bytes) -> None:
    try:
        write_file(path, data)
    except OSError as error:
        print(f"Cannot write {path}: {error.strerror or error}.", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


# -- PDF -----------------------------------------------------------------------------------------


def _add_pdf(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pdf", type=output_path, metavar="OUT.pdf", help="save an A4 PDF")
    parser.add_argument(
        "--fit-one-page", action="store_true", help="scale the whole page onto one A4 sheet"
    )
    parser.add_argument("--landscape", action="store_true", help="A4 landscape (portrait)")


def pdf_bytes(page: RenderedPage, options: PrintOptions) -> bytes:
    """The page printed with `options`, within render's deadline."""
    (result,) = page.wait(lambda done: start_pdf(page.view, options, done))
    if isinstance(result, PrintError):
        raise PageFailed(str(result))
    return result


def _run_pdf(page: RenderedPage, args: argparse.Namespace, _report: ConsoleLog) -> None:
    if args.pdf is not None:
        mode = "fit" if args.fit_one_page else "paged"
        _save(args.pdf, pdf_bytes(page, PrintOptions(mode=mode, landscape=args.landscape)))


# -- PNG and HTML --------------------------------------------------------------------------------


def _add_png(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--png", type=output_path, metavar="OUT.png", help="save what the page shows as PNG"
    )


def png_bytes(page: RenderedPage) -> bytes:
    """The visible page (canvas and WebGL included) as PNG bytes; PageFailed if it is hung.

    A renderer stuck in a loop still shows its last frame: grabbing it would pass a hung page
    off as a success, so the page must answer a probe first.
    """
    page.ensure_responsive()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    try:
        grab_image(page.view).save(buffer, "PNG")
    except PrintError as error:
        raise PageFailed(str(error)) from None
    return bytes(buffer.data().data())


def _run_png(page: RenderedPage, args: argparse.Namespace, _report: ConsoleLog) -> None:
    if args.png is not None:
        _save(args.png, png_bytes(page))


def _add_html(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--html", type=output_path, metavar="OUT.html", help="save a self-contained HTML file"
    )


def _run_html(_page: RenderedPage, args: argparse.Namespace, _report: ConsoleLog) -> None:
    if args.html is not None:
        # The page as loaded (a file's text or a stored version), saved as the app saves it.
        _save(args.html, with_offline_bridge(inline_vendored(args.page_html)).encode("utf-8"))


PDF = Exporter(_add_pdf, _run_pdf)
PNG = Exporter(_add_png, _run_png)
HTML = Exporter(_add_html, _run_html)
# Files first, so that --console also lists what the page logged while it was printed.
EXPORTERS: tuple[Exporter, ...] = (PDF, PNG, HTML)
RENDER_EXPORTERS: tuple[Exporter, ...] = (*EXPORTERS, TEXT, CONSOLE)


if __name__ == "__main__":
    sys.exit(render_main(sys.argv[1:], RENDER_EXPORTERS))
