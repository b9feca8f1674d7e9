"""Compare two versions of an artifact: unified or side by side, and restore an older one.

The rows come from `app.diffing`; only the rows near a change are shown (a fold line counts the
unchanged ones in between), so a one-line edit of a 30 KB game is one short hunk. Line numbers
and the +/− marks live in a painted gutter, so text copied from the view is plain code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.diffing import Row, diff_stats, hunks, intraline_spans, side_by_side
from app.store import ArtifactVersion
from widgets.code_theme import FOREGROUND, GUTTER_BG, GUTTER_FG, editor_style, monospace_font

CONTEXT = 3  # unchanged lines shown around each change
ORIGIN_LABELS = {
    "full": "written",
    "edit": "edited",
    "hand": "your edit",
    "fix": "fixed",
    "restore": "restored",
}
# kind -> (line background, intra-line background, gutter background, mark)
KIND_COLOURS = {
    "added": ("#e8f5ea", "#bfe5c6", "#d9efdd", "+"),
    "removed": ("#fbecea", "#f4c5bf", "#f6dcd8", "−"),
    "filler": ("#f4f3ef", "", "#f0efea", ""),
    "fold": ("#f1efe9", "", "#ebe9e2", ""),
}
FOLD_FG = "#8a8a82"


@dataclass
class _Line:
    """One painted line of a pane: its text, kind, numbers and intra-line change spans."""

    text: str
    kind: str  # "same" | "added" | "removed" | "filler" | "fold"
    left_no: int | None = None
    right_no: int | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


def _fold(hidden: int) -> _Line:
    noun = "line" if hidden == 1 else "lines"
    return _Line(f"⋯  {hidden} unchanged {noun}", "fold")


def _folds(rows: list[Row], context: int) -> list[tuple[int, list[Row]]]:
    """Each hunk with the number of unchanged rows hidden before it, then (rest, [])."""
    result = []
    seen = 0
    for start, end in hunks(rows, context):
        result.append((start - seen, rows[start:end]))
        seen = end
    result.append((len(rows) - seen, []))
    return result


def unified_lines(rows: list[Row], context: int = CONTEXT) -> list[_Line]:
    """The lines of the unified view: hunks, folds between them, removals before additions."""
    lines: list[_Line] = []
    for hidden, group in _folds(rows, context):
        if hidden:
            lines.append(_fold(hidden))
        lines += _unified_group(group)
    return lines


def _unified_group(group: list[Row]) -> list[_Line]:
    lines: list[_Line] = []
    removed: list[_Line] = []
    added: list[_Line] = []
    for row in group + [Row(None, "", None, "", "same")]:  # a sentinel flushes the last run
        if row.kind == "same":
            lines += removed + added
            removed, added = [], []
            if row.left_no is not None:
                lines.append(_Line(row.right_text, "same", row.left_no, row.right_no))
            continue
        old_spans, new_spans = (
            intraline_spans(row.left_text, row.right_text) if row.kind == "changed" else ([], [])
        )
        if row.left_no is not None:
            removed.append(_Line(row.left_text, "removed", row.left_no, None, old_spans))
        if row.right_no is not None:
            added.append(_Line(row.right_text, "added", None, row.right_no, new_spans))
    return lines


def side_lines(rows: list[Row], context: int = CONTEXT) -> tuple[list[_Line], list[_Line]]:
    """The aligned lines of the left and right panes of the side-by-side view."""
    left: list[_Line] = []
    right: list[_Line] = []
    for hidden, group in _folds(rows, context):
        if hidden:
            left.append(_fold(hidden))
            right.append(_fold(hidden))
        for row in group:
            old_spans, new_spans = (
                intraline_spans(row.left_text, row.right_text)
                if row.kind == "changed"
                else ([], [])
            )
            left_kind = "same" if row.kind == "same" else "removed"
            right_kind = "same" if row.kind == "same" else "added"
            left.append(_side(row.left_no, row.left_text, left_kind, old_spans, True))
            right.append(_side(row.right_no, row.right_text, right_kind, new_spans, False))
    return left, right


def _side(
    number: int | None, text: str, kind: str, spans: list[tuple[int, int]], is_left: bool
) -> _Line:
    if number is None:
        return _Line("", "filler")
    if is_left:
        return _Line(text, kind, number, None, spans)
    return _Line(text, kind, None, number, spans)


class _DiffPane(QPlainTextEdit):
    """A read-only pane of diff lines with a gutter of line numbers (one or two columns)."""

    def __init__(self, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffPane")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(monospace_font())
        self.setStyleSheet(editor_style("diffPane"))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.columns = columns
        self.lines: list[_Line] = []
        self._gutter = _PaneGutter(self)
        self.updateRequest.connect(self._scroll_gutter)

    def show_lines(self, lines: list[_Line]) -> None:
        """Replace the content with `lines`, coloured by kind."""
        self.lines = lines
        self.clear()
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        for index, line in enumerate(lines):
            block = QTextBlockFormat()
            colours = KIND_COLOURS.get(line.kind)
            if colours:
                block.setBackground(QColor(colours[0]))
            if index:
                cursor.insertBlock(block, QTextCharFormat())
            else:
                cursor.setBlockFormat(block)
            self._insert_text(cursor, line)
        cursor.endEditBlock()
        self._update_margins()

    def _insert_text(self, cursor: QTextCursor, line: _Line) -> None:
        plain = QTextCharFormat()
        plain.setForeground(QColor(FOLD_FG if line.kind == "fold" else FOREGROUND))
        if not line.spans:
            cursor.insertText(line.text, plain)
            return
        strong = QTextCharFormat(plain)
        strong.setBackground(QColor(KIND_COLOURS[line.kind][1]))
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
        painter.fillRect(event.rect(), QColor(GUTTER_BG))
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

    def _paint_line(self, painter: QPainter, line: _Line, area: QRect, column: int) -> None:
        colours = KIND_COLOURS.get(line.kind)
        if colours:
            painter.fillRect(area, QColor(colours[2]))
        painter.setPen(QColor(GUTTER_FG))
        numbers = (line.left_no, line.right_no) if self.columns == 2 else (_number(line),)
        for index, value in enumerate(numbers):
            if value is not None:
                cell = QRect(index * column, area.top(), column - 6, area.height())
                painter.drawText(cell, Qt.AlignmentFlag.AlignRight, str(value))
        if colours and colours[3]:
            painter.setPen(QColor("#6d6c65"))
            mark = QRect(self.columns * column, area.top(), 14, area.height())
            painter.drawText(mark, Qt.AlignmentFlag.AlignCenter, colours[3])


def _number(line: _Line) -> int | None:
    return line.left_no if line.left_no is not None else line.right_no


class _PaneGutter(QWidget):
    """The gutter of a _DiffPane; the pane paints it."""

    def __init__(self, pane: _DiffPane) -> None:
        super().__init__(pane)
        self._pane = pane

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """As wide as the pane wants."""
        return QSize(self._pane.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        """Delegate to the pane."""
        self._pane.paint_gutter(event)


class _Picker(QComboBox):
    """A combo box with a drawn chevron (style sheets drop the platform arrow)."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        """The box as styled, then a small chevron at the right."""
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor("#8a8a82"), 1.4)
        painter.setPen(pen)
        x, y = self.width() - 15, self.height() // 2 - 1
        painter.drawPolyline(
            [QPointF(x - 3.5, y - 1.5), QPointF(x, y + 2), QPointF(x + 3.5, y - 1.5)]
        )
        painter.end()


def _version_label(version: ArtifactVersion, newest: int) -> str:
    origin = ORIGIN_LABELS.get(version.origin, version.origin)
    when = time.strftime("%H:%M", time.localtime(version.created))
    latest = " · latest" if version.version == newest else ""
    return f"v{version.version} · {origin} · {when}{latest}"


class DiffView(QWidget):
    """Two version pickers, the diff between them, and "Restore" for the older one."""

    # The user asked to make this version (a number) the newest again.
    restoreRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffView")
        self.versions: list[ArtifactVersion] = []
        self.rows: list[Row] = []
        self._mode = "unified"
        self.unified = _DiffPane(2, self)
        self.left_pane = _DiffPane(1, self)
        self.right_pane = _DiffPane(1, self)
        self.empty = QLabel("", self)
        self.empty.setObjectName("diffEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.unified)
        self.stack.addWidget(self._side_by_side())
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._toolbar())
        layout.addWidget(self.stack, 1)
        self._sync_scrolling()
        self.setStyleSheet(_STYLE)

    def _side_by_side(self) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(1)  # the 1 px gap shows the background as a divider
        row.addWidget(self.left_pane)
        row.addWidget(self.right_pane)
        box.setObjectName("sideBySide")
        return box

    def _toolbar(self) -> QWidget:
        bar = QWidget(self)
        bar.setObjectName("diffToolbar")
        self.from_combo = _Picker(bar)
        self.to_combo = _Picker(bar)
        arrow = QLabel("→", bar)
        arrow.setObjectName("diffArrow")
        self.unified_button = self._mode_button("Unified", bar)
        self.side_button = self._mode_button("Side by side", bar)
        self.unified_button.setChecked(True)
        group = QButtonGroup(bar)
        group.addButton(self.unified_button)
        group.addButton(self.side_button)
        self.stats = QLabel("", bar)
        self.stats.setObjectName("diffStats")
        self.stats.setTextFormat(Qt.TextFormat.RichText)
        self.restore_button = QPushButton("Restore this version", bar)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setCursor(Qt.CursorShape.PointingHandCursor)
        # Two rows (the versions compared; how, and Restore): on one row the bar demanded
        # ~770 px, which set the whole window's minimum width on a small screen.
        rows = QVBoxLayout(bar)
        rows.setContentsMargins(10, 6, 10, 6)
        rows.setSpacing(4)
        top, bottom = QHBoxLayout(), QHBoxLayout()
        for row in (top, bottom):
            row.setSpacing(6)
            rows.addLayout(row)
        for widget in (self.from_combo, arrow, self.to_combo):
            top.addWidget(widget)
        top.addStretch(1)
        for widget in (self.unified_button, self.side_button, self.stats):
            bottom.addWidget(widget)
        bottom.addStretch(1)
        bottom.addWidget(self.restore_button)
        self.from_combo.activated.connect(self._refresh)
        self.to_combo.activated.connect(self._refresh)
        self.unified_button.clicked.connect(lambda: self.set_mode("unified"))
        self.side_button.clicked.connect(lambda: self.set_mode("side"))
        self.restore_button.clicked.connect(self._restore)
        return bar

    def _mode_button(self, text: str, parent: QWidget) -> QToolButton:
        button = QToolButton(parent)
        button.setText(text)
        button.setCheckable(True)
        button.setObjectName("modeButton")
        return button

    def _sync_scrolling(self) -> None:
        for a, b in ((self.left_pane, self.right_pane), (self.right_pane, self.left_pane)):
            a.verticalScrollBar().valueChanged.connect(b.verticalScrollBar().setValue)
            a.horizontalScrollBar().valueChanged.connect(b.horizontalScrollBar().setValue)

    # -- API -----------------------------------------------------------------------------------

    def set_versions(self, versions: list[ArtifactVersion], left: int, right: int) -> None:
        """Offer `versions` (of one artifact) and compare version numbers `left` → `right`."""
        self.versions = sorted(versions, key=lambda v: v.version)
        newest = self.versions[-1].version if self.versions else 0
        for combo in (self.from_combo, self.to_combo):
            combo.clear()
            for version in self.versions:
                combo.addItem(_version_label(version, newest), version.version)
        self._select(self.from_combo, left, fallback=-2)
        self._select(self.to_combo, right, fallback=-1)
        self._refresh()

    def set_mode(self, mode: str) -> None:
        """ "unified" or "side" (side by side)."""
        if mode not in ("unified", "side"):
            raise ValueError(f"unknown diff mode {mode!r}: expected 'unified' or 'side'")
        self._mode = mode
        self.unified_button.setChecked(mode == "unified")
        self.side_button.setChecked(mode == "side")
        self._show_current()

    def mode(self) -> str:
        """The current mode: "unified" or "side"."""
        return self._mode

    def left_version(self) -> ArtifactVersion | None:
        """The version picked in "from"."""
        return self._picked(self.from_combo)

    def right_version(self) -> ArtifactVersion | None:
        """The version picked in "to"."""
        return self._picked(self.to_combo)

    def restore_target(self) -> int | None:
        """The version "Restore" would bring back: "from", unless it is the newest; then "to"."""
        newest = self.versions[-1].version if self.versions else None
        for version in (self.left_version(), self.right_version()):
            if version is not None and version.version != newest:
                return version.version
        return None

    # -- internals -----------------------------------------------------------------------------

    def _select(self, combo: QComboBox, number: int, *, fallback: int) -> None:
        index = combo.findData(number)
        if index < 0 and combo.count():
            index = max(0, combo.count() + fallback)
        combo.setCurrentIndex(index)

    def _picked(self, combo: QComboBox) -> ArtifactVersion | None:
        number = combo.currentData()
        return next((v for v in self.versions if v.version == number), None)

    def _refresh(self) -> None:
        old, new = self.left_version(), self.right_version()
        self.rows = side_by_side(old.content, new.content) if old and new else []
        added, removed = diff_stats(self.rows)
        changed = added or removed
        self.stats.setText(
            f"<span style='color:#2d7a2d'>+{added}</span>&nbsp;&nbsp;"
            f"<span style='color:#b3261e'>−{removed}</span>"
            if changed
            else ""
        )
        self.unified.show_lines(unified_lines(self.rows))
        left, right = side_lines(self.rows)
        self.left_pane.show_lines(left)
        self.right_pane.show_lines(right)
        self._update_restore()
        self._show_current()

    def has_differences(self) -> bool:
        """Whether the two picked versions differ line by line."""
        return any(row.kind != "same" for row in self.rows)

    def _show_current(self) -> None:
        old, new = self.left_version(), self.right_version()
        if old is None or new is None:
            self.empty.setText("No versions to compare yet.")
            self.stack.setCurrentWidget(self.empty)
        elif not self.has_differences():
            same = "the same version" if old.version == new.version else "identical"
            detail = "" if old.content == new.content else "<br>(only line endings differ)"
            self.empty.setText(
                f"<b>No differences</b><br><span style='color:#8a8a82'>v{old.version} and "
                f"v{new.version} are {same}.{detail}</span>"
            )
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentIndex(0 if self._mode == "unified" else 1)

    def _update_restore(self) -> None:
        target = self.restore_target()
        self.restore_button.setEnabled(target is not None)
        self.restore_button.setText(
            f"Restore v{target}" if target is not None else "Restore this version"
        )
        self.restore_button.setToolTip(
            f"Make v{target} the newest version again" if target else "This is the newest version"
        )

    def _restore(self) -> None:
        target = self.restore_target()
        if target is not None:
            self.restoreRequested.emit(target)


_STYLE = """
#diffView { background: #fafaf8; }
#diffToolbar { background: #f6f6f4; border-bottom: 1px solid #e6e6e1; }
#diffToolbar QComboBox { padding: 3px 8px; border: 1px solid #dcdbd4; border-radius: 6px;
    background: #ffffff; color: #2b2b28; min-width: 150px; }
#diffToolbar QComboBox::drop-down { border: none; width: 22px; }
#diffToolbar QComboBox QAbstractItemView { border: 1px solid #dcdbd4; background: #ffffff;
    selection-background-color: #f2d9c8; selection-color: #2b2b28; outline: none; }
#diffArrow { color: #8a8a82; padding: 0 2px; }
#diffStats { padding-left: 8px; font-weight: 600; }
#modeButton { padding: 3px 10px; border-radius: 6px; border: 1px solid transparent;
    color: #55544e; }
#modeButton:checked { background: #e4e2da; color: #2b2b28; }
#modeButton:hover:!checked { background: #efeeea; }
#restoreButton { padding: 4px 12px; border-radius: 6px; border: 1px solid #c96f3b;
    color: #c96f3b; background: #ffffff; font-weight: 600; }
#restoreButton:hover { background: #fbf1ea; }
#restoreButton:disabled { border-color: #dcdbd4; color: #b3b1a9; }
#sideBySide { background: #e6e6e1; }
#diffEmpty { color: #2b2b28; font-size: 15px; background: #fbfbfa; }
"""
