"""The prompt box: Enter sends, Shift+Enter is a new line, Esc stops; it grows with its text.

It is three lines tall when empty and grows a line at a time as the text wraps or breaks, up
to MAX_LINES; past that it scrolls. Its placeholder says what to ask and which keys do what;
where the box is too narrow for all of it (the chat column beside an artifact), the keys are
left out rather than cut off mid-line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QFontMetricsF, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

MIN_LINES = 3
MAX_LINES = 10


class PromptEdit(QPlainTextEdit):
    """A plain text box that sends on Enter and grows with its text, up to a bound."""

    # Enter pressed without Shift: the user wants to send.
    submitted = Signal()
    # Escape pressed: the user wants the streaming reply to stop.
    escaped = Signal()
    # Asked first with what is pasted: True when it took it (files, an image), else text.
    take_mime: Callable[[QMimeData], bool] | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholders: tuple[str, ...] = ()
        self.document().documentLayout().documentSizeChanged.connect(lambda _: self._fit())

    def set_placeholders(self, texts: Sequence[str]) -> None:
        """The placeholder, longest first: the first that fits the empty box is shown."""
        self._placeholders = tuple(texts)
        self._choose_placeholder()

    def line_count(self) -> int:
        """The lines the text takes as laid out now (wrapped lines count)."""
        return max(1, int(self.document().documentLayout().documentSize().height()))

    def _fit(self) -> None:
        lines = min(max(self.line_count(), MIN_LINES), MAX_LINES)
        # No scroll bar while it grows (it would narrow the text and flicker): only at the bound.
        # Set only when it changes: Qt lays the box out again on every call.
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if lines == MAX_LINES
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        if self.verticalScrollBarPolicy() != policy:
            self.setVerticalScrollBarPolicy(policy)
        # The frame, the style sheet's padding and the margins: right once the box is laid out
        # (resizeEvent sizes it again then).
        chrome = self.height() - self._viewport_size().height()
        margin = 2 * self.document().documentMargin()
        # Lines are as tall as the layout makes them (their font's ascent and descent, rounded
        # up), which may be a pixel more than the font's line spacing; one pixel more besides,
        # or QPlainTextEdit counts the last line as not quite shown and scrolls.
        height = math.ceil(chrome + margin + lines * self._line_height()) + 1
        if height != self.height():
            self.setFixedHeight(height)

    def _line_height(self) -> float:
        layout = self.document().firstBlock().layout()
        if layout is not None and layout.lineCount() > 0:
            return layout.lineAt(0).height()
        return QFontMetricsF(self.font()).height()

    def _viewport_size(self) -> QSize:
        """The viewport's size, without asking for the viewport: the first time PySide6 wraps a
        widget Qt made, it looks through every QWidget class it knows for the right one, which
        builds the Python enums of them all (78 classes, ~10 ms) before the window's first frame.
        The box shows no horizontal scroll bar (it wraps), and its vertical one only at its
        tallest."""
        size = self.maximumViewportSize()
        bar = self.verticalScrollBar()
        if bar.isVisible():
            size.setWidth(size.width() - bar.width())
        return size

    def _choose_placeholder(self) -> None:
        # QPlainTextEdit draws it word-wrapped in the viewport, inside the document margin.
        if not self._placeholders:
            return
        margin = int(self.document().documentMargin())
        room = QRect(QPoint(0, 0), self._viewport_size()).adjusted(margin, margin, -margin, 0)
        metrics = QFontMetrics(self.font())
        flags = Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        for text in self._placeholders:
            needed = metrics.boundingRect(QRect(0, 0, room.width(), 1 << 20), flags, text)
            if needed.height() <= room.height():
                break
        if self.placeholderText() != text:
            self.setPlaceholderText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()
        self._choose_placeholder()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """A new font (the style sheet, the theme) changes the line height: size again."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()
            self._choose_placeholder()

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 (Qt's name)
        return source.hasImage() or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 (Qt's name)
        if self.take_mime is not None and (source.hasImage() or source.hasUrls()):
            if self.take_mime(source):
                return
        super().insertFromMimeData(source)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)
