"""The artifact's Code view: an editor with line numbers, highlighting and a find bar.

The highlighting itself is `widgets.code_highlighter`; the find bar is `widgets.find_bar`.

Large artifacts: highlighting runs on the GUI thread, line by line, and a 5 MB page froze the
window for seconds. Text longer than `MAX_HIGHLIGHTED_CHARS` is shown plain (the highlighter is
detached, so not one line of it is lexed), also when a stream grows past the limit. Appending
a streamed chunk costs the chunk, not the whole text: the clean text is kept as its pieces and
joined only when an edit needs comparing. A hidden editor keeps a text it is given and lays it
out when it is first shown: the artifact panel gives every tab its version's code, but shows
the page, and laying out a 2.6 MB page's code froze the window 0.85 s each time a conversation
holding it was opened.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from widgets.code_highlighter import LANGUAGES, PygmentsHighlighter
from widgets.code_theme import (
    CodeColours,
    colours_for,
    editor_style,
    monospace_font,
    repaint_on_scheme_change,
)
from widgets.find_bar import FindBar

INDENT = "  "
# Longer text is shown without colours: highlighting it would stall the event loop.
MAX_HIGHLIGHTED_CHARS = 500_000
MAX_HIGHLIGHTS = 2000  # find matches painted at once; more are counted, not painted


class _Gutter(QWidget):
    """The line numbers beside the editor; painted by the editor, which knows the geometry."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        """As wide as the largest line number."""
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        """Delegate to the editor."""
        self._editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """A code editor for an artifact's source: set_text(), text(), set_language(type)."""

    # Whether the text differs from what set_text() (or mark_clean()) last loaded.
    modifiedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeEditor")
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(monospace_font())
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        self._colours: CodeColours = colours_for(QGuiApplication.palette())
        self.setStyleSheet(editor_style("codeEditor", self._colours))
        # The clean text, as the pieces it arrived in (joined only when an edit is compared).
        self._loaded_parts: list[str] = []
        self._length = 0  # characters of the clean text
        self._loading = False  # set_text or append_text is changing the text, not the user
        self._pending: str | None = None  # given while hidden: laid out when first shown
        self._modified = False
        self._matches: list[QTextCursor] = []
        self._match_capped = False
        self._current_match = -1
        self.highlighter = PygmentsHighlighter(self.document(), dark=self._colours.dark)
        self._gutter = _Gutter(self)
        self.find_bar = FindBar(self)
        self.find_bar.hide()
        self._refind = QTimer(self)
        self._refind.setSingleShot(True)
        self._refind.setInterval(150)  # re-count matches once typing pauses, not per keystroke
        self._wire()
        self._update_gutter_width()
        self._highlight_current_line()

    def _wire(self) -> None:
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._scroll_gutter)
        self.cursorPositionChanged.connect(self._highlight_current_line)
        self.document().contentsChanged.connect(self._on_contents_changed)
        self.find_bar.queryChanged.connect(self._on_query)
        self.find_bar.nextRequested.connect(self.find_next)
        self.find_bar.previousRequested.connect(self.find_previous)
        self.find_bar.closed.connect(self.close_find)
        self._refind.timeout.connect(lambda: self._search(keep_position=True))
        scope = Qt.ShortcutContext.WidgetWithChildrenShortcut
        bindings = (
            (QKeySequence.StandardKey.Find, self.show_find),
            (QKeySequence.StandardKey.FindNext, self.find_next),
            (QKeySequence.StandardKey.FindPrevious, self.find_previous),
        )
        for key, slot in bindings:
            QShortcut(key, self, slot, context=scope)

    # -- content -------------------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Load `text` as the unmodified content (clears undo history); while the editor is
        hidden it is only kept, and laid out when the editor is first shown."""
        if self.isVisible():
            self._pending = None
            self._lay_out(text)
            return
        self._pending = text
        self._loaded_parts = [text]
        self._length = len(text)
        self._clean()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        """A text given while hidden is laid out now, before the first paint."""
        self._load_pending()
        super().showEvent(event)

    def _load_pending(self) -> None:
        if self._pending is not None:
            text, self._pending = self._pending, None
            self._lay_out(text)

    def _lay_out(self, text: str) -> None:
        self._highlight_if_small(len(text))
        self.highlighter.restart()
        self._loading = True
        try:
            self.setPlainText(text)
        finally:
            self._loading = False
        self._loaded_parts = [text]
        self._length = len(text)
        self._clean()

    def is_highlighted(self) -> bool:
        """Whether the text is coloured (it is not beyond MAX_HIGHLIGHTED_CHARS)."""
        if self._pending is not None:
            return len(self._pending) <= MAX_HIGHLIGHTED_CHARS
        return self.highlighter.document() is not None

    def _highlight_if_small(self, length: int) -> None:
        # Detached before a large text arrives, so Qt never asks for one line of it.
        small = length <= MAX_HIGHLIGHTED_CHARS
        if small and not self.is_highlighted():
            self.highlighter.setDocument(self.document())
        elif not small and self.is_highlighted():
            self.highlighter.setDocument(None)

    def text(self) -> str:
        """The content exactly as typed (no-break spaces kept, lines joined by "\\n")."""
        self._load_pending()  # asked while hidden: laid out now, as Qt reads line ends
        return self.document().toRawText().replace("\u2029", "\n")

    def append_text(self, chunk: str) -> None:
        """Append streamed text at the end, following it if the view was at the bottom."""
        self._load_pending()
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 2
        document = self.document()
        if not self._modified:
            self._highlight_if_small(self._length + len(chunk))
        document.setUndoRedoEnabled(False)  # a stream is not something to undo
        cursor = QTextCursor(document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        self._loading = not self._modified
        try:
            cursor.insertText(chunk)
        finally:
            self._loading = False
        document.setUndoRedoEnabled(True)
        if self._modified:
            self.mark_clean()
        else:
            self._loaded_parts.append(chunk)
            self._length += len(chunk)
            self._clean()
        if at_bottom:
            bar.setValue(bar.maximum())

    def mark_clean(self) -> None:
        """Take the current text as the loaded one (after Run stored it as a version)."""
        text = self.text()
        self._loaded_parts = [text]
        self._length = len(text)
        self._clean()

    def _clean(self) -> None:
        self.document().setModified(False)
        self._set_modified(False)

    def _loaded(self) -> str:
        if len(self._loaded_parts) > 1:
            self._loaded_parts = ["".join(self._loaded_parts)]
        return self._loaded_parts[0] if self._loaded_parts else ""

    def is_modified(self) -> bool:
        """Whether the text differs from the loaded one."""
        return self._modified

    def set_language(self, type: str) -> None:  # noqa: A002 (the artifact attribute's name)
        """Highlight as the artifact type says ("text/html", "image/svg+xml", …)."""
        self.highlighter.set_language(LANGUAGES.get(type.split(";")[0].strip().lower(), "text"))

    def set_read_only(self, read_only: bool) -> None:
        """Read-only while an artifact streams; find and copy still work."""
        self.setReadOnly(read_only)
        self._highlight_current_line()

    def go_to_line(self, line: int) -> None:
        """Put the cursor at the start of 1-based `line` and show it in the middle."""
        self._load_pending()
        block = self.document().findBlockByNumber(max(0, line - 1))
        if block.isValid():
            self.setTextCursor(QTextCursor(block))
            self.centerCursor()

    def _on_contents_changed(self) -> None:
        if self._loading:
            return  # the text being loaded is the clean text: nothing to compare
        # The cheap flag first: only an edited document is compared with the loaded text.
        self._set_modified(self.document().isModified() and self.text() != self._loaded())
        if self.find_bar.isVisible() and self.find_bar.field.text():
            self._refind.start()

    def _set_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    # -- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        """Tab indents by two spaces, Shift+Tab outdents, Enter keeps the indentation."""
        key = event.key()
        if self.isReadOnly() or event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if key == Qt.Key.Key_Escape and self.find_bar.isVisible():
                self.close_find()
                return
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_Tab:
            self._indent()
        elif key == Qt.Key.Key_Backtab:
            self._outdent()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            line = self.textCursor().block().text()
            self.textCursor().insertText("\n" + line[: len(line) - len(line.lstrip(" \t"))])
            self.ensureCursorVisible()
        elif key == Qt.Key.Key_Escape and self.find_bar.isVisible():
            self.close_find()
        else:
            super().keyPressEvent(event)

    def _selected_blocks(self) -> Iterator[QTextCursor]:
        cursor = self.textCursor()
        first = self.document().findBlock(cursor.selectionStart())
        last = self.document().findBlock(cursor.selectionEnd())
        block = first
        while block.isValid():
            yield QTextCursor(block)
            if block == last:
                break
            block = block.next()

    def _indent(self) -> None:
        cursor = self.textCursor()
        first = self.document().findBlock(cursor.selectionStart())
        if not cursor.hasSelection() or first == self.document().findBlock(cursor.selectionEnd()):
            cursor.insertText(INDENT)
            return
        cursor.beginEditBlock()
        for line in self._selected_blocks():
            line.insertText(INDENT)
        cursor.endEditBlock()

    def _outdent(self) -> None:
        cursor = self.textCursor()
        cursor.beginEditBlock()
        for line in self._selected_blocks():
            text = line.block().text()
            spaces = len(text) - len(text.lstrip(" "))
            for _ in range(min(spaces, len(INDENT))):
                line.deleteChar()
        cursor.endEditBlock()

    # -- gutter --------------------------------------------------------------------------------

    def gutter_width(self) -> int:
        """Pixels for the widest line number plus padding."""
        digits = max(3, len(str(max(1, self.blockCount()))))
        return 22 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_gutter_width(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        """Keep the gutter beside the text and the find bar at the top right."""
        super().resizeEvent(event)
        inner = self.contentsRect()
        self._gutter.setGeometry(inner.left(), inner.top(), self.gutter_width(), inner.height())
        self._place_find_bar()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        """The theme changed the application palette: recolour the text, gutter and tokens."""
        super().changeEvent(event)
        if not hasattr(self, "_colours"):  # an event from the constructor, before the colours
            return
        colours = repaint_on_scheme_change(event, self._colours)
        if colours is not None:
            self._colours = colours
            self.setStyleSheet(editor_style("codeEditor", colours))
            self.highlighter.set_dark(colours.dark)
            self._highlight_current_line()

    def paint_gutter(self, event: QPaintEvent) -> None:
        """Paint the line numbers of the visible blocks; the current one darker."""
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), QColor(self._colours.gutter_bg))
        right = self._gutter.width() - 1
        painter.setPen(QColor(self._colours.gutter_border))
        painter.drawLine(right, event.rect().top(), right, event.rect().bottom())
        painter.setFont(self.font())
        current = self.textCursor().blockNumber()
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                number = block.blockNumber()
                c = self._colours
                painter.setPen(QColor(c.foreground if number == current else c.gutter_fg))
                area = QRect(0, top, self._gutter.width() - 12, height)
                painter.drawText(area, Qt.AlignmentFlag.AlignRight, str(number + 1))
            block, top = block.next(), bottom
        painter.end()

    # -- highlights ----------------------------------------------------------------------------

    def _highlight_current_line(self) -> None:
        selections = []
        if not self.isReadOnly() or self.hasFocus():
            line = QTextEdit.ExtraSelection()
            line.format.setBackground(QColor(self._colours.current_line))
            line.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            line.cursor = self.textCursor()
            line.cursor.clearSelection()
            selections.append(line)
        for index, match in enumerate(self._matches[:MAX_HIGHLIGHTS]):
            found = QTextEdit.ExtraSelection()
            c = self._colours
            colour = c.current_match if index == self._current_match else c.match
            found.format.setBackground(QColor(colour))
            found.cursor = match
            selections.append(found)
        self.setExtraSelections(selections)
        self._gutter.update()

    # -- find ----------------------------------------------------------------------------------

    def show_find(self) -> None:
        """Open the find bar, seeded with the selected text, and focus it."""
        selected = self.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_bar.field.setText(selected)
        self.find_bar.show()
        self._place_find_bar()
        self.find_bar.field.setFocus()
        self.find_bar.field.selectAll()
        self._search(keep_position=True)

    def close_find(self) -> None:
        """Hide the find bar, clear the match highlights, return focus to the text."""
        self.find_bar.hide()
        self._matches = []
        self._current_match = -1
        self._highlight_current_line()
        self.setFocus()

    def match_count(self) -> int:
        """How many matches the find bar's query has (up to the cap)."""
        return len(self._matches)

    def find_next(self) -> None:
        """Select the next match, wrapping at the end."""
        self._step(1)

    def find_previous(self) -> None:
        """Select the previous match, wrapping at the start."""
        self._step(-1)

    def _place_find_bar(self) -> None:
        if not self.find_bar.isVisible():
            return
        self.find_bar.adjustSize()
        area = self.viewport().geometry()
        x = area.right() - self.find_bar.width() - 10
        self.find_bar.move(max(area.left(), x), area.top() + 8)
        self.find_bar.raise_()

    def _on_query(self, _query: str) -> None:
        self._search(keep_position=False)

    def _search(self, *, keep_position: bool) -> None:
        """Find every match of the query (case-insensitive), then pick the one at the cursor."""
        query = self.find_bar.field.text()
        self._matches, self._current_match = [], -1
        cursor = QTextCursor(self.document())
        while query and len(self._matches) <= MAX_HIGHLIGHTS * 5:
            cursor = self.document().find(query, cursor)
            if cursor.isNull():
                break
            self._matches.append(QTextCursor(cursor))
        self._match_capped = len(self._matches) > MAX_HIGHLIGHTS * 5
        if self._matches:
            anchor = self.textCursor().selectionStart()
            after = [i for i, m in enumerate(self._matches) if m.selectionStart() >= anchor]
            self._current_match = after[0] if after else 0
            if not keep_position:
                self._select_current()
        self._update_count()
        self._highlight_current_line()

    def _step(self, direction: int) -> None:
        if not self.find_bar.isVisible():
            self.show_find()
        if not self._matches:
            return
        if self._current_match < 0 or self.textCursor().hasSelection():
            self._current_match = (self._current_match + direction) % len(self._matches)
        self._select_current()
        self._update_count()
        self._highlight_current_line()

    def _select_current(self) -> None:
        match = self._matches[self._current_match]
        self.setTextCursor(QTextCursor(match))
        self.centerCursor()

    def _update_count(self) -> None:
        self.find_bar.set_count(self._current_match + 1, len(self._matches), self._match_capped)
        self._place_find_bar()
