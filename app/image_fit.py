"""Images made to fit what vision APIs accept, with Qt's QImage (no widgets, any thread).

Limits, the stricter of the two wire formats: Anthropic resizes anything past 1568 pixels on
the long edge and refuses images over 5 MB of base64 (about 3.75 MB of bytes); OpenAI scales to
2048 px and takes up to 20 MB. So an image past MAX_EDGE or MAX_BYTES is scaled down (aspect
kept) and re-encoded: PNG when it has transparency, else JPEG, whose quality drops until it
fits. An image within both limits is sent as it is (an animated GIF stays animated).

QImage is reentrant: the window calls this on a worker thread, so a big photo never stalls
the loop. `app.attachments` imports this module only when it reads an image, so the headless
commands load no Qt otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QPainter

MAX_EDGE = 1568
MAX_BYTES = 3_750_000
# Formats every vision API takes as they are (as sniffed by app.attachments.sniff_image).
SENDABLE = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@dataclass(frozen=True)
class FittedImage:
    """An image ready to send: its bytes, MIME type and size in pixels."""

    data: bytes
    mime: str
    width: int
    height: int


def fit_image(data: bytes, mime: str | None) -> FittedImage | None:
    """The image within MAX_EDGE and MAX_BYTES; None if Qt cannot decode it.

    mime: the sniffed type (None for a format Qt reads but APIs do not take, such as BMP or
    TIFF, which is then re-encoded).
    """
    image = QImage.fromData(data)
    if image.isNull():
        return None
    width, height = image.width(), image.height()
    if mime in SENDABLE and max(width, height) <= MAX_EDGE and len(data) <= MAX_BYTES:
        return FittedImage(data, mime, width, height)
    if max(width, height) > MAX_EDGE:
        image = image.scaled(
            MAX_EDGE,
            MAX_EDGE,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return _encode(image)


def _encode(image: QImage) -> FittedImage | None:
    """PNG if the image has transparency and fits, else the best JPEG quality that fits."""
    if image.hasAlphaChannel():
        png = _save(image, "PNG", -1)
        if len(png) <= MAX_BYTES:
            return FittedImage(png, "image/png", image.width(), image.height())
        # Too big as PNG: flatten onto white, as a JPEG cannot keep transparency.
        flat = QImage(image.size(), QImage.Format.Format_RGB32)
        flat.fill(0xFFFFFF)
        painter = QPainter(flat)
        painter.drawImage(0, 0, image)
        painter.end()
        image = flat
    for quality in (90, 80, 65, 50, 35):
        jpeg = _save(image, "JPEG", quality)
        if len(jpeg) <= MAX_BYTES:
            return FittedImage(jpeg, "image/jpeg", image.width(), image.height())
    return None


def _save(image: QImage, fmt: str, quality: int) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, fmt, quality)
    buffer.close()
    return bytes(array.data())
