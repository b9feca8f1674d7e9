"""The request a turn sends: the conversation's current path as stored now, with the session's
model and settings.

The path is read on a worker thread (app.history.build_messages_apart): a long conversation's
read held the event loop in one piece before the request could go (69 ms for 10,000 messages
on the 2-core machine), and the window stalled with it. A small conversation is read here: the
hop cost more than the read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.history import build_messages_apart
from app.providers import ChatRequest
from app.vision import without_images

if TYPE_CHECKING:
    from app.session import ChatSession
    from app.store import StoredMessage


async def turn_request(
    session: ChatSession, continuing: StoredMessage | None = None, tools: tuple = ()
) -> ChatRequest:
    """The next request of the session's conversation.

    continuing: a reply cut off at the length limit, sent back as written and followed by a
    request to go on (app.history.build_messages).
    """
    messages, system = await build_messages_apart(
        session.store, session.conversation_id, session.system_prompt, continuing=continuing
    )
    if not session.sees_images():
        messages = without_images(messages)
    return ChatRequest(
        model=session.model,
        messages=messages,
        system=system,
        temperature=session.temperature,
        max_tokens=session.max_tokens,
        thinking_budget=session.thinking_budget,
        tools=tools,
    )
