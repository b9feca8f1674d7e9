"""Real files for the attachment tests: a PNG drawn with QImage, a CSV, a PDF from QPdfWriter.

The PDF is made with Qt's own PDF writer (what Easel prints with), so the test reads a PDF
written by a real producer rather than a hand-made byte string. QPdfWriter needs a
QGuiApplication (fonts): callers take pytest-qt's `qapp` first.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

CSV_ROWS = "month,sales\nJan,120\nFeb,95\nMar,143\nApr,171\n"


def write_png(path: Path, width: int = 64, height: int = 48, alpha: bool = False) -> Path:
    """A real PNG of the given size: a red field with a blue square (transparent if alpha)."""
    fmt = QImage.Format.Format_ARGB32 if alpha else QImage.Format.Format_RGB32
    image = QImage(width, height, fmt)
    image.fill(QColor(255, 0, 0, 128 if alpha else 255))
    painter = QPainter(image)
    painter.fillRect(QRectF(0, 0, width / 2, height / 2), QColor("blue"))
    painter.end()
    assert image.save(str(path), "PNG")
    return path


def write_csv(path: Path) -> Path:
    """The sales CSV the chart tests draw from."""
    path.write_text(CSV_ROWS, encoding="utf-8")
    return path


def write_pdf(path: Path, pages: list[str]) -> Path:
    """A PDF with one line of text per page, written by QPdfWriter."""
    writer = QPdfWriter(str(path))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(20, 20, 20, 20),
        )
    )
    painter = QPainter(writer)
    for index, text in enumerate(pages):
        if index:
            writer.newPage()
        painter.drawText(QRectF(0, 0, 4000, 400), Qt.AlignmentFlag.AlignLeft, text)
    painter.end()
    return path
