"""How long to wait before sending a failed request again (pure functions, no I/O).

The session runs the retry loop: it retries errors whose `retryable` is true, at most
`MAX_ATTEMPTS` attempts in all, sleeping `backoff_delay(...)` between them.

A server that asks for a longer wait than `MAX_WAIT_SECONDS` (a daily quota answers
`Retry-After: 86400`) is not waited for at all: sleeping a bounded minute three times would
only fail three times. `too_long_to_wait` says so and `wait_sentence` tells the user when the
request can be sent again.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from app.i18n import translate

# Attempts in all, the first one included.
MAX_ATTEMPTS = 4
# The longest wait Easel sits through by itself before asking again.
MAX_WAIT_SECONDS = 60.0

_UNIT_SECONDS = {
    "ms": 0.001,
    "millisecond": 0.001,
    "milliseconds": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
}
# Longest unit names first so "ms" is not read as "m" and "seconds" not as "s".
_UNITS = "|".join(sorted(_UNIT_SECONDS, key=len, reverse=True))
_HINT = re.compile(r"\b(?:try\s+again|retry)(?:\s+(?:after|in))?\s+(?=\d)", re.IGNORECASE)
# One "<number> <unit>" part of a duration such as "1m30s" or "1.5 s".
_PART = re.compile(rf"(\d+(?:\.\d+)?)\s*({_UNITS})(?![a-z])", re.IGNORECASE)


def backoff_delay(
    attempt: int,
    retry_after: float | None,
    *,
    base: float = 1.0,
    cap: float = 60.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 for the first failure).

    When the API said how long to wait (`retry_after`), that is the answer, bounded by `cap` so
    a strange hint never stalls the app. Otherwise exponential backoff with "equal jitter": half
    of base * 2**(attempt - 1) plus a random share of the other half, at most `cap`.
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    step = min(cap, base * 2 ** (max(attempt, 1) - 1))
    draw = (rng or random).random()
    return step / 2 + draw * step / 2


def parse_retry_hint(message: str) -> float | None:
    """The wait an error message asks for, in seconds, or None.

    Understands "try again in 20s", "Please retry after 3 seconds", "retry in 1.5 s",
    "Please try again in 6ms", "try again in 1m30s".
    """
    hint = _HINT.search(message)
    if hint is None:
        return None
    total = 0.0
    position = hint.end()
    found = False
    while (part := _PART.match(message, position)) is not None:
        total += float(part.group(1)) * _UNIT_SECONDS[part.group(2).lower()]
        position = part.end()
        found = True
    return total if found else None


def too_long_to_wait(retry_after: float | None) -> bool:
    """Whether the server asked for a wait longer than Easel sits through (give up at once)."""
    return retry_after is not None and retry_after > MAX_WAIT_SECONDS


def wait_sentence(seconds: float, now: datetime | None = None) -> str:
    """ "the server asks to wait 24 hours (until 14:05)": how long, and when that is, locally.

    The clock time gains the date when it is not today ("until Tue 1 Dec 14:05").
    """
    current = now or datetime.now()
    until = current + timedelta(seconds=seconds)
    clock = until.strftime("%H:%M")
    if until.date() != current.date():
        clock = f"{until.strftime('%a')} {until.day} {until.strftime('%b')} {clock}"
    sentence = translate("Retry", "the server asks to wait {duration} (until {clock})")
    return sentence.format(duration=_duration(seconds), clock=clock)


def _duration(seconds: float) -> str:
    """A rounded, readable length of time: "90 seconds", "5 minutes", "24 hours", "3 days"."""
    for unit, size, below in (
        ("second", 1, 120),
        ("minute", 60, 120 * 60),
        ("hour", 3600, 72 * 3600),
    ):
        if seconds < below:
            return _plural(round(seconds / size), unit)
    return _plural(round(seconds / 86400), "day")


def _plural(count: int, unit: str) -> str:
    names = {
        ("second", True): translate("Retry", "{count} second"),
        ("second", False): translate("Retry", "{count} seconds"),
        ("minute", True): translate("Retry", "{count} minute"),
        ("minute", False): translate("Retry", "{count} minutes"),
        ("hour", True): translate("Retry", "{count} hour"),
        ("hour", False): translate("Retry", "{count} hours"),
        ("day", True): translate("Retry", "{count} day"),
        ("day", False): translate("Retry", "{count} days"),
    }
    return names[unit, count == 1].format(count=count)
