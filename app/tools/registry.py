"""The tools a conversation offers the model: built-in ones and those of MCP servers.

A *source* is anything that lists tools and runs them (an MCP server, Easel's built-ins). The
registry gathers their tools under names every API accepts (letters, digits, `_` and `-`, at
most 64, not starting with a digit; a name two servers share gets its server as a prefix), and
routes a call back to its source by that name. A source that cannot list its tools (its
server does not start) is reported by name and left out; the others still work.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.providers.base import ToolDefinition

MAX_RESULT_CHARS = 60_000  # what a result may put in the context; the rest is cut, said
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class ToolSpec:
    """A tool as its source describes it. read_only: MCP's readOnlyHint (or a built-in's)."""

    server: str
    name: str
    description: str
    input_schema: Mapping[str, Any]
    read_only: bool = False
    builtin: bool = False  # run by the provider (Moonshot's $web_search), echoed back

    @property
    def key(self) -> str:
        """How approval remembers the tool: "server/name"."""
        return f"{self.server}/{self.name}"


@dataclass(frozen=True)
class ToolResult:
    """What a call returned, as text for the model; is_error: it failed (said in `text`)."""

    text: str
    is_error: bool = False


Progress = Callable[[], None]


class ToolSource(Protocol):
    """Something that has tools: `name` names it to the user (the MCP server's name)."""

    name: str

    async def list_tools(self) -> list[ToolSpec]:
        """The tools it offers now; raises ToolSourceError when it cannot say."""
        ...

    async def call(self, tool: str, arguments: dict[str, Any], progress: Progress) -> ToolResult:
        """Run one tool; a failure of the tool itself is a ToolResult with is_error."""
        ...


class ToolSourceError(Exception):
    """A source could not list or run its tools. str(error) names it and says why."""


@dataclass
class ToolRegistry:
    """The sources of one session and the wire names of their tools."""

    sources: list[ToolSource] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # source name -> its error
    _routes: dict[str, tuple[ToolSource, ToolSpec]] = field(default_factory=dict)

    async def refresh(self) -> list[ToolDefinition]:
        """List every source's tools (at once) and the definitions to offer the model."""
        listed = await asyncio.gather(*(_listed(source) for source in self.sources))
        self._routes.clear()
        self.problems.clear()
        taken: set[str] = set()
        pairs = []
        for source, outcome in zip(self.sources, listed, strict=True):
            if isinstance(outcome, str):
                self.problems[source.name] = outcome
                continue
            pairs += [(source, spec) for spec in outcome]
        clashing = _clashes(spec.name for _, spec in pairs)
        for source, spec in pairs:
            wire = wire_name(spec, taken, prefix=spec.name in clashing)
            taken.add(wire)
            self._routes[wire] = (source, spec)
        return [_definition(wire, spec) for wire, (_, spec) in self._routes.items()]

    def spec(self, wire: str) -> ToolSpec | None:
        """The tool the model means by `wire`, if there is one."""
        route = self._routes.get(wire)
        return route[1] if route else None

    async def call(self, wire: str, arguments: str, progress: Progress) -> ToolResult:
        """Run a call by its wire name with the model's argument text; never raises for it."""
        route = self._routes.get(wire)
        if route is None:
            known = ", ".join(sorted(self._routes)) or "none"
            return ToolResult(f"There is no tool named {wire!r}. Tools: {known}.", True)
        parsed = parse_arguments(arguments)
        if isinstance(parsed, str):
            return ToolResult(parsed, True)
        source, spec = route
        if spec.builtin:
            # Moonshot runs $web_search itself: its arguments go back verbatim (its docs say so).
            return ToolResult(arguments)
        try:
            result = await source.call(spec.name, parsed, progress)
        except ToolSourceError as error:
            return ToolResult(str(error), True)
        return cap_result(result)


def parse_arguments(arguments: str) -> dict[str, Any] | str:
    """The model's argument text as an object, or the sentence saying why it is not one."""
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except ValueError as error:
        return f"The arguments are not valid JSON ({error}); nothing was run."
    if not isinstance(value, dict):
        return "The arguments must be a JSON object; nothing was run."
    return value


def cap_result(result: ToolResult) -> ToolResult:
    """The result cut to MAX_RESULT_CHARS, saying how much was left out."""
    if len(result.text) <= MAX_RESULT_CHARS:
        return result
    left_out = len(result.text) - MAX_RESULT_CHARS
    text = result.text[:MAX_RESULT_CHARS] + f"\n[… {left_out} more characters cut by Easel]"
    return ToolResult(text, result.is_error)


def wire_name(spec: ToolSpec, taken: set[str], *, prefix: bool = False) -> str:
    """A name every API accepts for the tool, unique among `taken`."""
    if spec.builtin:
        return spec.name  # "$web_search" is Moonshot's own name and must stay as it is
    base = _NAME_CHARS.sub("_", f"{spec.server}_{spec.name}" if prefix else spec.name)
    if not base or not base[0].isalpha():
        base = "t_" + base  # Moonshot (and Gemini) refuse names starting with a digit
    base = base[:64]
    name, number = base, 2
    while name in taken:
        suffix = f"_{number}"
        name, number = base[: 64 - len(suffix)] + suffix, number + 1
    return name


def _clashes(names: Any) -> set[str]:
    seen: set[str] = set()
    twice: set[str] = set()
    for name in names:
        (twice if name in seen else seen).add(name)
    return twice


def _definition(wire: str, spec: ToolSpec) -> ToolDefinition:
    return ToolDefinition(wire, spec.description, spec.input_schema, builtin=spec.builtin)


async def _listed(source: ToolSource) -> list[ToolSpec] | str:
    try:
        return await source.list_tools()
    except ToolSourceError as error:
        return str(error)
