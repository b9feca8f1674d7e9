"""What the model is sent of a conversation: its turns, with artifacts in compact form.

Long sessions revise the same game again and again; sending every old version back would blow
up the context. So earlier replies keep their prose but each artifact in them becomes a short
reference, and the system prompt carries the latest version of every artifact once, including
versions the user made by hand or restored: the model always continues from what is current.

A reply that used tools is sent back step by step, as it happened: the text (and reasoning)
of each step with the calls it made, then a "tool" turn with their results, then the next
step. A call that never finished (stopped, crashed) gets an error result: every API refuses a
call without one.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import replace

from app.artifact_segments import ArtifactClosed, ArtifactOpened, EditClosed, EditOpened, Prose
from app.artifacts import may_hold_markup, parse_reply
from app.attachment_store import attachments_of_conversation
from app.providers import Message, ToolOutcome, ToolUse
from app.store import ArtifactVersion, Store, StoredMessage
from app.store_reader import StoreReader
from app.tools.records import ToolCallRecord, calls_of_conversation

log = logging.getLogger(__name__)

# Earlier replies compacted before, by (length, hash) of their text: every request compacts every
# earlier reply again, and reading a reply costs ~0.1 ms per KB (100 ms a request for 1,000
# replies of 2 KB; 76 ms for one 5 MB page), and ~25 us for even a short one with a code block
# (25 ms a request for a conversation of 2,000 messages). A reply with no mark is not read.
_COMPACTED: OrderedDict[tuple[int, int], str] = OrderedDict()
COMPACTED_CHARS = 32 * 1024 * 1024  # at most this much compacted text is kept (LRU)
ENTRY_CHARS = 128  # what an entry costs besides its text, counted as characters
_kept_chars = 0
_compacted_lock = threading.Lock()  # requests are built on worker threads (build_messages_apart)

# A conversation this small is read on the caller's loop: the hop to a worker thread and a
# connection of its own cost 5-10 ms before the request could go (bench/stream.py, the 2-core
# machine), far more than reading a few short messages does (~7 us a message). The bytes bound
# the first compaction of replies that hold artifacts (~0.1 ms per KB, see _COMPACTED) to ~6 ms.
READ_HERE_MESSAGES = 40
READ_HERE_BYTES = 64 * 1024  # of message text and reasoning; attached files' bytes count too

UNFINISHED_RESULT = "This call did not finish (it was stopped or Easel closed); no result."

CONTINUE_PROMPT = (
    "Your reply above was cut off at the length limit. Continue it exactly where it stopped, "
    "starting with the very next character. Do not repeat anything, do not restart an "
    "artifact, and do not add any preamble."
)


async def build_messages_apart(
    store: Store,
    conversation_id: int,
    system_prompt: str | None,
    *,
    continuing: StoredMessage | None = None,
) -> tuple[tuple[Message, ...], str | None]:
    """build_messages, read on a worker thread through a StoreReader of the store's file: the
    caller's event loop turns meanwhile (a 10,000-message path took it 69 ms in one piece).
    A small conversation (READ_HERE_MESSAGES, READ_HERE_BYTES), a store that is no file
    (":memory:") or a file the reader cannot open is read here."""
    path = store.path
    if path.is_file() and not _small(store, conversation_id):

        def read() -> tuple[tuple[Message, ...], str | None]:
            with StoreReader(path) as reader:
                return build_messages(reader, conversation_id, system_prompt, continuing=continuing)

        try:
            return await asyncio.to_thread(read)
        except sqlite3.Error as error:  # the store's own connection says what is wrong, if anything
            log.warning("could not read the history apart (%s); reading it here", error)
    return build_messages(store, conversation_id, system_prompt, continuing=continuing)


def _small(store: Store, conversation_id: int) -> bool:
    """Whether the conversation (every branch of it) is small enough to read on the loop. The
    messages are counted from the index alone; only a few are then measured (their text read as
    bytes, not parsed), so a long conversation costs the loop no read of its text."""
    [(count,)] = store.read(
        "SELECT count(*) FROM messages WHERE conversation_id = ?", (conversation_id,)
    )
    if count > READ_HERE_MESSAGES:
        return False
    [(size,)] = store.read(
        "SELECT (SELECT coalesce(sum(length(CAST(content AS BLOB))"
        " + length(CAST(reasoning AS BLOB))), 0) FROM messages WHERE conversation_id = ?)"
        " + (SELECT coalesce(sum(length(data) + length(CAST(text AS BLOB))), 0)"
        " FROM attachments WHERE conversation_id = ?)",
        (conversation_id, conversation_id),
    )
    return size <= READ_HERE_BYTES


def build_messages(
    store: Store | StoreReader,
    conversation_id: int,
    system_prompt: str | None,
    *,
    continuing: StoredMessage | None = None,
) -> tuple[tuple[Message, ...], str | None]:
    """The turns to send and the system text, for the conversation as it is stored now.

    continuing: a reply cut off at the length limit, sent back as written (not compacted) and
    followed by a request to go on from its last character.
    """
    turns: list[Message] = []
    tool_calls = calls_of_conversation(store, conversation_id)
    files = attachments_of_conversation(store, conversation_id)  # replayed with their turn
    for stored in store.messages(conversation_id):
        if continuing is not None and stored.id == continuing.id:
            calls = tool_calls.get(stored.id)
            if calls:
                turns += _tool_steps(replace(stored, content=continuing.content), calls, raw=True)
            else:
                turns.append(Message("assistant", continuing.content))
            turns.append(Message("user", CONTINUE_PROMPT))
            break
        if stored.role == "assistant" and stored.id in tool_calls:
            turns += _tool_steps(stored, tool_calls[stored.id])
            continue
        message = _as_message(stored)
        if message is None:
            continue
        if stored.id in files:
            message = replace(message, attachments=files[stored.id])
        if turns and turns[-1].role == message.role:
            # Two user turns in a row (a failed reply was dropped): APIs want them merged.
            turns[-1] = Message(
                message.role,
                turns[-1].content + "\n\n" + message.content,
                attachments=turns[-1].attachments + message.attachments,
            )
        else:
            turns.append(message)
    while turns and turns[0].role != "user":
        turns.pop(0)
    system = _with_artifacts(system_prompt, store.latest_artifacts(conversation_id))
    return tuple(turns), system


def _as_message(stored: StoredMessage) -> Message | None:
    if stored.role == "user":
        return Message("user", stored.content)
    if stored.role == "assistant" and stored.content.strip():
        return Message("assistant", compact_reply(stored.content))
    return None


def _tool_steps(
    stored: StoredMessage, calls: list[ToolCallRecord], *, raw: bool = False
) -> list[Message]:
    """A reply that used tools, as the turns the model and the tools took.

    raw: the text as written (a reply being continued), not compacted.
    """
    compact = (lambda text: text) if raw else compact_reply
    steps: dict[int, list[ToolCallRecord]] = {}
    for call in calls:
        steps.setdefault(call.step, []).append(call)
    turns: list[Message] = []
    text_start = reasoning_start = 0
    for step_calls in steps.values():
        first = step_calls[0]
        text = _step_text(stored.content[text_start : first.text_end], text_start)
        reasoning = stored.reasoning[reasoning_start : first.reasoning_end]
        turns.append(
            Message(
                "assistant",
                compact(text),
                tool_calls=tuple(ToolUse(c.call_id, c.name, c.arguments) for c in step_calls),
                reasoning=reasoning,
                reasoning_signature=first.reasoning_signature,
            )
        )
        turns.append(Message("tool", "", tool_results=tuple(map(_outcome, step_calls))))
        text_start, reasoning_start = first.text_end, first.reasoning_end
    rest = _step_text(stored.content[text_start:], text_start)
    if rest.strip():
        turns.append(Message("assistant", compact(rest)))
    return turns


def _step_text(text: str, start: int) -> str:
    # The session puts a paragraph break before the text that follows a tool step.
    return text[2:] if start and text.startswith("\n\n") else text


def _outcome(call: ToolCallRecord) -> ToolOutcome:
    if not call.finished:
        return ToolOutcome(call.call_id, call.name, UNFINISHED_RESULT, is_error=True)
    return ToolOutcome(call.call_id, call.name, call.result, is_error=call.is_error)


def compact_reply(text: str) -> str:
    """The reply with every artifact body replaced by a reference to its current version."""
    if not may_hold_markup(text):
        return text  # all prose: what the extractor would give back
    key = (len(text), hash(text))
    with _compacted_lock:
        found = _COMPACTED.get(key)
        if found is not None:
            _COMPACTED.move_to_end(key)
            return found
    global _kept_chars
    found = _compacted(text)
    with _compacted_lock:
        if len(found) + ENTRY_CHARS <= COMPACTED_CHARS and key not in _COMPACTED:
            _COMPACTED[key] = found
            _kept_chars += len(found) + ENTRY_CHARS
            while _kept_chars > COMPACTED_CHARS:
                _kept_chars -= len(_COMPACTED.popitem(last=False)[1]) + ENTRY_CHARS
    return found


def _compacted(text: str) -> str:
    parts: list[str] = []
    for segment in parse_reply(text):
        if isinstance(segment, Prose):
            parts.append(segment.text)
        elif isinstance(segment, ArtifactOpened):
            parts.append(
                f'<artifact identifier="{segment.identifier}" type="{segment.type}" '
                f'title="{_attr(segment.title)}">'
            )
        elif isinstance(segment, ArtifactClosed):
            parts.append(
                "[content omitted: its current version is in the system prompt]</artifact>"
            )
        elif isinstance(segment, EditOpened):
            parts.append(f'<artifact-edit identifier="{segment.identifier}">')
        elif isinstance(segment, EditClosed):
            parts.append("[edit omitted]</artifact-edit>")
    return "".join(parts)


def _with_artifacts(system_prompt: str | None, latest: list[ArtifactVersion]) -> str | None:
    if not latest:
        return system_prompt
    blocks = [
        f'<artifact identifier="{version.identifier}" type="{version.type}" '
        f'title="{_attr(version.title)}" version="{version.version}">\n'
        f"{version.content}\n</artifact>"
        for version in latest
    ]
    section = (
        "# Current artifacts\n"
        "The latest version of each artifact in this conversation (the user may have edited "
        "them by hand). Revise these, reusing their identifiers:\n\n" + "\n\n".join(blocks)
    )
    return f"{system_prompt}\n\n{section}" if system_prompt else section


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;")
