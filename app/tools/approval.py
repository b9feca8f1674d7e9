"""Whether a tool call may run: the user's standing choices first, then the user, asked.

Nothing a model writes can approve a call: the decision comes from the user's settings
("always allow" tools, auto-allow of read-only tools when the user turned it on), from choices
made earlier in this conversation, or from the `Approver` the front end gives (a card with
buttons in the window; the `--approve` option in `ask`). A denial is not an error of the turn:
the model gets an error result saying the user declined, and goes on.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from app.tools.records import ToolCallRecord
from app.tools.settings import ToolSettings


class Decision(enum.Enum):
    """The user's answer to one call."""

    ONCE = "once"
    CONVERSATION = "conversation"
    ALWAYS = "always"
    DENY = "deny"


@dataclass(frozen=True)
class ApprovalRequest:
    """A call waiting for the user: the stored call, the tool's key and its read-only hint."""

    record: ToolCallRecord
    key: str
    read_only: bool


Approver = Callable[[ApprovalRequest], Awaitable[Decision]]
DENIED_TEXT = "The user declined to run this tool call. Do not try it again unasked."


@dataclass(eq=False)  # compared by identity: the hub keeps its live policies in a WeakSet
class ApprovalPolicy:
    """The standing choices and who to ask. save: writes the settings after an "always"."""

    settings: ToolSettings
    approver: Approver
    save: Callable[[ToolSettings], None] = lambda settings: None
    # conversation id -> tool keys allowed for the rest of that conversation
    conversation_allowed: dict[int, set[str]] = field(default_factory=dict)

    def preapproved(self, conversation_id: int, key: str, read_only: bool) -> bool:
        """Whether the call may run without asking."""
        if key in self.settings.always_allowed:
            return True
        if read_only and self.settings.auto_allow_read_only:
            return True
        return key in self.conversation_allowed.get(conversation_id, set())

    async def decide(self, conversation_id: int, request: ApprovalRequest) -> bool:
        """Ask the approver and remember what the answer says to remember."""
        decision = await self.approver(request)
        if decision is Decision.CONVERSATION:
            self.conversation_allowed.setdefault(conversation_id, set()).add(request.key)
        elif decision is Decision.ALWAYS:
            self.settings = self.settings.allowing(request.key)
            self.save(self.settings)
        return decision is not Decision.DENY


def fixed_approver(mode: str, say: Callable[[str], None]) -> Approver:
    """The approver of `ask --approve all|read-only|none`: no one is there to ask.

    say: where the line about a denied call goes (stderr), so the user knows what to pass.
    """
    if mode not in ("all", "read-only", "none"):
        raise ValueError(f"--approve takes all, read-only or none, not {mode!r}")

    async def approve(request: ApprovalRequest) -> Decision:
        if mode == "all" or (mode == "read-only" and request.read_only):
            return Decision.ONCE
        hint = "--approve all" if mode == "read-only" else "--approve all or --approve read-only"
        say(f"Denied tool call {request.key} (it needs approval; pass {hint} to allow it).")
        return Decision.DENY

    return approve
