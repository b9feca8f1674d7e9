"""Anthropic's Messages API: POST {base}/v1/messages with streaming.

The stream is a sequence of typed events: message_start (input usage), content blocks
(content_block_start / _delta / _stop) of text, thinking or tool_use, ping, message_delta (stop
reason, output usage), message_stop, and `error` for a failure mid-stream.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from typing import Any

from app.events import (
    Finished,
    NetworkError,
    ReasoningDelta,
    ReasoningSignature,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    Usage,
)
from app.providers.base import DEFAULT_MAX_TOKENS, ChatRequest, Endpoint
from app.providers.errors import ErrorContext, bad_response, stream_error
from app.providers.fast_json import loads
from app.providers.openai import model_ids
from app.providers.sse import EventStream, get_json, open_event_stream, parse_batches
from app.providers.tool_wire import anthropic_message, anthropic_tools

log = logging.getLogger(__name__)

API_VERSION = "2023-06-01"
# Anthropic's stop reasons in the vocabulary of Finished (OpenAI's finish reasons).
STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
_MAX_MODEL_PAGES = 20


def messages_body(request: ChatRequest) -> dict[str, Any]:
    """The JSON body of a streamed Messages request.

    With a thinking budget, max_tokens is raised above the budget when needed (the API refuses
    a budget that does not fit) and temperature is left out (the API allows only 1 then).
    """
    max_tokens = request.max_tokens or DEFAULT_MAX_TOKENS
    body: dict[str, Any] = {
        "model": request.model,
        "messages": [anthropic_message(m) for m in request.messages],
        "stream": True,
    }
    if request.system:
        body["system"] = request.system
    if request.thinking_budget:
        body["thinking"] = {"type": "enabled", "budget_tokens": request.thinking_budget}
        max_tokens = max(max_tokens, request.thinking_budget + DEFAULT_MAX_TOKENS // 2)
    elif request.temperature is not None:
        body["temperature"] = request.temperature
    body["max_tokens"] = max_tokens
    tools = anthropic_tools(request.tools)
    if tools:
        body["tools"] = tools
    return body


def _count(usage: Mapping[str, Any], *keys: str) -> int | None:
    values = [usage[key] for key in keys if isinstance(usage.get(key), int)]
    return sum(values) if values else None


class AnthropicStreamParser:
    """Turns the decoded events of one Messages stream into stream events (no I/O).

    Tool calls are numbered 0, 1, ... in order of appearance (as OpenAI numbers them), not by
    their content block index. Input usage counts cached prompt tokens too.
    """

    def __init__(self, context: ErrorContext) -> None:
        self.context = context
        self.done = False
        self.stop_reason: str | None = None
        self._input: int | None = None
        self._output: int | None = None
        self._tool_index: dict[int, int] = {}

    def feed(self, data: str, event_name: str = "message") -> list[StreamEvent]:
        """Events for one SSE event's data; raises the typed error for an `error` event."""
        try:
            payload = loads(data)
        except ValueError:
            if event_name == "error":
                raise stream_error(self.context, data.strip()) from None
            log.warning(
                "%s sent a line that is not JSON, skipped: %.200s", self.context.provider, data
            )
            return []
        if not isinstance(payload, Mapping):
            log.warning(
                "%s sent JSON that is not an object, skipped: %.200s", self.context.provider, data
            )
            return []
        return self.feed_payload(payload, event_name)

    def feed_payload(
        self, payload: Mapping[str, Any], event_name: str = "message"
    ) -> list[StreamEvent]:
        """Events for one event object (its `type`, else the SSE event name, says which)."""
        kind = payload.get("type") or event_name
        if kind == "error" or event_name == "error":
            raise stream_error(self.context, payload.get("error", payload))
        handler = {
            "message_start": self._message_start,
            "content_block_start": self._block_start,
            "content_block_delta": self._block_delta,
            "message_delta": self._message_delta,
            "message": self._whole_message,
        }.get(str(kind))
        if kind == "message_stop":
            self.done = True
        return handler(payload) if handler else []  # ping, content_block_stop, unknown: nothing

    def _message_start(self, payload: Mapping[str, Any]) -> list[StreamEvent]:
        message = payload.get("message")
        if isinstance(message, Mapping):
            self._take_usage(message.get("usage"))
        return []

    def _take_usage(self, usage: Any) -> None:
        if not isinstance(usage, Mapping):
            return
        prompt = _count(
            usage, "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"
        )
        self._input = prompt if prompt is not None else self._input
        output = _count(usage, "output_tokens")
        self._output = output if output is not None else self._output

    def _block_start(self, payload: Mapping[str, Any]) -> list[StreamEvent]:
        block = payload.get("content_block")
        if not isinstance(block, Mapping):
            return []
        kind = block.get("type")
        if kind == "tool_use":
            index = self._tool(payload.get("index"))
            return [
                ToolCallDelta(index, id=block.get("id") or None, name=block.get("name") or None)
            ]
        if kind == "text" and block.get("text"):
            return [TextDelta(str(block["text"]))]
        if kind == "thinking" and block.get("thinking"):
            return [ReasoningDelta(str(block["thinking"]))]
        return []

    def _tool(self, block_index: Any) -> int:
        return self._tool_index.setdefault(block_index, len(self._tool_index))

    def _block_delta(self, payload: Mapping[str, Any]) -> list[StreamEvent]:
        delta = payload.get("delta")
        if not isinstance(delta, Mapping):
            return []
        kind = delta.get("type")
        if kind == "text_delta" and delta.get("text"):
            return [TextDelta(str(delta["text"]))]
        if kind == "thinking_delta" and delta.get("thinking"):
            return [ReasoningDelta(str(delta["thinking"]))]
        if kind == "input_json_delta" and delta.get("partial_json"):
            index = self._tool(payload.get("index"))
            return [ToolCallDelta(index, arguments=str(delta["partial_json"]))]
        if kind == "signature_delta" and delta.get("signature"):
            return [ReasoningSignature(str(delta["signature"]))]
        return []  # citations_delta, empty pieces

    def _message_delta(self, payload: Mapping[str, Any]) -> list[StreamEvent]:
        delta = payload.get("delta")
        if isinstance(delta, Mapping) and delta.get("stop_reason"):
            self.stop_reason = str(delta["stop_reason"])
        self._take_usage(payload.get("usage"))
        return []

    def _whole_message(self, payload: Mapping[str, Any]) -> list[StreamEvent]:
        """A non-streamed reply: the blocks all at once."""
        self._take_usage(payload.get("usage"))
        self.stop_reason = str(payload.get("stop_reason") or "end_turn")
        self.done = True
        out: list[StreamEvent] = []
        blocks = payload.get("content")
        for index, block in enumerate(blocks if isinstance(blocks, list) else []):
            if not isinstance(block, Mapping):
                continue
            out += self._block_start({"index": index, "content_block": block})
            if block.get("type") == "tool_use" and block.get("input"):
                arguments = json.dumps(block["input"], ensure_ascii=False)
                out.append(ToolCallDelta(self._tool(index), arguments=arguments))
        return out

    def finish(self) -> list[StreamEvent]:
        """Usage and Finished once the body ended; NetworkError if it ended too early."""
        if not self.done and self.stop_reason is None:
            raise NetworkError(f"The connection to {self.context.who()} dropped mid-reply.")
        out: list[StreamEvent] = []
        if self._input is not None or self._output is not None:
            out.append(Usage(self._input, self._output))
        reason = self.stop_reason or "end_turn"
        out.append(Finished(STOP_REASONS.get(reason, reason)))
        return out


class AnthropicProvider:
    """Anthropic's Messages API (and the APIs that copy it)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        self.name = endpoint.name

    def _context(self, url: str) -> ErrorContext:
        e = self._endpoint
        return ErrorContext(e.name, url, has_key=e.api_key is not None, key_hint=e.key_hint)

    def _headers(self) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        if self._endpoint.api_key:
            headers["x-api-key"] = self._endpoint.api_key
        headers.update(self._endpoint.headers)
        return headers

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """POST {base}/v1/messages and yield the reply's events."""
        url = f"{self._endpoint.base_url}/v1/messages"
        parser = AnthropicStreamParser(self._context(url))
        headers = {"Accept": "text/event-stream", **self._headers()}
        body = messages_body(request)
        try:
            async with open_event_stream(
                self._endpoint.client,
                "POST",
                url,
                context=parser.context,
                headers=headers,
                body=body,
            ) as stream:
                async with aclosing(self._events(stream, parser)) as events:
                    async for event in events:
                        yield event
        except NetworkError:
            # The reply was complete (it had its stop reason); only the tail went missing.
            if parser.stop_reason is None:
                raise
            log.warning("%s dropped the connection after the reply finished", self.name)
        for event in parser.finish():
            yield event

    async def _events(
        self, stream: EventStream, parser: AnthropicStreamParser
    ) -> AsyncIterator[StreamEvent]:
        if stream.content_type == "application/json":
            # The server ignored "stream": one message object (or an error) in a JSON body.
            try:
                payload = json.loads(await stream.response.aread())
            except ValueError as exc:
                raise bad_response(
                    parser.context, "answered with JSON that does not parse"
                ) from exc
            if not isinstance(payload, Mapping):
                raise bad_response(parser.context, "answered with JSON that is not an object")
            for event in parser.feed_payload(payload):
                yield event
            return
        batches = parse_batches(
            stream.events, lambda e: parser.feed(e.data, e.event), lambda: parser.done
        )
        async with aclosing(batches) as events:
            async for event in events:
                yield event

    async def list_models(self) -> list[str]:
        """GET {base}/v1/models, following its pages: the ids, sorted."""
        url = f"{self._endpoint.base_url}/v1/models"
        context = self._context(url)
        ids: list[str] = []
        query = "?limit=1000"
        for _ in range(_MAX_MODEL_PAGES):
            data = await get_json(
                self._endpoint.client, url + query, context=context, headers=self._headers()
            )
            ids += model_ids(data, context)
            if not (isinstance(data, Mapping) and data.get("has_more") and data.get("last_id")):
                break
            query = f"?limit=1000&after_id={data['last_id']}"
        return sorted(set(ids))
