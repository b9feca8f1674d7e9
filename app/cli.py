"""The headless commands of DESIGN.md §5: `ask`, `history` and `extract` (no Qt needed).

Each returns an exit code: 0 success, 2 usage, 3 authentication, 4 rate limit, 5 network or
server error, 6 bad response. Errors are one sentence on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import TextIO

from app.artifact_segments import ArtifactClosed, Prose
from app.artifacts import artifact_limit_note, extract_artifacts
from app.attachment_model import AttachmentError
from app.attachments import read_attachments
from app.cli_branches import add_branch_options, run_ask_turn, target_problem, usage_problem
from app.cli_tools import (
    add_tool_options,
    tool_event,
    tool_hub_for,
    tool_loop_for,
    tools_main,  # noqa: F401 - `main.py tools` runs it from here
)
from app.config import (
    READ_TIMEOUT_RANGE,
    ConfigError,
    Settings,
    load_settings,
    save_settings,
)
from app.connection import new_http_client, provider_for
from app.documents import artifact_document, inline_vendored
from app.events import ProviderError
from app.history_search import print_search
from app.prompts import system_prompt
from app.provider_options import add_provider_options, profile_from_options
from app.saved_bridge import with_offline_bridge
from app.secrets import KeyStore, move_header_values, settings_have_plain_header_values
from app.session import (
    ArtifactLimitReached,
    ArtifactSaved,
    ChatSession,
    EditFailed,
    EditRepair,
    ParsedSegment,
    Reasoning,
    Retrying,
    SessionEvent,
    TurnEnded,
    TurnStarted,
    UsageUpdate,
)
from app.store import Conversation, Store
from app.store_errors import StoreError, store_error
from app.store_recovery import open_history
from app.transcript_export import conversation_json, conversation_markdown
from app.vision import vision_notice

EXIT_USAGE = 2


class UsageError(Exception):
    """A command line that cannot be run as given (exit code 2)."""


# --- ask ---------------------------------------------------------------------------------


def ask_main(argv: list[str]) -> int:
    """`main.py ask`: stream one reply to stdout; the turn is saved in history."""
    parser = argparse.ArgumentParser(prog="main.py ask", description="Ask a model, headless.")
    add_provider_options(parser)
    parser.add_argument("prompt", nargs="*", help="what to ask")
    parser.add_argument("--save-artifacts", metavar="DIR", type=Path)
    parser.add_argument("--json", action="store_true", help="one JSON event per line")
    parser.add_argument("--conversation", type=int, metavar="ID")
    parser.add_argument("--show-reasoning", action="store_true")
    parser.add_argument(
        "--attach",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="send a file with the prompt (repeatable): images, PDFs, text, code, CSV",
    )
    parser.add_argument(
        "--read-timeout",
        type=_seconds,
        metavar="S",
        help="seconds the reply may send nothing before it fails (settings.json: read_timeout, 60)",
    )
    add_tool_options(parser)
    add_branch_options(parser)
    args = parser.parse_args(argv)
    problem = usage_problem(args)
    if problem is not None:
        return _fail(problem, EXIT_USAGE, args.json)
    try:
        return asyncio.run(_ask(args))
    except KeyboardInterrupt:
        print("Stopped; the partial reply is saved.", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - one sentence, never a traceback
        return _fail(f"Easel failed: {type(error).__name__}: {error}.", 1, args.json)


def _seconds(text: str) -> float:
    """An argparse type: a read timeout within the range settings.json accepts."""
    low, high = READ_TIMEOUT_RANGE
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {low:g} to {high:g} seconds, got {text!r}")
    return value


async def _ask(args: argparse.Namespace) -> int:
    settings = load_settings()
    keys = KeyStore()
    await move_plain_header_values(settings, keys)
    try:
        profile = profile_from_options(settings, args)
        attachments = read_attachments(args.attach)
    except (ConfigError, AttachmentError) as error:
        return _fail(str(error), EXIT_USAGE, args.json)
    if notice := vision_notice(attachments, profile.model):
        print(notice, file=sys.stderr)
    store = _open_store(args.json)
    try:
        conversation_id = _conversation_for(store, args.conversation, profile.name, profile.model)
        if conversation_id is None:
            return _fail(f"There is no conversation {args.conversation}.", EXIT_USAGE, args.json)
        problem = target_problem(store, conversation_id, args)
        if problem is not None:
            return _fail(problem, EXIT_USAGE, args.json)
        printer = _AskPrinter(args.json, args.show_reasoning, args.save_artifacts)
        try:
            read_timeout = args.read_timeout or settings.read_timeout
            client = new_http_client(profile.ca_bundle, read_timeout=read_timeout)
            hub = tool_hub_for(args)
        except ConfigError as error:
            return _fail(str(error), EXIT_USAGE, args.json)
        async with client:
            try:
                provider = await provider_for(profile, client, keys)
            except ProviderError as error:
                return _fail(str(error), error.exit_code, args.json)
            session = ChatSession(
                store,
                conversation_id,
                provider,
                profile.model,
                system_prompt=system_prompt(settings.system_prompt)
                if settings.artifact_prompt_enabled
                else settings.system_prompt,
                temperature=profile.temperature,
                max_tokens=profile.max_tokens,
                tools=tool_loop_for(hub, args, client, profile.base_url),
            )
            try:
                message = await run_ask_turn(session, args, printer, attachments)
            except StoreError as error:  # the prompt itself could not be stored
                return _fail(str(error), error.exit_code, args.json)
            finally:
                await hub.close()
        return printer.exit_code(message.status)
    except StoreError as error:
        return _fail(str(error), error.exit_code, args.json)
    finally:
        store.close()


async def move_plain_header_values(settings: Settings, keys: KeyStore) -> None:
    """Header values an older settings.json holds in plain text go to the key store."""
    if not settings_have_plain_header_values(settings):
        return
    for note in await move_header_values(settings, keys):
        print(note, file=sys.stderr)
    try:
        save_settings(settings)
    except OSError as error:
        print(f"Could not rewrite the settings file: {error.strerror or error}.", file=sys.stderr)


def _open_store(as_json: bool = False) -> Store:
    """The history, recovered if it was damaged (said on stderr); exit 1 if it cannot open."""
    try:
        opened = open_history()
    except StoreError as error:
        raise SystemExit(_fail(str(error), error.exit_code, as_json)) from None
    if opened.notice:
        print(opened.notice, file=sys.stderr)
    return opened.store


def _conversation_for(store: Store, wanted: int | None, provider: str, model: str) -> int | None:
    if wanted is None:
        return store.create_conversation(provider=provider, model=model).id
    return wanted if store.get_conversation(wanted) is not None else None


def _fail(message: str, code: int, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"type": "error", "message": message, "exit_code": code}), flush=True)
    print(message, file=sys.stderr)
    return code


class _AskPrinter:
    """Turns session events into `ask`'s output: plain text or JSON lines."""

    def __init__(self, as_json: bool, show_reasoning: bool, save_dir: Path | None) -> None:
        self.as_json = as_json
        self.show_reasoning = show_reasoning
        self.save_dir = save_dir
        self.out: TextIO = sys.stdout
        self.error: ProviderError | None = None
        self.save_failed = False
        self._at_line_start = True
        # After an artifact line, the next prose starts on a new line of its own.
        self._pending_nl = False

    def __call__(self, event: SessionEvent) -> None:
        if isinstance(event, ParsedSegment):
            if isinstance(event.segment, Prose):
                self._text(event.segment.text)
            elif isinstance(event.segment, ArtifactClosed) and self.as_json:
                pass  # reported once stored, as "artifact" with its version
        elif isinstance(event, Reasoning):
            self._reasoning(event.text)
        elif isinstance(event, ArtifactSaved):
            self._artifact(event)
        else:
            self._other(event)

    def _text(self, text: str) -> None:
        if self.as_json:
            self._json({"type": "text", "text": text})
            return
        if not self._at_line_start and text and not text.startswith("\n") and self._pending_nl:
            self.out.write("\n")
        self._pending_nl = False
        self.out.write(text)
        self.out.flush()
        if text:
            self._at_line_start = text.endswith("\n")

    def _reasoning(self, text: str) -> None:
        if self.as_json:
            self._json({"type": "reasoning", "text": text})
        elif self.show_reasoning:
            sys.stderr.write(text)
            sys.stderr.flush()

    def _artifact(self, event: ArtifactSaved) -> None:
        version = event.version
        path = self._save(version.identifier, version.type, version.title, version.content)
        if self.as_json:
            self._json(
                {
                    "type": "artifact",
                    "identifier": version.identifier,
                    "title": version.title,
                    "artifact_type": version.type,
                    "version": version.version,
                    "complete": version.complete,
                    "origin": version.origin,
                    "path": str(path) if path else None,
                }
            )
            return
        line = f"[artifact {version.identifier}: {version.title}"
        line += f" → {path}]" if path else "]"
        if not self._at_line_start:
            self.out.write("\n")
        self.out.write(line)
        self.out.flush()
        self._at_line_start = False
        self._pending_nl = True

    def _save(self, identifier: str, type_: str, title: str, content: str) -> Path | None:
        if self.save_dir is None:
            return None
        path = self.save_dir / f"{identifier}.html"
        try:
            self.save_dir.mkdir(parents=True, exist_ok=True)
            page = with_offline_bridge(inline_vendored(artifact_document(type_, content, title)))
            path.write_text(page, "utf-8")
        except OSError as error:
            self.save_failed = True
            print(f"Could not save {path}: {error.strerror or error}.", file=sys.stderr)
            return None
        return path

    def _other(self, event: SessionEvent) -> None:
        said = tool_event(event, self.as_json)
        if said is not None:
            if self.as_json:
                self._json(said)
        elif isinstance(event, TurnStarted):
            if self.as_json:
                self._json(
                    {"type": "start", "message_id": event.assistant_id, "model": event.model}
                )
        elif isinstance(event, UsageUpdate):
            if self.as_json:
                self._json(
                    {
                        "type": "usage",
                        "input_tokens": event.input_tokens,
                        "output_tokens": event.output_tokens,
                    }
                )
        elif isinstance(event, Retrying):
            self._note(
                f"{event.reason} Retrying in {event.seconds:.0f} s.",
                "retry",
                {"seconds": event.seconds, "attempt": event.attempt},
            )
        elif isinstance(event, ArtifactLimitReached):
            self._note(artifact_limit_note(event.limit), "artifact_limit", {"limit": event.limit})
        elif isinstance(event, EditFailed):
            self._note(
                f"The edit to “{event.identifier}” could not be applied: {event.reason}.",
                "edit_failed",
                {"identifier": event.identifier},
            )
        elif isinstance(event, EditRepair):
            self._note(event.text, "repair", {"asked": event.asked})
        elif isinstance(event, TurnEnded):
            self._ended(event)

    def _ended(self, event: TurnEnded) -> None:
        message = event.message
        self.error = event.error
        if self.as_json:
            self._json(
                {
                    "type": "done",
                    "conversation_id": message.conversation_id,
                    "message_id": message.id,
                    "status": message.status,
                    "finish_reason": message.finish_reason,
                    "error": str(event.error) if event.error else None,
                    "exit_code": event.error.exit_code if event.error else 0,
                }
            )
        elif not self._at_line_start:
            self.out.write("\n")
            self.out.flush()
            self._at_line_start = True
        if isinstance(event.error, StoreError) and self.as_json:
            # The reply could not be saved: the stream of events ends with the error itself.
            self._json(
                {"type": "error", "message": str(event.error), "exit_code": event.error.exit_code}
            )
        if event.error is not None:
            print(str(event.error), file=sys.stderr)
        elif message.status == "complete" and not message.content.strip():
            print("The model returned an empty reply.", file=sys.stderr)
        elif message.finish_reason == "length":
            print("The reply was cut off at the model's length limit.", file=sys.stderr)

    def _note(self, text: str, kind: str, extra: dict[str, object]) -> None:
        if self.as_json:
            self._json({"type": kind, "message": text, **extra})
        print(text, file=sys.stderr)

    def _json(self, payload: dict[str, object]) -> None:
        self.out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        self.out.flush()

    def exit_code(self, status: str) -> int:
        if self.error is not None:
            return self.error.exit_code
        return 1 if self.save_failed else 0


# --- history -----------------------------------------------------------------------------


def history_main(argv: list[str]) -> int:
    """`main.py history`: list conversations, or print one."""
    parser = argparse.ArgumentParser(prog="main.py history", description="Past conversations.")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show", type=int, metavar="ID")
    parser.add_argument("--format", choices=("md", "json"), default="md")
    parser.add_argument("--search", metavar="QUERY")
    args = parser.parse_args(argv)
    store = _open_store()
    try:
        return _history(store, args)
    except sqlite3.DatabaseError as error:  # damage met past the pages opening reads
        failure = store_error(error, store.path)
        print(str(failure), file=sys.stderr)
        return failure.exit_code
    finally:
        store.close()


def _history(store: Store, args: argparse.Namespace) -> int:
    if args.search is not None:
        return print_search(store, args.search, args.json)
    if args.show is not None:
        conversation = store.get_conversation(args.show)
        if conversation is None:
            print(f"There is no conversation {args.show}.", file=sys.stderr)
            return EXIT_USAGE
        if args.format == "json" or args.json:
            print(json.dumps(conversation_json(store, conversation), ensure_ascii=False, indent=2))
        else:
            sys.stdout.write(conversation_markdown(store, conversation))
        return 0
    conversations = store.list_conversations()
    if args.json:
        rows = [_conversation_row(c) for c in conversations]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for c in conversations:
            print(f"{c.id:>5}  {_when(c.updated)}  {c.title}  ({c.message_count} messages)")
    return 0


def _conversation_row(c: Conversation) -> dict[str, object]:
    return {
        "id": c.id,
        "title": c.title,
        "updated": c.updated,
        "created": c.created,
        "provider": c.provider,
        "model": c.model,
        "messages": c.message_count,
    }


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


# --- extract -----------------------------------------------------------------------------


def extract_main(argv: list[str]) -> int:
    """`main.py extract`: the artifacts the extractor finds in a saved reply."""
    parser = argparse.ArgumentParser(prog="main.py extract", description="Artifacts in a reply.")
    parser.add_argument("reply", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        text = args.reply.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(
            f"Cannot read {args.reply}: {getattr(error, 'strerror', None) or error}.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    artifacts = extract_artifacts(text)
    if args.json:
        rows = [
            {
                "identifier": a.identifier,
                "type": a.type,
                "title": a.title,
                "content": a.content,
                "complete": a.complete,
            }
            for a in artifacts
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for a in artifacts:
            state = "" if a.complete else ", incomplete"
            print(f"{a.identifier}\t{a.type}\t{a.title}\t{len(a.content.encode())} bytes{state}")
    return 0
