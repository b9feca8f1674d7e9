"""What a file attached to a message is, as a value: its name, type, bytes and text.

Reading files into attachments (with the size limits) is `app.attachments`; storing them with
the conversation is `app.attachment_store`; writing them on the wire is
`app.providers.attachment_wire`. This module is pure values so that providers can carry
attachments without importing any reader (the image reader needs Qt's QtGui).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.i18n import translate

KINDS = ("image", "text", "pdf")


class AttachmentError(Exception):
    """A file that cannot be attached; str() is one sentence naming it and saying why."""


@dataclass(frozen=True)
class Attachment:
    """One attached file.

    kind: "image" (sent as an image to vision models), "text" (text, code, CSV, JSON,
    Markdown: sent as text with its name) or "pdf" (sent as its extracted text).
    data: the bytes window.fs.readFile gives an artifact: the file as attached, except an image
    too big for the providers, which is the downscaled copy the model sees.
    text: what the model reads for text and PDF files. pages: a PDF's page count.
    width, height: an image's size in pixels as sent.
    """

    name: str
    mime: str
    kind: str
    data: bytes = field(repr=False)
    text: str = ""
    pages: int = 0
    width: int = 0
    height: int = 0

    def label(self) -> str:
        """How the file is named to the user and in notes: its name and what it is."""
        if self.kind == "pdf":  # shown to the user only: vision notes name images
            if self.pages == 1:
                return translate("Attachments", "{name} (PDF, 1 page)").format(name=self.name)
            text = translate("Attachments", "{name} (PDF, {pages} pages)")
            return text.format(name=self.name, pages=self.pages)
        if self.kind == "image":
            return f"{self.name} ({self.width}×{self.height})"
        return self.name
