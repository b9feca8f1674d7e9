"""Server-sent events: an incremental decoder and the streaming POST every provider uses.

`SSEDecoder` turns bytes, cut anywhere (even inside a UTF-8 character or between CR and LF),
into events, following the WHATWG event-stream rules: CR, LF or CRLF line ends, `:` comment
lines (keep-alives such as OpenRouter's `: OPENROUTER PROCESSING`), `event:`, `id:`, multi-line
`data:`, a blank line to dispatch. `open_event_stream` sends the request, turns HTTP and
transport failures into the typed provider errors and yields decoded events.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from app.events import NetworkError, StreamEvent
from app.providers.base import coalesce
from app.providers.errors import (
    ErrorContext,
    bad_response,
    error_from_response,
    network_error,
    redirect_error,
    silence_sentence,
)
from app.providers.fast_json import dumps

_LINE_END = re.compile(rb"\r\n|\r|\n")
# Parsing a large buffered read without a pause starves the GUI (PITFALLS.md): hand the loop
# back about this often.
_YIELD_EVERY = 0.008
# Pieces of the body that arrived together are decoded in one go up to about this size: a
# fast stream sends one HTTP chunk per token, and each decoder call has a fixed cost.
_JOIN_BYTES = 16384


@dataclass(frozen=True)
class SSEEvent:
    """One dispatched event: its type ("message" unless an `event:` line said), data and id."""

    event: str
    data: str
    id: str | None = None


class SSEDecoder:
    """Feed it bytes as they arrive; it returns the events completed so far."""

    def __init__(self) -> None:
        # Bytes of the unfinished line; a bytearray so a long line arriving in many small
        # chunks grows in place instead of being copied on every feed.
        self._buffer = bytearray()
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        self._first_line = True

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode a chunk; the returned events are complete (dispatched by a blank line)."""
        if b"\r" not in chunk and b"\r" not in self._buffer[-1:]:
            return self._feed_lf(chunk)
        # The kept tail holds no line end, except perhaps a final CR: rescan only from there.
        search_from = max(len(self._buffer) - 1, 0)
        self._buffer += chunk
        events: list[SSEEvent] = []
        position = 0
        while (end := _LINE_END.search(self._buffer, max(position, search_from))) is not None:
            # A CR at the very end may be the first half of a CRLF: wait for the next byte.
            if end.group() == b"\r" and end.end() == len(self._buffer):
                break
            self._line(bytes(self._buffer[position : end.start()]), events)
            position = end.end()
        del self._buffer[:position]
        return events

    def _feed_lf(self, chunk: bytes) -> list[SSEEvent]:
        """The common case, lines ended by LF alone: the complete lines are decoded as one
        string and split at once (a LF is never part of a UTF-8 sequence, so decoding them
        together gives what decoding each line would)."""
        events: list[SSEEvent] = []
        last = chunk.rfind(b"\n")
        if last < 0:
            self._buffer += chunk
            return events
        if self._buffer:
            self._buffer += chunk[:last]
            complete = bytes(self._buffer)
        else:
            complete = chunk[:last]
        self._buffer = bytearray(chunk[last + 1 :])
        for line in complete.decode("utf-8", errors="replace").split("\n"):
            self._text_line(line, events)
        return events

    def close(self) -> list[SSEEvent]:
        """The stream ended: finish a last line and event that lack their terminators."""
        events: list[SSEEvent] = []
        pending = bytes(self._buffer).rstrip(b"\r")
        self._buffer.clear()
        if pending:
            self._line(pending, events)
        self._line(b"", events)
        return events

    def _line(self, raw: bytes, events: list[SSEEvent]) -> None:
        self._text_line(raw.decode("utf-8", errors="replace"), events)

    def _text_line(self, line: str, events: list[SSEEvent]) -> None:
        if self._first_line:
            line = line.removeprefix("\ufeff")
            self._first_line = False
        if not line:
            self._dispatch(events)
            return
        if line.startswith("data:"):  # nearly every line: no partition, no comparisons
            self._data.append(line[6:] if line.startswith("data: ") else line[5:])
            return
        if line.startswith(":"):
            return  # a comment: keep-alive padding
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        # "retry" and unknown fields are ignored, as the standard says.

    def _dispatch(self, events: list[SSEEvent]) -> None:
        data = self._data
        if data:
            text = data[0] if len(data) == 1 else "\n".join(data)
            events.append(SSEEvent(self._event or "message", text, self._id))
            self._data = []
        self._event = ""


@dataclass
class EventStream:
    """An open streaming response: its HTTP headers and the decoded events."""

    response: httpx.Response
    # The decoded events, in batches (one per network read).
    events: AsyncIterator[list[SSEEvent]]

    @property
    def content_type(self) -> str:
        """The media type of the reply, lower-case, without parameters."""
        return self.response.headers.get("content-type", "").split(";")[0].strip().lower()


async def _decode(response: httpx.Response, context: ErrorContext) -> AsyncIterator[list[SSEEvent]]:
    """The events of a response in batches, pausing for the event loop now and then.

    A reader task takes the body off the connection as it arrives; whatever piled up while the
    caller was busy is decoded as one batch. A fast stream (one HTTP chunk per token) therefore
    costs the layers above one step per batch, not one per token, and a slow one still flows
    token by token.
    """
    decoder = SSEDecoder()
    arrived = _Inbox()
    reader = asyncio.ensure_future(_read_body(response, arrived))
    try:
        while True:
            pieces = await arrived.take()
            batch: list[SSEEvent] = []
            paused_at = time.monotonic()
            for piece in _joined(pieces):
                if piece is None:
                    batch.extend(decoder.close())
                    if batch:
                        yield batch
                    return
                if isinstance(piece, BaseException):
                    if batch:
                        yield batch
                    raise _network_error(piece, context)
                batch.extend(decoder.feed(piece))
                if time.monotonic() - paused_at > _YIELD_EVERY:
                    yield batch
                    batch = []
                    await asyncio.sleep(0)
                    paused_at = time.monotonic()
            if batch:
                yield batch
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


class _Inbox:
    """What the reader took off the connection, handed to the decoder all at once (a list and
    a flag: cheaper per chunk than an asyncio.Queue, which wakes a getter for every item)."""

    def __init__(self) -> None:
        self._items: list[bytes | BaseException | None] = []
        self._ready = asyncio.Event()

    def put(self, item: bytes | BaseException | None) -> None:
        self._items.append(item)
        self._ready.set()

    async def take(self) -> list[bytes | BaseException | None]:
        """Everything put since the last take (waits for at least one item)."""
        await self._ready.wait()
        self._ready.clear()
        items, self._items = self._items, []
        return items


def _joined(pieces: list[bytes | BaseException | None]) -> Iterator[bytes | BaseException | None]:
    """The pieces in order, runs of bytes joined up to about _JOIN_BYTES each."""
    run: list[bytes] = []
    size = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            run.append(piece)
            size += len(piece)
            if size >= _JOIN_BYTES:
                yield b"".join(run)
                run, size = [], 0
            continue
        if run:
            yield b"".join(run)
            run, size = [], 0
        yield piece
    if run:
        yield b"".join(run)


async def _read_body(response: httpx.Response, arrived: _Inbox) -> None:
    """Put each piece of the body in the inbox as it arrives; then None, or the error."""
    try:
        async with aclosing(response.aiter_bytes()) as chunks:
            async for chunk in chunks:
                arrived.put(chunk)
    except (httpx.TransportError, httpx.StreamError) as exc:
        arrived.put(exc)
        return
    arrived.put(None)


def _network_error(exc: BaseException, context: ErrorContext) -> NetworkError:
    if isinstance(exc, httpx.ReadTimeout):
        return NetworkError(silence_sentence(context, exc, mid_reply=True))
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(f"{context.who()} stopped sending mid-reply ({type(exc).__name__}).")
    return NetworkError(f"The connection to {context.who()} dropped mid-reply.")


@asynccontextmanager
async def open_event_stream(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    context: ErrorContext,
    headers: Mapping[str, str],
    body: Any = None,
) -> AsyncIterator[EventStream]:
    """Send the request; raise the typed error for a failed status; yield the event stream."""
    sent = dict(headers)
    content = None
    if body is not None:  # written by msgspec: a long conversation's body in a fifth the time
        if not any(name.lower() == "content-type" for name in sent):  # as httpx's json= does
            sent["Content-Type"] = "application/json"
        content = dumps(body)
    request = client.build_request(method, url, headers=sent, content=content)
    try:
        response = await client.send(request, stream=True)
    except httpx.HTTPError as exc:
        raise network_error(context, exc) from exc
    try:
        if response.status_code >= 400:
            body = await _body(response)
            raise error_from_response(context, response.status_code, body, response.headers)
        if 300 <= response.status_code < 400:
            # Redirects are not followed (a POST would lose its body or its key would travel).
            raise redirect_error(context, response.status_code, response.headers)
        stream = EventStream(response, _decode(response, context))
        if stream.content_type == "text/html":
            # A web page where the API should be: a captive portal or a wrong base URL.
            raise bad_response(
                context, f"answered {url} with a web page, not a model API; check the base URL"
            )
        async with aclosing(stream.events):
            yield stream
    finally:
        await response.aclose()


async def _body(response: httpx.Response) -> bytes:
    """An error reply's body (a failure to read it is reported as the status alone)."""
    try:
        return await response.aread()
    except httpx.HTTPError:
        return b""


async def get_json(
    client: httpx.AsyncClient, url: str, *, context: ErrorContext, headers: Mapping[str, str]
) -> Any:
    """GET a JSON document, with the same error mapping as the streams."""
    try:
        response = await client.get(url, headers=dict(headers))
    except httpx.HTTPError as exc:
        raise network_error(context, exc) from exc
    if response.status_code >= 400:
        raise error_from_response(context, response.status_code, response.content, response.headers)
    if 300 <= response.status_code < 400:
        raise redirect_error(context, response.status_code, response.headers)
    try:
        return response.json()
    except ValueError as exc:
        raise bad_response(context, "did not answer with JSON") from exc


async def parse_batches(
    batches: AsyncIterator[list[SSEEvent]],
    feed: Callable[[SSEEvent], Iterable[StreamEvent]],
    done: Callable[[], bool],
) -> AsyncIterator[StreamEvent]:
    """Stream events from batches of SSE events: each batch's text merged, until `done()`.

    What a batch gave before an error in its middle still reaches the caller, then the error.
    """
    async for batch in batches:
        events: list[StreamEvent] = []
        try:
            for sse_event in batch:
                events.extend(feed(sse_event))
                if done():
                    break
        finally:
            for event in coalesce(events):
                yield event
        if done():
            return
