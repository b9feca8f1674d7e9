"""`window.storage` for artifacts: persistent per artifact, isolated, bounded (DESIGN.md §4.1).

An artifact is a conversation and an identifier (`ArtifactRef`): its versions share one storage,
which survives restarts in the history database and goes when the conversation is deleted. An
artifact outside any conversation (`render page.html`) keeps its storage in memory for the run.

Shapes are those pages written for Claude's artifacts expect: `set` → `{key, value}`, `get` →
`{key, value}` or None, `delete` → `{key, deleted}`, `list(prefix)` → `{keys}`. Values are
strings (the page JSON-encodes its own data). A quota bounds what one artifact keeps, counted
in UTF-8 bytes of keys and values; a write past it is refused with one sentence.

Writes are applied in memory at once and written to the database by `flush()`, which the caller
schedules (the window does it within half a second): a page that writes in a tight loop costs one
transaction per flush, not one per call.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass

from app.store import Store

QUOTA_BYTES = 5 * 1024 * 1024
KEY_MAX_CHARS = 1024
_KEY_PATTERN = re.compile(r"^(\d+)/(.+)$", re.S)


class StorageError(Exception):
    """A storage call that cannot be done; str() is one sentence the page receives."""


@dataclass(frozen=True)
class ArtifactRef:
    """Which artifact: its conversation (None outside any) and its identifier."""

    conversation_id: int | None
    identifier: str


def ref_for_key(key: str) -> ArtifactRef:
    """The artifact a view key (`<conversation>/<identifier>`, or any other text) stands for."""
    match = _KEY_PATTERN.match(key)
    if match is None:
        return ArtifactRef(None, key)
    return ArtifactRef(int(match.group(1)), match.group(2))


class ArtifactStorage:
    """Every artifact's storage, cached in memory; the store keeps the ones in a conversation."""

    def __init__(self, store: Store | None, quota_bytes: int = QUOTA_BYTES) -> None:
        self._store = store
        self._quota = quota_bytes
        self._cache: dict[ArtifactRef, dict[str, str]] = {}
        self._dirty: dict[ArtifactRef, set[str]] = {}
        self._used: dict[ArtifactRef, int] = {}  # bytes, kept as writes come (O(1) a call)

    # -- the page's calls -----------------------------------------------------------------------

    def get(self, ref: ArtifactRef, key: object) -> dict[str, str] | None:
        """`{key, value}` for a stored key, else None."""
        name = _key(key)
        value = self._items(ref).get(name)
        return None if value is None else {"key": name, "value": value}

    def set(self, ref: ArtifactRef, key: object, value: object) -> dict[str, str]:
        """Store `value` (a string) under `key`; refused past the quota."""
        name = _key(key)
        if not isinstance(value, str):
            raise StorageError(
                "window.storage keeps strings: store JSON.stringify(value) and JSON.parse it back."
            )
        items = self._items(ref)
        used = self._used[ref] - _entry_size(name, items.get(name)) + _entry_size(name, value)
        if used > self._quota:
            raise StorageError(
                f"This artifact's storage is full ({self._quota // (1024 * 1024)} MB): delete "
                "keys it no longer needs."
            )
        items[name] = value
        self._used[ref] = used
        self._dirty.setdefault(ref, set()).add(name)
        return {"key": name, "value": value}

    def delete(self, ref: ArtifactRef, key: object) -> dict[str, object]:
        """Remove `key`; `deleted` says whether it was there."""
        name = _key(key)
        items = self._items(ref)
        old = items.pop(name, None)
        deleted = old is not None
        if deleted:
            self._used[ref] -= _entry_size(name, old)
            self._dirty.setdefault(ref, set()).add(name)
        return {"key": name, "deleted": deleted}

    def list(self, ref: ArtifactRef, prefix: object = "") -> dict[str, list[str]]:
        """The keys, sorted, that start with `prefix`."""
        start = "" if prefix is None else str(prefix)
        return {"keys": sorted(k for k in self._items(ref) if k.startswith(start))}

    def usage(self, ref: ArtifactRef) -> int:
        """Bytes this artifact keeps (keys and values, UTF-8)."""
        self._items(ref)
        return self._used[ref]

    # -- persistence ----------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Whether writes wait for `flush()`."""
        return any(self._dirty.values())

    def flush(self) -> None:
        """Write what changed since the last flush (one transaction); on failure the changes
        stay pending and the StoreError is raised."""
        pending = {ref: keys for ref, keys in self._dirty.items() if keys}
        self._dirty = {}
        if self._store is None or not pending:
            return
        rows = [
            (ref, key, self._cache.get(ref, {}).get(key))
            for ref, keys in pending.items()
            if ref.conversation_id is not None
            for key in keys
        ]
        if not rows:
            return
        try:
            self._store.transaction(lambda db: _write(db, rows))
        except Exception:
            for ref, keys in pending.items():  # kept for the next flush (a full disk, say)
                self._dirty.setdefault(ref, set()).update(keys)
            raise

    def forget(self, conversation_id: int) -> None:
        """Drop the cache of a deleted conversation (the database cascades the rows)."""
        for ref in [r for r in self._cache if r.conversation_id == conversation_id]:
            self._cache.pop(ref, None)
            self._dirty.pop(ref, None)
            self._used.pop(ref, None)

    def _items(self, ref: ArtifactRef) -> dict[str, str]:
        items = self._cache.get(ref)
        if items is None:
            items = {}
            if self._store is not None and ref.conversation_id is not None:
                rows = self._store.read(
                    "SELECT key, value FROM artifact_storage "
                    "WHERE conversation_id = ? AND identifier = ?",
                    (ref.conversation_id, ref.identifier),
                )
                items = {str(key): str(value) for key, value in rows}
            self._cache[ref] = items
            self._used[ref] = _size(items)
        return items


def _write(db: sqlite3.Connection, rows: list[tuple[ArtifactRef, str, str | None]]) -> None:
    now = time.time()
    for ref, key, value in rows:
        where = (ref.conversation_id, ref.identifier, key)
        if value is None:
            db.execute(
                "DELETE FROM artifact_storage WHERE conversation_id = ? AND identifier = ? "
                "AND key = ?",
                where,
            )
            continue
        try:
            db.execute(
                "INSERT INTO artifact_storage VALUES (?, ?, ?, ?, ?) ON CONFLICT"
                "(conversation_id, identifier, key) DO UPDATE SET value = excluded.value, "
                "updated = excluded.updated",
                (*where, value, now),
            )
        except sqlite3.IntegrityError:
            continue  # the conversation was deleted meanwhile: nothing to keep


def _key(key: object) -> str:
    if not isinstance(key, str) or not key:
        raise StorageError("A storage key is a non-empty string.")
    if len(key) > KEY_MAX_CHARS:
        raise StorageError(f"A storage key has at most {KEY_MAX_CHARS} characters.")
    return key


def _entry_size(key: str, value: str | None) -> int:
    return 0 if value is None else len(key.encode("utf-8")) + len(value.encode("utf-8"))


def _size(items: dict[str, str]) -> int:
    return sum(_entry_size(key, value) for key, value in items.items())
