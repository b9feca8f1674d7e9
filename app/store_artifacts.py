"""Reading artifact versions: all of a conversation's, those on the current path, the newest.

A version belongs to the branch of the message that made it; one made by no message (a hand
edit, a fix, a restore) belongs to every branch. Versions come ordered by their identifier's
first appearance, then by number.

The newest versions are what every request sends (the system prompt's "Current artifacts") and
what an edit applies to. They are chosen from the versions' numbers and makers alone, then only
they are read whole: reading every version's content cost each request ~10 ms per MB of a
game's history (a 100 KB game revised 30 times: 3 MB read to send 100 KB).

Functions here run inside the store's own reads; the Store's methods are the API.
"""

from __future__ import annotations

import sqlite3

from app import store_tree
from app.store_records import ARTIFACT_COLUMNS, ArtifactVersion, artifact_from_row

# Versions read by id per query: well under SQLite's limit on bound parameters.
_IDS_PER_QUERY = 500


def versions(
    db: sqlite3.Connection, conversation_id: int, identifier: str | None = None
) -> list[ArtifactVersion]:
    """Every version of the conversation (or of one artifact), whole, in order."""
    rows = db.execute(
        f"SELECT {ARTIFACT_COLUMNS} FROM ("
        f"  SELECT {ARTIFACT_COLUMNS}, MIN(id) OVER (PARTITION BY identifier) AS first"
        "   FROM artifact_versions WHERE conversation_id = ?"
        ") WHERE ? IS NULL OR identifier = ? ORDER BY first, version",
        (conversation_id, identifier, identifier),
    )
    return [artifact_from_row(row) for row in rows]


def path_versions(
    db: sqlite3.Connection, conversation_id: int, identifier: str | None = None
) -> list[ArtifactVersion]:
    """The versions made on the current path or by no message, whole, in order."""
    found = versions(db, conversation_id, identifier)
    on_path = store_tree.on_path(db, conversation_id, {v.message_id for v in found} - {None})
    return [v for v in found if v.message_id is None or v.message_id in on_path]


def newest_on_path(
    db: sqlite3.Connection, conversation_id: int, identifier: str | None = None
) -> list[ArtifactVersion]:
    """The newest version on the current path of each artifact (or of one), in order of first
    appearance; only those are read whole."""
    # The same order as versions(), but the inner query names its own few columns: one that
    # selected the content would materialise every version's (a window function's subquery is
    # not flattened), whatever the outer query keeps.
    rows = db.execute(
        "SELECT id, identifier, message_id FROM ("
        "  SELECT id, identifier, version, message_id, MIN(id) OVER (PARTITION BY identifier) AS"
        "   first FROM artifact_versions WHERE conversation_id = ?"
        ") WHERE ? IS NULL OR identifier = ? ORDER BY first, version",
        (conversation_id, identifier, identifier),
    ).fetchall()
    on_path = store_tree.on_path(db, conversation_id, {row[2] for row in rows} - {None})
    newest: dict[str, int] = {}  # insertion order = first appearance
    for version_id, name, message_id in rows:
        if message_id is None or message_id in on_path:
            newest[name] = version_id
    ids = list(newest.values())
    whole: dict[int, ArtifactVersion] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start : start + _IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
            f"SELECT {ARTIFACT_COLUMNS} FROM artifact_versions WHERE id IN ({marks})", chunk
        ):
            whole[row[0]] = artifact_from_row(row)
    return [whole[i] for i in ids if i in whole]
