"""The history's records as the store returns them: frozen values, no connection behind them.

Identity (the ids) is the store's concern; these only carry what a row holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The columns each record is made from, in its fields' order (`Record(*row)`).
MESSAGE_COLUMNS = """id, conversation_id, role, content, reasoning, status, error, model,
    provider, input_tokens, output_tokens, reasoning_seconds, finish_reason, created, updated,
    parent_id"""
ARTIFACT_COLUMNS = """id, conversation_id, identifier, version, type, title, content, origin,
    message_id, complete, created"""


@dataclass(frozen=True)
class Conversation:
    """One chat as the history lists it."""

    id: int
    title: str
    created: float
    updated: float
    provider: str | None
    model: str | None
    message_count: int = 0


@dataclass(frozen=True)
class StoredMessage:
    """One message as stored; content is the raw text exactly as the model wrote it."""

    id: int
    conversation_id: int
    role: str
    content: str
    reasoning: str
    status: str
    error: str | None
    model: str | None
    provider: str | None
    input_tokens: int | None
    output_tokens: int | None
    reasoning_seconds: float | None
    finish_reason: str | None
    created: float
    updated: float
    parent_id: int | None = None  # the message it follows (None: a root of the tree)


@dataclass(frozen=True)
class ArtifactVersion:
    """One version of one artifact; versions count 1, 2, … per (conversation, identifier)."""

    id: int
    conversation_id: int
    identifier: str
    version: int
    type: str
    title: str
    content: str
    origin: str
    message_id: int | None
    complete: bool
    created: float


def artifact_from_row(row: Any) -> ArtifactVersion:
    """An ArtifactVersion from a row of ARTIFACT_COLUMNS."""
    fields = list(row)
    fields[9] = bool(fields[9])  # complete is stored as 0/1
    return ArtifactVersion(*fields)
