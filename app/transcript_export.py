"""A stored conversation as Markdown or JSON (for `history --show` and "Export conversation").

The Markdown keeps each reply's prose as the model wrote it and shows each artifact's source in
a code fence no backtick run inside can close (app/markdown_fences.py), so that it reads like the
chat in any Markdown viewer instead of rendering the artifacts' raw HTML.

`read_conversation` reads what an export needs from the store (on the store's thread);
`page_html` and `markdown_text` make the document from that alone, on any thread: a 2,000-message
conversation's page takes a second or more to render, and the window must not wait for it.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

from app.artifact_segments import ArtifactOpened, EditOpened, Prose
from app.artifacts import display_parts
from app.documents import artifact_document, inline_vendored
from app.export_policy import ARTIFACT_EXPORT_CSP, EXPORT_IFRAME_SANDBOX
from app.markdown import MarkdownRenderer
from app.markdown_fences import reply_markdown
from app.resources import asset
from app.saved_bridge import with_offline_bridge
from app.store import ArtifactVersion, Conversation, Store, StoredMessage

# The transcript's own style sheet: the export looks like the chat it came from.
TRANSCRIPT_CSS = asset("transcript", "transcript.css")

_ROLE_HEADINGS = {"user": "You", "assistant": "Assistant", "error": "Error"}


@dataclass(frozen=True)
class ReadConversation:
    """What an export shows of a conversation: its current path and its artifact versions."""

    conversation: Conversation
    messages: tuple[StoredMessage, ...]
    versions: tuple[ArtifactVersion, ...]


def read_conversation(store: Store, conversation: Conversation) -> ReadConversation:
    """The conversation's current path and every artifact version, read from the store."""
    return ReadConversation(
        conversation,
        tuple(store.messages(conversation.id)),
        tuple(store.artifact_versions(conversation.id)),
    )


def conversation_markdown(store: Store, conversation: Conversation) -> str:
    """The whole conversation as a Markdown document."""
    return markdown_text(read_conversation(store, conversation))


def markdown_text(read: ReadConversation) -> str:
    """The conversation read as a Markdown document (any thread)."""
    conversation = read.conversation
    lines = [f"# {conversation.title}", ""]
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.created))
    lines += [f"_{stamp}{' · ' + conversation.model if conversation.model else ''}_", ""]
    for message in read.messages:
        lines += _message_markdown(message)
    return "\n".join(lines).rstrip() + "\n"


def _message_markdown(message: StoredMessage) -> list[str]:
    heading = _ROLE_HEADINGS.get(message.role, message.role.title())
    if message.role == "assistant" and message.model:
        heading += f" ({message.model})"
    lines = [f"## {heading}", ""]
    if message.content:
        text = reply_markdown(message.content) if message.role == "assistant" else message.content
        lines += [text.strip("\n").rstrip(), ""]
    if message.status in ("incomplete", "error"):
        note = message.error or "The reply is incomplete."
        lines += [f"> _{message.status}: {note}_", ""]
    return lines


def conversation_json(store: Store, conversation: Conversation) -> dict[str, object]:
    """The whole conversation as plain JSON values: the messages of every branch (each with
    its parent_id), the current path (ids, root to leaf) and every artifact version."""
    return {
        "id": conversation.id,
        "title": conversation.title,
        "created": conversation.created,
        "updated": conversation.updated,
        "provider": conversation.provider,
        "model": conversation.model,
        "messages": [
            {
                "id": m.id,
                "parent_id": m.parent_id,
                "role": m.role,
                "content": m.content,
                "reasoning": m.reasoning,
                "status": m.status,
                "error": m.error,
                "model": m.model,
                "input_tokens": m.input_tokens,
                "output_tokens": m.output_tokens,
                "finish_reason": m.finish_reason,
                "created": m.created,
            }
            for m in store.all_messages(conversation.id)
        ],
        "current_path": store.path_ids(conversation.id),
        "artifacts": [
            {
                "identifier": v.identifier,
                "version": v.version,
                "type": v.type,
                "title": v.title,
                "origin": v.origin,
                "complete": v.complete,
                "content": v.content,
                "message_id": v.message_id,
            }
            for v in store.artifact_versions(conversation.id)
        ],
    }


def conversation_html(store: Store, conversation: Conversation) -> str:
    """The whole conversation as one HTML page that opens anywhere, offline.

    Each artifact stands where the model made it, as a sandboxed frame running that version
    with its libraries inlined; raw HTML written in the chat stays escaped, as on screen. The
    page's CSP (a meta tag, inherited by every srcdoc frame) refuses every remote load: an
    image in the prose or a fetch in an artifact never reaches the network from the file.
    """
    return page_html(read_conversation(store, conversation))


def page_html(read: ReadConversation) -> str:
    """The conversation read as one HTML page (any thread; see conversation_html)."""
    conversation = read.conversation
    renderer = MarkdownRenderer()  # one for the page: its lexers and highlighted code are kept
    body = "".join(_message_html(m, read.versions, renderer) for m in read.messages)
    css = TRANSCRIPT_CSS.read_text("utf-8") if TRANSCRIPT_CSS.exists() else ""
    title = html.escape(conversation.title)
    policy = html.escape(ARTIFACT_EXPORT_CSP)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{css}\n{_EXPORT_CSS}</style></head>"
        f'<body><main id="transcript" class="export"><h1>{title}</h1>{body}</main></body></html>\n'
    )


def _message_html(
    message: StoredMessage, versions: tuple[ArtifactVersion, ...], renderer: MarkdownRenderer
) -> str:
    role = message.role
    header = html.escape(message.model or "") if role == "assistant" else ""
    parts = [f'<article class="msg {role}">']
    if header:
        parts.append(f'<div class="msg-header">{header}</div>')
    parts.append('<div class="msg-body">')
    if role != "assistant":
        text = html.escape(message.content).replace("\n", "<br>")
        parts.append(f'<div class="user-text">{text}</div></div></article>')
        return "".join(parts)
    own = iter([v for v in versions if v.message_id == message.id])
    for part in display_parts(message.content):
        if isinstance(part, Prose):
            parts.append(f'<div class="prose">{renderer.render(part.text)}</div>')
        elif isinstance(part, ArtifactOpened | EditOpened):
            version = next(own, None)
            if version is not None:
                parts.append(_artifact_frame(version))
    if message.status in ("incomplete", "error"):
        note = html.escape(message.error or "The reply is incomplete.")
        parts.append(f'<p class="export-note">{message.status}: {note}</p>')
    parts.append("</div></article>")
    return "".join(parts)


def _artifact_frame(version: ArtifactVersion) -> str:
    page = with_offline_bridge(
        inline_vendored(artifact_document(version.type, version.content, version.title))
    )
    title = html.escape(version.title)
    return (
        f'<figure class="export-artifact"><figcaption>{title} · v{version.version}</figcaption>'
        f'<iframe sandbox="{EXPORT_IFRAME_SANDBOX}" title="{title}" srcdoc="{html.escape(page)}">'
        "</iframe></figure>"
    )


_EXPORT_CSS = """
main.export { max-width: 860px; margin: 0 auto; padding: 24px; }
.export-artifact { margin: 12px 0; border: 1px solid #e4e4e0; border-radius: 10px; overflow: hidden; }
.export-artifact figcaption { padding: 6px 12px; background: #f6f6f4; font-size: 13px; }
.export-artifact iframe { width: 100%; height: 520px; border: 0; display: block; background: #fff; }
.export-note { color: #8a5a00; font-style: italic; }
main.export .code-copy { display: none; }
"""
