"""What the user does to whole conversations: open, rename, delete, export, search hits.

The sidebar's and the File menu's commands; the conversation on screen is the chat
controller's, and the store is the one it uses (EaselApp may swap it for an empty history).
"""

from __future__ import annotations

from collections.abc import Callable

from app import store_tree
from app.store import Conversation, Store
from widgets.chat import ChatController
from widgets.file_folders import FileFolders
from widgets.main_window import MainWindow
from widgets.sidebar import Sidebar


class ConversationCommands:
    """The sidebar's list and search, and opening, renaming, deleting and exporting."""

    def __init__(
        self,
        chat: ChatController,
        sidebar: Sidebar,
        forget_storage: Callable[[int], None],
        window: MainWindow,
        folders: FileFolders,
    ) -> None:
        self.chat = chat
        self.folders = folders  # the export dialog opens in the last folder used
        self.sidebar = sidebar
        self.forget_storage = forget_storage  # a deleted conversation's artifacts' storage
        self.window = window

    @property
    def store(self) -> Store:
        """The history in use (the chat controller's)."""
        return self.chat.store

    def refresh_sidebar(self) -> None:
        """List conversations newest first, a page at a time; or the search box's hits."""
        query = self.sidebar.search.text().strip()
        if query:
            self.sidebar.show_hits(self.store.search_hits(query))
        else:
            self.sidebar.set_pages(self._conversation_page, self.chat.conversation_id)

    def _conversation_page(self, offset: int, count: int) -> list[Conversation]:
        return self.store.list_conversations(count, offset)

    def open_hit(self, conversation_id: int, message_id: int) -> None:
        """Open a search hit's conversation at its message (0: a title hit, at the end)."""
        hit = self.store.get_message(message_id) if message_id else None
        if hit is not None and hit.conversation_id == conversation_id:
            store_tree.make_current(self.store, message_id)  # a hit on another branch: shown
        self.chat.open(conversation_id)
        if hit is not None:
            self.chat.reveal(message_id)

    def open_conversation(self, conversation_id: int) -> None:
        """Show a stored conversation."""
        self.chat.open(conversation_id)
        self.refresh_sidebar()

    def rename(self, conversation_id: int, title: str) -> None:
        """Give a conversation another title."""
        self.store.rename_conversation(conversation_id, title)
        self.refresh_sidebar()

    def delete(self, conversation_id: int) -> None:
        """Delete a conversation (and its artifacts' storage); show another if it was on."""
        self.store.delete_conversation(conversation_id)
        self.forget_storage(conversation_id)
        if self.chat.conversation_id == conversation_id:
            remaining = self.store.list_conversations(limit=1)
            self.chat.open(remaining[0].id if remaining else None)
        self.refresh_sidebar()

    def export_conversation(self, kind: str) -> None:
        """Save the conversation on screen as Markdown or as one HTML page."""
        conversation_id = self.chat.conversation_id
        conversation = self.store.get_conversation(conversation_id) if conversation_id else None
        if conversation is not None:
            from widgets.conversation_export import export_conversation  # deferred: warm_up

            export_conversation(self.window, self.folders, self.store, conversation, kind)
