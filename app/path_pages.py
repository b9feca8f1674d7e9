"""A conversation's current path read from its end, a page at a time, with what each shows.

Opening a conversation shows its newest messages first (widgets/transcript_loader.py). Reading
the whole path before that (2,000 messages, and their tool calls, files, artifact versions and
sibling groups) was most of what opening a long conversation cost before its first paint. So
the path is read upward from its leaf (`Store.path_page`), a page of messages at a time, and
each page brings only its own messages' tool calls, files, artifact versions (for their
cards) and siblings (the ‹ 2/3 › switcher): the first page costs as much for 20 messages as
for 20,000.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.attachment_model import Attachment
from app.attachment_store import attachments_of_messages
from app.store import Store
from app.store_records import ARTIFACT_COLUMNS, ArtifactVersion, StoredMessage, artifact_from_row
from app.store_tree import Siblings
from app.tools.records import ToolCallRecord, calls_of_messages

# A version's columns for its card: everything but the content.
_CARD_COLUMNS = ARTIFACT_COLUMNS.replace("content", "'' AS content")


@dataclass(frozen=True)
class PathMessage:
    """A message of the path with what the transcript shows with it."""

    message: StoredMessage
    # The artifact versions it made, in Store.artifact_versions' order (its cards, in turn),
    # without their content (''): a card shows none of it, and a 2.6 MB page revised ten times
    # was 26 MB read for ten cards.
    versions: list[ArtifactVersion]
    calls: list[ToolCallRecord]
    files: tuple[Attachment, ...]
    siblings: Siblings | None  # None: it has no siblings


class PathPages:
    """Reads one conversation's current path from the leaf up, `older(count)` at a time."""

    def __init__(self, store: Store, conversation_id: int) -> None:
        self._store = store
        self._conversation_id = conversation_id
        self._start: int | None = None  # None before the first page: the leaf
        self._done = False

    @property
    def done(self) -> bool:
        """Whether the root has been read."""
        return self._done

    def older(self, count: int) -> list[PathMessage]:
        """The next `count` messages up the path (fewer at its root), root to leaf; [] once
        the whole path has been read."""
        messages: list[StoredMessage] = []
        while not messages and not self._done:  # a damaged file may give an empty page
            messages, self._start = self._store.path_page(self._conversation_id, count, self._start)
            self._done = self._start is None
        if not messages:
            return []
        ids = [m.id for m in messages]
        calls = calls_of_messages(self._store, ids)
        files = attachments_of_messages(self._store, ids)
        versions = self._versions(ids)
        siblings = self._siblings(messages)
        return [
            PathMessage(
                m,
                versions.get(m.id, []),
                calls.get(m.id, []),
                files.get(m.id, ()),
                siblings.get(m.id),
            )
            for m in messages
        ]

    def _versions(self, ids: list[int]) -> dict[int, list[ArtifactVersion]]:
        """The versions these messages made, by message, ordered as Store.artifact_versions
        orders them (by their artifact's first version, then by number); content not read."""
        marks = ",".join("?" * len(ids))
        rows = self._store.read(
            f"SELECT {_CARD_COLUMNS} FROM artifact_versions a"
            f" WHERE a.conversation_id = ? AND a.message_id IN ({marks})"
            " ORDER BY (SELECT MIN(f.id) FROM artifact_versions f"
            "  WHERE f.conversation_id = a.conversation_id AND f.identifier = a.identifier),"
            " a.version",
            (self._conversation_id, *ids),
        )
        found: dict[int, list[ArtifactVersion]] = {}
        for row in rows:
            version = artifact_from_row(row)
            if version.message_id is not None:  # always, by the query: for the type checker
                found.setdefault(version.message_id, []).append(version)
        return found

    def _siblings(self, messages: list[StoredMessage]) -> dict[int, Siblings]:
        """For each of these messages that has siblings: where it stands among them (as
        store_tree.branch_points says for the whole path)."""
        parents = sorted({m.parent_id for m in messages if m.parent_id is not None})
        marks = ",".join("?" * len(parents))
        roots = any(m.parent_id is None for m in messages)
        rows = self._store.read(
            "SELECT id, parent_id FROM messages WHERE conversation_id = ?"
            f" AND (parent_id IN ({marks}) OR (? AND parent_id IS NULL)) ORDER BY id",
            (self._conversation_id, *parents, roots),
        )
        children: dict[int | None, list[int]] = {}
        for message_id, parent in rows:
            children.setdefault(parent, []).append(int(message_id))
        found: dict[int, Siblings] = {}
        for message in messages:
            group = children.get(message.parent_id, [])
            if len(group) > 1 and message.id in group:
                found[message.id] = Siblings(tuple(group), group.index(message.id))
        return found
