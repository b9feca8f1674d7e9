"""Renaming and deleting conversations from the sidebar, in the real window.

Each conversation has a real reply with artifact versions in a real SQLite file; the rename
and delete go through the sidebar's own context menu and dialogs, and are checked in the
store (rows gone or changed), the sidebar, the transcript and the artifact panel, and in the
other conversations, which must not change at all.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from app.store import DB_FILE
from tests.model_server import openai_text_reply
from tests.test_gui import (
    _artifact,
    _close,
    _edit,
    _send_and_wait,
    _start,
    _transcript_text,
    _type_and_send,
    _until,
)
from widgets.app import EaselApp

ALPHA = "<!DOCTYPE html><html><body><p id=a>ALPHA-ONE</p></body></html>"
BETA = "<!DOCTYPE html><html><body><p id=b>BETA-CONTENT</p></body></html>"


def titles(easel: EaselApp) -> list[str]:
    return [easel.sidebar.list.item(row).text() for row in range(easel.sidebar.list.count())]


def row_of(easel: EaselApp, conversation_id: int) -> int:
    for row in range(easel.sidebar.list.count()):
        if easel.sidebar.list.item(row).data(Qt.ItemDataRole.UserRole) == conversation_id:
            return row
    raise AssertionError(f"conversation {conversation_id} is not in the sidebar")


async def menu_action(easel: EaselApp, conversation_id: int, label: str) -> None:
    """Right-click the conversation in the sidebar and choose `label` from the menu."""
    sidebar = easel.sidebar
    item = sidebar.list.item(row_of(easel, conversation_id))
    position: QPoint = sidebar.list.visualItemRect(item).center()
    before = set(sidebar.findChildren(QMenu))
    sidebar.list.customContextMenuRequested.emit(position)
    await _until(lambda: bool(set(sidebar.findChildren(QMenu)) - before))
    (menu,) = set(sidebar.findChildren(QMenu)) - before
    action = next(a for a in menu.actions() if a.text() == label)
    action.trigger()
    menu.close()


async def dialog_of(easel: EaselApp, kind: type):
    await _until(lambda: any(d.isVisible() for d in easel.sidebar.findChildren(kind)))
    return next(d for d in easel.sidebar.findChildren(kind) if d.isVisible())


def rows(home: Path, table: str, conversation_id: int) -> int:
    """Count rows straight from the database file (not through the store's own queries)."""
    with sqlite3.connect(home / "data" / DB_FILE) as db:
        (count,) = db.execute(
            f"SELECT COUNT(*) FROM {table} WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()
    return count


async def two_conversations(easel: EaselApp) -> tuple[int, int]:
    """Alpha (an artifact in two versions) and Beta (one artifact); Beta is the one open."""
    await _send_and_wait(easel, "make alpha")
    await _send_and_wait(easel, "change alpha")
    alpha = easel.chat.conversation_id
    assert easel.panel.tab("alpha").current.version == 2
    easel.sidebar.newRequested.emit()
    await _send_and_wait(easel, "make beta")
    beta = easel.chat.conversation_id
    assert alpha != beta and easel.panel.tab("beta") is not None
    return alpha, beta


def replies() -> list:
    return [
        openai_text_reply("Alpha:\n" + _artifact("alpha", "Alpha", ALPHA)),
        openai_text_reply("Changed:\n" + _edit("alpha", "ALPHA-ONE", "ALPHA-TWO")),
        openai_text_reply("Beta:\n" + _artifact("beta", "Beta", BETA)),
    ]


def test_rename_through_the_menu_updates_store_and_sidebar_and_refuses_a_blank_name(
    qasync_loop, run_async, model_server
):
    model_server.enqueue(*replies())

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        alpha, beta = await two_conversations(easel)
        order = [c.id for c in easel.store.list_conversations()]
        beta_title = easel.store.get_conversation(beta).title

        await menu_action(easel, alpha, "Rename…")
        dialog = await dialog_of(easel, QInputDialog)
        assert dialog.textValue() == easel.store.get_conversation(alpha).title
        dialog.setTextValue("  Snake experiments  ")
        dialog.accept()
        await _until(lambda: easel.store.get_conversation(alpha).title == "Snake experiments")
        assert "Snake experiments" in titles(easel)
        assert easel.sidebar.list.item(row_of(easel, alpha)).text() == "Snake experiments"
        assert [c.id for c in easel.store.list_conversations()] == order  # the order stays
        assert easel.store.get_conversation(beta).title == beta_title
        assert easel.chat.conversation_id == beta  # the open conversation stays open

        # A blank name is refused: the title stays as it was.
        await menu_action(easel, alpha, "Rename…")
        dialog = await dialog_of(easel, QInputDialog)
        dialog.setTextValue("   ")
        dialog.accept()
        await _until(lambda: not dialog.isVisible())
        assert easel.store.get_conversation(alpha).title == "Snake experiments"
        assert easel.sidebar.list.item(row_of(easel, alpha)).text() == "Snake experiments"

        # Cancel changes nothing either.
        await menu_action(easel, alpha, "Rename…")
        dialog = await dialog_of(easel, QInputDialog)
        dialog.setTextValue("Not this")
        dialog.reject()
        await _until(lambda: not dialog.isVisible())
        assert easel.store.get_conversation(alpha).title == "Snake experiments"
        await _close(easel, task)

    run_async(scenario())


def test_delete_the_open_conversation_removes_every_row_and_clears_the_panel(
    qasync_loop, run_async, model_server, easel_home
):
    model_server.enqueue(*replies())

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        alpha, beta = await two_conversations(easel)
        beta_messages = easel.store.messages(beta)
        beta_versions = easel.store.artifact_versions(beta)
        easel.conversations.open_conversation(alpha)
        await _until(lambda: easel.panel.tab("alpha") is not None)
        assert "ALPHA" in easel.panel.tab("alpha").current.content
        assert rows(easel_home, "artifact_versions", alpha) == 2

        # Cancel first: nothing is deleted.
        await menu_action(easel, alpha, "Delete")
        box = await dialog_of(easel, QMessageBox)
        assert "cannot be undone" in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()
        await _until(lambda: not box.isVisible())
        assert easel.store.get_conversation(alpha) is not None
        assert rows(easel_home, "messages", alpha) == 4

        await menu_action(easel, alpha, "Delete")
        box = await dialog_of(easel, QMessageBox)
        box.button(QMessageBox.StandardButton.Yes).click()
        await _until(lambda: easel.store.get_conversation(alpha) is None)
        # Every row of it is gone, in the file itself.
        assert rows(easel_home, "messages", alpha) == 0
        assert rows(easel_home, "artifact_versions", alpha) == 0
        assert all(c.id != alpha for c, _ in easel.store.search("alpha"))
        # The window no longer shows it: the other conversation is open in its place.
        assert easel.chat.conversation_id == beta
        assert easel.panel.tab("alpha") is None and easel.panel.tab("beta") is not None
        assert row_of(easel, beta) == 0 and easel.sidebar.list.count() == 1
        easel.transcript.flush()
        text = await _transcript_text(easel)
        assert "make alpha" not in text and "make beta" in text
        # The other conversation is untouched.
        assert easel.store.messages(beta) == beta_messages
        assert easel.store.artifact_versions(beta) == beta_versions

        # Deleting the last one leaves an empty window, not a stale panel.
        await menu_action(easel, beta, "Delete")
        box = await dialog_of(easel, QMessageBox)
        box.button(QMessageBox.StandardButton.Yes).click()
        await _until(lambda: easel.store.list_conversations() == [])
        assert easel.chat.conversation_id is None
        assert easel.panel.tab("beta") is None and easel.panel.tabs.count() == 0
        assert easel.sidebar.list.count() == 0
        assert rows(easel_home, "artifact_versions", beta) == 0
        await _close(easel, task)

    run_async(scenario())


def test_delete_another_conversation_leaves_the_open_one_alone(
    qasync_loop, run_async, model_server, easel_home
):
    model_server.enqueue(*replies())

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        alpha, beta = await two_conversations(easel)
        tab = easel.panel.tab("beta")
        await menu_action(easel, alpha, "Delete")
        box = await dialog_of(easel, QMessageBox)
        box.button(QMessageBox.StandardButton.Yes).click()
        await _until(lambda: easel.store.get_conversation(alpha) is None)
        assert rows(easel_home, "artifact_versions", alpha) == 0
        assert easel.chat.conversation_id == beta
        assert easel.panel.tab("beta") is tab  # not reloaded: the running artifact is kept
        assert titles(easel) == [easel.store.get_conversation(beta).title]
        await _close(easel, task)

    run_async(scenario())


def test_deleting_a_conversation_while_its_reply_streams_stops_it_cleanly(
    qasync_loop, run_async, model_server, easel_home, caplog
):
    slow = "Here:\n" + _artifact("alpha", "Alpha", ALPHA + "<!--" + "x" * 3000 + "-->")
    model_server.enqueue(openai_text_reply(slow, chunk_chars=8, delay=0.01))

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        await _type_and_send(easel, "make alpha slowly")
        await _until(lambda: easel.chat.busy and easel.panel.tab("alpha") is not None)
        alpha = easel.chat.conversation_id
        await menu_action(easel, alpha, "Delete")
        box = await dialog_of(easel, QMessageBox)
        box.button(QMessageBox.StandardButton.Yes).click()
        await _until(lambda: easel.store.get_conversation(alpha) is None and not easel.chat.busy)
        await asyncio.sleep(0.5)  # anything the stopped reply still wanted to write, it has
        assert rows(easel_home, "messages", alpha) == 0
        assert rows(easel_home, "artifact_versions", alpha) == 0
        assert easel.store.list_conversations() == []
        assert easel.panel.tab("alpha") is None
        assert not [b for b in easel.window.findChildren(QMessageBox) if b.isVisible()]
        await _close(easel, task)

    run_async(scenario())
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
