"""The incremental server-sent events decoder: framing, comments, and chunking anywhere."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.providers.sse import SSEDecoder, SSEEvent

# A body exercising every rule at once: CRLF, lone CR and LF line ends, keep-alive comments,
# `event:` and `id:` lines, multi-line data, a field without a space, multi-byte UTF-8 text.
BODY = (
    b": OPENROUTER PROCESSING\r\n\r\n"
    b'event: message_start\r\ndata: {"a": 1}\r\n\r\n'
    b"data: line one\ndata: line two\n\n"
    b"id: 7\rdata:no-space \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x84\r\r"
    b"retry: 100\nunknown: x\n: comment\ndata: [DONE]\n\n"
)
EXPECTED = [
    SSEEvent("message_start", '{"a": 1}'),
    SSEEvent("message", "line one\nline two"),
    SSEEvent("message", "no-space 你好 😄", "7"),
    SSEEvent("message", "[DONE]", "7"),
]


def decode(pieces: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = []
    for piece in pieces:
        events += decoder.feed(piece)
    return events + decoder.close()


def test_whole_body_decodes_to_the_expected_events():
    assert decode([BODY]) == EXPECTED


def test_every_single_split_point_gives_the_same_events():
    for cut in range(len(BODY) + 1):
        assert decode([BODY[:cut], BODY[cut:]]) == EXPECTED, cut


def test_byte_by_byte_gives_the_same_events():
    assert decode([BODY[i : i + 1] for i in range(len(BODY))]) == EXPECTED


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(BODY)), max_size=12))
def test_any_chunking_gives_the_same_events(cuts):
    points = [0, *sorted(cuts), len(BODY)]
    assert decode([BODY[a:b] for a, b in zip(points, points[1:], strict=False)]) == EXPECTED


def test_events_are_returned_as_soon_as_their_blank_line_arrives():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: one\n") == []
    assert decoder.feed(b"\n") == [SSEEvent("message", "one")]
    assert decoder.feed(b"data: two\r") == []
    # The CR might be the first half of CRLF: the next byte decides.
    assert decoder.feed(b"\n\r\n") == [SSEEvent("message", "two")]


def test_comments_alone_dispatch_nothing():
    assert decode([b": keep-alive\n\n: OPENROUTER PROCESSING\n\n"]) == []


def test_event_name_resets_after_each_event():
    events = decode([b"event: error\ndata: x\n\ndata: y\n\n"])
    assert events == [SSEEvent("error", "x"), SSEEvent("message", "y")]


def test_last_event_without_blank_line_is_kept_at_close():
    assert decode([b"data: tail"]) == [SSEEvent("message", "tail")]
    assert decode([b"data: tail\r"]) == [SSEEvent("message", "tail")]


def test_byte_order_mark_at_the_start_is_dropped():
    assert decode([b"\xef\xbb\xbfdata: x\n\n"]) == [SSEEvent("message", "x")]


def test_invalid_utf8_is_replaced_not_fatal():
    assert decode([b"data: \xff\n\n"]) == [SSEEvent("message", "\ufffd")]


def test_a_long_line_in_small_chunks():
    # Regression: the unfinished line used to be rescanned and copied on every feed (quadratic).
    body = b"data: " + b"x" * 200_000 + b"\r\n\r\n"
    events = decode([body[i : i + 100] for i in range(0, len(body), 100)])
    assert events == [SSEEvent("message", "x" * 200_000)]
