"""The Print dialog: choose how an artifact goes onto A4, see the pages, save a PDF or print.

The preview is the real PDF (`QPdfView` over the bytes `sandbox.printing` made), regenerated a
moment after an option changes, so what is saved or printed is exactly what was shown. The
snapshot is taken when the dialog opens: "what is on screen now" is the moment Print was asked
for, even while a game keeps running behind the dialog.

No nested event loops (qasync): the file chooser, the print dialog and error messages are all
opened with `open()` and answered through their signals.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QRectF,
    QSize,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.config import Settings
from app.i18n import translate
from app.whole_files import write_file
from sandbox.printing import (
    PrintError,
    PrintOptions,
    grab_image,
    snapshot_pdf,
    start_pdf,
    suggest_mode,
)
from sandbox.view import ArtifactView
from widgets.file_folders import FileFolders, confirm_saved

_DEBOUNCE_MS = 150
# Real printers get each page as an image at this resolution at most (fast enough, sharp).
_PRINT_DPI = 300


def pdf_file_name(title: str) -> str:
    """A safe file name for the PDF of an artifact called `title`."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', " ", title).strip(" .") or "artifact"
    return f"{stem[:80]}.pdf"


class PrintDialog(QDialog):
    """Options, a live preview, Save PDF… and Print… for the artifact shown in a view."""

    # A new preview is shown: its page count.
    previewReady = Signal(int)
    # The preview could not be made: a sentence.
    previewFailed = Signal(str)
    # The PDF was written to this path.
    saved = Signal(str)
    # The pages were sent to a printer.
    printed = Signal()

    def __init__(
        self,
        view: ArtifactView,
        title: str,
        parent: QWidget | None = None,
        folders: FileFolders | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("PrintDialog", "Print “{title}”").format(title=title))
        self._view = view
        self._title = title
        self._folders = folders or FileFolders(Settings())
        self._pdf = b""
        self._busy = False
        self._dirty = False
        self._snapshot = self._take_snapshot()
        self._buffer = QBuffer(self)
        self._document = QPdfDocument(self)
        self._debounce = QTimer(self, singleShot=True, interval=_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._regenerate)
        self._build()
        self.resize(760, 820)
        suggest_mode(view, self._use_suggested_mode)

    # -- the form --------------------------------------------------------------------------------

    def _build(self) -> None:
        self._mode = QComboBox()
        self._mode.addItem(translate("PrintDialog", "Paged"), "paged")
        self._mode.addItem(translate("PrintDialog", "Fit to one page"), "fit")
        self._mode.addItem(translate("PrintDialog", "Snapshot"), "snapshot")
        self._orientation = QComboBox()
        self._orientation.addItems(
            [translate("PrintDialog", "Portrait"), translate("PrintDialog", "Landscape")]
        )
        self._margins = QDoubleSpinBox(
            minimum=0, maximum=50, value=12, decimals=1, suffix=translate("PrintDialog", " mm")
        )
        self._background = QCheckBox(
            translate("PrintDialog", "Background colours and images"), checked=True
        )
        form = QFormLayout()
        form.addRow(translate("PrintDialog", "Layout"), self._mode)
        form.addRow(translate("PrintDialog", "Orientation"), self._orientation)
        form.addRow(translate("PrintDialog", "Margins"), self._margins)
        form.addRow("", self._background)
        for signal in (
            self._mode.currentIndexChanged,
            self._orientation.currentIndexChanged,
            self._margins.valueChanged,
            self._background.toggled,
        ):
            signal.connect(self._options_changed)
        self._preview = QPdfView(self)
        self._preview.setDocument(self._document)
        self._preview.setPageMode(QPdfView.PageMode.MultiPage)
        self._preview.setZoomMode(QPdfView.ZoomMode.FitInView)
        self._status = QLabel(translate("PrintDialog", "Making the preview…"))
        self._save = QPushButton(translate("PrintDialog", "Save PDF…"), enabled=False)
        self._print = QPushButton(translate("PrintDialog", "Print…"), enabled=False)
        close = QPushButton(translate("PrintDialog", "Close"))
        self._save.clicked.connect(self.choose_file)
        self._print.clicked.connect(self.choose_printer)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self._status, 1)
        for button in (self._save, self._print, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._preview, 1)
        layout.addLayout(buttons)

    def options(self) -> PrintOptions:
        """The options as chosen in the form."""
        return PrintOptions(
            mode=self._mode.currentData(),
            landscape=self._orientation.currentIndex() == 1,
            margins_mm=self._margins.value(),
            background=self._background.isChecked(),
        )

    def set_options(self, options: PrintOptions) -> None:
        """Fill the form from `options` (the preview follows)."""
        self._mode.setCurrentIndex(self._mode.findData(options.mode))
        self._orientation.setCurrentIndex(1 if options.landscape else 0)
        self._margins.setValue(options.margins_mm)
        self._background.setChecked(options.background)

    @property
    def pdf(self) -> bytes:
        """The PDF shown in the preview (empty until the first one is ready)."""
        return self._pdf

    # -- the preview -------------------------------------------------------------------------

    def _take_snapshot(self) -> QImage:
        try:
            return grab_image(self._view)
        except PrintError:
            return QImage()

    def _use_suggested_mode(self, mode: str) -> None:
        if not isValid(self):
            return
        if mode == "snapshot" and not self._snapshot.isNull():
            self._mode.setCurrentIndex(self._mode.findData(mode))  # regenerates
        self._options_changed()

    def _options_changed(self) -> None:
        self._save.setEnabled(False)
        self._print.setEnabled(False)
        self._status.setText(translate("PrintDialog", "Making the preview…"))
        self._debounce.start()

    def _regenerate(self) -> None:
        if self._busy:  # one print at a time per page: run again when this one ends
            self._dirty = True
            return
        self._busy, self._dirty = True, False
        options = self.options()
        if options.mode == "snapshot":
            QTimer.singleShot(0, lambda: self._made(self._snapshot_bytes(options)))
        else:
            start_pdf(self._view, options, self._made)

    def _snapshot_bytes(self, options: PrintOptions) -> bytes | PrintError:
        if self._snapshot.isNull():
            return PrintError(
                translate("PrintDialog", "The artifact was not on screen, so there is no snapshot.")
            )
        return snapshot_pdf(self._snapshot, options, self._title)

    def _made(self, result: bytes | PrintError) -> None:
        if not isValid(self):  # the dialog was closed while the page printed
            return
        self._busy = False
        if self._dirty:
            self._regenerate()
            return
        if isinstance(result, PrintError):
            self._status.setText(str(result))
            self.previewFailed.emit(str(result))
            return
        self._show_pdf(result)

    def _show_pdf(self, pdf: bytes) -> None:
        self._pdf = pdf
        self._document.close()
        self._buffer.close()
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._document.load(self._buffer)
        pages = self._document.pageCount()
        self._status.setText(
            translate("PrintDialog", "1 page")
            if pages == 1
            else translate("PrintDialog", "{count} pages").format(count=pages)
        )
        self._save.setEnabled(True)
        self._print.setEnabled(True)
        self.previewReady.emit(pages)

    # -- Save PDF… -----------------------------------------------------------------------------

    def choose_file(self) -> None:
        """Ask where to save the PDF (a file chooser opened with open())."""
        folder = self._folders.folder("pdf")  # the last folder a PDF went to
        chooser = QFileDialog(
            self, translate("PrintDialog", "Save PDF"), str(folder / pdf_file_name(self._title))
        )
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.setNameFilter(translate("PrintDialog", "PDF documents (*.pdf)"))
        chooser.setDefaultSuffix("pdf")
        chooser.fileSelected.connect(self.save_to)
        chooser.finished.connect(chooser.deleteLater)
        chooser.open()

    def save_to(self, path: str) -> None:
        """Write the previewed PDF to `path`; a failure is one clear message."""
        try:
            write_file(Path(path), self._pdf)
        except OSError as error:
            self._tell(
                translate("PrintDialog", "The PDF was not saved"),
                translate("PrintDialog", "Easel could not write {path}: {reason}.").format(
                    path=path, reason=error.strerror or error
                ),
            )
            return
        self._folders.remember("pdf", Path(path))
        self._status.setText(translate("PrintDialog", "Saved {name}").format(name=Path(path).name))
        confirm_saved(self.parentWidget() or self, Path(path))
        self.saved.emit(path)

    def _tell(self, title: str, sentence: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, sentence, QMessageBox.StandardButton.Ok, self
        )
        box.finished.connect(box.deleteLater)
        box.open()

    # -- Print… ------------------------------------------------------------------------------

    def choose_printer(self) -> None:
        """Open the system print dialog; the pages go to the printer chosen there."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._title)
        printer.setFullPage(True)  # our pages already carry their margins
        orientation = (
            QPageLayout.Orientation.Landscape
            if self.options().landscape
            else QPageLayout.Orientation.Portrait
        )
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setPageOrientation(orientation)
        chooser = QPrintDialog(printer, self)
        chooser.finished.connect(lambda result: self._printer_chosen(chooser, result))
        self._printer = printer  # alive until the dialog answers
        QDialog.open(chooser)  # PySide's QPrintDialog.open wants a slot; the plain one is meant

    def _printer_chosen(self, chooser: QPrintDialog, result: int) -> None:
        chooser.deleteLater()
        if result == QDialog.DialogCode.Accepted:
            self.print_on(chooser.printer())

    def print_on(self, printer: QPrinter) -> None:
        """Draw every previewed page onto `printer`, one page image per sheet."""
        painter = QPainter()
        if not painter.begin(printer):
            self._tell(
                translate("PrintDialog", "Nothing was printed"),
                translate("PrintDialog", "Easel could not start the printer."),
            )
            return
        try:
            for index in range(self._document.pageCount()):
                if index:
                    printer.newPage()
                self._draw_page(painter, printer, index)
        finally:
            painter.end()
        self._status.setText(translate("PrintDialog", "Sent to the printer"))
        self.printed.emit()

    def _draw_page(self, painter: QPainter, printer: QPrinter, index: int) -> None:
        sheet = printer.paperRect(QPrinter.Unit.DevicePixel)
        points = self._document.pagePointSize(index)
        dpi = min(printer.resolution(), _PRINT_DPI)
        size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
        image = self._document.render(index, size)
        painter.drawImage(QRectF(0, 0, sheet.width(), sheet.height()), image)
