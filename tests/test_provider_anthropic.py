"""The Anthropic Messages provider over real HTTP on loopback."""

import asyncio
import json
from contextlib import aclosing

import httpx
import pytest

from app.events import (
    AuthError,
    BadResponse,
    Finished,
    NetworkError,
    ProviderError,
    RateLimited,
    ReasoningDelta,
    ReasoningSignature,
    ServerError,
    TextDelta,
    ToolCallDelta,
    Usage,
)
from app.providers import ChatRequest, Message, make_provider
from app.providers.base import coalesce
from tests.model_server import anthropic_text_reply, error_reply, sse_reply

REQUEST = ChatRequest(model="claude-test", messages=(Message("user", "Hi"),))


def run(base, request=REQUEST, *, api_key="sk-ant-test", **options):
    """Stream one request; return (events, error or None)."""

    async def go():
        async with httpx.AsyncClient(timeout=10) as client:
            provider = make_provider(
                "anthropic", client=client, base_url=base, api_key=api_key, name="Claude", **options
            )
            events = []
            try:
                async with aclosing(provider.stream(request)) as stream:
                    async for event in stream:
                        events.append(event)
            except ProviderError as error:
                return events, error
            return events, None

    return asyncio.run(go())


def event(payload):
    return f"event: {payload['type']}\ndata: {json.dumps(payload)}\n\n"


START = event(
    {"type": "message_start", "message": {"usage": {"input_tokens": 5, "output_tokens": 1}}}
)


def text_block(index, *pieces):
    block = {
        "type": "content_block_start",
        "index": index,
        "content_block": {"type": "text", "text": ""},
    }
    deltas = [
        {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": p}}
        for p in pieces
    ]
    return [
        event(block),
        *map(event, deltas),
        event({"type": "content_block_stop", "index": index}),
    ]


def stop(reason, output=3):
    delta = {
        "type": "message_delta",
        "delta": {"stop_reason": reason},
        "usage": {"output_tokens": output},
    }
    return [event(delta), event({"type": "message_stop"})]


def test_request_headers_and_body(model_server):
    model_server.enqueue(anthropic_text_reply("ok"))
    request = ChatRequest(
        model="claude-test",
        messages=(Message("user", "Hi"), Message("assistant", "Hello"), Message("user", "More")),
        system="Be brief.",
        temperature=0.5,
    )
    run(model_server.url + "/", request, headers={"anthropic-beta": "x"})
    sent = model_server.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    assert sent.headers["x-api-key"] == "sk-ant-test"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.headers["anthropic-beta"] == "x"
    assert "authorization" not in sent.headers
    assert sent.json() == {
        "model": "claude-test",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "user", "content": "More"},
        ],
        "system": "Be brief.",
        "stream": True,
        "temperature": 0.5,
        "max_tokens": 8192,
    }


def test_thinking_budget_in_the_body(model_server):
    model_server.enqueue(anthropic_text_reply("ok"), anthropic_text_reply("ok"))
    request = ChatRequest(
        model="m", messages=REQUEST.messages, temperature=0.2, thinking_budget=2048
    )
    run(model_server.url, request)
    body = model_server.requests[0].json()
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["max_tokens"] == 8192
    assert "temperature" not in body  # the API allows only 1 with thinking
    tight = ChatRequest(model="m", messages=REQUEST.messages, max_tokens=1000, thinking_budget=4000)
    run(model_server.url, tight)
    assert model_server.requests[1].json()["max_tokens"] > 4000


def test_no_key_header_without_a_key(model_server):
    model_server.enqueue(anthropic_text_reply("ok"))
    run(model_server.url, api_key=None)
    assert "x-api-key" not in model_server.requests[0].headers


def test_thinking_text_and_usage(model_server):
    model_server.enqueue(anthropic_text_reply("Four.", thinking="2+2=4", chunk_chars=3))
    events, error = run(model_server.url)
    assert error is None
    assert coalesce(events) == coalesce(
        [
            ReasoningDelta("2+2"),
            ReasoningDelta("=4"),
            ReasoningSignature("c2lnbmF0dXJl"),  # sent back with tool calls
            TextDelta("Fou"),
            TextDelta("r."),
            Usage(10, 20),
            Finished("stop"),
        ]
    )


@pytest.mark.parametrize(
    ("stop_reason", "finished"),
    [
        ("end_turn", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("stop_sequence", "stop"),
    ],
)
def test_stop_reasons_are_mapped(model_server, stop_reason, finished):
    model_server.enqueue(anthropic_text_reply("x", stop_reason=stop_reason))
    events, _ = run(model_server.url)
    assert events[-1] == Finished(finished)


def test_tool_use_blocks_become_tool_call_deltas(model_server):
    tool = {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {}}

    def json_delta(part):
        delta = {"type": "input_json_delta", "partial_json": part}
        return event({"type": "content_block_delta", "index": 1, "delta": delta})

    body = [
        START,
        *text_block(0, "Checking."),
        event({"type": "content_block_start", "index": 1, "content_block": tool}),
        json_delta(""),
        json_delta('{"city": '),
        json_delta('"Paris"}'),
        event({"type": "content_block_stop", "index": 1}),
        *stop("tool_use"),
    ]
    model_server.enqueue(sse_reply(body))
    events, _ = run(model_server.url)
    assert events == [
        TextDelta("Checking."),
        ToolCallDelta(0, id="toolu_1", name="weather"),
        ToolCallDelta(0, arguments='{"city": '),
        ToolCallDelta(0, arguments='"Paris"}'),
        Usage(5, 3),
        Finished("tool_calls"),
    ]


def test_cached_prompt_tokens_count_as_input(model_server):
    usage = {"input_tokens": 5, "cache_read_input_tokens": 100, "output_tokens": 1}
    body = [
        event({"type": "message_start", "message": {"usage": usage}}),
        *text_block(0, "x"),
        *stop("end_turn"),
    ]
    model_server.enqueue(sse_reply(body))
    events, _ = run(model_server.url)
    assert Usage(105, 3) in events


def test_overloaded_error_mid_stream(model_server):
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    model_server.enqueue(sse_reply([START, *text_block(0, "Hel")[:2], event(error)]))
    events, raised = run(model_server.url)
    assert events == [TextDelta("Hel")]
    assert isinstance(raised, ServerError) and raised.retryable
    assert str(raised) == "Claude is overloaded: Overloaded. Try again in a moment."


def test_rate_limit_error_mid_stream(model_server):
    error = {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}}
    model_server.enqueue(sse_reply([START, event(error)]))
    _, raised = run(model_server.url)
    assert isinstance(raised, RateLimited)


def test_ping_and_unknown_events_are_ignored(model_server):
    body = [
        START,
        event({"type": "ping"}),
        event({"type": "future_event", "x": 1}),
        *text_block(0, "a"),
        *stop("end_turn"),
    ]
    model_server.enqueue(sse_reply(body))
    events, error = run(model_server.url)
    assert error is None and events[0] == TextDelta("a")


def test_dropped_connection_mid_reply(model_server):
    model_server.enqueue(
        sse_reply([START, *text_block(0, "partial", " more", " never")], drop_after=4)
    )
    events, error = run(model_server.url)
    assert coalesce(events) == coalesce([TextDelta("partial"), TextDelta(" more")])
    assert isinstance(error, NetworkError) and "dropped mid-reply" in str(error)


@pytest.mark.parametrize(
    ("status", "kind", "error_type", "words"),
    [
        (401, AuthError, "authentication_error", "rejected the API key (401)"),
        (400, BadResponse, "invalid_request_error", "refused the request (400): bad thing"),
        (404, BadResponse, "not_found_error", "model: claude-nope"),
        (429, RateLimited, "rate_limit_error", "limiting requests"),
        (500, ServerError, "api_error", "server error (500)"),
        (529, ServerError, "overloaded_error", "overloaded (529)"),
    ],
)
def test_http_errors_in_anthropic_shape(model_server, status, kind, error_type, words):
    message = "model: claude-nope" if status == 404 else "bad thing"
    body = {"type": "error", "error": {"type": error_type, "message": message}}
    model_server.enqueue(error_reply(status, body, headers={"retry-after": "4"}))
    events, error = run(model_server.url)
    assert events == [] and type(error) is kind
    assert words in str(error)
    if status in (429, 529):
        assert error.retryable
    if status == 429:
        assert error.retry_after == 4.0


def test_list_models_follows_pages(model_server):
    first = {"data": [{"id": "claude-b"}], "has_more": True, "last_id": "claude-b"}
    model_server.enqueue_models(error_reply(200, first))
    model_server.models = ["claude-a"]

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "anthropic", client=client, base_url=model_server.url, api_key="k", name="C"
            )
            return await provider.list_models()

    assert asyncio.run(go()) == ["claude-a", "claude-b"]
    paths = [r.path for r in model_server.requests]
    assert paths == ["/v1/models?limit=1000", "/v1/models?limit=1000&after_id=claude-b"]
    assert model_server.requests[0].headers["x-api-key"] == "k"
