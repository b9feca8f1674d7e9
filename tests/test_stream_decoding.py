"""The stream's fast paths give exactly what the plain reading gives.

The SSE decoder decodes whole runs of lines at once, JSON goes through msgspec, and a chunk
that only carries text skips the general OpenAI reading. Each is checked here against the slow,
obvious version: a naive event-stream reader written from the WHATWG rules, `json.loads`, and
the parser with its shortcut turned off, on the recorded corpus streams and on arbitrary
(malformed) input.
"""

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.events import TextDelta
from app.providers import openai as openai_module
from app.providers.errors import ErrorContext
from app.providers.fast_json import dumps, loads
from app.providers.openai import OpenAIStreamParser
from app.providers.sse import SSEDecoder, SSEEvent, _joined
from tests.conftest import CORPUS, corpus_path

CONTEXT = ErrorContext("test", "http://127.0.0.1/v1/chat/completions")


def naive_events(body: bytes) -> list[SSEEvent]:
    """The event stream rules read the obvious way: the whole body at once."""
    text = body.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)
    ended = bool(lines) and lines[-1] == ""
    if ended:
        lines.pop()
    events: list[SSEEvent] = []
    data: list[str] = []
    name, last_id = "", None
    for line in [*lines, ""]:  # the stream's end dispatches what is pending, like a blank line
        if not line:
            if data:
                events.append(SSEEvent(name or "message", "\n".join(data), last_id))
            data, name = [], ""
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
        elif field == "id" and "\0" not in value:
            last_id = value
    return events


def decoded(body: bytes, cuts: list[int]) -> list[SSEEvent]:
    """SSEDecoder's events for body cut at these offsets."""
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    start = 0
    for cut in sorted(cuts):
        events += decoder.feed(body[start:cut])
        start = cut
    events += decoder.feed(body[start:])
    return events + decoder.close()


def corpus_sse_files() -> list[str]:
    folder = CORPUS / "sse"
    return sorted(p.name for p in folder.glob("*.sse")) if folder.exists() else ["absent.sse"]


@pytest.mark.parametrize("name", corpus_sse_files())
def test_corpus_streams_decode_as_the_naive_reading_does(name):
    body = corpus_path("sse", name).read_bytes()
    expected = naive_events(body)
    assert expected
    assert decoded(body, []) == expected
    assert decoded(body, list(range(0, len(body), 7))) == expected  # cut everywhere, often
    assert decoded(body, list(range(0, len(body), 1))) == expected  # byte by byte


PIECES = st.sampled_from(
    [
        b"data:",
        b"data: ",
        b"data",
        b"event: ",
        b"event:x",
        b"id: 7",
        b"id:\x00",
        b":",
        b": keep-alive",
        b"retry: 5",
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\n",
        b"{}",
        b'{"a": 1}',
        b"[DONE]",
        "é😀".encode(),
        b"\xc3",  # a UTF-8 sequence cut short
        b"\xff\xfe",  # never UTF-8
        b"\xef\xbb\xbf",  # a byte order mark (dropped only at the very start)
        b" ",
        b"x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40), st.lists(st.integers(0, 200), max_size=8))
def test_arbitrary_bytes_cut_anywhere_decode_as_the_naive_reading_does(pieces, cuts):
    body = b"".join(pieces)
    assert decoded(body, [c for c in cuts if c <= len(body)]) == naive_events(body)


def test_joined_keeps_order_and_stops_runs_at_markers():
    error = ValueError("x")
    pieces = [b"a", b"b", error, b"c", None]
    assert list(_joined(pieces)) == [b"ab", error, b"c", None]
    big = [b"x" * 10_000, b"y" * 10_000, b"z"]
    assert b"".join(p for p in _joined(big) if isinstance(p, bytes)) == b"".join(big)


def json_values(*, finite: bool = False) -> st.SearchStrategy:
    """Nested JSON values (text never holds a lone surrogate: Hypothesis leaves them out);
    finite: no NaN or infinity, which JSON has no word for."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(10**30), max_value=10**30)
        | st.floats(allow_nan=not finite, allow_infinity=not finite)
        | st.text(),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        ),
        max_leaves=12,
    )


JSON_VALUES = json_values()


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_fast_json_reads_what_json_reads(value):
    text = json.dumps(value)
    assert repr(loads(text)) == repr(json.loads(text))  # repr: NaN equals itself there


@settings(max_examples=300, deadline=None)
@given(json_values(finite=True))
def test_fast_json_writes_what_json_reads_back(value):
    assert repr(json.loads(dumps(value))) == repr(value)  # repr: -0.0 stays -0.0


def test_fast_json_writes_no_word_json_lacks():
    assert json.loads(dumps({"t": float("nan"), "u": float("inf")})) == {"t": None, "u": None}
    with pytest.raises(UnicodeEncodeError):
        dumps("\ud800")
    with pytest.raises(TypeError):
        dumps(object())


@pytest.mark.parametrize(
    "text",
    ["NaN", "[-Infinity]", "[1e400]", '"\\ud800"', "123456789012345678901234567890", ' {"a": 1} '],
)
def test_fast_json_edge_cases_are_the_standard_librarys(text):
    assert repr(loads(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", ["", "{", '{"a":1}x', "nan", "[1,]", "\x00", "{'a': 1}"])
def test_fast_json_refuses_what_json_refuses(text):
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        loads(text)


def long_way(payload: object, monkeypatch: pytest.MonkeyPatch) -> tuple[list, object, object]:
    """feed_payload with the text shortcut turned off: (events, usage, finish reason)."""
    with monkeypatch.context() as patch:
        patch.setattr(openai_module, "_plain_text", lambda _payload: None)
        return outcome(payload)


def outcome(payload: object) -> tuple[list, object, object]:
    parser = OpenAIStreamParser(CONTEXT)
    try:
        events = parser.feed_payload(payload)
    except Exception as error:  # the same error either way
        events = [type(error).__name__, str(error)]
    return events, parser._usage, parser.finish_reason


def corpus_payloads() -> list[dict]:
    """Every chunk object of the recorded OpenAI-style streams."""
    folder = CORPUS / "sse"
    if not folder.exists():
        return []
    payloads = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("anthropic"):
            continue
        if path.name.endswith(".chunks.jsonl"):
            texts = path.read_text("utf-8").splitlines()
        else:
            texts = [e.data for e in naive_events(path.read_bytes())]
        payloads += [json.loads(t) for t in texts if t.strip() and t.strip() != "[DONE]"]
    return payloads


def test_corpus_chunks_give_the_same_events_with_and_without_the_shortcut(monkeypatch):
    corpus_path("sse")
    payloads = corpus_payloads()
    assert len(payloads) > 100
    shortcut = 0
    for payload in payloads:
        shortcut += openai_module._plain_text(payload) is not None
        assert outcome(payload) == long_way(payload, monkeypatch), payload
    assert shortcut > 50  # the shortcut is what most recorded chunks take


DELTAS = st.dictionaries(
    st.sampled_from(["content", "role", "reasoning_content", "reasoning", "tool_calls", "refusal"]),
    st.none() | st.text(max_size=3) | st.integers(0, 2) | st.just([]) | st.just({}),
    max_size=3,
)
CHOICES = st.fixed_dictionaries(
    {},
    optional={
        "index": st.integers(0, 1) | st.none(),
        "delta": DELTAS | st.none() | st.text(max_size=2),
        "message": DELTAS,
        "finish_reason": st.none() | st.sampled_from(["", "stop", "length"]),
    },
)
PAYLOADS = st.fixed_dictionaries(
    {},
    optional={
        "choices": st.lists(CHOICES, min_size=1, max_size=1)
        | st.lists(CHOICES, max_size=2)
        | st.none()
        | st.text(max_size=2),
        "usage": st.none()
        | st.integers(0, 3)
        | st.fixed_dictionaries({"prompt_tokens": st.integers(0, 9)}),
        "error": st.none() | st.just("") | st.just({"message": "no"}),
        "id": st.text(max_size=3),
    },
)


@settings(max_examples=500, deadline=None)
@given(PAYLOADS)
def test_any_chunk_gives_the_same_events_with_and_without_the_shortcut(payload):
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert outcome(payload) == long_way(payload, monkeypatch)


NEAR_MISSES = [
    {"choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": "stop"}]},
    {"choices": [{"index": 0, "delta": {"content": "a"}}], "usage": {"prompt_tokens": 3}},
    {"choices": [{"index": 0, "delta": {"content": "a"}}], "error": {"message": "no"}},
    {"choices": [{"index": 1, "delta": {"content": "a"}}]},
    {"choices": [{"delta": {"content": "a"}}, {"index": 1, "delta": {"content": "b"}}]},
    {"choices": [{"index": 0, "delta": {"content": "a", "reasoning_content": "r"}}]},
    {"choices": [{"index": 0, "delta": {"content": "a", "tool_calls": [{"id": "t"}]}}]},
    {"choices": [{"index": 0, "delta": {"content": [{"type": "thinking", "text": "r"}]}}]},
    {"choices": [{"index": 0, "delta": {}, "message": {"content": "whole"}}]},
    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": None}}]},
    {"choices": [{"index": 0, "delta": {"content": 5}}]},
]


@pytest.mark.parametrize("payload", NEAR_MISSES)
def test_chunks_near_the_shortcut_give_the_same_events(payload, monkeypatch):
    assert outcome(payload) == long_way(payload, monkeypatch)


def test_a_text_chunk_takes_the_shortcut():
    chunk = {"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]}
    assert openai_module._plain_text(chunk) == "Hi"
    assert OpenAIStreamParser(CONTEXT).feed_payload(chunk) == [TextDelta("Hi")]
