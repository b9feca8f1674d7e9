"""What Retry, Regenerate and Edit may act on. Nothing is ever replaced: each adds a sibling.

Retry and Regenerate add a new reply beside an existing one, answering the same user message
(the old reply stays, one "‹ 1/2 ›" away); Edit adds a new user message beside the one edited
(same parent), which is then answered. So any finished reply of the model may be regenerated,
an earlier one included (the new branch starts there), and any user message edited; what is
refused is a message of another conversation, the wrong role, a reply still being written, and
a reply that answers no user message. The session enforces this whatever the UI sends.
"""

from __future__ import annotations

from app.i18n import translate
from app.store import Store, StoredMessage


class RetryRefused(ValueError):
    """Retry, Regenerate or Edit was asked for a message it must not act on. str() is one
    sentence for the user."""


def replaceable(message: StoredMessage) -> bool:
    """Whether the reply's notice offers Retry: it failed, was cut short or came back empty.

    A complete reply can still be regenerated (its own button); the notice's Retry is for the
    reply that went wrong.
    """
    return message.status in ("error", "incomplete") or not message.content.strip()


def retry_refusal(store: Store, conversation_id: int, message_id: int) -> str | None:
    """Why no new reply may be made beside this one (one sentence), or None when it may."""
    try:
        question_to_answer(store, conversation_id, message_id)
    except RetryRefused as refusal:
        return str(refusal)
    return None


def question_to_answer(
    store: Store, conversation_id: int, reply_id: int | None = None
) -> StoredMessage:
    """The user message a regenerated reply answers: the one `reply_id` answered, or (None)
    the last user message on the current path. Raises RetryRefused otherwise."""
    if reply_id is None:
        users = [m for m in store.messages(conversation_id) if m.role == "user"]
        if not users:
            raise RetryRefused(
                translate(
                    "RetryPolicy", "There is no message of yours in this conversation to answer."
                )
            )
        return users[-1]
    reply = _own(
        store,
        conversation_id,
        reply_id,
        translate("RetryPolicy", "That reply is not part of this conversation."),
    )
    if reply.role != "assistant":
        raise RetryRefused(translate("RetryPolicy", "Only a reply of the model can be retried."))
    if reply.status == "streaming":
        raise RetryRefused(translate("RetryPolicy", "That reply is still being written."))
    question = store.get_message(reply.parent_id) if reply.parent_id is not None else None
    if question is None or question.role != "user":
        raise RetryRefused(
            translate(
                "RetryPolicy",
                "That reply answers no message of yours: send your question again.",
            )
        )
    return question


def message_to_edit(store: Store, conversation_id: int, message_id: int) -> StoredMessage:
    """The user message an edit goes beside; RetryRefused (one sentence) for anything else."""
    message = _own(
        store,
        conversation_id,
        message_id,
        translate("RetryPolicy", "That message is not part of this conversation."),
    )
    if message.role != "user":
        raise RetryRefused(
            translate(
                "RetryPolicy",
                "Message {id} is not a message of yours: only those can be edited.",
            ).format(id=message_id)
        )
    return message


def _own(store: Store, conversation_id: int, message_id: int, refusal: str) -> StoredMessage:
    message = store.get_message(message_id)
    if message is None or message.conversation_id != conversation_id:
        raise RetryRefused(refusal)
    return message
