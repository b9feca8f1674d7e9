"""An artifact's model call through the provider layer: whatever wire format, the key stays here.

`ProviderModel` is the `ModelCaller` of app/artifact_bridge.py: it asks `connect()` for the
user's current provider and profile at the moment of each call (the user may switch models), sends
one request, and gathers the reply's text and usage. Reasoning is not part of the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import aclosing

from app.artifact_bridge import Completion
from app.config import ProviderProfile
from app.events import TextDelta, Usage
from app.providers import ChatRequest, Provider
from app.providers.base import Message

# The provider and profile to use now; raises a ProviderError (no key, no provider) with a sentence.
Connect = Callable[[], Awaitable[tuple[Provider, ProviderProfile]]]


class ProviderModel:
    """Sends an artifact's completion to the current provider and model."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect

    async def __call__(
        self, messages: tuple[Message, ...], system: str | None, max_tokens: int
    ) -> Completion:
        """The reply's text and usage; a ProviderError's sentence reaches the page."""
        provider, profile = await self._connect()
        request = ChatRequest(
            model=profile.model,
            messages=messages,
            system=system,
            temperature=profile.temperature,
            max_tokens=max_tokens,
        )
        text: list[str] = []
        input_tokens: int | None = None
        output_tokens: int | None = None
        async with aclosing(provider.stream(request)) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    text.append(event.text)
                elif isinstance(event, Usage):
                    input_tokens = event.input_tokens or input_tokens
                    output_tokens = event.output_tokens or output_tokens
        return Completion("".join(text), profile.model, input_tokens, output_tokens)
