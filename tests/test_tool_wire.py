"""Tool names and schemas as the strictest APIs accept them; tool turns per wire format."""

from __future__ import annotations

from app.events import ToolCallDelta
from app.providers import Message, ToolOutcome, ToolUse
from app.providers.tool_wire import anthropic_message, clean_schema, openai_messages
from app.tools.calls import ToolCallAssembler
from app.tools.registry import ToolSpec, wire_name


def _spec(name: str, server: str = "s") -> ToolSpec:
    return ToolSpec(server, name, "", {"type": "object"})


def test_names_every_api_accepts():
    assert wire_name(_spec("get_time"), set()) == "get_time"
    assert wire_name(_spec("2fa-code"), set()) == "t_2fa-code"  # Moonshot: no leading digit
    assert wire_name(_spec("search.web v2"), set()) == "search_web_v2"
    assert wire_name(_spec("x" * 80), set()) == "x" * 64
    assert wire_name(_spec("get_time"), {"get_time"}) == "get_time_2"
    assert wire_name(_spec("get_time", "clock"), set(), prefix=True) == "clock_get_time"
    assert wire_name(ToolSpec("easel", "$web_search", "", {}, builtin=True), set()) == "$web_search"


def test_schemas_get_a_type_on_every_anyof_item_and_stay_objects():
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
            "when": {"anyOf": [{"enum": [1, 2]}, {"const": None}, {"properties": {}}, {}]},
            "nested": {"type": "array", "items": {"oneOf": [{"items": {}}, {"type": "string"}]}},
        },
    }
    cleaned = clean_schema(schema)
    assert "$schema" not in cleaned
    kinds = [item["type"] for item in cleaned["properties"]["when"]["anyOf"]]
    assert kinds == ["integer", "null", "object", "string"]
    assert cleaned["properties"]["nested"]["items"]["oneOf"][0]["type"] == "array"
    assert clean_schema({"type": "string"}) == {"type": "object", "properties": {}}
    assert clean_schema({"type": "object"}) == {"type": "object", "properties": {}}


def test_repeated_header_is_the_same_call_and_a_new_id_is_a_new_one():
    assembler = ToolCallAssembler()
    for delta in (
        ToolCallDelta(0, id="functions.get_time:0", name="get_time"),
        ToolCallDelta(0, id="functions.get_time:0", name="get_time", arguments='{"city":'),
        ToolCallDelta(0, arguments='"Paris"}'),
        ToolCallDelta(0, id="functions.get_time:1", name="get_time", arguments="{}"),
        ToolCallDelta(1, arguments="{}"),  # never named: dropped
    ):
        assembler.feed(delta)
    calls = assembler.calls(0)
    assert [(c.id, c.name, c.argument_text) for c in calls] == [
        ("functions.get_time:0", "get_time", '{"city":"Paris"}'),
        ("functions.get_time:1", "get_time", "{}"),
    ]


def test_tool_turns_in_both_formats():
    turn = Message(
        "assistant",
        "",
        tool_calls=(ToolUse("0", "get_time", "not json"),),
        reasoning="r",
        reasoning_signature="sig",
    )
    results = Message("tool", "", tool_results=(ToolOutcome("0", "get_time", "bad", True),))
    [openai] = openai_messages(turn)
    assert openai["content"] is None and openai["reasoning_content"] == "r"
    assert openai["tool_calls"][0]["function"]["arguments"] == "not json"  # echoed as written
    assert openai_messages(results) == [{"role": "tool", "tool_call_id": "0", "content": "bad"}]
    anthropic = anthropic_message(turn)
    assert anthropic["content"][0] == {"type": "thinking", "thinking": "r", "signature": "sig"}
    assert anthropic["content"][1]["input"] == {}  # Anthropic wants an object, even then
    assert anthropic_message(results)["content"][0]["is_error"] is True
