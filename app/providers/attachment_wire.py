"""Attached files on the wire, per protocol (the user turn's `Message.attachments`).

- Images: OpenAI-compatible APIs take `{"type": "image_url", "image_url": {"url": "data:…"}}`
  content parts; Anthropic takes `{"type": "image", "source": {"type": "base64", "media_type",
  "data"}}` blocks. Images come first, then the files' text, then what the user typed (the
  order Anthropic recommends, and harmless for the others).
- Text, code, CSV, JSON, Markdown and PDFs go as text, each wrapped with its file name (a PDF
  says how many pages it has), with a line telling the model that artifacts can read the file
  through window.fs.readFile (DESIGN.md §4.1), so a chart is drawn from the real rows.
- OpenAI content stays a plain string when a turn carries no image: many OpenAI-compatible
  servers (DeepSeek, older local servers) refuse a list of content parts, and text parts
  joined are the same text to the model.

A model without vision never gets here with an image: `app.vision.without_images` replaces it
with a note first.
"""

from __future__ import annotations

import base64
from typing import Any

from app.attachment_model import Attachment
from app.providers.base import Message


def file_text(attachment: Attachment) -> str:
    """A text or PDF attachment as the model reads it: its name, its text, where it lives."""
    name = attachment.name.replace('"', "'")
    pages = f' pages="{attachment.pages}"' if attachment.kind == "pdf" else ""
    return (
        f'<attached-file name="{name}" type="{attachment.mime}"{pages}>\n'
        f"{attachment.text}\n</attached-file>\n"
        f'(Artifacts can read this file with await window.fs.readFile("{name}", '
        '{encoding: "utf8"}).)'
    )


def openai_user_content(message: Message) -> str | list[dict[str, Any]]:
    """The `content` of a chat.completions user message with its attachments."""
    texts = [file_text(a) for a in message.attachments if a.kind != "image"]
    images = [a for a in message.attachments if a.kind == "image"]
    if not images:
        return "\n\n".join([*texts, message.content] if message.content else texts)
    parts: list[dict[str, Any]] = [
        {"type": "image_url", "image_url": {"url": _data_url(a)}} for a in images
    ]
    parts += [{"type": "text", "text": text} for text in texts]
    if message.content:
        parts.append({"type": "text", "text": message.content})
    return parts


def anthropic_user_content(message: Message) -> list[dict[str, Any]]:
    """The `content` blocks of a Messages API user turn with its attachments."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": a.mime,
                "data": base64.b64encode(a.data).decode("ascii"),
            },
        }
        for a in message.attachments
        if a.kind == "image"
    ]
    blocks += [
        {"type": "text", "text": file_text(a)} for a in message.attachments if a.kind != "image"
    ]
    if message.content.strip():  # the API refuses an empty text block
        blocks.append({"type": "text", "text": message.content})
    return blocks


def _data_url(attachment: Attachment) -> str:
    return f"data:{attachment.mime};base64,{base64.b64encode(attachment.data).decode('ascii')}"
