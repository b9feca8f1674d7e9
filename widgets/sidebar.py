"""The list of conversations: new, search, rename, delete; most recent first.

The list shows a page of conversations and adds the next as it is scrolled near its end, so
10,000 stored conversations cost one page of rows at start-up. While the search box holds
text, the search results (widgets/search_results.py) stand in its place.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import translate
from app.store import Conversation
from app.store_search import SearchHit
from widgets.search_results import SearchResults

# Rows added to the conversation list at a time.
PAGE = 100
# Conversations newest first: page(offset, count).
PageLoader = Callable[[int, int], list[Conversation]]


class Sidebar(QWidget):
    """Conversations, newest first, with a search box and a New chat button."""

    # The user picked a conversation to open.
    conversationSelected = Signal(int)
    # The user asked for a new, empty conversation.
    newRequested = Signal()
    # The user renamed a conversation (id, new title).
    renameRequested = Signal(int, str)
    # The user confirmed deleting a conversation.
    deleteRequested = Signal(int)
    # The search text changed ("" shows all).
    searchChanged = Signal(str)
    # A search hit was chosen: (conversation id, message id or 0 for a title).
    hitChosen = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setMinimumWidth(180)
        self.new_button = QPushButton(translate("Sidebar", "＋  New chat"), self)
        self.new_button.setObjectName("newChat")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(translate("Sidebar", "Search conversations"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("conversationList")
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setWordWrap(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        self.results = SearchResults(self)
        self.results.hide()
        layout.addWidget(self.results, 1)
        self._page: PageLoader = lambda offset, count: []
        self._more = False  # whether the last page read was full (more may follow)
        self._ids: set[int] = set()  # the conversations in the list
        self.list.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.results.hitChosen.connect(self.hitChosen)
        self.new_button.clicked.connect(self.newRequested)
        self.search.textChanged.connect(self.searchChanged)
        self.list.itemClicked.connect(self._on_clicked)
        self.list.customContextMenuRequested.connect(self._on_menu)

    def set_conversations(self, conversations: list[Conversation], current: int | None) -> None:
        """Show these conversations and highlight the current one."""
        self.set_pages(lambda offset, count: conversations[offset : offset + count], current)

    def set_pages(self, page: PageLoader, current: int | None) -> None:
        """Show the conversations `page(offset, count)` gives, a page now and the next as the
        list is scrolled near its end; highlight the current one (its page is loaded, however
        far down it is)."""
        self._show_list()
        self.list.blockSignals(True)
        self.list.clear()
        self._page, self._more, self._ids = page, True, set()
        self._add_page(current)
        while self._more and current is not None and current not in self._ids:
            self._add_page(current)
        self.list.blockSignals(False)

    def show_hits(self, hits: list[SearchHit]) -> None:
        """Show search results in place of the list ("No conversations match" for none)."""
        self.list.hide()
        self.results.show()
        self.results.show_hits(hits)

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected (Ctrl+K)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _show_list(self) -> None:
        self.results.hide()
        self.results.clear()
        self.list.show()

    def _add_page(self, current: int | None) -> None:
        conversations = self._page(self.list.count(), PAGE)
        self._more = len(conversations) == PAGE
        for conversation in conversations:
            # "New chat" is stored as the title of a chat not named yet (app/session.py).
            untitled = conversation.title in ("", "New chat")
            title = translate("Sidebar", "New chat") if untitled else conversation.title
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, conversation.id)
            item.setToolTip(title)
            self.list.addItem(item)
            self._ids.add(conversation.id)
            if conversation.id == current:
                self.list.setCurrentItem(item)

    def _on_scrolled(self, value: int) -> None:
        bar = self.list.verticalScrollBar()
        if self._more and value >= bar.maximum() - bar.pageStep():
            self._add_page(None)

    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.conversationSelected.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def _on_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        conversation_id = int(item.data(Qt.ItemDataRole.UserRole))
        title = item.text()
        # popup(), not exec(): a nested event loop would stall the asyncio tasks (qasync).
        menu = QMenu(self)
        menu.addAction(
            translate("Sidebar", "Rename…"), lambda: self.ask_rename(conversation_id, title)
        )
        menu.addAction(
            translate("Sidebar", "Delete"), lambda: self.ask_delete(conversation_id, title)
        )
        menu.popup(self.list.mapToGlobal(pos))

    def ask_rename(self, conversation_id: int, title: str) -> None:
        """Ask for a new title (a non-blocking dialog) and emit renameRequested."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(translate("Sidebar", "Rename conversation"))
        dialog.setLabelText(translate("Sidebar", "Title:"))
        dialog.setTextValue(title)

        def done(result: int) -> None:
            new = dialog.textValue().strip()
            if result and new:
                self.renameRequested.emit(conversation_id, new)

        dialog.finished.connect(done)
        dialog.open()

    def ask_delete(self, conversation_id: int, title: str) -> None:
        """Confirm (a non-blocking dialog), then emit deleteRequested."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            translate("Sidebar", "Delete conversation"),
            translate(
                "Sidebar",
                "Delete “{title}” with all its messages and artifacts? This cannot be undone.",
            ).format(title=title),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )

        def done(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.deleteRequested.emit(conversation_id)

        box.finished.connect(done)
        box.open()
