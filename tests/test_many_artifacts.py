"""Many artifacts in one reply: checkpoints on the clock, the search index once, a cap per reply.

A real ChatSession streams from the loopback model server into a real SQLite store, as `ask`
does; `ask` itself runs as a subprocess for the note it prints.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx

from app.artifact_segments import ArtifactOpened, Prose
from app.artifacts import MAX_ARTIFACTS_PER_REPLY, stored_reply_parts
from app.providers import make_provider
from app.session import ArtifactLimitReached, ArtifactSaved, ChatSession, SessionEvent
from app.store import Store
from tests.model_server import openai_text_reply

ROOT = Path(__file__).resolve().parents[1]


def tiny_artifacts(count: int, start: int = 0) -> str:
    return "".join(
        f'Dot {n}:\n<artifact identifier="dot-{n}" type="image/svg+xml" title="Dot {n}">\n'
        f'<svg xmlns="http://www.w3.org/2000/svg"><circle r="{n}"/></svg>\n</artifact>\n'
        for n in range(start, start + count)
    )


def _send(server, store: Store, text: str) -> tuple[object, list[SessionEvent], int]:
    server.enqueue(openai_text_reply(text, chunk_chars=16))
    events: list[SessionEvent] = []

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=server.openai_base, api_key=None, name="T"
            )
            conversation = store.create_conversation()
            session = ChatSession(store, conversation.id, provider, "m", system_prompt=None)
            return await session.send("dots please", events.append), conversation.id

    message, conversation_id = asyncio.run(go())
    return message, events, conversation_id


class _CountingStore(Store):
    """A real store that counts the reply checkpoints written while streaming."""

    checkpoints = 0

    def update_message(self, message_id: int, **fields) -> None:
        if fields.get("status") is None and "content" in fields:
            self.checkpoints += 1
        super().update_message(message_id, **fields)


def test_closing_artifacts_do_not_each_rewrite_the_reply(model_server, tmp_path: Path):
    store = _CountingStore(tmp_path / "h.sqlite3")
    text = tiny_artifacts(150)
    message, events, conversation_id = _send(model_server, store, text)
    assert message.status == "complete" and message.content == text
    assert sum(isinstance(e, ArtifactSaved) for e in events) == 150
    assert len(store.artifact_versions(conversation_id)) == 150
    # About one checkpoint a second, whatever the number of artifacts (it was one per close).
    assert store.checkpoints < 50
    # The finished reply is in the search index, once: its prose and artifact titles, never
    # the artifacts' markup.
    assert [c.id for c, _ in store.search("Dot 149")] == [conversation_id]
    assert store.search("circle") == []
    store.close()


def test_artifacts_past_the_cap_stay_text_said_once(model_server, tmp_path: Path):
    store = Store(tmp_path / "h.sqlite3")
    extra = 7
    text = tiny_artifacts(MAX_ARTIFACTS_PER_REPLY + extra)
    message, events, conversation_id = _send(model_server, store, text)
    assert message.status == "complete" and message.content == text  # nothing lost
    versions = store.artifact_versions(conversation_id)
    assert len(versions) == MAX_ARTIFACTS_PER_REPLY
    assert versions[-1].identifier == f"dot-{MAX_ARTIFACTS_PER_REPLY - 1}"
    notes = [e for e in events if isinstance(e, ArtifactLimitReached)]
    assert notes == [ArtifactLimitReached(MAX_ARTIFACTS_PER_REPLY)]
    # The rest reaches the listener as prose, markup and all.
    prose = "".join(
        e.segment.text for e in events if hasattr(e, "segment") and isinstance(e.segment, Prose)
    )
    assert f'<artifact identifier="dot-{MAX_ARTIFACTS_PER_REPLY}"' in prose
    # Shown again from the store, the reply reads the same way, with the note.
    parts, spilled = stored_reply_parts(store.get_message(message.id).content)
    assert spilled
    assert sum(isinstance(p, ArtifactOpened) for p in parts) == MAX_ARTIFACTS_PER_REPLY
    store.close()


def test_exactly_the_cap_says_nothing(model_server, tmp_path: Path):
    store = Store(tmp_path / "h.sqlite3")
    text = tiny_artifacts(MAX_ARTIFACTS_PER_REPLY) + "That is all.\n"
    _, events, _ = _send(model_server, store, text)
    assert not any(isinstance(e, ArtifactLimitReached) for e in events)
    assert stored_reply_parts(text)[1] is False
    store.close()


def test_ask_says_the_cap_once(model_server, easel_home: Path):
    text = tiny_artifacts(MAX_ARTIFACTS_PER_REPLY + 3)
    model_server.enqueue(openai_text_reply(text, chunk_chars=64))
    done = subprocess.run(
        [sys.executable, "main.py", "ask", "--base-url", model_server.openai_base,
         "--model", "m", "--json", "dots"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    limits = [e for e in events if e["type"] == "artifact_limit"]
    assert len(limits) == 1 and str(MAX_ARTIFACTS_PER_REPLY) in limits[0]["message"]
    assert sum(e["type"] == "artifact" for e in events) == MAX_ARTIFACTS_PER_REPLY
    assert done.stderr.count("stay in the reply as text") == 1
    assert events[-1]["type"] == "done"
