"""Replay every recorded real stream in ../shared/corpus/sse through the matching provider.

The text and reasoning a stream should give are computed here by a deliberately naive reading
of the recorded payloads (no incremental decoding); usage, finish reason, tool calls and errors
are written down from reading the files.
"""

import asyncio
import json
import os
from contextlib import aclosing

import httpx
import pytest

from app.events import (
    BadResponse,
    Finished,
    ProviderError,
    ReasoningDelta,
    ServerError,
    TextDelta,
    ToolCallDelta,
    Usage,
)
from app.providers import ChatRequest, Message, make_provider
from app.providers.base import coalesce
from tests.conftest import corpus_path
from tests.model_server import corpus_reply, error_reply

REQUEST = ChatRequest(model="m", messages=(Message("user", "Hi"),))

# file -> (usage, finish reason or None when the stream ends in an error, tool calls by index)
EXPECTED = {
    "anthropic-haiku-4.5-thinking-tool-use-stream.0.sse": (
        Usage(598, 92),
        "tool_calls",
        {0: ("toolu_01825dXWLSoJwCst1qTsiWdb", "fixed_version", "")},
    ),
    "anthropic-haiku-4.5-thinking-tool-use-stream.1.sse": (Usage(707, 89), "stop", {}),
    "anthropic-sonnet-4.5-text.chunks.jsonl": (Usage(12, 30), "stop", {}),
    "anthropic-tool-use-no-args.chunks.jsonl": (
        Usage(565, 48),
        "tool_calls",
        {0: ("toolu_01QE1WLsSVp5hy5Q3GmGTmjP", "updateIssueList", "")},
    ),
    "deepseek-tool-call.chunks.jsonl": (
        Usage(339, 83),
        "tool_calls",
        {0: ("call_00_ioIn7yN9p1ZOMNpDLwd4MgAF", "weather", '{"location": "San Francisco"}')},
    ),
    "deepseek-v4-flash-reasoning.chunks.jsonl": (Usage(18, 219), "stop", {}),
    "openai-chat-gpt-4.1-nano-text.chunks.jsonl": (Usage(16, 300), "stop", {}),
    "openai-compat-claude-haiku-tool-call.sse": (
        None,
        "tool_calls",
        {1: ("toolu_sanitized", "read_file", '{"path": "a.txt"}')},
    ),
    "openai-gpt-4o-mini-tool-call-stream.0.sse": (
        Usage(54, 20),
        "tool_calls",
        {0: ("call_1EYWDzueHEp8OsB8jJSEp7WB", "multiply", '{"a":1231,"b":2331}')},
    ),
    "openai-gpt-4o-mini-tool-call-stream.1.sse": (Usage(87, 26), "stop", {}),
    "openrouter-minimax-m2-midstream-error.0.sse": (None, None, {}),
    "qwen-tool-call.chunks.jsonl": (
        Usage(295, 22),
        "tool_calls",
        {0: ("call_eee11723464a4b9eb8cee71d", "weather", '{"location": "San Francisco"}')},
    ),
    "zai-glm-4.7-thinking-stream.0.sse": (Usage(13, 564), "stop", {}),
}


def payloads(path):
    """The JSON payloads of a recording, read the simple way."""
    if path.name.endswith(".jsonl"):
        lines = path.read_text(encoding="utf-8").splitlines()
    else:
        lines = [
            line[len("data: ") :]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("data: ") and line != "data: [DONE]"
        ]
    return [json.loads(line) for line in lines if line.strip()]


def naive_text_and_reasoning(path):
    text, reasoning = [], []
    for payload in payloads(path):
        if payload.get("type") == "content_block_delta":
            delta = payload["delta"]
            text.append(delta.get("text", ""))
            reasoning.append(delta.get("thinking", ""))
        for choice in payload.get("choices", []):
            delta = choice.get("delta", {})
            text.append(delta.get("content") or "")
            reasoning.append(delta.get("reasoning_content") or delta.get("reasoning") or "")
    return "".join(text), "".join(reasoning)


def replay(server, name):
    path = corpus_path("sse", name)
    server.enqueue(corpus_reply(path))
    kind = "anthropic" if name.startswith("anthropic-") else "openai"
    base = server.url if kind == "anthropic" else server.openai_base

    async def go():
        async with httpx.AsyncClient(timeout=10) as client:
            provider = make_provider(kind, client=client, base_url=base, api_key="k", name="Rec")
            events = []
            try:
                async with aclosing(provider.stream(REQUEST)) as stream:
                    async for event in stream:
                        events.append(event)
            except ProviderError as error:
                return path, events, error
            return path, events, None

    return asyncio.run(go())


def tool_calls(events):
    calls = {}
    for event in events:
        if isinstance(event, ToolCallDelta):
            call_id, name, arguments = calls.get(event.index, (None, None, ""))
            calls[event.index] = (
                call_id or event.id,
                name or event.name,
                arguments + event.arguments,
            )
    return calls


def test_every_corpus_recording_is_covered():
    folder = corpus_path("sse")
    assert sorted(os.listdir(folder)) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_replay(model_server, name):
    usage, finish, tools = EXPECTED[name]
    path, events, error = replay(model_server, name)
    text, reasoning = naive_text_and_reasoning(path)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == text
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == reasoning
    assert tool_calls(events) == tools
    if finish is None:
        assert isinstance(error, ServerError) and "Token limit reached" in str(error)
        return
    assert error is None
    assert [e for e in events if isinstance(e, Usage)] == ([usage] if usage else [])
    assert [e for e in events if isinstance(e, Finished)] == [Finished(finish)]
    assert events[-1] == Finished(finish)


def test_reasoning_is_present_where_recorded(model_server):
    for name in ("deepseek-v4-flash-reasoning.chunks.jsonl", "zai-glm-4.7-thinking-stream.0.sse"):
        _, events, _ = replay(model_server, name)
        kinds = [type(e) for e in events]
        # All the reasoning comes before the answer.
        assert ReasoningDelta in kinds
        assert kinds.index(TextDelta) > max(i for i, k in enumerate(kinds) if k is ReasoningDelta)


def test_openrouter_reasoning_streams_before_the_error(model_server):
    _, events, error = replay(model_server, "openrouter-minimax-m2-midstream-error.0.sse")
    assert coalesce(events) == coalesce(
        [
            ReasoningDelta("We need"),
            ReasoningDelta(" to respond to a greeting. The user"),
        ]
    )
    assert error.retryable


def test_recorded_400_error_body(model_server):
    path = corpus_path("errors", "openai-400-unsupported-parameter.json")
    body = path.read_text(encoding="utf-8")
    model_server.enqueue(error_reply(400, body, headers={"Content-Type": "application/json"}))

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai",
                client=client,
                base_url=model_server.openai_base,
                api_key="k",
                name="OpenAI",
            )
            async with aclosing(provider.stream(REQUEST)) as stream:
                async for _ in stream:
                    pass

    with pytest.raises(BadResponse) as caught:
        asyncio.run(go())
    assert str(caught.value) == (
        "OpenAI refused the request (400): Unsupported parameter: 'max_tokens' is not supported "
        "with this model. Use 'max_completion_tokens' instead."
    )
