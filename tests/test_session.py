"""The session against a real loopback model server: storage order, artifacts, errors, retries."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from app.events import AuthError, NetworkError
from app.providers import make_provider
from app.session import (
    ArtifactSaved,
    ChatSession,
    EditFailed,
    Retrying,
    SessionEvent,
    TurnEnded,
)
from app.store import Store
from tests.model_server import error_reply, openai_text_reply

PAGE = "<!DOCTYPE html>\n<html><body><canvas id=c></canvas><script>const SPEED = 100;</script></body></html>"


def _run(server, store: Store, prompt: str, *, sleep=None, conversation: int | None = None):
    """Send one prompt through a real provider; return (message, events, session)."""
    events: list[SessionEvent] = []

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=server.openai_base, api_key="k", name="Test"
            )
            cid = conversation or store.create_conversation().id
            kwargs = {"sleep": sleep} if sleep else {}
            session = ChatSession(store, cid, provider, "test-model", system_prompt="SYS", **kwargs)
            return await session.send(prompt, events.append), session

    message, session = asyncio.run(go())
    return message, events, session


def test_reply_is_stored_with_its_artifact(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    reply = f'Here it is.\n<artifact identifier="game" type="text/html" title="Game">\n{PAGE}\n</artifact>\nEnjoy!'
    model_server.enqueue(openai_text_reply(reply, chunk_chars=7))
    message, events, session = _run(model_server, store, "make a game")

    assert message.status == "complete"
    assert message.content == reply
    stored = store.messages(session.conversation_id)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[0].content == "make a game"
    versions = store.artifact_versions(session.conversation_id)
    assert [(v.identifier, v.version, v.title, v.content) for v in versions] == [
        ("game", 1, "Game", PAGE)
    ]
    assert any(isinstance(e, ArtifactSaved) for e in events)
    body = model_server.requests[-1].json()
    assert body["messages"][0] == {"role": "system", "content": "SYS"}
    assert body["messages"][-1] == {"role": "user", "content": "make a game"}
    assert store.get_conversation(session.conversation_id).title == "make a game"


def test_next_request_carries_latest_version_compactly(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    full = f'<artifact identifier="game" type="text/html" title="Game">\n{PAGE}\n</artifact>'
    model_server.enqueue(openai_text_reply(full))
    _, _, session = _run(model_server, store, "make a game")
    edit = (
        'Slower:\n<artifact-edit identifier="game">\n<find>\nconst SPEED = 100;\n</find>\n'
        "<replace>\nconst SPEED = 160;\n</replace>\n</artifact-edit>"
    )
    model_server.enqueue(openai_text_reply(edit))
    message, events, _ = _run(model_server, store, "slower", conversation=session.conversation_id)

    latest = store.latest_artifact(session.conversation_id, "game")
    assert latest.version == 2 and latest.origin == "edit"
    assert "const SPEED = 160;" in latest.content
    body = model_server.requests[-1].json()
    system = body["messages"][0]["content"]
    assert PAGE in system  # the current version, once
    assistant = body["messages"][2]
    assert assistant["role"] == "assistant" and PAGE not in assistant["content"]


def test_failed_edit_changes_nothing_and_asks_for_a_full_version(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    model_server.enqueue(
        openai_text_reply(
            f'<artifact identifier="game" type="text/html" title="Game">\n{PAGE}\n</artifact>'
        )
    )
    _, _, session = _run(model_server, store, "make a game")
    bad = '<artifact-edit identifier="game">\n<find>\nconst SPEED = 999;\n</find>\n<replace>\nx\n</replace>\n</artifact-edit>'
    fixed = f'<artifact identifier="game" type="text/html" title="Game">\n{PAGE.replace("100", "160")}\n</artifact>'
    model_server.enqueue(openai_text_reply(bad), openai_text_reply(fixed))
    message, events, _ = _run(model_server, store, "slower", conversation=session.conversation_id)

    failures = [e for e in events if isinstance(e, EditFailed)]
    assert len(failures) == 1 and "const SPEED = 999;" in failures[0].reason
    repair = model_server.requests[-1].json()["messages"][-1]["content"]
    assert "could not be applied" in repair and "game" in repair
    versions = store.artifact_versions(session.conversation_id, "game")
    assert [v.origin for v in versions] == ["full", "full"]
    assert "const SPEED = 160;" in versions[-1].content


def test_rate_limit_waits_as_told_then_succeeds(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    model_server.enqueue(
        error_reply(429, {"error": {"message": "slow down"}}, headers={"Retry-After": "7"}),
        openai_text_reply("ok"),
    )
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    message, events, _ = _run(model_server, store, "hi", sleep=fake_sleep)
    assert message.status == "complete" and message.content == "ok"
    retrying = [e for e in events if isinstance(e, Retrying)]
    assert len(retrying) == 1 and waits and waits[0] >= 7


def test_dropped_connection_keeps_partial_reply(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    model_server.enqueue(
        openai_text_reply("Hello there, this will be cut", chunk_chars=3, drop_after=4)
    )
    message, events, session = _run(model_server, store, "hi")
    ended = [e for e in events if isinstance(e, TurnEnded)][0]
    assert isinstance(ended.error, NetworkError)
    assert message.status == "incomplete"
    assert message.content and "Hello there, this will be cut".startswith(message.content)
    assert store.messages(session.conversation_id)[0].content == "hi"


def test_rejected_key_is_an_error_message_and_prompt_is_kept(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    model_server.enqueue(error_reply(401, {"error": {"message": "Invalid API key"}}))
    message, events, session = _run(model_server, store, "hi")
    ended = [e for e in events if isinstance(e, TurnEnded)][0]
    assert isinstance(ended.error, AuthError)
    assert message.status == "error" and "Test" in message.error
    assert [m.content for m in store.messages(session.conversation_id)][0] == "hi"


def test_stop_leaves_partial_reply_incomplete(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    model_server.enqueue(openai_text_reply("word " * 400, chunk_chars=5, delay=0.01))
    events: list[SessionEvent] = []

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai",
                client=client,
                base_url=model_server.openai_base,
                api_key=None,
                name="Test",
            )
            cid = store.create_conversation().id
            session = ChatSession(store, cid, provider, "test-model", system_prompt=None)
            task = asyncio.ensure_future(session.send("go", events.append))
            while not any(getattr(e, "segment", None) for e in events):
                await asyncio.sleep(0.01)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
            return cid

    cid = asyncio.run(go())
    reply = store.messages(cid)[-1]
    assert reply.status == "incomplete" and reply.content.startswith("word")
    assert any(isinstance(e, TurnEnded) and e.stopped for e in events)
    assert "authorization" not in model_server.requests[-1].headers


def test_continue_completes_a_cut_artifact_in_place(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    full = f'Here:\n<artifact identifier="game" type="text/html" title="Game">\n{PAGE}\n</artifact>\nDone.'
    cut = full.index("const SPEED")
    model_server.enqueue(openai_text_reply(full[:cut], finish_reason="length"))
    message, _, session = _run(model_server, store, "make a game")
    assert message.finish_reason == "length"
    [first] = store.artifact_versions(session.conversation_id)
    assert not first.complete and first.content == full[:cut].split('Game">\n', 1)[1]

    model_server.enqueue(openai_text_reply(full[cut:]))
    events: list[SessionEvent] = []

    async def go():
        async with httpx.AsyncClient() as client:
            session.provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key="k", name="Test"
            )
            return await session.continue_reply(message.id, events.append)

    continued = asyncio.run(go())
    assert continued.id == message.id and continued.content == full
    assert continued.status == "complete" and continued.finish_reason == "stop"
    versions = store.artifact_versions(session.conversation_id)
    assert len(versions) == 1 and versions[0].version == 1
    assert versions[0].complete and versions[0].content == PAGE
    sent = model_server.requests[-1].json()["messages"]
    assert sent[-2] == {"role": "assistant", "content": full[:cut]}
    assert "cut off" in sent[-1]["content"] and sent[-1]["role"] == "user"
    saved = [e for e in events if isinstance(e, ArtifactSaved)]
    assert saved and saved[-1].version.complete


def test_error_mid_artifact_keeps_it_incomplete(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    reply = f'<artifact identifier="game" type="text/html" title="Game">\n{PAGE}\n</artifact>'
    model_server.enqueue(openai_text_reply(reply, chunk_chars=10, drop_after=12))
    message, events, session = _run(model_server, store, "make a game")
    assert message.status == "incomplete"
    [version] = store.artifact_versions(session.conversation_id)
    assert not version.complete and PAGE.startswith(version.content)


def test_rate_limit_gives_up_after_a_bound_and_says_so(model_server, tmp_path: Path):
    store = Store(tmp_path / "db.sqlite3")
    for _ in range(4):
        model_server.enqueue(
            error_reply(
                429, {"error": {"message": "engine_overloaded_error"}}, headers={"Retry-After": "1"}
            )
        )

    async def no_sleep(_seconds: float) -> None:
        return None

    message, events, _ = _run(model_server, store, "hi", sleep=no_sleep)
    assert message.status == "error" and "Gave up after 4 attempts." in message.error
    assert len([e for e in events if isinstance(e, Retrying)]) == 3
