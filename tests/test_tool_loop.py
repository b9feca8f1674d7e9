"""The tool loop against the real loopback model server, in both wire formats.

The tools here are a small real source (it keeps what it was asked and answers from a dict);
the MCP sources are tested with real servers in test_mcp.py.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.providers import make_provider
from app.session import ChatSession, SessionEvent
from app.session_events import ToolCallUpdate, TurnEnded
from app.store import Store
from app.tools.approval import ApprovalPolicy, Decision
from app.tools.loop import ToolLoop
from app.tools.records import calls_of_message
from app.tools.registry import ToolRegistry, ToolResult, ToolSpec
from app.tools.settings import ToolSettings
from tests.model_server import (
    anthropic_text_reply,
    anthropic_tool_use_reply,
    corpus_reply,
    error_reply,
    openai_text_reply,
    openai_tool_call_reply,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "sse"
TIME_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"anyOf": [{"enum": ["c", "f"]}]}},
}


class CitySource:
    """A tool source with one tool, get_time, that answers from a table."""

    name = "clock"

    def __init__(self, *, read_only: bool = False, hang: bool = False) -> None:
        self.asked: list[dict[str, Any]] = []
        self.read_only = read_only
        self.hang = hang
        self.started = asyncio.Event() if hang else None

    async def list_tools(self) -> list[ToolSpec]:
        return [ToolSpec("clock", "get_time", "The time in a city.", TIME_SCHEMA, self.read_only)]

    async def call(self, tool: str, arguments: dict[str, Any], progress) -> ToolResult:
        self.asked.append(arguments)
        if self.started is not None:
            self.started.set()
            await asyncio.Event().wait()  # a call that never returns
        times = {"Paris": "14:05", "Shijiazhuang": "21:05"}
        return ToolResult(times.get(arguments.get("city", ""), "unknown city"))


def _loop(source, decision: Decision = Decision.ONCE, **limits) -> tuple[ToolLoop, list]:
    asked: list = []

    async def approver(request):
        asked.append(request)
        return decision

    policy = ApprovalPolicy(ToolSettings(), approver)
    return ToolLoop(ToolRegistry([source]), policy, **limits), asked


def _run(server, store, prompt, loop, *, kind="openai", conversation=None, thinking=None):
    events: list[SessionEvent] = []

    async def go():
        async with httpx.AsyncClient() as client:
            base = server.openai_base if kind == "openai" else server.url
            provider = make_provider(kind, client=client, base_url=base, api_key="k", name="T")
            cid = conversation or store.create_conversation().id
            session = ChatSession(
                store,
                cid,
                provider,
                "m",
                system_prompt=None,
                tools=loop,
                thinking_budget=thinking,
            )
            return await session.send(prompt, events.append)

    return asyncio.run(go()), events


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db.sqlite3")


def test_openai_call_runs_and_its_id_and_reasoning_go_back_verbatim(model_server, store):
    source = CitySource()
    loop, asked = _loop(source)
    call = ("functions.get_time:0", "get_time", '{"city": "Paris"}')
    model_server.enqueue(
        openai_tool_call_reply([call], reasoning="I should look it up.", text="Checking."),
        openai_text_reply("It is 14:05 in Paris."),
    )
    message, events = _run(model_server, store, "time in Paris?", loop)

    assert message.status == "complete"
    assert message.content == "Checking.\n\nIt is 14:05 in Paris."
    assert source.asked == [{"city": "Paris"}] and len(asked) == 1
    first, second = (r.json() for r in model_server.requests)
    tool = first["tools"][0]
    assert tool["function"]["name"] == "get_time"
    assert tool["function"]["parameters"]["properties"]["unit"]["anyOf"][0]["type"] == "string"
    assert second["messages"][-2:] == [
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "functions.get_time:0",
                    "type": "function",
                    "function": {"name": "get_time", "arguments": '{"city": "Paris"}'},
                }
            ],
            "reasoning_content": "I should look it up.",
        },
        {"role": "tool", "tool_call_id": "functions.get_time:0", "content": "14:05"},
    ]
    states = [e.record.state for e in events if isinstance(e, ToolCallUpdate)]
    assert states == ["waiting", "running", "done"]
    [record] = calls_of_message(store, message.id)
    assert (record.state, record.result, record.server) == ("done", "14:05", "clock")


def test_kimi_repeated_header_and_null_finish_still_run_once(model_server, store):
    source = CitySource()
    loop, _ = _loop(source)
    calls = [("0", "get_time", '{"city": "Paris"}'), ("1", "get_time", '{"city": "Shijiazhuang"}')]
    model_server.enqueue(
        openai_tool_call_reply(calls, finish_reason=None, repeat_header=True),
        openai_text_reply("Paris 14:05, Shijiazhuang 21:05."),
    )
    message, _ = _run(model_server, store, "times?", loop)

    assert message.status == "complete"
    assert source.asked == [{"city": "Paris"}, {"city": "Shijiazhuang"}]
    sent = model_server.requests[1].json()["messages"]
    assert [c["id"] for c in sent[-3]["tool_calls"]] == ["0", "1"]
    assert [m["tool_call_id"] for m in sent[-2:]] == ["0", "1"]


def test_anthropic_thinking_signature_tool_use_and_result_round_trip(model_server, store):
    loop, _ = _loop(CitySource())
    model_server.enqueue(
        anthropic_tool_use_reply([("toolu_1", "get_time", '{"city": "Paris"}')], thinking="hm"),
        anthropic_text_reply("14:05."),
    )
    message, _ = _run(model_server, store, "time?", loop, kind="anthropic", thinking=1024)

    assert message.content == "14:05."
    second = model_server.requests[1].json()
    assert second["tools"][0]["name"] == "get_time"
    assert second["messages"][-2:] == [
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "hm", "signature": "c2lnbmF0dXJl"},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "get_time",
                    "input": {"city": "Paris"},
                },
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "14:05"}],
        },
    ]


def test_denied_call_goes_back_as_an_error_and_the_turn_goes_on(model_server, store):
    source = CitySource()
    loop, _ = _loop(source, Decision.DENY)
    model_server.enqueue(
        anthropic_tool_use_reply([("toolu_1", "get_time", '{"city": "Paris"}')]),
        anthropic_text_reply("I could not check."),
    )
    message, _ = _run(model_server, store, "time?", loop, kind="anthropic")

    assert message.status == "complete" and source.asked == []
    result = model_server.requests[1].json()["messages"][-1]["content"][0]
    assert result["is_error"] is True and "declined" in result["content"]
    assert calls_of_message(store, message.id)[0].state == "denied"


def test_bad_arguments_and_unknown_tool_are_error_results(model_server, store):
    source = CitySource()
    loop, _ = _loop(source)
    calls = [("a", "get_time", '{"city": "Par'), ("b", "launch_missiles", "{}")]
    model_server.enqueue(openai_tool_call_reply(calls), openai_text_reply("Sorry."))
    message, _ = _run(model_server, store, "go", loop)

    assert message.status == "complete" and source.asked == []
    results = model_server.requests[1].json()["messages"][-2:]
    assert "not valid JSON" in results[0]["content"]
    assert "no tool named 'launch_missiles'" in results[1]["content"]
    assert [r.state for r in calls_of_message(store, message.id)] == ["failed", "failed"]


def test_a_model_that_calls_tools_forever_is_stopped(model_server, store):
    loop, _ = _loop(CitySource(), max_steps=3)
    for n in range(5):
        model_server.enqueue(openai_tool_call_reply([(f"c{n}", "get_time", "{}")]))
    message, events = _run(model_server, store, "loop", loop)

    assert len(model_server.requests) == 4  # three steps ran, the fourth's calls did not
    assert message.status == "error" and "3 times in a row" in message.error
    assert isinstance(events[-1], TurnEnded)


def test_stop_in_the_middle_of_a_call_keeps_everything(model_server, store):
    source = CitySource(hang=True)
    loop, _ = _loop(source)
    model_server.enqueue(openai_tool_call_reply([("a", "get_time", '{"city": "Paris"}')]))

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key="k", name="T"
            )
            cid = store.create_conversation().id
            session = ChatSession(store, cid, provider, "m", system_prompt=None, tools=loop)
            task = asyncio.ensure_future(session.send("go", lambda e: None))
            await source.started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return cid

    cid = asyncio.run(go())
    reply = store.messages(cid)[-1]
    assert reply.status == "incomplete"
    [record] = calls_of_message(store, reply.id)
    assert record.state == "stopped"


def test_a_later_turn_replays_the_calls_exactly(model_server, store):
    loop, _ = _loop(CitySource())
    model_server.enqueue(
        openai_tool_call_reply(
            [("functions.get_time:0", "get_time", '{"city":"Paris"}')], reasoning="think"
        ),
        openai_text_reply("14:05."),
    )
    _, events = _run(model_server, store, "time?", loop)
    cid = events[0].user.conversation_id
    model_server.enqueue(openai_text_reply("You're welcome."))
    _run(model_server, store, "thanks", loop, conversation=cid)

    sent = model_server.requests[2].json()["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "assistant", "user"]
    assert sent[1]["tool_calls"][0]["id"] == "functions.get_time:0"
    assert sent[1]["reasoning_content"] == "think"
    assert sent[2] == {"role": "tool", "tool_call_id": "functions.get_time:0", "content": "14:05"}
    assert sent[3] == {"role": "assistant", "content": "14:05."}


@pytest.mark.parametrize(
    ("recording", "kind"),
    [
        ("deepseek-tool-call.chunks.jsonl", "openai"),
        ("qwen-tool-call.chunks.jsonl", "openai"),
        ("openai-gpt-4o-mini-tool-call-stream.0.sse", "openai"),
        ("openai-compat-claude-haiku-tool-call.sse", "openai"),
        ("anthropic-haiku-4.5-thinking-tool-use-stream.0.sse", "anthropic"),
        ("anthropic-tool-use-no-args.chunks.jsonl", "anthropic"),
    ],
)
def test_recorded_tool_call_streams_go_through_the_loop(model_server, store, recording, kind):
    path = CORPUS / recording
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared/corpus is only beside a developer's checkout")

    class AnyTool:
        """Answers whatever tool the recording calls."""

        name = "rec"

        def __init__(self) -> None:
            self.names: list[str] = []

        async def list_tools(self):
            return [ToolSpec("rec", n, "", {"type": "object"}) for n in self.names]

        async def call(self, tool, arguments, progress):
            return ToolResult(json.dumps({"tool": tool, "args": arguments}))

    source = AnyTool()
    source.names = _tool_names(path)
    loop, _ = _loop(source)
    follow = openai_text_reply("done") if kind == "openai" else anthropic_text_reply("done")
    model_server.enqueue(corpus_reply(path), follow)
    message, _ = _run(model_server, store, "go", loop, kind=kind)

    assert message.status == "complete" and message.content.endswith("done")
    records = calls_of_message(store, message.id)
    assert records and all(r.state == "done" for r in records)
    second = model_server.requests[1].json()["messages"]
    if kind == "openai":
        ids = [c["id"] for c in second[-1 - len(records)]["tool_calls"]]
        assert ids == [r.call_id for r in records]
    else:
        assert second[-1]["content"][0]["tool_use_id"] == records[0].call_id


def _tool_names(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    names = set()
    for marker in ('"name":"', '"name": "'):
        for piece in text.split(marker)[1:]:
            names.add(piece.split('"', 1)[0])
    return sorted(n for n in names if n and " " not in n)


def test_always_allow_is_remembered_across_restart_and_revocable(tmp_path):
    from app.tools.approval import ApprovalRequest
    from app.tools.settings import load_tool_settings, save_tool_settings

    path = tmp_path / "tools.json"

    async def always(request):
        return Decision.ALWAYS

    policy = ApprovalPolicy(ToolSettings(), always, lambda s: save_tool_settings(s, path))
    request = ApprovalRequest(None, "clock/get_time", False)  # type: ignore[arg-type]
    assert asyncio.run(policy.decide(1, request))
    reloaded = load_tool_settings(path)
    assert ApprovalPolicy(reloaded, always).preapproved(2, "clock/get_time", False)
    revoked = reloaded.revoking("clock/get_time")
    save_tool_settings(revoked, path)
    assert not ApprovalPolicy(load_tool_settings(path), always).preapproved(
        2, "clock/get_time", False
    )


def test_the_loop_has_a_time_bound(model_server, store):
    now = [0.0]

    def clock() -> float:
        now[0] += 400.0  # each look at the clock: 400 s later
        return now[0]

    loop, _ = _loop(CitySource(), max_seconds=600)
    loop._clock = clock
    for n in range(4):
        model_server.enqueue(openai_tool_call_reply([(f"c{n}", "get_time", "{}")]))
    message, _ = _run(model_server, store, "loop", loop)
    assert message.status == "error" and "600 seconds" in message.error
    assert len(model_server.requests) < 4


def test_continue_after_tools_resends_the_steps_and_numbers_new_calls_after(model_server, store):
    loop, _ = _loop(CitySource())
    model_server.enqueue(
        openai_tool_call_reply([("a", "get_time", '{"city": "Paris"}')], text="Let me see."),
        openai_text_reply("Paris is at 14:05 and", finish_reason="length"),
        openai_tool_call_reply([("b", "get_time", '{"city": "Shijiazhuang"}')]),
        openai_text_reply(" Shijiazhuang at 21:05."),
    )
    message, _ = _run(model_server, store, "times?", loop)
    assert message.finish_reason == "length"

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key="", name="T"
            )
            session = ChatSession(
                store, message.conversation_id, provider, "m", system_prompt=None, tools=loop
            )
            return await session.continue_reply(message.id, lambda e: None)

    final = asyncio.run(go())
    sent = model_server.requests[2].json()["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "assistant", "user"]
    assert sent[1]["tool_calls"][0]["id"] == "a" and sent[3]["content"].endswith("14:05 and")
    assert final.content.endswith("Shijiazhuang at 21:05.")
    records = calls_of_message(store, final.id)
    assert [(r.call_id, r.step) for r in records] == [("a", 0), ("b", 1)]


def test_allow_for_this_conversation_asks_once_per_conversation(model_server, store):
    source = CitySource()
    loop, asked = _loop(source, Decision.CONVERSATION)
    call = [("a", "get_time", '{"city": "Paris"}')]
    for _ in range(3):
        model_server.enqueue(openai_tool_call_reply(call), openai_text_reply("14:05."))
    _, events = _run(model_server, store, "time?", loop)
    cid = events[0].user.conversation_id
    _run(model_server, store, "again?", loop, conversation=cid)
    assert len(asked) == 1 and len(source.asked) == 2
    _run(model_server, store, "elsewhere?", loop)  # a new conversation asks again
    assert len(asked) == 2


def test_retry_of_a_reply_that_used_tools_keeps_its_calls_on_the_old_branch(model_server, store):
    loop, _ = _loop(CitySource())
    model_server.enqueue(
        openai_tool_call_reply([("a", "get_time", '{"city": "Paris"}')]),
        error_reply(400, {"error": {"message": "context too long"}}),
        openai_text_reply("Fresh."),
    )
    message, _ = _run(model_server, store, "time?", loop)
    assert message.status == "error" and len(calls_of_message(store, message.id)) == 1

    async def go():
        async with httpx.AsyncClient() as client:
            provider = make_provider(
                "openai", client=client, base_url=model_server.openai_base, api_key="", name="T"
            )
            session = ChatSession(
                store, message.conversation_id, provider, "m", system_prompt=None, tools=loop
            )
            return await session.retry(message.id, lambda e: None)

    fresh = asyncio.run(go())
    assert fresh.content == "Fresh." and calls_of_message(store, fresh.id) == []
    assert len(calls_of_message(store, message.id)) == 1  # the old reply is a sibling, kept
    # The request holds the current path only: none of the old branch's tool turns.
    assert [m["role"] for m in model_server.requests[2].json()["messages"]] == ["user"]
