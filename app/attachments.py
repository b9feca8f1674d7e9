"""Files the user attaches to a message, read and checked before anything is sent.

`read_attachment(path)` (the paperclip, a drop, `ask --attach`) and `attachment_from_bytes`
(a pasted image) give an `Attachment` or raise `AttachmentError` with one sentence naming the
file: too big, unsupported, unreadable. What is accepted:
- images (PNG, JPEG, GIF, WebP; BMP and TIFF are converted), downscaled to the providers'
  limits by `app.image_fit`;
- PDFs, as the text of their pages (`app.pdf_text`);
- text: anything that decodes as UTF-8 (or UTF-16 with a BOM) without NUL bytes — code, CSV,
  JSON, Markdown and plain text, whatever the file's extension.
Everything else is refused. Names are reduced to their last path component, so a name can
never point outside the conversation's own files.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from app.attachment_model import Attachment, AttachmentError
from app.i18n import translate

MAX_FILE_BYTES = 20 * 1024 * 1024  # any file, before it is read further
MAX_TEXT_CHARS = 400_000  # text a model is sent for one file (about 100k tokens)
MAX_FILES = 20  # per message
CONVERTIBLE = {".bmp", ".tif", ".tiff"}  # images Qt reads and APIs do not take


def read_attachment(path: Path) -> Attachment:
    """The file at `path` as an attachment; AttachmentError (one sentence) if it cannot be."""
    name = safe_name(path.name)
    try:
        if not path.is_file():
            missing = not path.exists()
            text = (
                translate("Attachments", "{path} does not exist.")
                if missing
                else translate("Attachments", "{path} is not a file.")
            )
            raise AttachmentError(text.format(path=path))
        size = path.stat().st_size
        _check_size(name, size)
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        text = translate("Attachments", "Easel cannot read {path}: {reason}.")
        raise AttachmentError(text.format(path=path, reason=reason)) from None
    return attachment_from_bytes(name, data)


def read_attachments(paths: list[Path]) -> tuple[Attachment, ...]:
    """Every file of `paths` read, or AttachmentError for the first that cannot be."""
    check_count(len(paths))
    return tuple(read_attachment(path) for path in paths)


def attachment_from_bytes(name: str, data: bytes) -> Attachment:
    """An attachment from a file's bytes (a pasted image, a dropped file already read)."""
    name = safe_name(name)
    _check_size(name, len(data))
    image_type = sniff_image(data)
    if image_type is not None or Path(name).suffix.lower() in CONVERTIBLE:
        return _image(name, data, image_type)
    if data.startswith(b"%PDF-"):
        # pypdf costs ~0.2-0.6 s to import: the window's start does not pay for it (it is
        # warmed after the first frame, widgets/warm_up.py); a PDF's first reader does.
        from app.pdf_text import pdf_text

        text, pages = pdf_text(name, data)
        return Attachment(name, "application/pdf", "pdf", data, _capped(name, text), pages)
    text = decode_text(data)
    if text is None:
        text = translate(
            "Attachments",
            "Easel cannot attach {name}: only images (PNG, JPEG, GIF, WebP), PDFs and text "
            "files can be attached.",
        )
        raise AttachmentError(text.format(name=name))
    return Attachment(name, _text_mime(name), "text", data, _capped(name, text))


def check_count(count: int) -> None:
    """AttachmentError when one message would carry more than MAX_FILES files."""
    if count > MAX_FILES:
        text = translate("Attachments", "A message can carry at most {count} files.")
        raise AttachmentError(text.format(count=MAX_FILES))


def safe_name(name: str) -> str:
    """The last component of a path-like name (POSIX or Windows), never empty or a dot name."""
    base = PureWindowsPath(PurePosixPath(name).name).name.strip()
    base = "".join(ch for ch in base if ch >= " " and ch != "\x7f")  # no control characters
    return base if base not in ("", ".", "..") else "file"


def sniff_image(data: bytes) -> str | None:
    """The MIME type of a PNG, JPEG, GIF or WebP file from its first bytes, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def decode_text(data: bytes) -> str | None:
    """The text of a UTF-8 (BOM or not) or BOM-marked UTF-16 file; None for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _image(name: str, data: bytes, mime: str | None) -> Attachment:
    # Imported here, not above: it loads QtGui, which the headless commands otherwise never do.
    from app.image_fit import fit_image

    fitted = fit_image(data, mime)
    if fitted is None:
        text = translate("Attachments", "{name} is not an image Easel can read.")
        raise AttachmentError(text.format(name=name))
    return Attachment(
        name, fitted.mime, "image", fitted.data, width=fitted.width, height=fitted.height
    )


def _check_size(name: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        text = translate(
            "Attachments", "{name} is too big to attach ({size} MB; the limit is {limit} MB)."
        )
        raise AttachmentError(
            text.format(
                name=name, size=f"{size / 1_048_576:.1f}", limit=MAX_FILE_BYTES // 1_048_576
            )
        )
    if size == 0:
        raise AttachmentError(translate("Attachments", "{name} is empty.").format(name=name))


def _capped(name: str, text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        message = translate(
            "Attachments",
            "{name} is too long to send ({count} characters of text; the limit is {limit}).",
        )
        raise AttachmentError(
            message.format(name=name, count=f"{len(text):,}", limit=f"{MAX_TEXT_CHARS:,}")
        )
    return text


def _text_mime(name: str) -> str:
    import mimetypes  # its tables load with the first file attached, not with the window

    guessed, _ = mimetypes.guess_type(name)
    if guessed and (guessed.startswith("text/") or guessed.endswith(("json", "xml"))):
        return guessed
    return "text/plain"
