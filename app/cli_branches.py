"""`ask --regenerate` and `ask --edit MSG_ID`: which turn `ask` runs on the conversation tree.

A plain `ask` sends PROMPT as the next message. `--regenerate` (with `--conversation`, no
PROMPT) adds a new reply beside the last one, to the last message of yours on the current path;
`--edit MSG_ID` (with `--conversation` and PROMPT) adds PROMPT beside that message of yours, as a
new branch, and answers it. Either way the old messages stay, and the request holds the current
path only. A command line that cannot work is refused with one sentence (exit 2) before
anything is sent or stored.
"""

from __future__ import annotations

import argparse

from app.attachment_model import Attachment
from app.retry_policy import RetryRefused, message_to_edit, question_to_answer
from app.session import ChatSession
from app.session_events import Listener
from app.store import Store, StoredMessage


def add_branch_options(parser: argparse.ArgumentParser) -> None:
    """--regenerate and --edit MSG_ID."""
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="(with --conversation, no PROMPT) a new reply to your last message, kept beside "
        "the old one",
    )
    parser.add_argument(
        "--edit",
        type=int,
        metavar="MSG_ID",
        help="(with --conversation) PROMPT replaces that message of yours on a new branch",
    )


def usage_problem(args: argparse.Namespace) -> str | None:
    """Why these options cannot run together (one sentence), or None."""
    if args.regenerate and args.edit is not None:
        return "Use --regenerate or --edit, not both."
    if args.regenerate or args.edit is not None:
        option = "--regenerate" if args.regenerate else "--edit"
        if args.conversation is None:
            return f"{option} needs --conversation ID: the conversation to change."
    if args.regenerate and args.prompt:
        return "--regenerate takes no PROMPT: it answers your last message again."
    if args.regenerate and args.attach:
        return "--regenerate takes no --attach: it answers your last message again, with its files."
    if not args.regenerate and not args.prompt:
        return "Nothing to send: give a PROMPT."
    return None


def target_problem(store: Store, conversation_id: int, args: argparse.Namespace) -> str | None:
    """Why --regenerate or --edit cannot act on this conversation (one sentence), or None."""
    try:
        if args.regenerate:
            question_to_answer(store, conversation_id)
        elif args.edit is not None:
            message_to_edit(store, conversation_id, args.edit)
    except RetryRefused as refusal:
        return str(refusal)
    return None


async def run_ask_turn(
    session: ChatSession,
    args: argparse.Namespace,
    listener: Listener,
    attachments: tuple[Attachment, ...] = (),
) -> StoredMessage:
    """The turn the command line asked for (with the files of --attach); the reply, ended."""
    prompt = " ".join(args.prompt)
    if args.regenerate:
        return await session.regenerate(listener)
    if args.edit is not None:
        return await session.edit(args.edit, prompt, listener, attachments=attachments)
    return await session.send(prompt, listener, attachments=attachments)
