"""Files Easel hands to another program (the system browser) without a shared, guessable path.

A fixed folder such as `/tmp/easel-open/` can be planted by another user of the machine: a
symlink there would make Easel write through it (over a file of the victim's choosing), and a
readable file would show the page to everyone. Each file therefore goes into a fresh folder
from `tempfile.mkdtemp` (mode 0700, a random name) and is created with `O_CREAT | O_EXCL |
O_NOFOLLOW` and mode 0600: it is always a new file, never an existing one or a link's target.
The folder stays after the call: the browser reads the file later, at its own pace.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_FLAGS = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
_FALLBACK_NAME = "page.html"


def write_private_file(name: str, text: str, *, parent: Path | None = None) -> Path:
    """Write `text` (UTF-8) to a new file called `name` in a new private folder; its path.

    parent: where the private folder is made (the system's temporary folder by default).
    Raises OSError when the file cannot be written.
    """
    folder = Path(tempfile.mkdtemp(prefix="easel-open-", dir=parent))
    path = folder / _safe_name(name)
    fd = os.open(path, _FLAGS, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    return path


def _safe_name(name: str) -> str:
    """The last path component only: a title with a slash must not leave the folder."""
    base = Path(name.replace("\\", "/")).name
    return base if base not in ("", ".", "..") else _FALLBACK_NAME
