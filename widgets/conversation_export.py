"""File → Export conversation: Markdown or one HTML page, saved where the user last exported.

The dialog opens in the folder of the last export (widgets/file_folders.py), a failure to write
is one sentence in a box, and a written file is confirmed with "Show in folder".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.i18n import translate
from app.store import Conversation, Store
from app.transcript_export import conversation_html, conversation_markdown
from widgets.file_folders import FileFolders
from widgets.page_files import write_page


def export_conversation(
    parent: QWidget, folders: FileFolders, store: Store, conversation: Conversation, kind: str
) -> None:
    """Ask where, then write the conversation as Markdown ("md") or as a web page ("html")."""
    name = f"{_file_stem(conversation.title)}.{kind}"
    if kind == "md":
        filters = [translate("ConversationExport", "Markdown (*.md)")]
    else:
        filters = [translate("ConversationExport", "Web page (*.html)")]
    render = conversation_markdown if kind == "md" else conversation_html

    def chosen(path: Path, _filter: str) -> None:
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(f"{path.name}.{kind}")
        write_page(parent, path, render(store, conversation))

    title = translate("ConversationExport", "Export conversation")
    folders.save_dialog(parent, "export", title, name, filters, chosen)


def _file_stem(title: str) -> str:
    """The title as a file name: no folder separators, never empty."""
    stem = title.replace("/", "-").replace("\\", "-").strip(" .")
    return stem or "conversation"
