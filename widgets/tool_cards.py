"""Tool calls in the transcript: one card per call, and the approval asked on its card.

The session reports every change of a call (`ToolCallUpdate`); this helper keeps one card per
stored call in the reply's flow. When the tool loop needs the user's approval, `approve` shows
the card's buttons (Allow once / for this conversation / Always / Deny) and waits for one. The
answer comes back only as a transcript action carrying the page's nonce, for a call that is
waiting right now in the message on screen; anything else (a link in a reply or in a tool's
result, a stale click) does nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.tools.records import ToolCallRecord
from widgets.transcript import TranscriptView

if TYPE_CHECKING:  # the approval machinery comes with the first tool call, not at start-up
    from app.tools.approval import ApprovalRequest, Decision

log = logging.getLogger(__name__)


class ToolCards:
    """The tool cards of the transcript and the approvals waiting on them."""

    def __init__(self, transcript: TranscriptView, key_of: Callable[[int], str]) -> None:
        self.transcript = transcript
        self._key_of = key_of  # message id -> transcript key
        self._pending: dict[int, tuple[str, asyncio.Future[Decision]]] = {}
        self._shown: dict[int, str] = {}  # call id -> the key of the message showing it

    def show(self, record: ToolCallRecord) -> None:
        """Add the call's card (the first time) and show its state and result."""
        key = self._key_of(record.message_id)
        if self._shown.get(record.id) != key:
            self._shown[record.id] = key
            label = record.tool or record.name
            self.transcript.add_tool_card(key, record.id, label, record.server, record.arguments)
        result = record.result if record.finished else None
        self.transcript.update_tool_card(key, record.id, record.state, result, record.duration)

    def forget_message(self, key: str) -> None:
        """The message is shown afresh (a continued reply): its cards are placed again."""
        self._shown = {call: shown for call, shown in self._shown.items() if shown != key}

    def forget_cards(self) -> None:
        """Another conversation is on screen: its cards are new ones."""
        self._shown.clear()
        for _, future in self._pending.values():
            future.cancel()
        self._pending.clear()

    async def approve(self, request: ApprovalRequest) -> Decision:
        """Show the call's approval buttons and wait for the user's answer."""
        record = request.record
        key = self._key_of(record.message_id)
        future: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        self._pending[record.id] = (key, future)
        self.transcript.update_tool_card(key, record.id, "approval", None, None)
        self.transcript.flush()
        try:
            return await future
        finally:
            self._pending.pop(record.id, None)

    def answer(self, key: str, argument: str) -> None:
        """The user clicked an approval button: "CALL_ID:once|conversation|always|deny"."""
        from app.tools.approval import Decision

        call, _, answer = argument.partition(":")
        try:
            decision = Decision(answer)
            pending = self._pending.get(int(call))
        except ValueError:
            log.warning("refused a malformed tool approval %r", argument)
            return
        if pending is None or pending[0] != key or pending[1].done():
            log.info("ignored an approval for a call that is not waiting (%r)", argument)
            return
        pending[1].set_result(decision)
