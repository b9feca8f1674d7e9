"""Files written whole or not at all: a temporary file beside the target, then one rename.

A reader sees the old file or the new one, never half of either, and a write that fails
(no such folder, no permission, a full disk) leaves the target untouched. A sealed file also
carries a header of the writer's choosing and a digest of its body, so that a reader can tell
a file meant for it, whole and undamaged, from anything else.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (a temporary file, then a rename).

    Raises OSError (no such folder, no permission, disk full); the file is then untouched.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_sealed(path: Path, header: bytes, body: bytes) -> None:
    """Keep `body` in `path` behind `header` and a SHA-256 of it (see read_sealed), replacing
    the file whole; the folder is made if need be. Raises OSError as write_file does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, header + hashlib.sha256(body).digest() + body)


def read_sealed(path: Path, header: bytes) -> bytes | None:
    """The body write_sealed kept in `path`; None when the file is missing or unreadable, was
    written with another header, or is torn or damaged (its digest no longer matches)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest_end = len(header) + hashlib.sha256().digest_size
    body = data[digest_end:]
    if (
        data[: len(header)] != header
        or data[len(header) : digest_end] != hashlib.sha256(body).digest()
    ):
        return None
    return body


def write_sealed_dict(path: Path, header: bytes, value: dict[Any, Any]) -> None:
    """Keep `value` (of what marshal writes: strings, numbers, containers, code) sealed in
    `path`. Raises OSError as write_file does."""
    write_sealed(path, header, marshal.dumps(value))


def read_sealed_dict(path: Path, header: bytes) -> dict[Any, Any]:
    """The dict write_sealed_dict kept in `path`; empty when there is none to read (see
    read_sealed), or when what is there is not a dict marshal can read."""
    body = read_sealed(path, header)
    if body is None:
        return {}
    try:
        value = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}
