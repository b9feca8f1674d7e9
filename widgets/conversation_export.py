"""File → Export conversation: Markdown or one HTML page, saved where the user last exported.

The dialog opens in the folder of the last export (widgets/file_folders.py), a failure to write
is one sentence in a box, and a written file is confirmed with "Show in folder". The store is
read at once; the document is made on a worker thread (a 2,000-message conversation's page
took the window 1-2 s), then written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QWidget

from app.i18n import translate
from app.store import Conversation, Store
from app.transcript_export import ReadConversation, markdown_text, page_html, read_conversation
from widgets.file_folders import FileFolders
from widgets.page_files import tell_failure, write_page

log = logging.getLogger(__name__)
# Exports being made: a task the loop holds only weakly would be collected mid-way.
_running: set[asyncio.Task[None]] = set()


def export_conversation(
    parent: QWidget, folders: FileFolders, store: Store, conversation: Conversation, kind: str
) -> None:
    """Ask where, then write the conversation as Markdown ("md") or as a web page ("html")."""
    name = f"{_file_stem(conversation.title)}.{kind}"
    if kind == "md":
        filters = [translate("ConversationExport", "Markdown (*.md)")]
    else:
        filters = [translate("ConversationExport", "Web page (*.html)")]
    render = markdown_text if kind == "md" else page_html

    def chosen(path: Path, _filter: str) -> None:
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(f"{path.name}.{kind}")
        task = asyncio.ensure_future(
            _write_rendered(parent, path, render, read_conversation(store, conversation))
        )
        _running.add(task)
        task.add_done_callback(_running.discard)

    title = translate("ConversationExport", "Export conversation")
    folders.save_dialog(parent, "export", title, name, filters, chosen)


async def _write_rendered(
    parent: QWidget, path: Path, render: Callable[[ReadConversation], str], read: ReadConversation
) -> None:
    """Make the document on a worker thread, then write it (or say why it could not be)."""
    try:
        text = await asyncio.to_thread(render, read)
    except Exception as error:  # noqa: BLE001 - a failed export is said, never lost silently
        log.error("exporting %s failed", path, exc_info=error)
        if shiboken6.isValid(parent):
            tell_failure(parent, path, str(error) or type(error).__name__)
        return
    if shiboken6.isValid(parent):  # the window may have closed meanwhile
        write_page(parent, path, text)


def _file_stem(title: str) -> str:
    """The title as a file name: no folder separators, never empty."""
    stem = title.replace("/", "-").replace("\\", "-").strip(" .")
    return stem or "conversation"
