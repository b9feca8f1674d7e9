"""Which models can see images, and what the others get instead of a silent drop.

Decided by a known-model list (`VISION_MODELS`, patterns matched anywhere in the model id,
case-insensitive), because no API says so before the request fails; a session may override it
(`ChatSession(vision=...)`). An unknown model counts as text-only: a note costs a few tokens,
while an image sent to a text-only API fails the whole turn (DeepSeek and Kimi K2 refuse
`image_url` parts outright).

A model without vision gets, in place of each image, a text note in the user's turn saying an
image was attached but cannot be shown; the user is told the same (`vision_notice`) before the
request goes out.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.attachment_model import Attachment
from app.providers.base import Message

VISION_MODELS = (
    r"gpt-4o",
    r"gpt-4\.1",
    r"gpt-4-turbo",
    r"gpt-4-vision",
    r"gpt-5",
    r"\bo[134]\b(?!-mini)",
    r"o4-mini",
    r"claude-3",
    r"claude-(sonnet|opus|haiku)-[4-9]",
    r"gemini",
    r"gemma-?3",
    r"grok-(2-)?vision",
    r"grok-4",
    r"qwen[\d.]*-?vl",
    r"qvq",
    r"qwen[\d.]*-omni",
    r"llava",
    r"moondream",
    r"llama-?3\.2-vision",
    r"llama-?4",
    r"minicpm-v",
    r"pixtral",
    r"mistral-(small|medium)",
    r"glm-[\d.]+v",
    r"kimi-vl",
    r"moonshot-v1-[\w-]*vision",
    r"vision",
    r"internvl",
    r"-vl\b",
)
_PATTERN = re.compile("|".join(f"(?:{p})" for p in VISION_MODELS), re.IGNORECASE)


def supports_vision(model: str) -> bool:
    """Whether `model` is known to take images."""
    return bool(_PATTERN.search(model))


def image_note(attachment: Attachment) -> str:
    """What a text-only model reads where an image would be."""
    return (
        f"[The user attached the image {attachment.label()}, but this model cannot see images, "
        "so it is not shown.]"
    )


def without_images(messages: tuple[Message, ...]) -> tuple[Message, ...]:
    """The turns with each image attachment replaced by a note in the text."""
    out = []
    for message in messages:
        images = [a for a in message.attachments if a.kind == "image"]
        if not images:
            out.append(message)
            continue
        notes = "\n".join(image_note(a) for a in images)
        content = f"{message.content}\n\n{notes}" if message.content else notes
        kept = tuple(a for a in message.attachments if a.kind != "image")
        out.append(replace(message, content=content, attachments=kept))
    return tuple(out)


def vision_notice(attachments: tuple[Attachment, ...] | list[Attachment], model: str) -> str:
    """The sentence the user sees when images go to a text-only model; "" when none do."""
    images = [a.name for a in attachments if a.kind == "image"]
    if not images or supports_vision(model):
        return ""
    names = ", ".join(images)
    return (
        f"{model} cannot see images: the model is told that {names} was attached, "
        "but does not see it."
    )
