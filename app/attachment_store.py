"""Attachments in the history database (table `attachments`, migration m009).

Files are stored with the user message they were sent with, in the order they were attached;
deleting the message or the conversation deletes them (foreign keys, ON DELETE CASCADE). An
artifact reads them by name through `read_attached_file`: only files of its own conversation,
matched exactly by name (the latest one when a name was attached twice), so `../x` or an
absolute path finds nothing.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from app.attachment_model import Attachment
from app.attachments import safe_name
from app.store import Store

if TYPE_CHECKING:  # the artifacts' bridge is made at the first artifact, not at start-up
    from app.artifact_bridge import FileReader
    from app.artifact_storage import ArtifactRef

_COLUMNS = "name, mime, kind, data, text, pages, width, height"


def save_attachments(
    store: Store, conversation_id: int, message_id: int, attachments: Iterable[Attachment]
) -> None:
    """Store the files sent with a user message, in one transaction."""
    now = time.time()
    rows = [
        (
            conversation_id,
            message_id,
            position,
            a.name,
            a.mime,
            a.kind,
            a.data,
            a.text,
            a.pages,
            a.width,
            a.height,
            now,
        )
        for position, a in enumerate(attachments)
    ]
    if not rows:
        return

    def insert(db: sqlite3.Connection) -> None:
        db.executemany(
            "INSERT INTO attachments (conversation_id, message_id, position, "
            f"{_COLUMNS}, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    store.transaction(insert)


def attachments_of_message(store: Store, message_id: int) -> tuple[Attachment, ...]:
    """The files sent with one message, in the order they were attached."""
    rows = store.read(
        f"SELECT {_COLUMNS} FROM attachments WHERE message_id = ? ORDER BY position",
        (message_id,),
    )
    return tuple(_attachment(row) for row in rows)


def attachments_of_conversation(store: Store, conversation_id: int) -> dict[int, tuple]:
    """message id -> its files, for every message of the conversation that has some."""
    rows = store.read(
        f"SELECT message_id, {_COLUMNS} FROM attachments WHERE conversation_id = ? "
        "ORDER BY message_id, position",
        (conversation_id,),
    )
    found: dict[int, list[Attachment]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(_attachment(row[1:]))
    return {message_id: tuple(files) for message_id, files in found.items()}


def attachments_of_messages(store: Store, message_ids: list[int]) -> dict[int, tuple]:
    """message id -> its files, for those of these messages that have some."""
    marks = ",".join("?" * len(message_ids))
    rows = store.read(
        f"SELECT message_id, {_COLUMNS} FROM attachments WHERE message_id IN ({marks}) "
        "ORDER BY message_id, position",
        tuple(message_ids),
    )
    found: dict[int, list[Attachment]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(_attachment(row[1:]))
    return {message_id: tuple(files) for message_id, files in found.items()}


def attached_names(store: Store, conversation_id: int) -> list[str]:
    """The names of the conversation's files, each once, in the order first attached."""
    rows = store.read(
        "SELECT name FROM attachments WHERE conversation_id = ? GROUP BY name ORDER BY MIN(id)",
        (conversation_id,),
    )
    return [row[0] for row in rows]


def read_attached_file(store: Store, conversation_id: int, name: str) -> bytes | None:
    """The bytes of the conversation's file called exactly `name` (the latest), else None."""
    rows = store.read(
        "SELECT data FROM attachments WHERE conversation_id = ? AND name = ? "
        "ORDER BY id DESC LIMIT 1",
        (conversation_id, name),
    )
    return bytes(rows[0][0]) if rows else None


def file_reader(store: Store) -> FileReader:
    """window.fs.readFile for the artifact bridge: the artifact's own conversation's files.

    A name that is not a plain file name (`../x`, `/etc/passwd`, `a/b`) is refused before the
    database is asked, though no stored name could match it (names are stored reduced).
    """

    def read(ref: ArtifactRef, name: str) -> bytes | None:
        if ref.conversation_id is None or safe_name(name) != name:
            return None
        return read_attached_file(store, ref.conversation_id, name)

    return read


def _attachment(row: tuple) -> Attachment:
    name, mime, kind, data, text, pages, width, height = row
    return Attachment(name, mime, kind, bytes(data), text, pages, width, height)
