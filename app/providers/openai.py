"""The OpenAI chat.completions protocol, as spoken by OpenAI and the many compatible APIs.

DeepSeek, Kimi, Qwen, GLM, OpenRouter, Groq, Ollama, vLLM, LM Studio... all stream
`chat.completion.chunk` objects over server-sent events. Their differences handled here:
reasoning arrives as `delta.reasoning_content` (DeepSeek, Kimi, Qwen, GLM) or `delta.reasoning`
with `reasoning_details` (OpenRouter); content may be a list of parts; usage comes in a last
chunk with no choices; errors may arrive inside a 200 stream; a server may ignore `stream` and
answer with one JSON completion.
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
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    Usage,
)
from app.providers.base import ChatRequest, Endpoint
from app.providers.errors import ErrorContext, bad_response, stream_error
from app.providers.fast_json import loads
from app.providers.sse import EventStream, SSEEvent, get_json, open_event_stream, parse_batches
from app.providers.tool_wire import openai_messages, openai_tools

log = logging.getLogger(__name__)


def chat_body(request: ChatRequest) -> dict[str, Any]:
    """The JSON body of a streamed chat.completions request."""
    messages = [{"role": "system", "content": request.system}] if request.system else []
    for message in request.messages:
        messages += openai_messages(message)
    body: dict[str, Any] = {
        "model": request.model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens is not None:
        body["max_tokens"] = request.max_tokens
    if request.tools:
        body["tools"] = openai_tools(request.tools)
    return body


def _content_parts(content: Any) -> tuple[str, str]:
    """(text, reasoning) from `delta.content`: a string, or a list of typed parts."""
    if isinstance(content, str):
        return content, ""
    if not isinstance(content, list):
        return "", ""
    text, reasoning = [], []
    for part in content:
        if isinstance(part, str):
            text.append(part)
        elif isinstance(part, Mapping) and part.get("type") in ("thinking", "reasoning"):
            nested = part.get("thinking", part.get("text", ""))
            reasoning.append(nested if isinstance(nested, str) else _content_parts(nested)[0])
        elif isinstance(part, Mapping) and isinstance(part.get("text"), str):
            text.append(part["text"])
    return "".join(text), "".join(reasoning)


def _reasoning(delta: Mapping[str, Any]) -> str:
    """Reasoning text of a delta. Providers send the same text under several names: take one."""
    for key in ("reasoning_content", "reasoning"):
        value = delta.get(key)
        if isinstance(value, str) and value:
            return value
    details = delta.get("reasoning_details")
    if not isinstance(details, list):
        return ""
    texts = []
    for detail in details:
        if isinstance(detail, Mapping):
            value = detail.get("text") or detail.get("summary")
            texts.append(value if isinstance(value, str) else "")
    return "".join(texts)


def _tool_calls(delta: Mapping[str, Any]) -> list[ToolCallDelta]:
    calls = delta.get("tool_calls")
    if not isinstance(calls, list):
        return []
    out = []
    for position, call in enumerate(calls):
        if not isinstance(call, Mapping):
            continue
        function = call.get("function") if isinstance(call.get("function"), Mapping) else {}
        index = call.get("index")
        tool = ToolCallDelta(
            index=index if isinstance(index, int) else position,
            id=call.get("id") or None,  # Qwen repeats id "" on every later delta
            name=function.get("name") or None,
            arguments=function.get("arguments") or "",
        )
        if tool.id or tool.name or tool.arguments:
            out.append(tool)
    return out


def _error_object(data: str) -> Any:
    """The error an `event: error` carries: {"error": {...}}, an object, or plain text."""
    try:
        payload = json.loads(data)
    except ValueError:
        return data.strip()
    return payload.get("error", payload) if isinstance(payload, Mapping) else payload


def _usage(usage: Any) -> Usage | None:
    if not isinstance(usage, Mapping):
        return None
    prompt = usage.get("prompt_tokens", usage.get("input_tokens"))
    completion = usage.get("completion_tokens", usage.get("output_tokens"))
    return Usage(
        input_tokens=prompt if isinstance(prompt, int) else None,
        output_tokens=completion if isinstance(completion, int) else None,
    )


# The keys of a delta that carries nothing but text.
_TEXT_DELTA_KEYS = frozenset({"content", "role"})


def _plain_text(payload: Mapping[str, Any]) -> str | None:
    """The text of a chunk that is one text delta and nothing else (no usage, error, finish
    reason, reasoning or tool call), else None. What it returns is exactly what
    `OpenAIStreamParser.feed_payload` makes of such a chunk the long way."""
    if type(payload) is not dict or payload.get("error") or payload.get("usage") is not None:
        return None
    choices = payload.get("choices")
    if type(choices) is not list or len(choices) != 1:
        return None
    choice = choices[0]
    if type(choice) is not dict or choice.get("index", 0) != 0 or choice.get("finish_reason"):
        return None
    delta = choice.get("delta")
    if type(delta) is not dict or not delta or not delta.keys() <= _TEXT_DELTA_KEYS:
        return None
    text = delta.get("content")
    if text is None:
        return ""
    return text if type(text) is str else None


class OpenAIStreamParser:
    """Turns the decoded events of one chat.completions stream into stream events (no I/O).

    Usage and Finished are held back until `finish()`: some APIs repeat usage or send the
    finish reason before the last chunks, and Finished must come once, at the very end.
    """

    def __init__(self, context: ErrorContext) -> None:
        self.context = context
        self.done = False
        self.finish_reason: str | None = None
        self._usage: Usage | None = None

    def feed(self, event: SSEEvent) -> list[StreamEvent]:
        """Events for one SSE event; raises the typed error for an error event."""
        data = event.data
        if not data.startswith("{") and data.strip() == "[DONE]":
            self.done = True
            return []
        if event.event == "error":
            raise stream_error(self.context, _error_object(data))
        try:
            payload = loads(data)
        except ValueError:
            log.warning(
                "%s sent a line that is not JSON, skipped: %.200s",
                self.context.provider,
                event.data,
            )
            return []
        if not isinstance(payload, Mapping):
            log.warning(
                "%s sent JSON that is not an object, skipped: %.200s",
                self.context.provider,
                event.data,
            )
            return []
        return self.feed_payload(payload)

    def feed_payload(self, payload: Mapping[str, Any]) -> list[StreamEvent]:
        """Events for one chunk object (or a whole non-streamed completion)."""
        text = _plain_text(payload)
        if text is not None:  # nearly every chunk of a reply: the general reading, made short
            return [TextDelta(text)] if text else []
        if payload.get("error"):
            raise stream_error(self.context, payload["error"])
        self._usage = _usage(payload.get("usage")) or self._usage
        choices = payload.get("choices")
        if not isinstance(choices, list):
            return []
        out: list[StreamEvent] = []
        for choice in choices:
            # Only the first choice is shown; n > 1 is never requested.
            if isinstance(choice, Mapping) and choice.get("index", 0) == 0:
                out += self._choice(choice)
        return out

    def _choice(self, choice: Mapping[str, Any]) -> list[StreamEvent]:
        if choice.get("finish_reason"):
            self.finish_reason = str(choice["finish_reason"])
        # A non-streamed completion carries `message` where a chunk carries `delta`.
        delta = choice.get("delta") or choice.get("message")
        if not isinstance(delta, Mapping):
            return []
        text, part_reasoning = _content_parts(delta.get("content"))
        reasoning = _reasoning(delta) or part_reasoning
        out: list[StreamEvent] = []
        if reasoning:
            out.append(ReasoningDelta(reasoning))
        if text:
            out.append(TextDelta(text))
        out += _tool_calls(delta)
        return out

    def finish(self) -> list[StreamEvent]:
        """The closing events once the body ended; NetworkError if it ended too early."""
        if not self.done and self.finish_reason is None:
            raise NetworkError(f"The connection to {self.context.who()} dropped mid-reply.")
        out: list[StreamEvent] = [self._usage] if self._usage else []
        out.append(Finished(self.finish_reason or "stop"))
        return out


class OpenAIProvider:
    """Any API that speaks OpenAI's chat.completions with streaming."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint
        self.name = endpoint.name

    def _context(self, url: str) -> ErrorContext:
        e = self._endpoint
        return ErrorContext(e.name, url, has_key=e.api_key is not None, key_hint=e.key_hint)

    def _headers(self) -> dict[str, str]:
        headers = (
            {"Authorization": f"Bearer {self._endpoint.api_key}"} if self._endpoint.api_key else {}
        )
        headers.update(self._endpoint.headers)
        return headers

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """POST {base}/chat/completions and yield the reply's events."""
        url = f"{self._endpoint.base_url}/chat/completions"
        parser = OpenAIStreamParser(self._context(url))
        headers = {"Accept": "text/event-stream", **self._headers()}
        client = self._endpoint.client
        try:
            async with open_event_stream(
                client,
                "POST",
                url,
                context=parser.context,
                headers=headers,
                body=chat_body(request),
            ) as stream:
                async with aclosing(self._events(stream, parser)) as events:
                    async for event in events:
                        yield event
        except NetworkError:
            # The reply was complete (it had its finish reason); only the tail went missing.
            if parser.finish_reason is None:
                raise
            log.warning("%s dropped the connection after the reply finished", self.name)
        for event in parser.finish():
            yield event

    async def _events(
        self, stream: EventStream, parser: OpenAIStreamParser
    ) -> AsyncIterator[StreamEvent]:
        if stream.content_type == "application/json":
            # The server ignored "stream": one completion object (or an error) in a JSON body.
            payload = _json_object(await stream.response.aread(), parser.context)
            parser.done = True
            for event in parser.feed_payload(payload):
                yield event
            return
        batches = parse_batches(stream.events, parser.feed, lambda: parser.done)
        async with aclosing(batches) as events:
            async for event in events:
                yield event

    async def list_models(self) -> list[str]:
        """GET {base}/models: the ids, sorted."""
        url = f"{self._endpoint.base_url}/models"
        data = await get_json(
            self._endpoint.client, url, context=self._context(url), headers=self._headers()
        )
        return model_ids(data, self._context(url))


def _json_object(body: bytes, context: ErrorContext) -> Mapping[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise bad_response(context, "answered with JSON that does not parse") from exc
    if not isinstance(payload, Mapping):
        raise bad_response(context, "answered with JSON that is not an object")
    return payload


def model_ids(data: Any, context: ErrorContext) -> list[str]:
    """Sorted ids from a model list: {"data": [{"id": ...}, ...]} or a bare list."""
    entries = data.get("data") if isinstance(data, Mapping) else data
    if not isinstance(entries, list):
        raise bad_response(context, "answered the model list with an unexpected shape")
    ids = {str(e["id"]) for e in entries if isinstance(e, Mapping) and e.get("id")}
    return sorted(ids)
