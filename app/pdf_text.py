"""A PDF's text, page by page, with pypdf (a maintained, pure-Python reader).

Models get a PDF as its extracted text, headed by how many pages it has. A PDF that pypdf
cannot open (damaged, encrypted with a password) or that holds no text (a scan) is refused
with one sentence: sending nothing the model can read would be a silent drop.
"""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from app.attachment_model import AttachmentError
from app.i18n import translate

# pypdf logs every oddity of a real-world PDF as a warning; they are not the user's business.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pdf_text(name: str, data: bytes) -> tuple[str, int]:
    """(the text of every page, separated by a blank line, the page count) of a PDF."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            text = translate(
                "Attachments", "{name} is protected by a password, so Easel cannot read it."
            )
            raise AttachmentError(text.format(name=name))
        pages = [page.extract_text() or "" for page in reader.pages]
    except AttachmentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        text = translate("Attachments", "{name} is not a PDF Easel can read ({error}).")
        raise AttachmentError(text.format(name=name, error=error)) from None
    text = "\n\n".join(page.strip() for page in pages).strip()
    if not text:
        message = translate(
            "Attachments",
            "{name} has no text to read (a scanned PDF?); attach its pages as images instead.",
        )
        raise AttachmentError(message.format(name=name))
    return text, len(pages)
