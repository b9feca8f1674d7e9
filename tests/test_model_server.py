"""The loopback model server itself: streaming, drops, routes, stopping, other clients."""

import http.client
import json
import subprocess
import sys
import threading

import httpx
import pytest

from tests.model_server import (
    ModelServer,
    anthropic_text_reply,
    corpus_reply,
    error_reply,
    openai_text_reply,
    sse_reply,
)


def test_each_chunk_arrives_as_its_own_http_chunk(model_server):
    model_server.enqueue(sse_reply(["data: a\n\n", "data: b\n\n", "", "data: c\n\n"]))
    with (
        httpx.Client() as client,
        client.stream("POST", model_server.openai_base + "/chat/completions", json={}) as r,
    ):
        assert r.headers["transfer-encoding"] == "chunked"
        assert r.headers["content-type"].startswith("text/event-stream")
        assert list(r.iter_raw()) == [b"data: a\n\n", b"data: b\n\n", b"data: c\n\n"]


def test_requests_are_recorded_with_lower_case_headers(model_server):
    model_server.enqueue(openai_text_reply("x"))
    httpx.post(model_server.url + "/v1/messages?beta=1", json={"q": 1}, headers={"X-Api-Key": "k"})
    sent = model_server.requests[0]
    assert (sent.method, sent.path, sent.headers["x-api-key"], sent.json()) == (
        "POST",
        "/v1/messages?beta=1",
        "k",
        {"q": 1},
    )


def test_drop_after_cuts_the_body(model_server):
    model_server.enqueue(openai_text_reply("abcdefgh", drop_after=2))
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream("POST", model_server.openai_base + "/chat/completions", json={}) as r:
            for _ in r.iter_raw():
                pass


def test_empty_queue_and_unknown_route(model_server):
    empty = httpx.post(model_server.openai_base + "/chat/completions", json={})
    assert empty.status_code == 500 and "no reply scripted" in empty.json()["error"]["message"]
    assert httpx.get(model_server.url + "/nothing").status_code == 404


def test_replies_are_served_in_order(model_server):
    model_server.enqueue(error_reply(429, {"error": "first"}), error_reply(400, "second"))
    url = model_server.openai_base + "/chat/completions"
    assert [httpx.post(url, json={}).status_code for _ in range(2)] == [429, 400]


def test_models_in_both_shapes(model_server):
    model_server.models = ["m1", "m2"]
    openai = httpx.get(model_server.openai_base + "/models").json()
    anthropic = httpx.get(
        model_server.url + "/v1/models", headers={"anthropic-version": "2023-06-01"}
    ).json()
    assert [m["id"] for m in openai["data"]] == ["m1", "m2"] and openai["object"] == "list"
    assert anthropic["has_more"] is False and anthropic["data"][0]["type"] == "model"


def test_stop_returns_while_a_slow_stream_is_being_sent():
    server = ModelServer()
    server.start()
    server.enqueue(openai_text_reply("abcdefgh" * 10, delay=60))
    received = []

    def client():
        try:
            with httpx.stream("POST", server.openai_base + "/chat/completions", json={}) as r:
                for raw in r.iter_raw():
                    received.append(raw)
        except httpx.HTTPError:
            received.append(None)

    thread = threading.Thread(target=client)
    thread.start()
    server.wait_for_requests(1)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(timeout=10)
    thread.join(timeout=10)
    assert not stopper.is_alive() and not thread.is_alive()
    assert received[-1] is None  # the client saw the stream cut, not a clean end


def test_a_subprocess_can_talk_to_it(model_server):
    model_server.enqueue(anthropic_text_reply("hi"))
    script = (
        "import http.client, sys, json\n"
        "c = http.client.HTTPConnection(sys.argv[1])\n"
        "c.request('POST', '/v1/messages', body=json.dumps({'x': 1}), headers={'Content-Type': 'application/json'})\n"
        "r = c.getresponse(); print(r.status); sys.stdout.write(r.read().decode())\n"
    )
    host = model_server.url.removeprefix("http://")
    result = subprocess.run(
        [sys.executable, "-c", script, host], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.startswith("200\n")
    assert "event: message_stop" in result.stdout
    assert model_server.requests[0].json() == {"x": 1}


def test_chunked_request_bodies_are_read(model_server):
    model_server.enqueue(openai_text_reply("x"))
    connection = http.client.HTTPConnection(model_server.url.removeprefix("http://"))
    connection.request(
        "POST", "/v1/chat/completions", body=iter([b'{"a"', b": 2}"]), encode_chunked=True
    )
    connection.getresponse().read()
    connection.close()
    assert model_server.requests[0].json() == {"a": 2}


def test_jsonl_recordings_are_framed(tmp_path):
    openai = tmp_path / "x.chunks.jsonl"
    openai.write_text('{"choices": []}\n')
    anthropic = tmp_path / "y.chunks.jsonl"
    anthropic.write_text('{"type": "message_start"}\n{"type": "message_stop"}\n')
    assert corpus_reply(openai).chunks == [b'data: {"choices": []}\n\n', b"data: [DONE]\n\n"]
    assert corpus_reply(anthropic).chunks == [
        b'event: message_start\ndata: {"type": "message_start"}\n\n',
        b'event: message_stop\ndata: {"type": "message_stop"}\n\n',
    ]
    raw = tmp_path / "z.sse"
    raw.write_bytes(b": ping\n\ndata: 1\n\ndata: [DONE]\n\n")
    assert b"".join(corpus_reply(raw).chunks) == raw.read_bytes()
    assert len(corpus_reply(raw).chunks) == 3


def test_openai_text_reply_shape():
    reply = openai_text_reply("abc", chunk_chars=2, reasoning="r")
    payloads = [json.loads(c[6:]) for c in reply.chunks[:-1]]
    assert [p["choices"][0]["delta"] for p in payloads[:-1]] == [
        {"role": "assistant", "content": ""},
        {"reasoning_content": "r"},
        {"content": "ab"},
        {"content": "c"},
        {},
    ]
    assert payloads[-1]["usage"]["prompt_tokens"] == 10 and reply.chunks[-1] == b"data: [DONE]\n\n"
