"""A stored conversation as Markdown or JSON (for `history --show` and "Export conversation").

The Markdown keeps each reply exactly as the model wrote it, artifacts included, so that it
reads like the chat and can be pasted back anywhere.
"""

from __future__ import annotations

import time

from app.store import Conversation, Store, StoredMessage

_ROLE_HEADINGS = {"user": "You", "assistant": "Assistant", "error": "Error"}


def conversation_markdown(store: Store, conversation: Conversation) -> str:
    """The whole conversation as a Markdown document."""
    lines = [f"# {conversation.title}", ""]
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.created))
    lines += [f"_{stamp}{' · ' + conversation.model if conversation.model else ''}_", ""]
    for message in store.messages(conversation.id):
        lines += _message_markdown(message)
    return "\n".join(lines).rstrip() + "\n"


def _message_markdown(message: StoredMessage) -> list[str]:
    heading = _ROLE_HEADINGS.get(message.role, message.role.title())
    if message.role == "assistant" and message.model:
        heading += f" ({message.model})"
    lines = [f"## {heading}", ""]
    if message.content:
        lines += [message.content.rstrip(), ""]
    if message.status in ("incomplete", "error"):
        note = message.error or "The reply is incomplete."
        lines += [f"> _{message.status}: {note}_", ""]
    return lines


def conversation_json(store: Store, conversation: Conversation) -> dict[str, object]:
    """The whole conversation, messages and artifact versions, as plain JSON values."""
    return {
        "id": conversation.id,
        "title": conversation.title,
        "created": conversation.created,
        "updated": conversation.updated,
        "provider": conversation.provider,
        "model": conversation.model,
        "messages": [
            {
                "id": m.id,
                "role": m.role,
                "content": m.content,
                "reasoning": m.reasoning,
                "status": m.status,
                "error": m.error,
                "model": m.model,
                "input_tokens": m.input_tokens,
                "output_tokens": m.output_tokens,
                "finish_reason": m.finish_reason,
                "created": m.created,
            }
            for m in store.messages(conversation.id)
        ],
        "artifacts": [
            {
                "identifier": v.identifier,
                "version": v.version,
                "type": v.type,
                "title": v.title,
                "origin": v.origin,
                "complete": v.complete,
                "content": v.content,
                "message_id": v.message_id,
            }
            for v in store.artifact_versions(conversation.id)
        ],
    }
