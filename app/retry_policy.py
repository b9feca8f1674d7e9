"""Which reply Retry may replace: the conversation's last one, and only if it is not complete.

Until a reply can have siblings (the conversation tree), Retry replaces a reply by deleting
it. So it must never touch a complete reply (that would lose it), nor an earlier one (the
history would then hold two user turns in a row, and the replies after it would answer a
question that is gone). The session enforces this whatever the UI sends; the UI offers Retry
only where it applies.
"""

from __future__ import annotations

from app.i18n import translate
from app.store import Store, StoredMessage


class RetryRefused(ValueError):
    """Retry was asked for a reply it must not replace. str() is one sentence for the user."""


def replaceable(message: StoredMessage) -> bool:
    """Whether Retry may replace this reply: it failed, was cut short or came back empty.

    A complete reply is never replaced: until a reply can have siblings (branches), replacing
    it would delete it.
    """
    return message.status in ("error", "incomplete") or not message.content.strip()


def retry_refusal(store: Store, conversation_id: int, message_id: int) -> str | None:
    """Why Retry must not replace this message (one sentence), or None when it may.

    Only the conversation's last message may be replaced, and only when it is a reply that
    failed, stopped or came back empty: replacing an earlier one would leave two user turns in
    a row and the history after it answering a question that is gone.
    """
    message = store.get_message(message_id)
    if message is None or message.conversation_id != conversation_id:
        return translate("RetryPolicy", "That reply is not part of this conversation.")
    if message.role != "assistant":
        return translate("RetryPolicy", "Only a reply of the model can be retried.")
    messages = store.messages(conversation_id)
    if not messages or messages[-1].id != message_id:
        return translate(
            "RetryPolicy",
            "Only the last reply can be retried: the messages after it depend on it.",
        )
    if message.status == "streaming":
        return translate("RetryPolicy", "That reply is still being written.")
    if not replaceable(message):
        return translate(
            "RetryPolicy",
            "A complete reply is kept: Retry replaces only a reply that failed, stopped or "
            "came back empty. To get another answer, send your question again.",
        )
    return None
