"""The tool calls of a reply as stored: one row per call, kept in step with the loop.

A call is written when the model made it (state "waiting"), and again as it runs and ends, so
a Stop, a crash or a full disk leaves every call's last state on record. Rows go with their
message (ON DELETE CASCADE): a retried reply takes its calls with it.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from app.store import Store

STATES = ("waiting", "running", "done", "failed", "denied", "stopped")
FINAL_STATES = ("done", "failed", "denied", "stopped")
_COLUMNS = """id, message_id, step, position, call_id, name, server, tool, arguments, state,
    result, is_error, text_end, reasoning_end, reasoning_signature, duration"""


@dataclass(frozen=True)
class ToolCallRecord:
    """One tool call of a reply. name: as the model called it; tool: the server's own name."""

    id: int
    message_id: int
    step: int
    position: int
    call_id: str
    name: str
    server: str
    tool: str
    arguments: str
    state: str
    result: str
    is_error: bool
    text_end: int
    reasoning_end: int
    reasoning_signature: str
    duration: float | None

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES


def add_call(
    store: Store,
    message_id: int,
    *,
    step: int,
    position: int,
    call_id: str,
    name: str,
    server: str,
    tool: str,
    arguments: str,
    text_end: int,
    reasoning_end: int,
    reasoning_signature: str = "",
) -> ToolCallRecord:
    """Store a call the model just made, waiting to run."""

    def insert(db: sqlite3.Connection) -> int:
        cursor = db.execute(
            """INSERT INTO tool_calls (message_id, step, position, call_id, name, server, tool,
                arguments, text_end, reasoning_end, reasoning_signature, created)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                message_id,
                step,
                position,
                call_id,
                name,
                server,
                tool,
                arguments,
                text_end,
                reasoning_end,
                reasoning_signature,
                time.time(),
            ),
        )
        return int(cursor.lastrowid or 0)

    return get_call(store, store.transaction(insert))


def update_call(
    store: Store,
    record_id: int,
    *,
    state: str,
    result: str | None = None,
    is_error: bool | None = None,
    duration: float | None = None,
) -> ToolCallRecord:
    """Record a call's new state (and its result once it has one)."""
    if state not in STATES:
        raise ValueError(f"unknown tool call state {state!r}")

    def update(db: sqlite3.Connection) -> None:
        db.execute(
            """UPDATE tool_calls SET state = ?, result = COALESCE(?, result),
                is_error = COALESCE(?, is_error), duration = COALESCE(?, duration)
            WHERE id = ?""",
            (state, result, None if is_error is None else int(is_error), duration, record_id),
        )

    store.transaction(update)
    return get_call(store, record_id)


def get_call(store: Store, record_id: int) -> ToolCallRecord:
    """One call by its row id."""
    rows = store.read(f"SELECT {_COLUMNS} FROM tool_calls WHERE id = ?", (record_id,))
    if not rows:
        raise LookupError(f"tool call {record_id} does not exist")
    return _record(rows[0])


def calls_of_conversation(store: Store, conversation_id: int) -> dict[int, list[ToolCallRecord]]:
    """Every stored call of a conversation, by message id, in the order they were made."""
    rows = store.read(
        f"""SELECT {_COLUMNS} FROM tool_calls WHERE message_id IN
            (SELECT id FROM messages WHERE conversation_id = ?)
        ORDER BY message_id, step, position""",
        (conversation_id,),
    )
    out: dict[int, list[ToolCallRecord]] = {}
    for row in rows:
        record = _record(row)
        out.setdefault(record.message_id, []).append(record)
    return out


def calls_of_messages(store: Store, message_ids: list[int]) -> dict[int, list[ToolCallRecord]]:
    """The stored calls of these messages, by message id, in the order they were made."""
    marks = ",".join("?" * len(message_ids))
    rows = store.read(
        f"SELECT {_COLUMNS} FROM tool_calls WHERE message_id IN ({marks})"
        " ORDER BY message_id, step, position",
        tuple(message_ids),
    )
    out: dict[int, list[ToolCallRecord]] = {}
    for row in rows:
        record = _record(row)
        out.setdefault(record.message_id, []).append(record)
    return out


def calls_of_message(store: Store, message_id: int) -> list[ToolCallRecord]:
    """The calls of one reply, in order."""
    rows = store.read(
        f"SELECT {_COLUMNS} FROM tool_calls WHERE message_id = ? ORDER BY step, position",
        (message_id,),
    )
    return [_record(row) for row in rows]


def _record(row: tuple) -> ToolCallRecord:
    values = list(row)
    values[11] = bool(values[11])
    return ToolCallRecord(*values)


def split_steps(
    content: str, calls: list[ToolCallRecord]
) -> list[tuple[str, list[ToolCallRecord]]]:
    """A reply's text cut where its tool steps were made: (text, the calls after it) pairs.

    The last pair holds the text after the last step (and no calls).
    """
    steps: dict[int, list[ToolCallRecord]] = {}
    for call in calls:
        steps.setdefault(call.step, []).append(call)
    pieces: list[tuple[str, list[ToolCallRecord]]] = []
    start = 0
    for step_calls in steps.values():
        end = max(start, step_calls[0].text_end)
        pieces.append((content[start:end], step_calls))
        start = end
    pieces.append((content[start:], []))
    return pieces
