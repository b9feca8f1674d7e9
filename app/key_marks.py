"""Which provider profiles were saved with a key: their names only, never a key.

A hosted preset says by itself that it needs a key; a custom server's profile does not. Without
a keyring, a key kept for one session is gone after a restart, and a custom profile that had
one would then send requests without ``Authorization``, silently. This small file remembers
that the profile was given a key, so Easel can say "No key for …" instead of sending.

It lives beside ``settings.json`` as ``keyed-profiles.json`` (a JSON list of names). A missing
or unreadable file reads as "no profile marked": the mark only adds a warning, so losing it
loses nothing the user typed.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from app.config import home_dirs

log = logging.getLogger(__name__)

FILE_NAME = "keyed-profiles.json"


def _path() -> Path:
    return home_dirs()[0] / FILE_NAME


def keyed_profiles() -> frozenset[str]:
    """Names of the profiles that were saved with a key (case as saved)."""
    try:
        names = json.loads(_path().read_text("utf-8"))
    except FileNotFoundError:
        return frozenset()
    except (OSError, ValueError) as error:
        log.warning("cannot read %s: %s", FILE_NAME, error)
        return frozenset()
    if not isinstance(names, list):
        return frozenset()
    return frozenset(name for name in names if isinstance(name, str))


def had_key(profile_name: str) -> bool:
    """Whether the profile called profile_name was saved with a key."""
    return profile_name in keyed_profiles()


def mark_keyed(profile_name: str, keyed: bool) -> None:
    """Remember (or forget) that a profile was given a key. Failing to write only logs."""
    names = set(keyed_profiles())
    if (profile_name in names) == keyed:
        return
    names.symmetric_difference_update({profile_name})
    path = _path()
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(json.dumps(sorted(names), ensure_ascii=False), "utf-8")
        os.replace(temporary, path)
    except OSError as error:
        log.warning("cannot write %s: %s", FILE_NAME, error)
