"""A read-only pane of diff lines, coloured by kind, with a painted gutter of line numbers.

Line numbers and the +/− marks live in the gutter, so text copied from the pane is plain code.
Its colours follow the theme: on a palette change it recolours and shows its lines again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from widgets.code_theme import (
    CodeColours,
    colours_for,
    editor_style,
    monospace_font,
    repaint_on_scheme_change,
)
from widgets.diff_lines import DiffLine

# kind -> (line background, intra-line background, gutter background, mark)
KIND_COLOURS = {
    "added": ("#e8f5ea", "#bfe5c6", "#d9efdd", "+"),
    "removed": ("#fbecea", "#f4c5bf", "#f6dcd8", "−"),
    "filler": ("#f4f3ef", "", "#f0efea", ""),
    "fold": ("#f1efe9", "", "#ebe9e2", ""),
}

# The same in the dark theme.
DARK_KIND_COLOURS = {
    "added": ("#1d3322", "#2c5a36", "#21382a", "+"),
    "removed": ("#3a1f1d", "#6a2d28", "#40231f", "−"),
    "filler": ("#232321", "", "#262624", ""),
    "fold": ("#262624", "", "#2a2a28", ""),
}


class DiffPane(QPlainTextEdit):
    """A read-only pane of diff lines with a gutter of line numbers (one or two columns)."""

    def __init__(self, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffPane")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(monospace_font())
        self._colours: CodeColours = colours_for(QGuiApplication.palette())
        self.setStyleSheet(editor_style("diffPane", self._colours))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.columns = columns
        self.lines: list[DiffLine] = []
        self._gutter = _PaneGutter(self)
        self.updateRequest.connect(self._scroll_gutter)

    def _kinds(self) -> dict[str, tuple[str, str, str, str]]:
        return DARK_KIND_COLOURS if self._colours.dark else KIND_COLOURS

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """The theme changed the application palette: recolour and show the lines again."""
        super().changeEvent(event)
        if not hasattr(self, "_colours"):  # an event from the constructor, before the colours
            return
        colours = repaint_on_scheme_change(event, self._colours)
        if colours is not None:
            self._colours = colours
            self.setStyleSheet(editor_style("diffPane", colours))
            self.show_lines(self.lines)

    def show_lines(self, lines: list[DiffLine]) -> None:
        """Replace the content with `lines`, coloured by kind."""
        self.lines = lines
        self.clear()
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        for index, line in enumerate(lines):
            block = QTextBlockFormat()
            colours = self._kinds().get(line.kind)
            if colours:
                block.setBackground(QColor(colours[0]))
            if index:
                cursor.insertBlock(block, QTextCharFormat())
            else:
                cursor.setBlockFormat(block)
            self._insert_text(cursor, line)
        cursor.endEditBlock()
        self._update_margins()

    def _insert_text(self, cursor: QTextCursor, line: DiffLine) -> None:
        plain = QTextCharFormat()
        c = self._colours
        plain.setForeground(QColor(c.muted if line.kind == "fold" else c.foreground))
        if not line.spans:
            cursor.insertText(line.text, plain)
            return
        strong = QTextCharFormat(plain)
        strong.setBackground(QColor(self._kinds()[line.kind][1]))
        position = 0
        for start, end in line.spans:
            cursor.insertText(line.text[position:start], plain)
            cursor.insertText(line.text[start:end], strong)
            position = end
        cursor.insertText(line.text[position:], plain)

    def gutter_width(self) -> int:
        """Room for the number columns and the +/− mark."""
        numbers = [n for line in self.lines for n in (line.left_no, line.right_no) if n]
        digits = max(3, len(str(max(numbers, default=1))))
        return self.columns * (self.fontMetrics().horizontalAdvance("9") * digits + 12) + 18

    def _update_margins(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        self._place_gutter()

    def _place_gutter(self) -> None:
        inner = self.contentsRect()
        self._gutter.setGeometry(inner.left(), inner.top(), self.gutter_width(), inner.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        """Keep the gutter beside the text."""
        super().resizeEvent(event)
        self._place_gutter()

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def paint_gutter(self, event: QPaintEvent) -> None:
        """Numbers per column, the +/− mark, and the line's tint."""
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), QColor(self._colours.gutter_bg))
        painter.setFont(self.font())
        width = self._gutter.width()
        column = (width - 18) // self.columns
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        while block.isValid() and top <= event.rect().bottom():
            height = round(self.blockBoundingRect(block).height())
            number = block.blockNumber()
            if number < len(self.lines):
                self._paint_line(painter, self.lines[number], QRect(0, top, width, height), column)
            block, top = block.next(), top + height
        painter.end()

    def _paint_line(self, painter: QPainter, line: DiffLine, area: QRect, column: int) -> None:
        colours = self._kinds().get(line.kind)
        if colours:
            painter.fillRect(area, QColor(colours[2]))
        painter.setPen(QColor(self._colours.gutter_fg))
        numbers = (line.left_no, line.right_no) if self.columns == 2 else (_number(line),)
        for index, value in enumerate(numbers):
            if value is not None:
                cell = QRect(index * column, area.top(), column - 6, area.height())
                painter.drawText(cell, Qt.AlignmentFlag.AlignRight, str(value))
        if colours and colours[3]:
            painter.setPen(QColor(self._colours.gutter_fg if self._colours.dark else "#6d6c65"))
            mark = QRect(self.columns * column, area.top(), 14, area.height())
            painter.drawText(mark, Qt.AlignmentFlag.AlignCenter, colours[3])


def _number(line: DiffLine) -> int | None:
    return line.left_no if line.left_no is not None else line.right_no


class _PaneGutter(QWidget):
    """The gutter of a DiffPane; the pane paints it."""

    def __init__(self, pane: DiffPane) -> None:
        super().__init__(pane)
        self._pane = pane

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """As wide as the pane wants."""
        return QSize(self._pane.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        """Delegate to the pane."""
        self._pane.paint_gutter(event)
