"""Tools on the wire: the `tools` list and the tool turns of the history, per protocol.

OpenAI-compatible APIs take `tools: [{"type": "function", ...}]`, an assistant message with
`tool_calls` (the model's own ids echoed verbatim: Kimi's look like `functions.get_time:0`),
and one `role: "tool"` message per result. Kimi and DeepSeek thinking models refuse a
follow-up whose assistant tool-call message lacks `reasoning_content`, so it is sent back.
Anthropic takes `tools: [{"name", "input_schema"}]`, `tool_use` blocks in the assistant turn
(after its signed thinking block, which the API requires back) and `tool_result` blocks in
the next user turn.

Schemas are cleaned for the strictest API we know (Moonshot): every `anyOf` item gets a
`type`, and a tool name may not start with a digit; both changes are valid JSON Schema for the
others, so they are made for everyone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from app.providers.attachment_wire import anthropic_user_content, openai_user_content
from app.providers.base import Message, ToolDefinition

EMPTY_OBJECT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}


def openai_tools(tools: tuple[ToolDefinition, ...]) -> list[dict[str, Any]]:
    """The `tools` list of a chat.completions request."""
    out: list[dict[str, Any]] = []
    for tool in tools:
        if tool.builtin:
            out.append({"type": "builtin_function", "function": {"name": tool.name}})
            continue
        function = {
            "name": tool.name,
            "description": tool.description,
            "parameters": clean_schema(tool.parameters),
        }
        out.append({"type": "function", "function": function})
    return out


def openai_messages(message: Message) -> list[dict[str, Any]]:
    """One history turn as chat.completions messages (a tool turn becomes one per result)."""
    if message.role == "tool":
        return [
            {"role": "tool", "tool_call_id": result.call_id, "content": result.content}
            for result in message.tool_results
        ]
    if message.attachments:
        return [{"role": message.role, "content": openai_user_content(message)}]
    if not message.tool_calls:
        return [{"role": message.role, "content": message.content}]
    calls = [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments or "{}"},
        }
        for call in message.tool_calls
    ]
    out: dict[str, Any] = {
        "role": "assistant",
        "content": message.content or None,
        "tool_calls": calls,
    }
    if message.reasoning:
        out["reasoning_content"] = message.reasoning
    return [out]


def anthropic_tools(tools: tuple[ToolDefinition, ...]) -> list[dict[str, Any]]:
    """The `tools` list of a Messages request (provider built-ins of other APIs left out)."""
    return [
        {
            "name": tool.name,
            "description": tool.description,
            "input_schema": clean_schema(tool.parameters),
        }
        for tool in tools
        if not tool.builtin
    ]


def anthropic_message(message: Message) -> dict[str, Any]:
    """One history turn as a Messages API message."""
    if message.role == "tool":
        results = []
        for result in message.tool_results:
            block: dict[str, Any] = {
                "type": "tool_result",
                "tool_use_id": result.call_id,
                "content": result.content,
            }
            if result.is_error:
                block["is_error"] = True
            results.append(block)
        return {"role": "user", "content": results}
    if message.attachments:
        return {"role": message.role, "content": anthropic_user_content(message)}
    if not message.tool_calls:
        return {"role": message.role, "content": message.content}
    blocks: list[dict[str, Any]] = []
    if message.reasoning_signature:
        blocks.append(
            {
                "type": "thinking",
                "thinking": message.reasoning,
                "signature": message.reasoning_signature,
            }
        )
    if message.content.strip():
        blocks.append({"type": "text", "text": message.content})
    for call in message.tool_calls:
        blocks.append(
            {"type": "tool_use", "id": call.id, "name": call.name, "input": _input(call.arguments)}
        )
    return {"role": "assistant", "content": blocks}


def _input(arguments: str) -> dict[str, Any]:
    """The call's arguments as an object (Anthropic wants an object, even for bad JSON)."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def clean_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A tool's input schema as the strictest API accepts it: an object with properties."""
    cleaned = _clean(dict(schema)) if isinstance(schema, Mapping) else {}
    if not isinstance(cleaned, dict) or cleaned.get("type") != "object":
        return dict(EMPTY_OBJECT_SCHEMA)
    cleaned.pop("$schema", None)
    cleaned.setdefault("properties", {})
    return cleaned


def _clean(node: Any) -> Any:
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out = {key: _clean(value) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        if isinstance(out.get(key), list):
            out[key] = [_typed(item) for item in out[key]]
    return out


def _typed(item: Any) -> Any:
    """An anyOf item with a `type` (Moonshot rejects one without), guessed from its content."""
    if not isinstance(item, dict) or "type" in item or "$ref" in item:
        return item
    if "properties" in item:
        return {**item, "type": "object"}
    if "items" in item:
        return {**item, "type": "array"}
    values = item.get("enum") or ([item["const"]] if "const" in item else [])
    kinds = {_json_type(value) for value in values}
    if len(kinds) == 1:
        return {**item, "type": kinds.pop()}
    return {**item, "type": "string"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"
