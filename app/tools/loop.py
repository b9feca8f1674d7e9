"""One step of the tool loop: the calls a model made, approved (or not), run, stored, said.

The session streams a step; when the model made calls, `ToolLoop.run_step` stores each (state
"waiting"), asks for approval where the user's choices do not already allow it, runs it
(state "running"), and stores what it returned ("done", "failed" or "denied"), telling the
listener at every change. The calls run one after another in the order the model made them.
Cancelling (Stop) marks the call in hand "stopped" and lets the cancellation through.

The loop is bounded: `max_steps` steps with calls per turn and `max_seconds` in all; past
either, the turn ends with one sentence saying so (a model that calls tools forever costs
money and never answers).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.events import ProviderError
from app.providers.base import ToolDefinition
from app.store import Store
from app.tools.approval import DENIED_TEXT, ApprovalPolicy, ApprovalRequest
from app.tools.calls import AssembledCall
from app.tools.records import ToolCallRecord, add_call, update_call
from app.tools.registry import ToolRegistry, ToolSpec

DEFAULT_MAX_STEPS = 20
DEFAULT_MAX_SECONDS = 600.0
NOT_RUN = "Not run: the user stopped the reply before this call's turn."


class ToolLoopLimit(ProviderError):
    """The model kept calling tools past the step or time limit: the turn ends there."""

    exit_code = 6


@dataclass(frozen=True)
class StepPlace:
    """Where one step's calls sit in the reply: its number and where its text/reasoning end."""

    step: int
    text_end: int
    reasoning_end: int
    signature: str = ""


class ToolLoop:
    """The tools of a session and the rules for running them."""

    def __init__(
        self,
        registry: ToolRegistry,
        approval: ApprovalPolicy,
        *,
        max_steps: int = DEFAULT_MAX_STEPS,
        max_seconds: float = DEFAULT_MAX_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self.approval = approval
        self.max_steps = max_steps
        self.max_seconds = max_seconds
        self._clock = clock

    async def definitions(self) -> tuple[ToolDefinition, ...]:
        """The tools to offer in the next request (servers that fail are left out)."""
        return tuple(await self.registry.refresh())

    def now(self) -> float:
        """The loop's clock (monotonic seconds): a turn's start, for `check_bounds`."""
        return self._clock()

    def check_bounds(self, steps_done: int, started: float) -> None:
        """Raise ToolLoopLimit when another step would pass a bound."""
        if steps_done >= self.max_steps:
            raise ToolLoopLimit(
                f"The model called tools {steps_done} times in a row without answering; Easel "
                "stopped the loop there."
            )
        if self._clock() - started > self.max_seconds:
            raise ToolLoopLimit(
                f"The model kept calling tools for over {self.max_seconds:.0f} seconds; Easel "
                "stopped the loop there."
            )

    async def run_step(
        self,
        store: Store,
        conversation_id: int,
        message_id: int,
        place: StepPlace,
        calls: list[AssembledCall],
        tell: Callable[[ToolCallRecord], None],
    ) -> list[ToolCallRecord]:
        """Store, approve and run the calls of one step; the finished records, in order."""
        records = [self._add(store, message_id, place, n, c) for n, c in enumerate(calls)]
        for record in records:
            tell(record)
        finished: list[ToolCallRecord] = []
        try:
            for record in records:
                finished.append(await self._run_one(store, conversation_id, record, tell))
        except asyncio.CancelledError:
            # The calls after the stopped one never ran: they say so, not "waiting" forever.
            for record in records[len(finished) + 1 :]:
                tell(update_call(store, record.id, state="stopped", result=NOT_RUN, is_error=True))
            raise
        return finished

    def _add(
        self, store: Store, message_id: int, place: StepPlace, position: int, call: AssembledCall
    ) -> ToolCallRecord:
        spec = self.registry.spec(call.name)
        return add_call(
            store,
            message_id,
            step=place.step,
            position=position,
            call_id=call.id,
            name=call.name,
            server=spec.server if spec else "",
            tool=spec.name if spec else call.name,
            arguments=call.argument_text,
            text_end=place.text_end,
            reasoning_end=place.reasoning_end,
            reasoning_signature=place.signature if position == 0 else "",
        )

    async def _run_one(
        self,
        store: Store,
        conversation_id: int,
        record: ToolCallRecord,
        tell: Callable[[ToolCallRecord], None],
    ) -> ToolCallRecord:
        spec = self.registry.spec(record.name)
        started = self._clock()
        try:
            if spec is not None and not await self._allowed(conversation_id, record, spec):
                record = update_call(
                    store, record.id, state="denied", result=DENIED_TEXT, is_error=True
                )
                tell(record)
                return record
            record = update_call(store, record.id, state="running")
            tell(record)
            result = await self.registry.call(record.name, record.arguments, lambda: None)
        except asyncio.CancelledError:
            record = update_call(
                store,
                record.id,
                state="stopped",
                result="The user stopped this call before it returned.",
                is_error=True,
                duration=self._clock() - started,
            )
            tell(record)
            raise
        record = update_call(
            store,
            record.id,
            state="failed" if result.is_error else "done",
            result=result.text,
            is_error=result.is_error,
            duration=self._clock() - started,
        )
        tell(record)
        return record

    async def _allowed(self, conversation_id: int, record: ToolCallRecord, spec: ToolSpec) -> bool:
        # $web_search runs at Moonshot, not here: echoing its arguments back runs nothing.
        if spec.builtin or self.approval.preapproved(conversation_id, spec.key, spec.read_only):
            return True
        request = ApprovalRequest(record, spec.key, spec.read_only)
        return await self.approval.decide(conversation_id, request)
