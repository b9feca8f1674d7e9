"""Files written whole or not at all: a temporary file beside the target, then one rename.

A reader sees the old file or the new one, never half of either, and a write that fails
(no such folder, no permission, a full disk) leaves the target untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
