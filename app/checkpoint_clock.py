"""How often a streaming reply is checkpointed (written to the store), by its size.

A checkpoint rewrites the whole reply on the GUI thread: measured 7-15 ms per MB here, far more
on a busy disk, so a 50 MB reply checkpointed every second held the event loop most of the time.
Up to 2 MB a reply is saved every second (DESIGN §2); past that, once per 2 MB of reply, so
rewriting it stays a few percent of the time. A crash loses at most one interval of text, never
what an earlier checkpoint stored.
"""

from __future__ import annotations

CHECKPOINT_SECONDS = 1.0
CHECKPOINT_CHARS_PER_SECOND = 2_000_000


def checkpoint_interval(chars: int) -> float:
    """Seconds between checkpoints of a reply holding `chars` characters (text and reasoning):
    one a second up to 2 MB, then 0.5 s more per MB (25 s at 50 MB)."""
    return max(CHECKPOINT_SECONDS, chars / CHECKPOINT_CHARS_PER_SECOND)
