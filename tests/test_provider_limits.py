"""Limits a provider reply runs into: a long Retry-After, a redirect, a stalled stream.

Over real HTTP on loopback: the session gives up at once on a wait it will not sit through and
says when to try again; a 3xx is named as a redirect (without the password of its Location);
the read timeout is a setting (settings.json, `ask --read-timeout`) and the error says it.
"""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import datetime
from pathlib import Path

import httpx

from app.config import DEFAULT_READ_TIMEOUT, Settings, load_settings, save_settings
from app.connection import new_http_client
from app.events import BadResponse, NetworkError, RateLimited
from app.providers import make_provider
from app.providers.retry import MAX_WAIT_SECONDS, too_long_to_wait, wait_sentence
from app.session import ChatSession, Retrying, SessionEvent, TurnEnded
from app.store import Store
from tests.model_server import Reply, error_reply, sse_reply
from tests.test_cli import _ask
from tests.test_provider_openai import REQUEST, chunk, run


def _send(server, store: Store, *, sleep) -> tuple[object, list[SessionEvent]]:
    events: list[SessionEvent] = []

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=server.openai_base, api_key="k", name="Test"
            )
            cid = store.create_conversation().id
            session = ChatSession(store, cid, provider, "m", system_prompt="S", sleep=sleep)
            return await session.send("hi", events.append)

    return asyncio.run(go()), events


# --- a Retry-After longer than Easel waits ------------------------------------------------------


def test_a_day_long_retry_after_gives_up_at_once_and_says_when(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    model_server.enqueue(
        error_reply(429, {"error": {"message": "daily quota"}}, headers={"Retry-After": "86400"})
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    message, events = _send(model_server, store, sleep=sleep)
    assert waits == [] and not any(isinstance(e, Retrying) for e in events)
    assert len(model_server.requests) == 1
    ended = [e for e in events if isinstance(e, TurnEnded)][0]
    assert isinstance(ended.error, RateLimited) and not ended.error.retryable
    text = str(ended.error)
    assert text.startswith("Rate limited: the server asks to wait 24 hours (until ")
    assert "daily quota" in text and "Gave up" not in text
    assert message.status == "error"


def test_a_short_retry_after_is_still_waited_for(model_server):
    model_server.enqueue(error_reply(429, {"error": "slow"}, headers={"Retry-After": "60"}))
    _, error = run(model_server.openai_base)
    assert isinstance(error, RateLimited) and error.retryable and error.retry_after == 60.0


def test_a_long_wait_in_the_message_or_the_stream_is_not_waited_for(model_server):
    body = {"error": {"message": "Quota exceeded, please try again in 2 hours."}}
    model_server.enqueue(error_reply(429, body))
    _, error = run(model_server.openai_base)
    assert isinstance(error, RateLimited) and not error.retryable
    assert "wait 2 hours" in str(error)
    event = 'event: error\ndata: {"error": {"code": 429, "message": "retry in 10 minutes"}}\n\n'
    model_server.enqueue(sse_reply([event]))
    _, error = run(model_server.openai_base)
    assert isinstance(error, RateLimited) and not error.retryable
    assert "wait 10 minutes" in str(error)


def test_wait_sentence_says_how_long_and_until_when():
    now = datetime(2026, 11, 30, 14, 5)
    assert wait_sentence(86400, now) == "the server asks to wait 24 hours (until Tue 1 Dec 14:05)"
    assert wait_sentence(90, now) == "the server asks to wait 90 seconds (until 14:06)"
    assert wait_sentence(600, now) == "the server asks to wait 10 minutes (until 14:15)"
    assert wait_sentence(7 * 86400, now).startswith("the server asks to wait 7 days")
    assert not too_long_to_wait(None) and not too_long_to_wait(MAX_WAIT_SECONDS)
    assert too_long_to_wait(MAX_WAIT_SECONDS + 1)


# --- a redirect ---------------------------------------------------------------------------------


def _redirect(status: int, location: str | None) -> Reply:
    headers = {"Location": location} if location else {}
    return error_reply(status, "<html>moved</html>", headers=headers)


def test_a_redirect_is_named_as_one_without_its_password(model_server):
    model_server.enqueue(_redirect(302, "https://user:secret@other.example/v1/chat/completions"))
    events, error = run(model_server.openai_base)
    assert events == [] and isinstance(error, BadResponse) and error.status == 302
    assert str(error) == (
        f"Test ({model_server.openai_base.split('//')[1].split('/')[0]}) redirected to "
        "https://other.example/v1/chat/completions (302): check the base URL."
    )
    assert "secret" not in str(error) and "JSON" not in str(error)


def test_a_redirect_with_a_json_body_or_no_location_is_still_a_redirect(model_server):
    model_server.enqueue(
        Reply(
            status=301,
            headers={"Content-Type": "application/json", "Location": "/v2/"},
            chunks=[b"{}"],
            streamed=False,
        ),
        _redirect(307, None),
    )
    _, error = run(model_server.openai_base)
    assert isinstance(error, BadResponse) and "redirected to /v2/ (301)" in str(error)
    _, error = run(model_server.openai_base)
    assert isinstance(error, BadResponse) and "redirected (307): check the base URL" in str(error)


def test_the_model_list_names_a_redirect_too(model_server):
    model_server.enqueue_models(_redirect(308, "http://elsewhere.example/v1/models"))

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key=None, name="T"
            )
            return await provider.list_models()

    try:
        asyncio.run(go())
    except BadResponse as error:
        assert "redirected to http://elsewhere.example/v1/models (308)" in str(error)
    else:
        raise AssertionError("a redirect gave a model list")


# --- the read timeout ---------------------------------------------------------------------------


def _stalling_body() -> list[str]:
    return [
        chunk({"content": "ab"}),
        chunk({"content": "cd"}),
        chunk({}, "stop"),
        "data: [DONE]\n\n",
    ]


def _stream_with(base: str, read_timeout: float):
    async def go():
        async with new_http_client(read_timeout=read_timeout) as client:
            provider = make_provider("openai", client=client, base_url=base, api_key=None, name="T")
            seen = []
            try:
                async for event in provider.stream(REQUEST):
                    seen.append(event)
            except NetworkError as error:
                return seen, error
            return seen, None

    return asyncio.run(go())


def test_a_stall_after_two_chunks_fails_after_the_read_timeout_and_says_it(model_server):
    model_server.enqueue(sse_reply(_stalling_body()), sse_reply(_stalling_body(), delay=30))
    # A healthy stream is not cut by a short timeout; a pause longer than it is.
    events, error = _stream_with(model_server.openai_base, 0.4)
    assert error is None and events
    events, error = _stream_with(model_server.openai_base, 0.4)
    assert [getattr(e, "text", None) for e in events] == ["ab"]
    host = model_server.openai_base.split("//")[1].split("/")[0]
    assert str(error) == f"No data from T ({host}) for 0.4 s in the middle of the reply."


def test_no_answer_at_all_names_the_timeout():
    # A server that takes the connection and never answers: the wait for headers runs out.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        base = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        events, error = _stream_with(base, 0.3)
    assert events == [] and isinstance(error, NetworkError)
    assert str(error) == f"No data from T ({base.split('//')[1][:-3]}) for 0.3 s."


def test_the_read_timeout_is_a_setting_with_a_sane_default():
    assert load_settings().read_timeout == DEFAULT_READ_TIMEOUT == 60.0
    save_settings(Settings(read_timeout=15.0))
    assert load_settings().read_timeout == 15.0
    client = new_http_client(read_timeout=load_settings().read_timeout)
    assert client.timeout.read == 15.0 and client.timeout.connect == 10.0
    asyncio.run(client.aclose())


def test_an_unusable_read_timeout_in_settings_falls_back_to_the_default(easel_home: Path):
    path = easel_home / "config" / "settings.json"
    for value in ("soon", -5, 0, True, 10**9):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"read_timeout": value}), encoding="utf-8")
        assert load_settings().read_timeout == DEFAULT_READ_TIMEOUT


def test_ask_read_timeout_option_and_setting(model_server, easel_home: Path):
    model_server.enqueue(sse_reply(_stalling_body(), delay=30))
    result = _ask(model_server, "--read-timeout", "1", "hi", home=easel_home)
    assert result.returncode == 5, result.stderr
    assert "No data from" in result.stderr and "for 1 s" in result.stderr
    assert result.stdout.startswith("ab")
    bad = _ask(model_server, "--read-timeout", "never", "hi", home=easel_home)
    assert bad.returncode == 2 and "--read-timeout" in bad.stderr
    save_settings(Settings(read_timeout=1.0))
    model_server.enqueue(sse_reply(_stalling_body(), delay=30))
    result = _ask(model_server, "hi", home=easel_home)
    assert result.returncode == 5 and "for 1 s" in result.stderr
