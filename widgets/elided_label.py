"""A one-line label that ends in "…" when it is narrower than its text (the full text is its
tooltip): it asks for its whole text's width but accepts less, so a small screen cuts it
cleanly instead of clipping a letter in half."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget


class ElidedLabel(QLabel):
    """Plain text, elided at the right to the width it is given."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMinimumWidth(1)
        self._full = ""
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        """Show `text`, elided to the current width; the tooltip holds all of it."""
        self._full = text
        self.setToolTip(text)
        self._elide()
        self.updateGeometry()

    def full_text(self) -> str:
        """The text before eliding."""
        return self._full

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().sizeHint()
        margins = self.contentsMargins()
        width = QFontMetrics(self.font()).horizontalAdvance(self._full)
        return QSize(width + margins.left() + margins.right(), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(1, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = QFontMetrics(self.font()).elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        if shown != self.text():
            super().setText(shown)
