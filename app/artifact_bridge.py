"""What an artifact may ask of Easel (DESIGN.md §4.1): storage, the model, attached files.

The page's calls arrive as (artifact, operation, JSON payload) from the scheme handler of that
artifact's own origin (`sandbox/bridge.py`); this module decides and answers, with no Qt. Every
answer is JSON; every refusal is a `BridgeError` whose str() is one sentence the page receives as
the message of a rejected promise.

The model: nothing is sent until the user allows it for that artifact (`Consent`: once, always
for this artifact, or no). A refusal holds for the rest of the run unless the user reloads the
artifact (`forget_refusal`), so a page in a loop cannot nag. Each artifact has a budget of calls
per run; past it the user is asked again. The key never enters the page: the call goes through
the provider layer (`ModelCaller`), and only the reply's text (or a Messages-shaped body for the
`fetch('https://api.anthropic.com/v1/messages')` form) comes back. Calls count in the
conversation's usage.
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from app.artifact_storage import ArtifactRef, ArtifactStorage, StorageError
from app.i18n import translate
from app.providers.base import Message
from app.store import Store

CALL_BUDGET = 25
MAX_PROMPT_CHARS = 400_000
DEFAULT_MAX_TOKENS = 2048
MAX_TOKENS_CAP = 8192
_STORAGE_OPS = ("storage.get", "storage.set", "storage.delete", "storage.list")


class BridgeError(Exception):
    """A call the page cannot have; str() is one sentence for the page (and its console)."""


@dataclass(frozen=True)
class Completion:
    """A model's answer to an artifact's call."""

    text: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None


class ModelCaller(Protocol):
    """Sends one completion to the user's current provider and model."""

    async def __call__(
        self, messages: tuple[Message, ...], system: str | None, max_tokens: int
    ) -> Completion: ...


# Asks the user: (artifact, the prompt as the page sent it, why asking) -> "once" | "always" | "deny"
Consent = Callable[[ArtifactRef, str, str], Awaitable[str]]
# Reads a file attached to the artifact's conversation: (artifact, name) -> bytes, None if absent
FileReader = Callable[[ArtifactRef, str], bytes | None]


@dataclass
class _Calls:
    """One artifact's model calls in this run."""

    count: int = 0
    tokens: int = 0
    allowed_until: int = 0  # calls allowed without asking (an "always" grant extends it)
    refused: bool = False
    asking: asyncio.Future[str] | None = None


class ArtifactBridge:
    """Answers artifacts' calls. One per window (or `render` run), shared by every artifact."""

    def __init__(
        self,
        storage: ArtifactStorage,
        store: Store | None = None,
        *,
        model: ModelCaller | None = None,
        consent: Consent | None = None,
        files: FileReader | None = None,
        budget: int = CALL_BUDGET,
        unavailable: str = "Model calls are off here.",
        preapproved: bool = False,
    ) -> None:
        self.storage = storage
        self._store = store
        self.model = model
        self._consent = consent
        self._files = files
        self._budget = budget
        self._unavailable = unavailable
        # Allowed without asking, up to the budget (`render --allow-model`: nobody to ask).
        self._preapproved = preapproved
        self._calls: dict[ArtifactRef, _Calls] = {}
        self._unsaved: list[tuple[object, ...]] = []  # model calls not yet in the store
        # Told after each model call: (artifact, calls, tokens) in this run.
        self.usage_listeners: list[Callable[[ArtifactRef, int, int], None]] = []

    # -- answering ------------------------------------------------------------------------------

    def answer_now(self, ref: ArtifactRef, op: str, payload: Any) -> Any:
        """The answer to a call that needs no waiting (storage, files); BridgeError if refused."""
        args = payload if isinstance(payload, dict) else {}
        try:
            if op == "storage.get":
                return self.storage.get(ref, args.get("key"))
            if op == "storage.set":
                return self.storage.set(ref, args.get("key"), args.get("value"))
            if op == "storage.delete":
                return self.storage.delete(ref, args.get("key"))
            if op == "storage.list":
                return self.storage.list(ref, args.get("prefix") or "")
        except StorageError as error:
            raise BridgeError(str(error)) from None
        if op == "fs.readFile":
            return self._read_file(ref, args.get("name"))
        raise BridgeError(f"Easel has no operation {op!r} for artifacts.")

    @staticmethod
    def waits(op: str) -> bool:
        """Whether `op` needs `answer` (the user and the model) rather than `answer_now`."""
        return op in ("complete", "messages")

    async def answer(self, ref: ArtifactRef, op: str, payload: Any) -> Any:
        """The answer to any call; model calls wait for the user's consent and the model."""
        if not self.waits(op):
            return self.answer_now(ref, op, payload)
        messages, system, max_tokens = _parse_completion(op, payload)
        if self.model is None:
            raise BridgeError(self._unavailable)
        await self._allow(ref, _preview(messages, system))
        completion = await self._complete(ref, messages, system, max_tokens)
        if op == "complete":
            return completion.text
        return _messages_body(completion)

    def forget_refusal(self, ref: ArtifactRef) -> None:
        """The user reloaded the artifact: its next model call asks again."""
        calls = self._calls.get(ref)
        if calls is not None:
            calls.refused = False

    def revoke(self, ref: ArtifactRef) -> None:
        """Forget "always" for this artifact: its next model call asks again."""
        calls = self._calls.get(ref)
        if calls is not None:
            calls.allowed_until = calls.count
        if self._store is not None and ref.conversation_id is not None:
            self._store.transaction(
                lambda db: db.execute(
                    "DELETE FROM artifact_grants WHERE conversation_id = ? AND identifier = ? "
                    "AND grant = 'model'",
                    (ref.conversation_id, ref.identifier),
                )
            )

    def usage(self, ref: ArtifactRef) -> tuple[int, int]:
        """(calls, tokens) this artifact used in this run."""
        calls = self._calls.get(ref, _Calls())
        return calls.count, calls.tokens

    # -- consent and budget ---------------------------------------------------------------------

    async def _allow(self, ref: ArtifactRef, preview: str) -> None:
        calls = self._calls.setdefault(ref, _Calls())
        if calls.refused:
            raise BridgeError(
                "You declined model calls for this artifact: reload it to be asked again."
            )
        if calls.allowed_until == 0 and (self._preapproved or self._always_granted(ref)):
            calls.allowed_until = self._budget
        if calls.count < calls.allowed_until:
            return
        if self._consent is None:
            if self._preapproved:
                raise BridgeError(
                    f"This artifact used its budget of {self._budget} model calls for this run."
                )
            raise BridgeError(self._unavailable)
        if calls.asking is None:
            # Shown in the window's consent bar, in the window's language.
            reason = (
                translate(
                    "ArtifactBridge", "This artifact has made {count} model calls in this session."
                ).format(count=calls.count)
                if calls.count
                else translate("ArtifactBridge", "This artifact wants to ask the model.")
            )
            calls.asking = asyncio.ensure_future(self._consent(ref, preview, reason))
        asking = calls.asking
        try:
            decision = await asyncio.shield(asking)
        finally:
            if calls.asking is asking and asking.done():
                calls.asking = None
        if decision == "deny":
            calls.refused = True
            raise BridgeError("You declined this model call.")
        if decision == "always":
            self._grant_always(ref)
            calls.allowed_until = max(calls.allowed_until, calls.count) + self._budget
        elif calls.count >= calls.allowed_until:
            calls.allowed_until = calls.count + 1  # once: this call (and those that waited)

    def _always_granted(self, ref: ArtifactRef) -> bool:
        if self._store is None or ref.conversation_id is None:
            return False
        rows = self._store.read(
            "SELECT 1 FROM artifact_grants WHERE conversation_id = ? AND identifier = ? "
            "AND grant = 'model'",
            (ref.conversation_id, ref.identifier),
        )
        return bool(rows)

    def _grant_always(self, ref: ArtifactRef) -> None:
        if self._store is None or ref.conversation_id is None:
            return
        self._store.transaction(
            lambda db: db.execute(
                "INSERT OR IGNORE INTO artifact_grants VALUES (?, ?, 'model', ?)",
                (ref.conversation_id, ref.identifier, time.time()),
            )
        )

    # -- the model ------------------------------------------------------------------------------

    async def _complete(
        self,
        ref: ArtifactRef,
        messages: tuple[Message, ...],
        system: str | None,
        max_tokens: int,
    ) -> Completion:
        assert self.model is not None
        calls = self._calls.setdefault(ref, _Calls())
        calls.count += 1
        error = ""
        completion: Completion | None = None
        try:
            completion = await self.model(messages, system, max_tokens)
            return completion
        except asyncio.CancelledError:
            error = "cancelled"
            raise
        except Exception as failure:  # noqa: BLE001 - the page gets the sentence, not a trace
            error = str(failure) or type(failure).__name__
            raise BridgeError(f"The model call failed: {error}") from None
        finally:
            used = 0
            if completion is not None:
                used = (completion.input_tokens or 0) + (completion.output_tokens or 0)
            calls.tokens += used
            self._record(ref, completion, error)
            for listener in list(self.usage_listeners):
                listener(ref, calls.count, calls.tokens)

    def _record(self, ref: ArtifactRef, completion: Completion | None, error: str) -> None:
        # Kept for `save_calls`, which runs on the store's own thread (a call may finish on
        # another one, as in `render`).
        if self._store is None or ref.conversation_id is None:
            return
        self._unsaved.append(
            (
                ref.conversation_id,
                ref.identifier,
                completion.model if completion else None,
                completion.input_tokens if completion else None,
                completion.output_tokens if completion else None,
                error,
                time.time(),
            )
        )

    def save_calls(self) -> None:
        """Write the model calls made since the last save into the conversation's usage."""
        if self._store is None or not self._unsaved:
            return
        rows, self._unsaved = self._unsaved, []
        try:
            self._store.transaction(
                lambda db: db.executemany(
                    "INSERT INTO artifact_calls (conversation_id, identifier, model, "
                    "input_tokens, output_tokens, error, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            )
        except Exception:  # noqa: BLE001 - a full disk or a deleted conversation: answers stand
            return

    # -- files ----------------------------------------------------------------------------------

    def _read_file(self, ref: ArtifactRef, name: object) -> dict[str, str]:
        if not isinstance(name, str) or not name:
            raise BridgeError("window.fs.readFile needs a file name.")
        data = self._files(ref, name) if self._files is not None else None
        if data is None:
            raise BridgeError(f"No file named {name!r} is attached to this conversation.")
        return {"name": name, "base64": base64.b64encode(data).decode("ascii")}


def _parse_completion(op: str, payload: Any) -> tuple[tuple[Message, ...], str | None, int]:
    """Messages, system prompt and max_tokens from `complete(prompt | {messages})` or the
    Messages API body; BridgeError with the reason when the shape is wrong."""
    if isinstance(payload, str):
        payload = {"prompt": payload}
    if not isinstance(payload, dict):
        raise BridgeError("complete() takes a prompt string or {messages: [...]}.")
    system = payload.get("system")
    system_text = _text_of(system) if system is not None else None
    if "prompt" in payload and op == "complete":
        messages = [Message("user", _text_of(payload["prompt"]))]
    else:
        raw = payload.get("messages")
        if not isinstance(raw, list) or not raw:
            raise BridgeError("A model call needs a prompt or a non-empty list of messages.")
        messages = []
        for item in raw:
            if not isinstance(item, dict) or item.get("role") not in (
                "user",
                "assistant",
                "system",
            ):
                raise BridgeError('Each message is {role: "user" | "assistant", content}.')
            text = _text_of(item.get("content"))
            if item["role"] == "system":
                system_text = text if system_text is None else f"{system_text}\n\n{text}"
            else:
                messages.append(Message(item["role"], text))
        if not messages or messages[-1].role != "user":
            raise BridgeError("The last message of a model call must be the user's.")
    total = sum(len(m.content) for m in messages) + len(system_text or "")
    if total > MAX_PROMPT_CHARS:
        raise BridgeError(f"A model call may carry at most {MAX_PROMPT_CHARS:,} characters.")
    wanted = payload.get("max_tokens")
    max_tokens = DEFAULT_MAX_TOKENS
    if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted > 0:
        max_tokens = min(wanted, MAX_TOKENS_CAP)
    return tuple(messages), system_text, max_tokens


def _text_of(content: Any) -> str:
    """A message's text: a string, or the text blocks of a Messages API content list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            block.get("text", "")
            for block in content
            if isinstance(block, dict) and block.get("type", "text") == "text"
        ]
        if parts or not content:
            return "\n".join(str(part) for part in parts)
    raise BridgeError("Message content is a string or a list of text blocks.")


def _preview(messages: tuple[Message, ...], system: str | None) -> str:
    """What the user sees when asked: the last user message (and the system prompt)."""
    text = messages[-1].content
    return f"{system}\n\n{text}" if system else text


def _messages_body(completion: Completion) -> dict[str, Any]:
    """A Messages API response (what `fetch('https://api.anthropic.com/v1/messages')` expects)."""
    return {
        "id": f"msg_easel_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": completion.model,
        "content": [{"type": "text", "text": completion.text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": completion.input_tokens or 0,
            "output_tokens": completion.output_tokens or 0,
        },
    }
