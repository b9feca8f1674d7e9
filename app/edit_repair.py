"""What Easel says when an edit of an artifact could not be applied, and what it asks for.

An edit that cannot apply is never guessed at: the session asks the model once for a full
version instead (never in answer to its own request, or a model that keeps failing would loop).
"""

from __future__ import annotations

from app.session_events import EditFailed

REPAIR_ASKED = "Asking the model once for a full version instead."
REPAIR_STOPPED = (
    "Easel does not ask again by itself: it asks for a full version only once per message you "
    "send. Ask for the whole artifact if you still want the change."
)


def repair_prompt(failures: list[EditFailed]) -> str:
    lines = [f"- `{failure.identifier}`: {failure.reason}" for failure in failures]
    return (
        "Your edit could not be applied, so nothing changed:\n"
        + "\n".join(lines)
        + "\nPlease send the complete, updated artifact as a full <artifact> with the same "
        "identifier instead of an edit."
    )
