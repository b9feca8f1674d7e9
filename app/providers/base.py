"""What every provider takes and gives: the request values, the Provider protocol, the factory.

A provider speaks one wire protocol over a shared `httpx.AsyncClient` (the caller owns it and
its timeouts) and turns the reply into the stream events of `app.events`. It holds no history
and no state between requests; the session builds each `ChatRequest` from the store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from app.attachment_model import Attachment
from app.events import ReasoningDelta, StreamEvent, TextDelta

if TYPE_CHECKING:  # annotations only; httpx costs ~0.2 s to import
    import httpx

DEFAULT_MAX_TOKENS = 8192  # Anthropic requires max_tokens; this is the default it gets


@dataclass(frozen=True)
class ToolUse:
    """A tool call the model made, sent back exactly: its own id, name and argument text."""

    id: str
    name: str
    arguments: str  # the JSON text as the model wrote it


@dataclass(frozen=True)
class ToolOutcome:
    """What a tool call returned (or why it did not run), for the call with `call_id`."""

    call_id: str
    name: str
    content: str
    is_error: bool = False


@dataclass(frozen=True)
class ToolDefinition:
    """A tool offered to the model. builtin: a provider-side function (Moonshot's $web_search)."""

    name: str
    description: str
    parameters: Mapping[str, object]
    builtin: bool = False


@dataclass(frozen=True)
class Message:
    """One turn of the history sent to the model.

    role: "user", "assistant" or "tool". An assistant turn may carry the tool calls it made,
    with the reasoning that led to them (Kimi and DeepSeek thinking models refuse a follow-up
    without it; Anthropic wants its thinking block and signature back). A "tool" turn carries
    the results of the calls of the assistant turn before it. A user turn may carry the
    files the user attached (`providers/attachment_wire.py` writes them per protocol).
    """

    role: str
    content: str
    tool_calls: tuple[ToolUse, ...] = ()
    reasoning: str = ""
    reasoning_signature: str = ""
    tool_results: tuple[ToolOutcome, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class ChatRequest:
    """Everything one completion needs. thinking_budget: Anthropic extended thinking when set."""

    model: str
    messages: tuple[Message, ...]
    system: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    thinking_budget: int | None = None
    tools: tuple[ToolDefinition, ...] = ()


class Provider(Protocol):
    """A model API. `stream` is an async generator: close it (aclose) when stopping early."""

    name: str  # shown in messages, e.g. "DeepSeek"

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Send the request; yield the reply's events; raise a ProviderError on failure."""
        ...

    async def list_models(self) -> list[str]:
        """The model ids the API offers, sorted."""
        ...


@dataclass(frozen=True)
class Endpoint:
    """Where and how a provider connects: the parts every protocol shares."""

    client: httpx.AsyncClient
    base_url: str
    api_key: str | None
    name: str
    headers: Mapping[str, str]
    key_hint: str | None = None


def make_provider(
    kind: str,
    *,
    client: httpx.AsyncClient,
    base_url: str,
    api_key: str | None,
    name: str,
    headers: Mapping[str, str] | None = None,
    key_hint: str | None = None,
) -> Provider:
    """A provider for the wire protocol `kind`: "openai" (any compatible API) or "anthropic".

    base_url: for "openai" the base ending in /v1 (requests go to {base}/chat/completions); for
    "anthropic" the host root (requests go to {base}/v1/messages). api_key None or "": no
    authorization header is sent. headers: extra headers on every request (e.g. OpenRouter's
    HTTP-Referer). key_hint: the environment variable that holds the key (e.g.
    "DEEPSEEK_API_KEY"), named in the message when the key is rejected.
    """
    # Imported here because those modules import this one for the request types.
    from app.providers.anthropic import AnthropicProvider
    from app.providers.openai import OpenAIProvider

    classes = {"openai": OpenAIProvider, "anthropic": AnthropicProvider}
    if kind not in classes:
        raise ValueError(f"unknown provider kind {kind!r}: expected 'openai' or 'anthropic'")
    endpoint = Endpoint(
        client=client,
        base_url=base_url.rstrip("/"),
        api_key=api_key or None,
        name=name,
        headers=dict(headers or {}),
        key_hint=key_hint,
    )
    return classes[kind](endpoint)


def coalesce(events: list[StreamEvent]) -> list[StreamEvent]:
    """Adjacent text pieces (and adjacent reasoning pieces) merged into one event each.

    A provider decodes a network read at a time; the text is the same either way, but one
    delta per read instead of one per token spares every layer above thousands of steps.
    """
    merged: list[StreamEvent] = []
    for event in events:
        last = merged[-1] if merged else None
        if isinstance(event, TextDelta) and isinstance(last, TextDelta):
            merged[-1] = TextDelta(last.text + event.text)
        elif isinstance(event, ReasoningDelta) and isinstance(last, ReasoningDelta):
            merged[-1] = ReasoningDelta(last.text + event.text)
        else:
            merged.append(event)
    return merged
