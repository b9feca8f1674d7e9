"""Tool calls assembled from a stream's ToolCallDelta pieces.

Pieces are grouped by index. A later piece that repeats the call's id or name belongs to the
same call (a recorded Kimi K2 stream sends each call twice: first id and name, then id, name
and the arguments): it is not appended to the name. A piece whose id differs from the call's
starts a new call even on the same index (some gateways number every call 0). A call the
stream never named is dropped; one without an id gets a made-up one, since the id must be
echoed back with the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.events import ToolCallDelta


@dataclass
class AssembledCall:
    """One tool call as the model made it: its id, its name and its argument text."""

    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)

    @property
    def argument_text(self) -> str:
        return "".join(self.arguments)


class ToolCallAssembler:
    """Collects the tool calls of one step of a reply, in the order the model made them."""

    def __init__(self) -> None:
        self._calls: list[AssembledCall] = []
        self._by_index: dict[int, AssembledCall] = {}

    def feed(self, delta: ToolCallDelta) -> None:
        """Add one piece."""
        call = self._by_index.get(delta.index)
        if call is None or (delta.id and call.id and delta.id != call.id):
            call = AssembledCall()
            self._by_index[delta.index] = call
            self._calls.append(call)
        if delta.id and not call.id:
            call.id = delta.id
        if delta.name and delta.name != call.name:
            # A name arriving in pieces (rare) is joined; a repeated one is the same call.
            call.name = delta.name if not call.name else call.name + delta.name
        if delta.arguments:
            call.arguments.append(delta.arguments)

    def calls(self, step: int) -> list[AssembledCall]:
        """The named calls, each with an id (made up as `call_<step>_<n>` where missing)."""
        out = []
        for number, call in enumerate(c for c in self._calls if c.name):
            out.append(
                AssembledCall(call.id or f"call_{step}_{number}", call.name, [call.argument_text])
            )
        return out

    def __bool__(self) -> bool:
        return any(call.name for call in self._calls)
