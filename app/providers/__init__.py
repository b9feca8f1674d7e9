"""Model API providers: one module per wire protocol, all yielding the events of app.events.

`make_provider(kind, ...)` builds one; `Message` and `ChatRequest` are what it is asked.
"""

from app.providers.base import (
    ChatRequest,
    Message,
    Provider,
    ToolDefinition,
    ToolOutcome,
    ToolUse,
    make_provider,
)

__all__ = [
    "ChatRequest",
    "Message",
    "Provider",
    "ToolDefinition",
    "ToolOutcome",
    "ToolUse",
    "make_provider",
]
