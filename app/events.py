"""The values a provider stream yields and the errors it raises.

Pure values shared by every provider, the session, the command line and the UI. A provider
turns its wire protocol into these and nothing else; everything downstream speaks only these.
Identity (which message, which conversation) is a storage concern and does not live here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextDelta:
    """A piece of the reply's visible text, exactly as the model wrote it."""

    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of the model's reasoning ("thinking"), never mixed into the reply's text."""

    text: str


@dataclass(frozen=True)
class ReasoningSignature:
    """Anthropic's signature of the thinking block before it: sent back with tool calls."""

    signature: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A piece of a tool call: the first delta of an index carries id and name."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True)
class Usage:
    """Token counts as the API reported them (None where it did not say)."""

    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True)
class Finished:
    """The stream ended normally. reason: "stop", "length", "tool_calls", "content_filter"..."""

    reason: str


StreamEvent = TextDelta | ReasoningDelta | ReasoningSignature | ToolCallDelta | Usage | Finished


class ProviderError(Exception):
    """A request to a model API failed. str(error) is one clear sentence for the user."""

    exit_code = 5
    # Whether the same request may succeed if sent again later (the session retries these).
    retryable = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class AuthError(ProviderError):
    """The API rejected the key (401/403) or none was given where one is needed."""

    exit_code = 3


class RateLimited(ProviderError):
    """429 (or an overload the API asks to retry). retry_after: seconds, if the API said."""

    exit_code = 4
    retryable = True

    def __init__(
        self, message: str, *, status: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ServerError(ProviderError):
    """5xx, or an error the API reported in the middle of a stream."""

    exit_code = 5
    retryable = True


class NetworkError(ProviderError):
    """No connection, a timeout, or the connection dropped mid-stream."""

    exit_code = 5
    retryable = True


class BadResponse(ProviderError):
    """The API refused the request (400, 404 unknown model, 402 balance) or spoke nonsense."""

    exit_code = 6
