"""What the transcript keeps of each message, and the page operations it queues.

`TranscriptView` (widgets/transcript.py) owns one `MessageFlow` per message shown: the Markdown
segments its prose flows into (app.markdown_stream.IncrementalMarkdown), text not rendered yet, and the
sources kept for copying. Page operations are lists `[name, key, …]` queued for the next update
(`easel.apply` in assets/transcript/transcript.js); `merge_op` folds one into the last queued one
when they concern the same text, so a frame sends a message's text once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.i18n import translate
from app.markdown import MarkdownRenderer
from app.markdown_stream import IncrementalMarkdown

if TYPE_CHECKING:  # the worker's modules load with the worker, after the first frame
    from app.markdown_remote import RemoteSegment

    Segment = IncrementalMarkdown | RemoteSegment

TOOL_PREVIEW_CHARS = 4000  # of a result shown in its card (the model gets up to 60,000)
# Operations whose first argument is not a message key (as GLOBAL in transcript.js).
GLOBAL_OPS = frozenset({"add", "clear", "empty", "scroll", "dropActions"})


def js_call(function: str, *args: Any) -> str:  # noqa: ANN401 - any JSON value
    """JavaScript that calls `function` (a name from our own page) with JSON-encoded args."""
    return f"{function}({', '.join(json.dumps(arg) for arg in args)})"


@dataclass
class MessageFlow:
    """What Python keeps of one message: its Markdown state and its sources (for copying)."""

    role: str
    key: str = ""
    # The prose block text currently flows into: rendered here, or by the Markdown worker
    # (a streaming reply's, widgets/transcript_worker.py).
    segment: Segment | None = None
    segment_number: int = -1
    segments: list[Segment] = field(default_factory=list)
    pending: str = ""  # text not yet rendered (rendered once per frame)
    closing: list[int] = field(default_factory=list)  # ended segments with text still waiting
    source: list[str] = field(default_factory=list)
    reasoning_started: float | None = None
    reasoning_open: bool = False
    live: bool = False  # streaming now: its segments may go to the Markdown worker

    @property
    def waits(self) -> bool:
        """Whether some of its text is still to be rendered."""
        segment = self.segment
        return bool(self.pending or self.closing or (segment is not None and segment.waiting))

    def open_segment(
        self,
        renderer: MarkdownRenderer,
        remote: Callable[[RemoteSegment | None], RemoteSegment] | None = None,
    ) -> Segment:
        """Start a new prose block; its code blocks are numbered after the earlier ones.

        remote: makes a segment the Markdown worker renders, after the one given (used if the
        earlier blocks were rendered there too: code blocks keep one numbering)."""
        last = self.segments[-1] if self.segments else None
        if remote is not None and not isinstance(last, IncrementalMarkdown):
            self.segment = remote(last)
        else:
            first = last.next_code_index if last is not None else 0
            self.segment = IncrementalMarkdown(renderer, first_code_index=first)
        self.segments.append(self.segment)
        self.segment_number += 1
        return self.segment


def queue_op(ops: list[list[Any]], op: list[Any]) -> None:
    """Queue `op` for the next page update, folded into the last one where it can be."""
    if not merge_op(ops, op):
        ops.append(op)


def merge_op(ops: list[list[Any]], op: list[Any]) -> bool:
    """Fold op into the last queued one when they concern the same text; True if folded."""
    if not ops:
        return False
    last = ops[-1]
    if op[0] == "prose" and last[0] == "prose" and last[1:3] == op[1:3]:
        if len(op) > 5 and op[5]:  # rendered again from the start: what came before is void
            last[3:] = op[3:]
        else:
            last[3] += op[3]  # stable parts accumulate
            last[4] = op[4]  # the newest tail replaces the older one
        return True
    if op[0] in ("userText", "reasoning") and last[0] == op[0] and last[1] == op[1]:
        last[2] += op[2]
        return True
    return False


def tool_preview(result: str) -> str:
    """A tool's result as its card shows it: the first TOOL_PREVIEW_CHARS, then how many more."""
    if len(result) <= TOOL_PREVIEW_CHARS:
        return result
    more = translate("Transcript", "… {count} more characters")
    return (
        result[:TOOL_PREVIEW_CHARS]
        + "\n"
        + more.format(count=f"{len(result) - TOOL_PREVIEW_CHARS:,}")
    )
