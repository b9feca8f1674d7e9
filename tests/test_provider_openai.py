"""The OpenAI-compatible provider over real HTTP on loopback, its error mapping and retry hints."""

import asyncio
import json
import logging
import random
from contextlib import aclosing
from email.utils import formatdate

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
    ServerError,
    TextDelta,
    ToolCallDelta,
    Usage,
)
from app.providers import ChatRequest, Message, make_provider
from app.providers.base import coalesce
from app.providers.errors import retry_after_seconds
from app.providers.retry import MAX_ATTEMPTS, backoff_delay, parse_retry_hint
from tests.model_server import error_reply, openai_text_reply, sse_reply

REQUEST = ChatRequest(model="test-model", messages=(Message("user", "Hi"),))


def run(base, request=REQUEST, *, api_key=None, timeout=10.0, **options):
    """Stream one request; return (events, error or None)."""

    async def go():
        async with httpx.AsyncClient(timeout=timeout) as client:
            provider = make_provider(
                "openai", client=client, base_url=base, api_key=api_key, name="Test", **options
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


def text_of(events):
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def data(payload):
    return f"data: {json.dumps(payload)}\n\n"


def chunk(delta=None, finish=None, **extra):
    return data({"choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}], **extra})


# --- streaming ---------------------------------------------------------------------------------


def test_a_burst_is_merged_into_few_deltas_with_the_same_text(model_server):
    text = "token " * 3000
    model_server.enqueue(openai_text_reply(text, chunk_chars=6))

    async def slow_reader():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key=None, name="T"
            )
            deltas = []
            async for event in provider.stream(REQUEST):
                if isinstance(event, TextDelta):
                    deltas.append(event.text)
                    await asyncio.sleep(0.002)  # a busy caller, as a window is
            return deltas

    deltas = asyncio.run(slow_reader())
    assert "".join(deltas) == text
    assert len(deltas) < 1500  # 3,000 tokens, far fewer steps for the caller


def test_text_streams_token_by_token(model_server):
    # Tokens that arrive apart come out apart (what piles up while the caller is busy merges).
    model_server.enqueue(
        openai_text_reply("Hello, world!", chunk_chars=3, usage=(7, 9), delay=0.05)
    )
    events, error = run(model_server.openai_base)
    assert error is None
    assert events == [
        TextDelta("Hel"),
        TextDelta("lo,"),
        TextDelta(" wo"),
        TextDelta("rld"),
        TextDelta("!"),
        Usage(7, 9),
        Finished("stop"),
    ]


def test_deltas_arrive_while_the_reply_is_still_being_sent(model_server):
    # The second chunk comes a minute later: only a truly streaming client sees the first now.
    body = [chunk({"content": "abcd"}), chunk({"content": "efgh"}, "stop"), "data: [DONE]\n\n"]
    model_server.enqueue(sse_reply(body, delay=60))

    async def first_text():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key=None, name="T"
            )
            async with aclosing(provider.stream(REQUEST)) as stream:
                return await asyncio.wait_for(anext(stream), timeout=10)

    assert asyncio.run(first_text()) == TextDelta("abcd")


def test_request_body_and_headers(model_server):
    model_server.enqueue(openai_text_reply("ok"))
    request = ChatRequest(
        model="deepseek-chat",
        messages=(Message("user", "Hi"), Message("assistant", "Hello"), Message("user", "More")),
        system="Be brief.",
        temperature=0.3,
        max_tokens=100,
    )
    run(model_server.openai_base, request, api_key="sk-test", headers={"X-Title": "Easel"})
    sent = model_server.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.headers["x-title"] == "Easel"
    assert sent.json() == {
        "model": "deepseek-chat",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "user", "content": "More"},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.3,
        "max_tokens": 100,
    }


def test_request_body_is_compact_utf8_json_as_httpx_writes_it(model_server):
    """The body is written by msgspec (app/providers/fast_json.dumps): the bytes httpx's own
    json= encoding sent, non-ASCII text as UTF-8, and the Content-Type it set."""
    model_server.enqueue(openai_text_reply("ok"), openai_text_reply("ok"))
    request = ChatRequest(
        model="m", messages=(Message("user", 'Ünïcode — 中文 "quoted" \\ \n 🎈'),)
    )
    run(model_server.openai_base, request)
    sent = model_server.requests[0]
    assert sent.headers["content-type"] == "application/json"
    expected = json.dumps(
        sent.json(), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()
    assert sent.body == expected
    assert "中文".encode() in sent.body
    # A Content-Type the user set for their endpoint is kept, as httpx kept it.
    run(model_server.openai_base, request, headers={"content-type": "application/json; v=2"})
    assert model_server.requests[1].headers["content-type"] == "application/json; v=2"


def test_no_authorization_header_without_a_key(model_server):
    model_server.enqueue(openai_text_reply("ok"), openai_text_reply("ok"))
    run(model_server.openai_base, api_key=None)
    run(model_server.openai_base, api_key="")
    assert all("authorization" not in r.headers for r in model_server.requests)
    assert "max_tokens" not in model_server.requests[0].json()


def test_keep_alive_comments_event_lines_and_crlf(model_server):
    body = [
        ": OPENROUTER PROCESSING\r\n\r\n",
        "event: message\r\n" + chunk({"content": "Hi"}).replace("\n", "\r\n"),
        ": OPENROUTER PROCESSING\n\n",
        chunk({"content": " there"}, "stop"),
        "data: [DONE]\n\n",
    ]
    model_server.enqueue(sse_reply(body))
    events, error = run(model_server.openai_base)
    assert error is None
    assert coalesce(events) == coalesce([TextDelta("Hi"), TextDelta(" there"), Finished("stop")])


def test_malformed_lines_are_skipped_and_logged(model_server, caplog):
    body = [
        chunk({"content": "A"}),
        "data: {not json\n\n",
        "data: [1, 2]\n\n",
        chunk({"content": "B"}, extra_field={"ignored": True}),
        chunk({}, "stop"),
        "data: [DONE]\n\n",
    ]
    model_server.enqueue(sse_reply(body))
    with caplog.at_level(logging.WARNING, logger="app.providers.openai"):
        events, error = run(model_server.openai_base)
    assert error is None
    assert text_of(events) == "AB"
    assert sum("skipped" in r.getMessage() for r in caplog.records) == 2


def test_usage_only_final_chunk_with_empty_choices(model_server):
    body = [
        chunk({"content": "x"}),
        chunk({}, "stop"),
        data({"choices": [], "usage": {"prompt_tokens": 54, "completion_tokens": 20}}),
        "data: [DONE]\n\n",
    ]
    model_server.enqueue(sse_reply(body))
    events, _ = run(model_server.openai_base)
    assert events[-2:] == [Usage(54, 20), Finished("stop")]


def test_content_as_an_array_of_parts(model_server):
    parts = [{"type": "text", "text": "Hello"}, {"type": "text", "text": " parts"}]
    thinking = [{"type": "thinking", "thinking": [{"type": "text", "text": "hmm"}]}]
    body = [chunk({"content": thinking}), chunk({"content": parts}, "stop"), "data: [DONE]\n\n"]
    model_server.enqueue(sse_reply(body))
    events, _ = run(model_server.openai_base)
    assert events == [ReasoningDelta("hmm"), TextDelta("Hello parts"), Finished("stop")]


def test_reasoning_content_comes_before_the_text(model_server):
    model_server.enqueue(openai_text_reply("4", reasoning="2 plus 2", chunk_chars=100))
    events, _ = run(model_server.openai_base)
    assert events[:2] == [ReasoningDelta("2 plus 2"), TextDelta("4")]


def test_openrouter_reasoning_is_not_counted_twice(model_server):
    details = [{"type": "reasoning.text", "text": "think"}]
    body = [
        chunk({"content": "", "reasoning": "think", "reasoning_details": details}),
        chunk({"reasoning_details": [{"type": "reasoning.text", "text": " more"}]}),
        chunk({"reasoning_details": [{"type": "reasoning.encrypted", "data": "xyz"}]}),
        chunk({"content": "done"}, "stop"),
        "data: [DONE]\n\n",
    ]
    model_server.enqueue(sse_reply(body))
    events, _ = run(model_server.openai_base)
    assert coalesce(events) == coalesce(
        [
            ReasoningDelta("think"),
            ReasoningDelta(" more"),
            TextDelta("done"),
            Finished("stop"),
        ]
    )


def test_tool_call_deltas(model_server):
    first = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "f", "arguments": ""},
    }
    body = [
        chunk({"tool_calls": [first]}),
        chunk({"tool_calls": [{"index": 0, "id": "", "function": {"arguments": '{"a":'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]}),
        chunk({}, "tool_calls"),
        "data: [DONE]\n\n",
    ]
    model_server.enqueue(sse_reply(body))
    events, _ = run(model_server.openai_base)
    assert events == [
        ToolCallDelta(0, id="call_1", name="f"),
        ToolCallDelta(0, arguments='{"a":'),
        ToolCallDelta(0, arguments="1}"),
        Finished("tool_calls"),
    ]


def test_finish_reason_length_is_reported(model_server):
    model_server.enqueue(openai_text_reply("cut", finish_reason="length", usage=None))
    events, _ = run(model_server.openai_base)
    assert events[-1] == Finished("length")


def test_done_without_finish_reason_means_stop(model_server):
    model_server.enqueue(sse_reply([chunk({"content": "x"}), "data: [DONE]\n\n"]))
    events, _ = run(model_server.openai_base)
    assert events == [TextDelta("x"), Finished("stop")]


def test_body_ending_before_done_or_finish_is_a_network_error(model_server):
    model_server.enqueue(sse_reply([chunk({"content": "partial"})]))
    events, error = run(model_server.openai_base)
    assert events == [TextDelta("partial")]
    assert isinstance(error, NetworkError)


def test_dropped_connection_after_partial_text(model_server):
    model_server.enqueue(openai_text_reply("Hello world", chunk_chars=2, drop_after=3))
    events, error = run(model_server.openai_base)
    assert text_of(events) == "Hell"  # role chunk, "He", "ll", then the cut
    assert isinstance(error, NetworkError) and error.retryable
    assert str(error) == f"The connection to Test ({model_server.url[7:]}) dropped mid-reply."


def test_drop_after_the_finish_reason_still_finishes(model_server):
    # role, text, finish chunk sent; usage and [DONE] lost with the connection.
    model_server.enqueue(openai_text_reply("ok", chunk_chars=10, drop_after=3))
    events, error = run(model_server.openai_base)
    assert error is None
    assert events == [TextDelta("ok"), Finished("stop")]


def test_stalled_stream_is_a_network_error(model_server):
    body = [chunk({"content": "abcd"}), chunk({"content": "efgh"}, "stop"), "data: [DONE]\n\n"]
    model_server.enqueue(sse_reply(body, delay=30))
    events, error = run(model_server.openai_base, timeout=0.3)
    assert events == [TextDelta("abcd")]
    assert isinstance(error, NetworkError) and "No data from Test" in str(error)


def test_connection_refused_names_the_host():
    events, error = run("http://127.0.0.1:9/v1")
    assert events == []
    assert isinstance(error, NetworkError)
    assert "Test (127.0.0.1:9)" in str(error)


def test_server_that_ignores_stream_answers_one_json_completion(model_server):
    completion = {
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "whole"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1},
    }
    model_server.enqueue(error_reply(200, completion))
    events, error = run(model_server.openai_base)
    assert error is None
    assert events == [TextDelta("whole"), Usage(3, 1), Finished("stop")]


# --- errors inside a 200 stream ----------------------------------------------------------------


def test_error_object_inside_the_stream_raises_after_earlier_deltas(model_server):
    body = [
        chunk({"content": "Hi"}),
        chunk({"content": ""}, error={"code": 400, "message": "Token limit reached"}),
        "data: [DONE]\n\n",
    ]
    model_server.enqueue(sse_reply(body))
    events, error = run(model_server.openai_base)
    assert events == [TextDelta("Hi")]
    assert isinstance(error, ServerError)
    assert "Token limit reached" in str(error) and "Test" in str(error)


def test_error_event_with_rate_limit_code(model_server):
    body = [
        chunk({"content": "Hi"}),
        'event: error\ndata: {"error": {"code": 429, "message": "Slow down, try again in 2s"}}\n\n',
    ]
    model_server.enqueue(sse_reply(body))
    events, error = run(model_server.openai_base)
    assert events == [TextDelta("Hi")]
    assert isinstance(error, RateLimited) and error.retry_after == 2.0


def test_error_event_with_plain_text(model_server):
    model_server.enqueue(
        sse_reply([chunk({"content": "Hi"}), "event: error\ndata: upstream exploded\n\n"])
    )
    events, error = run(model_server.openai_base)
    assert events == [TextDelta("Hi")]
    assert isinstance(error, ServerError) and "upstream exploded" in str(error)


def test_web_page_with_status_200_is_a_bad_response(model_server):
    model_server.enqueue(
        error_reply(200, "<!DOCTYPE html><html><body>Login to Wi-Fi</body></html>")
    )
    _, error = run(model_server.openai_base)
    assert isinstance(error, BadResponse) and "check the base URL" in str(error)
    assert "Wi-Fi" not in str(error)


# --- HTTP errors before the stream -------------------------------------------------------------

# The shape of OpenAI's real 400 body (see the corpus test for the recorded one).
UNSUPPORTED = {
    "error": {
        "message": "Unsupported parameter: 'max_tokens' is not supported with this model.",
        "type": "invalid_request_error",
        "param": "max_tokens",
        "code": "unsupported_parameter",
    }
}


@pytest.mark.parametrize(
    ("status", "body", "kind", "words"),
    [
        (
            401,
            {"error": {"message": "Authentication Fails"}},
            AuthError,
            "rejected the API key (401)",
        ),
        (403, {"error": "Forbidden region"}, AuthError, "Forbidden region"),
        (402, {"error": {"message": "Insufficient Balance"}}, BadResponse, "Insufficient Balance"),
        (404, {"message": "Model Not Exist"}, BadResponse, "Model Not Exist"),
        (400, UNSUPPORTED, BadResponse, "'max_tokens' is not supported"),
        (422, {"detail": "messages: field required"}, BadResponse, "field required"),
        (408, "Request Timeout", NetworkError, "timed out"),
        (500, {"error": {"message": "boom"}}, ServerError, "server error (500): boom"),
        (503, "Service Unavailable", ServerError, "Service Unavailable"),
        (
            529,
            {"error": {"type": "overloaded_error", "message": "Overloaded"}},
            ServerError,
            "overloaded",
        ),
    ],
)
def test_http_error_status(model_server, status, body, kind, words):
    model_server.enqueue(error_reply(status, body))
    events, error = run(model_server.openai_base, api_key="sk-test")
    assert events == []
    assert type(error) is kind
    assert error.status == status
    assert words in str(error) and str(error).startswith("Test ")
    assert "\n" not in str(error)


def test_retryable_statuses(model_server):
    statuses = (400, 402, 404, 408, 429, 500, 501, 503, 529)
    model_server.enqueue(*(error_reply(status, {"error": {"message": "x"}}) for status in statuses))
    retryable = {status: run(model_server.openai_base)[1].retryable for status in statuses}
    assert retryable == {
        400: False,
        402: False,
        404: False,
        408: True,
        429: True,
        500: True,
        501: False,
        503: True,
        529: True,
    }


def test_401_message_names_the_environment_variable(model_server):
    model_server.enqueue(error_reply(401, {"error": {"message": "Authentication Fails"}}))
    _, error = run(model_server.openai_base, api_key="sk-x", key_hint="DEEPSEEK_API_KEY")
    assert (
        str(error)
        == "Test rejected the API key (401). Check the key in Settings or DEEPSEEK_API_KEY."
    )
    assert error.exit_code == 3


def test_401_without_a_key_says_none_was_given(model_server):
    model_server.enqueue(error_reply(401, {"error": {"message": "Missing key"}}))
    _, error = run(model_server.openai_base, key_hint="Set TEST_KEY, or save one in Settings.")
    assert (
        str(error)
        == "Test needs an API key (401) and none was given. Set TEST_KEY, or save one in Settings."
    )


def test_404_names_the_url(model_server):
    model_server.enqueue(error_reply(404, "Not Found"))
    _, error = run(model_server.openai_base)
    assert f"{model_server.openai_base}/chat/completions" in str(error)


def test_html_error_page_is_never_shown(model_server):
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"
    model_server.enqueue(error_reply(502, page))
    _, error = run(model_server.openai_base)
    assert isinstance(error, ServerError)
    assert str(error) == "Test had a server error (502)."


def test_long_plain_text_error_is_truncated(model_server):
    model_server.enqueue(error_reply(400, "bad request " * 200))
    _, error = run(model_server.openai_base)
    assert isinstance(error, BadResponse) and len(str(error)) < 400


def test_429_with_retry_after_seconds(model_server):
    model_server.enqueue(
        error_reply(429, {"error": {"message": "Rate limit"}}, headers={"Retry-After": "7"})
    )
    _, error = run(model_server.openai_base)
    assert isinstance(error, RateLimited) and error.retry_after == 7.0
    assert error.exit_code == 4


def test_429_with_retry_after_http_date(model_server):
    when = formatdate(timeval=__import__("time").time() + 120, usegmt=True)
    model_server.enqueue(error_reply(429, {"error": "slow"}, headers={"Retry-After": when}))
    _, error = run(model_server.openai_base)
    assert isinstance(error, RateLimited) and 100 < error.retry_after <= 120


def test_429_with_a_hint_in_the_message(model_server):
    body = {
        "error": {"message": "Rate limit reached. Please try again in 20s.", "type": "requests"}
    }
    model_server.enqueue(error_reply(429, body))
    _, error = run(model_server.openai_base)
    assert error.retry_after == 20.0 and "Please try again in 20s." in str(error)


def test_kimi_engine_overloaded_is_rate_limited(model_server):
    body = {
        "error": {
            "type": "engine_overloaded_error",
            "message": "The engine is currently overloaded",
        }
    }
    model_server.enqueue(error_reply(429, body))
    _, error = run(model_server.openai_base)
    assert isinstance(error, RateLimited) and error.retryable


def test_empty_queue_reply_is_a_clear_server_error(model_server):
    _, error = run(model_server.openai_base)
    assert isinstance(error, ServerError) and "no reply scripted" in str(error)


# --- list_models and the factory ---------------------------------------------------------------


def list_models(base, api_key=None):
    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=base, api_key=api_key, name="Test"
            )
            return await provider.list_models()

    return asyncio.run(go())


def test_list_models_sorted(model_server):
    model_server.models = ["b-model", "a-model", "c-model"]
    assert list_models(model_server.openai_base + "/", api_key="k") == [
        "a-model",
        "b-model",
        "c-model",
    ]
    sent = model_server.requests[0]
    assert (sent.method, sent.path, sent.headers["authorization"]) == (
        "GET",
        "/v1/models",
        "Bearer k",
    )


def test_list_models_errors_are_mapped(model_server):
    model_server.enqueue_models(
        error_reply(401, {"error": {"message": "bad key"}}), error_reply(200, "not json")
    )
    with pytest.raises(AuthError):
        list_models(model_server.openai_base)
    with pytest.raises(BadResponse):
        list_models(model_server.openai_base)


def test_unknown_kind_is_a_value_error():
    with pytest.raises(ValueError, match="gemini"):
        make_provider("gemini", client=None, base_url="http://x", api_key=None, name="X")


# --- retry timing (pure) -----------------------------------------------------------------------


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(1)
    for attempt, step in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 60.0)]:
        delay = backoff_delay(attempt, None, rng=rng)
        assert step / 2 <= delay <= step
    assert backoff_delay(3, None, base=0.5, cap=1.5, rng=rng) <= 1.5
    assert MAX_ATTEMPTS == 4


def test_backoff_honours_retry_after_within_the_cap():
    assert backoff_delay(1, 12.5) == 12.5
    assert backoff_delay(1, 0.0) == 0.0
    assert backoff_delay(1, 3600.0, cap=60.0) == 60.0


@pytest.mark.parametrize(
    ("message", "seconds"),
    [
        ("Rate limit reached. Please try again in 20s.", 20.0),
        ("Please retry after 3 seconds", 3.0),
        ("retry in 1.5 s", 1.5),
        ("Please try again in 6ms.", 0.006),
        ("Please try again in 1m30s.", 90.0),
        ("Try again after 2 minutes", 120.0),
        ("Please retry in 32.5s.", 32.5),
        ("Too many requests", None),
        ("retry later", None),
    ],
)
def test_parse_retry_hint(message, seconds):
    expected = None if seconds is None else pytest.approx(seconds)
    assert parse_retry_hint(message) == expected


def test_retry_after_header_forms():
    assert retry_after_seconds({"Retry-After": "5"}) == 5.0
    assert retry_after_seconds({"retry-after-ms": "1500"}) == 1.5
    assert (
        retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470.0)
        == 10.0
    )
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_streams_on_the_qasync_loop_and_closes_early(model_server, run_async):
    model_server.enqueue(openai_text_reply("Hello, world!", chunk_chars=2, delay=0.01))

    async def first_two():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key=None, name="T"
            )
            stream = provider.stream(REQUEST)
            # Stop after two deltas, as the Stop button does: aclose must end cleanly.
            events = [await anext(stream), await anext(stream)]
            await stream.aclose()
            return events

    events = run_async(first_two())
    assert events == [TextDelta("He"), TextDelta("ll")]
