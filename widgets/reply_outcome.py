"""What the transcript shows under a finished reply: a notice with its buttons, and a footer.

Pure functions of the stored message, so the live turn and a conversation opened again show
the same thing. Retry is offered only where it may act (:mod:`app.retry_policy`): on the
conversation's last reply, when it failed, stopped or came back empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.i18n import translate
from app.retry_policy import replaceable
from app.store import StoredMessage
from app.usage import Price, cost, format_usage, price_for


@dataclass(frozen=True)
class Notice:
    """A line under a reply: its text, kind ("warning", "error") and (action, label) buttons."""

    text: str
    kind: str
    actions: tuple[tuple[str, str], ...] = ()


def outcome_notice(message: StoredMessage, *, last: bool) -> Notice | None:
    """The notice a finished reply gets (None for a complete one); last: the newest message."""
    retry = (
        (("retry", translate("ReplyOutcome", "Retry")),) if last and replaceable(message) else ()
    )
    if message.status == "error":
        return Notice(
            message.error or translate("ReplyOutcome", "The request failed."), "error", retry
        )
    if message.status == "incomplete":
        reason = message.error or translate("ReplyOutcome", "the reply was interrupted")
        return Notice(
            translate("ReplyOutcome", "Incomplete — {reason}").format(reason=reason),
            "warning",
            retry,
        )
    if not message.content.strip() and not message.reasoning:
        return Notice(
            translate("ReplyOutcome", "The model returned an empty reply."), "warning", retry
        )
    if message.finish_reason == "length":
        return Notice(
            translate("ReplyOutcome", "Cut off at the model's length limit."),
            "warning",
            (("continue", translate("ReplyOutcome", "Continue")),),
        )
    return None


def footer(message: StoredMessage, prices: Mapping[str, Price]) -> str:
    """Tokens, cost where priced, and thinking time, e.g. "1,234 tokens · thought 5 s"."""
    parts = []
    if message.input_tokens or message.output_tokens:
        money = cost(message.input_tokens, message.output_tokens, price_for(message.model, prices))
        parts.append(format_usage(message.input_tokens, message.output_tokens, money))
    if message.reasoning_seconds:
        seconds = f"{message.reasoning_seconds:.0f}"
        parts.append(translate("ReplyOutcome", "thought {seconds} s").format(seconds=seconds))
    return " · ".join(parts)
