"""The transcript's keys for stored messages: "m<id>", and back."""

from __future__ import annotations

import re

_MESSAGE_KEY = re.compile(r"m([1-9][0-9]{0,17})")


def message_key(message_id: int) -> str:
    """The transcript's key for a stored message."""
    return f"m{message_id}"


def message_id_of(key: str) -> int | None:
    """The stored message's id a key names, or None (a notice's key, a message not stored)."""
    match = _MESSAGE_KEY.fullmatch(key)
    return int(match.group(1)) if match else None
