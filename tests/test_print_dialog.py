"""The Print dialog driven like a user: options, preview, Save PDF…, Print…, a failing save.

The file chooser and the system print dialog are answered at their Qt seam (the QFileDialog /
QPrintDialog the dialog opened, found as its child); the printer is a QPrinter writing a PDF.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from sandbox.scheme import register_scheme
from sandbox.view import ArtifactView
from widgets.print_dialog import PrintDialog, pdf_file_name

register_scheme()

PAGES = Path(__file__).parent / "fixtures" / "pages"
LOAD_MS = 30_000


def open_dialog(qtbot, view: ArtifactView, page: str) -> PrintDialog:
    with qtbot.waitSignal(view.loaded, timeout=LOAD_MS):
        view.show_document(uuid.uuid4().hex, (PAGES / page).read_text(encoding="utf-8"))
    dialog = PrintDialog(view, "Corridor: review / 2024")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.previewReady, timeout=LOAD_MS):
        dialog.open()
    return dialog


def choose(qtbot, dialog: PrintDialog, **changes: object) -> int:
    """Change options the way a user would and wait for the new preview's page count."""
    options = dialog.options().__class__(**{**dialog.options().__dict__, **changes})
    with qtbot.waitSignal(dialog.previewReady, timeout=LOAD_MS) as ready:
        dialog.set_options(options)
    return ready.args[0]


def pages_of(path: Path) -> list:
    return list(PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_the_preview_follows_the_options_and_save_writes_that_pdf(qtbot, view, tmp_path):
    dialog = open_dialog(qtbot, view, "report.html")
    assert dialog.options().mode == "paged" and dialog.options().margins_mm == 12
    paged = dialog._document.pageCount()
    assert paged >= 4 and dialog._status.text() == f"{paged} pages"
    assert choose(qtbot, dialog, mode="fit") == 1
    assert dialog._status.text() == "1 page"

    dialog._save.click()
    chooser = dialog.findChild(QFileDialog)
    assert chooser is not None and chooser.isVisible()
    assert Path(chooser.selectedFiles()[0]).name == "Corridor review 2024.pdf"
    target = tmp_path / "fit.pdf"
    with qtbot.waitSignal(dialog.saved, timeout=LOAD_MS):
        chooser.selectFile(str(target))
        chooser.accept()
    saved = pages_of(target)
    assert len(saved) == 1 and abs(float(saved[0].mediabox.height) - 842) < 2
    assert "FINAL-MARKER-END" in saved[0].extract_text()


def test_landscape_and_snapshot_from_the_form(qtbot, view):
    dialog = open_dialog(qtbot, view, "breakout.html")
    # A canvas game: the dialog starts in Snapshot, the moment Print was asked for.
    qtbot.waitUntil(lambda: dialog.options().mode == "snapshot", timeout=LOAD_MS)
    qtbot.waitUntil(lambda: dialog._status.text() == "1 page", timeout=LOAD_MS)
    assert choose(qtbot, dialog, landscape=True) == 1
    reader = PdfReader(io.BytesIO(dialog.pdf))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)


def test_print_sends_every_page_to_the_printer(qtbot, view, tmp_path):
    dialog = open_dialog(qtbot, view, "report.html")
    expected = dialog._document.pageCount()
    dialog._print.click()
    system_dialog = dialog.findChild(QPrintDialog)
    assert system_dialog is not None
    printer: QPrinter = system_dialog.printer()
    out = tmp_path / "printed.pdf"
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    with qtbot.waitSignal(dialog.printed, timeout=10_000):
        # The user pressed Print (done(), because accept() would first re-read its own form).
        system_dialog.done(QDialog.DialogCode.Accepted.value)
    printed = pages_of(out)
    assert len(printed) == expected
    assert abs(float(printed[0].mediabox.width) - 595) < 3


def test_a_save_that_fails_says_so_once(qtbot, view, tmp_path):
    dialog = open_dialog(qtbot, view, "itinerary.html")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dialog.save_to(str(blocker / "trip.pdf"))
    boxes = [box for box in dialog.findChildren(QMessageBox) if box.isVisible()]
    assert len(boxes) == 1
    assert "could not write" in boxes[0].text() and "trip.pdf" in boxes[0].text()
    assert not (blocker / "trip.pdf").exists()


def test_file_names_are_safe():
    assert pdf_file_name('a/b:c*?"<>|') == "a b c.pdf"
    assert pdf_file_name("   ") == "artifact.pdf"
    assert pdf_file_name("河北两日游") == "河北两日游.pdf"
