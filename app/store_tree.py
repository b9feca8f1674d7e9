"""The conversation tree: branches of messages, the current path, siblings, switching.

Each message has a parent (`parent_id`, NULL at the root); regenerating a reply or editing a
user message adds a sibling instead of replacing anything. A conversation's *current path* is
the walk from its current leaf (`conversations.current_leaf_id`) up to the root: it is what the
window shows, what exports contain and what the model is sent. When that leaf is missing (a row
written before migration m007 ran in another process, a leaf deleted by hand) the newest message
stands in for it, so a path always exists while the conversation has messages.

Switching to a sibling descends from it through the most recently visited child each time
(`messages.visited`, a counter stamped on every message of the path each time a path becomes
current; a message added at the end of the current path takes the next one alone), so the user
lands on the leaf they last saw in that branch. Parents always have smaller ids than
their children (a parent exists before its child is written); the walks rely on it to end even
in a damaged file.

Functions taking a `sqlite3.Connection` run inside the store's own queries and transactions;
the others take the Store.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.store import Store
    from app.store_records import StoredMessage


class _Leaf(Enum):
    LEAF = "leaf"


# add_message's default parent: the conversation's current leaf (the message goes at the end
# of the path on screen).
LEAF = _Leaf.LEAF
Parent = int | None | _Leaf


class BranchError(ValueError):
    """A tree operation named a message it cannot act on. str() is one sentence for the user."""


@dataclass(frozen=True)
class Siblings:
    """A message's siblings (itself included), oldest first, and where it stands among them."""

    ids: tuple[int, ...]
    index: int  # of the message in ids, from 0

    @property
    def label(self) -> str:
        """The switcher's text, e.g. "2/3"."""
        return f"{self.index + 1}/{len(self.ids)}"


# --- inside the store's connection -------------------------------------------------------------


def current_leaf(db: sqlite3.Connection, conversation_id: int) -> int | None:
    """The conversation's current leaf: the one it names if it exists, else the newest message."""
    row = db.execute(
        "SELECT m.id FROM conversations c JOIN messages m ON m.id = c.current_leaf_id "
        "AND m.conversation_id = c.id WHERE c.id = ?",
        (conversation_id,),
    ).fetchone()
    if row is not None:
        return int(row[0])
    row = db.execute(
        "SELECT MAX(id) FROM messages WHERE conversation_id = ?", (conversation_id,)
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def path_ids(db: sqlite3.Connection, conversation_id: int) -> list[int]:
    """The ids of the current path, root to leaf."""
    leaf = current_leaf(db, conversation_id)
    return [] if leaf is None else _ancestry(db, leaf)


def path_rows(db: sqlite3.Connection, conversation_id: int, columns: str) -> list[tuple[Any, ...]]:
    """The current path's messages, root to leaf, as rows of `columns` (of the messages table).

    One query: opening a 2,000-message conversation read every row of every branch and then
    the path's ids, and built a message object for each row (~2x the work).
    """
    leaf = current_leaf(db, conversation_id)
    if leaf is None:
        return []
    qualified = ", ".join(f"m.{name.strip()}" for name in columns.split(","))
    return db.execute(
        "WITH RECURSIVE up(id, parent_id, depth) AS ("
        " SELECT id, parent_id, 0 FROM messages WHERE id = ?"
        " UNION ALL SELECT m.id, m.parent_id, up.depth + 1 FROM messages m"
        " JOIN up ON m.id = up.parent_id AND m.id < up.id"
        f") SELECT {qualified} FROM up JOIN messages m ON m.id = up.id"
        " WHERE m.conversation_id = ? ORDER BY up.depth DESC",
        (leaf, conversation_id),
    ).fetchall()


def path_segment(
    db: sqlite3.Connection, conversation_id: int, count: int, start: int | None, columns: str
) -> tuple[list[tuple[Any, ...]], int | None]:
    """Up to `count` messages of the current path ending at `start` (None: at the leaf), root
    to leaf, as rows of `columns`; and where the segment before them ends (None: at the root).

    Reads only those rows: a window opening a long conversation shows its end first and the
    older messages a segment at a time (app/path_pages.py). The walk stops where path_rows
    stops, so the segments of a path together are path_rows' rows.
    """
    if start is None:
        start = current_leaf(db, conversation_id)
        if start is None:
            return [], None
    qualified = ", ".join(f"m.{name.strip()}" for name in columns.split(","))
    rows = db.execute(
        "WITH RECURSIVE up(id, parent_id, depth) AS ("
        " SELECT id, parent_id, 0 FROM messages WHERE id = ?"
        " UNION ALL SELECT m.id, m.parent_id, up.depth + 1 FROM messages m"
        " JOIN up ON m.id = up.parent_id AND m.id < up.id WHERE up.depth + 1 < ?"
        f") SELECT up.id, up.parent_id, m.conversation_id = ?, {qualified}"
        " FROM up JOIN messages m ON m.id = up.id ORDER BY up.depth DESC",
        (start, count, conversation_id),
    ).fetchall()
    if not rows:
        return [], None
    top, parent = rows[0][0], rows[0][1]
    # Where the walk would go on: the parent, unless the walk ended (the root, a damaged link).
    more = len(rows) == count and parent is not None and parent < top
    return [row[3:] for row in rows if row[2]], parent if more else None


def on_path(db: sqlite3.Connection, conversation_id: int, ids: set[int]) -> set[int]:
    """Those of `ids` that are on the current path.

    Walks up from the leaf only as far as the oldest of them (parents have smaller ids): a
    conversation whose artifacts were made near its end is not walked to its root.
    """
    leaf = current_leaf(db, conversation_id) if ids else None
    if leaf is None:
        return set()
    rows = db.execute(
        "WITH RECURSIVE up(id, parent_id) AS ("
        " SELECT id, parent_id FROM messages WHERE id = ?"
        " UNION ALL SELECT m.id, m.parent_id FROM messages m"
        " JOIN up ON m.id = up.parent_id AND m.id < up.id WHERE m.id >= ?"
        ") SELECT id FROM up",
        (leaf, min(ids)),
    ).fetchall()
    return ids & {int(row[0]) for row in rows}


def set_leaf(db: sqlite3.Connection, conversation_id: int, leaf: int | None) -> None:
    """Make `leaf` the end of the current path and stamp the path as just visited.

    A message added under the current leaf, when that leaf holds the newest stamp, takes the next
    stamp alone: the path above it is stamped already, each message of it above its siblings,
    and stamping all of it again cost every reply in a 2,000-message conversation ~10 ms.
    """
    extends = leaf is not None and _extends_current_path(db, conversation_id, leaf)
    db.execute("UPDATE conversations SET current_leaf_id = ? WHERE id = ?", (leaf, conversation_id))
    if leaf is not None:
        # A counter, not the clock: two switches in the same instant must still be ordered.
        (stamp,) = db.execute(
            "SELECT COALESCE(MAX(visited), 0) + 1 FROM messages WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchone()
        ids = [leaf] if extends else _ancestry(db, leaf)
        db.executemany("UPDATE messages SET visited = ? WHERE id = ?", [(stamp, i) for i in ids])


def _extends_current_path(db: sqlite3.Connection, conversation_id: int, leaf: int) -> bool:
    """Whether `leaf`'s parent is the conversation's current leaf and holds the newest stamp."""
    row = db.execute(
        "SELECT p.visited > 0 AND p.visited = (SELECT MAX(visited) FROM messages"
        " WHERE conversation_id = c.id) FROM conversations c"
        " JOIN messages m ON m.id = ? AND m.parent_id = c.current_leaf_id"
        " JOIN messages p ON p.id = m.parent_id AND p.conversation_id = c.id WHERE c.id = ?",
        (leaf, conversation_id),
    ).fetchone()
    return bool(row and row[0])


def delete_one(db: sqlite3.Connection, message_id: int) -> None:
    """Delete one message; its children move up to its parent, and so does a leaf."""
    row = db.execute(
        "SELECT conversation_id, parent_id FROM messages WHERE id = ?", (message_id,)
    ).fetchone()
    if row is None:
        return
    conversation_id, parent = row
    leaf = current_leaf(db, conversation_id)
    db.execute("UPDATE messages SET parent_id = ? WHERE parent_id = ?", (parent, message_id))
    db.execute("DELETE FROM messages WHERE id = ?", (message_id,))
    if leaf == message_id:
        set_leaf(db, conversation_id, parent)


def _ancestry(db: sqlite3.Connection, message_id: int) -> list[int]:
    rows = db.execute(
        "WITH RECURSIVE up(id, parent_id, depth) AS ("
        " SELECT id, parent_id, 0 FROM messages WHERE id = ?"
        " UNION ALL SELECT m.id, m.parent_id, up.depth + 1 FROM messages m"
        " JOIN up ON m.id = up.parent_id AND m.id < up.id"
        ") SELECT id FROM up ORDER BY depth DESC",
        (message_id,),
    ).fetchall()
    return [int(row[0]) for row in rows]


def _descend(db: sqlite3.Connection, message_id: int) -> int:
    """The leaf reached from a message by following its most recently visited child."""
    while True:
        row = db.execute(
            "SELECT id FROM messages WHERE parent_id = ? AND id > ? "
            "ORDER BY visited DESC, id DESC LIMIT 1",
            (message_id, message_id),
        ).fetchone()
        if row is None:
            return message_id
        message_id = int(row[0])


def _subtree(db: sqlite3.Connection, message_id: int) -> list[int]:
    rows = db.execute(
        "WITH RECURSIVE down(id) AS (SELECT ?"
        " UNION ALL SELECT m.id FROM messages m JOIN down ON m.parent_id = down.id"
        " AND m.id > down.id"
        ") SELECT id FROM down",
        (message_id,),
    ).fetchall()
    return [int(row[0]) for row in rows]


# --- on the store ------------------------------------------------------------------------------


def message_in(store: Store, conversation_id: int, message_id: int) -> StoredMessage:
    """The message, if it belongs to this conversation; else BranchError."""
    message = store.get_message(message_id)
    if message is None or message.conversation_id != conversation_id:
        raise BranchError(f"Message {message_id} is not part of conversation {conversation_id}.")
    return message


def siblings(store: Store, message_id: int) -> Siblings:
    """The messages sharing this one's parent (itself included), oldest first."""
    rows = store.read(
        "SELECT s.id FROM messages s JOIN messages m ON m.id = ? "
        "WHERE s.conversation_id = m.conversation_id AND s.parent_id IS m.parent_id "
        "ORDER BY s.id",
        (message_id,),
    )
    ids = tuple(int(row[0]) for row in rows)
    if message_id not in ids:
        raise BranchError(f"Message {message_id} does not exist.")
    return Siblings(ids, ids.index(message_id))


def branch_points(store: Store, conversation_id: int) -> dict[int, Siblings]:
    """For each message on the current path that has siblings: where it stands among them."""
    path = store.path_ids(conversation_id)
    if not path:
        return {}
    rows = store.read(
        "SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY id",
        (conversation_id,),
    )
    children: dict[int | None, list[int]] = {}
    for message_id, parent in rows:
        children.setdefault(parent, []).append(int(message_id))
    found: dict[int, Siblings] = {}
    parents = [None, *path[:-1]]
    for message_id, parent in zip(path, parents, strict=True):
        group = children.get(parent, [])
        if len(group) > 1 and message_id in group:
            found[message_id] = Siblings(tuple(group), group.index(message_id))
    return found


def make_current(store: Store, message_id: int) -> int:
    """Show the branch through this message: down to the leaf last visited under it.

    Returns the new leaf. A search hit on another branch is shown this way.
    """
    message = store.get_message(message_id)
    if message is None:
        raise BranchError(f"Message {message_id} does not exist.")

    def work(db: sqlite3.Connection) -> int:
        leaf = _descend(db, message_id)
        set_leaf(db, message.conversation_id, leaf)
        return leaf

    return store.transaction(work)


def end_path_at(store: Store, message_id: int) -> None:
    """Make this very message the end of the current path (the next message goes under it)."""
    message = store.get_message(message_id)
    if message is None:
        raise BranchError(f"Message {message_id} does not exist.")
    store.transaction(lambda db: set_leaf(db, message.conversation_id, message_id))


def switch_sibling(store: Store, message_id: int, step: int) -> int:
    """Move from this message to the sibling `step` places away (clamped); the new leaf."""
    group = siblings(store, message_id)
    target = group.ids[max(0, min(len(group.ids) - 1, group.index + step))]
    return make_current(store, target)


def add_child(
    store: Store, conversation_id: int, parent_id: int | None, role: str, content: str
) -> StoredMessage:
    """A message under `parent_id` (None: a new root); it becomes the current leaf."""
    if parent_id is not None:
        message_in(store, conversation_id, parent_id)
    return store.add_message(conversation_id, role, content, parent_id=parent_id)


def delete_branch(store: Store, message_id: int) -> None:
    """Delete a message and everything under it, with the artifact versions and tool calls
    they made. If the current path ran through it, the path moves to the parent's most
    recently visited remaining branch (or the most recent remaining root)."""
    message = store.get_message(message_id)
    if message is None:
        return
    conversation_id = message.conversation_id

    def work(db: sqlite3.Connection) -> None:
        leaf = current_leaf(db, conversation_id)
        ids = _subtree(db, message_id)
        marks = ",".join("?" * len(ids))
        db.execute(f"DELETE FROM artifact_versions WHERE message_id IN ({marks})", ids)
        # tool_calls go with their messages (ON DELETE CASCADE).
        db.execute(f"DELETE FROM messages WHERE id IN ({marks})", ids)
        if leaf is not None and leaf not in ids:
            return
        start = message.parent_id
        if start is None:
            row = db.execute(
                "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL "
                "ORDER BY visited DESC, id DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
            start = None if row is None else int(row[0])
        set_leaf(db, conversation_id, None if start is None else _descend(db, start))

    store.transaction(work)
    store.deleted()


def all_messages(store: Store, conversation_id: int) -> list[StoredMessage]:
    """Every message of every branch, in the order they were written."""
    return store.all_messages(conversation_id)
