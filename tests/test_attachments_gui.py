"""Attachments in the window: the paperclip's dialog, a drop, a pasted image, chips in the
composer (removable) and on the sent message, a hostile file name that stays text, the note for
a model without vision, and the request the loopback server receives."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.attachment_files import CSV_ROWS, write_csv, write_pdf, write_png
from tests.canary import Canary
from tests.model_server import openai_text_reply
from tests.test_gui import _close, _js, _start, _type_and_send, _until

HOSTILE = "<img src=x onerror=alert(1)>.png"


@pytest.fixture
def loop(qasync_loop):
    return qasync_loop


@pytest.fixture
def run(run_async):
    return run_async


def _drop(widget, paths: list[Path]) -> None:
    """A real drag-enter and drop of local files on `widget`, as the window system sends it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    where = widget.rect().center()
    enter = QDragEnterEvent(
        where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(where), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(widget, drop)
    assert drop.isAccepted()


def _chips(easel) -> list[str]:
    return [chip.name.text() for chip in easel.composer.tray._chips]


def test_attach_by_button_drop_and_paste_then_send(loop, run, model_server, tmp_path):
    csv = write_csv(tmp_path / "sales.csv")
    hostile = write_png(tmp_path / HOSTILE, 40, 30)
    report = write_pdf(tmp_path / "report.pdf", ["Quarterly report alpha"])
    canary = Canary()  # `http:host:port` is an absolute URL to Chromium, slashes or not
    baited = write_png(tmp_path / f"<img src=http:127.0.0.1:{canary.port}>.png")
    model_server.enqueue(openai_text_reply("I see the rows."))

    async def scenario():
        easel, task = await _start(loop, model_server)
        tray = easel.composer.tray
        assert not tray.isVisible()  # nothing attached, nothing shown

        # The paperclip: its own dialog, answered as a user would.
        easel.composer.attach_button.click()
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog))
        dialog.selectFile(str(csv))
        dialog.accept()
        await _until(lambda: len(tray.attachments()) == 1 and not tray.busy())

        # A drop on the window (not on the composer), one on the transcript (the widget its
        # renderer paints into, not the page), and one on the text box.
        _drop(easel.window, [hostile])
        await _until(lambda: len(tray.attachments()) == 2 and not tray.busy())
        _drop(easel.transcript.focusProxy(), [baited])
        await _until(lambda: len(tray.attachments()) == 3 and not tray.busy())
        _drop(easel.composer.edit.viewport(), [report])
        await _until(lambda: len(tray.attachments()) == 4 and not tray.busy())

        # Ctrl+V with an image on the clipboard.
        image = QImage(20, 10, QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.green)
        QGuiApplication.clipboard().setImage(image)
        easel.composer.edit.setFocus()
        easel.composer.edit.paste()
        await _until(lambda: len(tray.attachments()) == 5 and not tray.busy())
        assert easel.composer.text() == ""  # the image did not become text

        names = _chips(easel)
        assert names[0].endswith("sales.csv") and HOSTILE in names[1]
        assert "report.pdf (PDF, 1 page)" in names[3] and "pasted-image.png" in names[4]
        assert tray.isVisible() and all(c.isVisible() for c in tray._chips)
        # A file name is shown as text: the label would otherwise render `<img …>` as markup.
        assert all(c.name.textFormat() == Qt.TextFormat.PlainText for c in tray._chips)
        # test-model is not a known vision model: the user is told before sending.
        assert "test-model cannot see images" in tray.message.text()
        if os.environ.get("EASEL_TEST_SHOTS"):
            easel.composer.grab().save(os.environ["EASEL_TEST_SHOTS"] + "/composer-chips.png")

        # × removes the pasted image; a file that cannot be attached says why, keeps the rest.
        tray._chips[4].remove.click()
        await _until(lambda: len(tray.attachments()) == 4)
        bad = tmp_path / "tool.bin"
        bad.write_bytes(b"\x00\x01\x02")
        tray.add_paths([bad])
        await _until(lambda: "cannot attach tool.bin" in tray.message.text())
        assert len(tray.attachments()) == 4

        await _type_and_send(easel, "chart these")
        await _until(lambda: not easel.chat.busy and easel.chat.conversation_id is not None)
        await _until(lambda: not tray.attachments() and not tray.isVisible())
        body = model_server.requests[-1].json()["messages"][-1]["content"]
        assert CSV_ROWS in body and "Quarterly" in body
        assert f"attached the image {HOSTILE} (40×30), but this model cannot see" in body

        # The sent message shows its files as chips; the hostile name is text, not an element.
        easel.transcript.flush()
        await _until(lambda: True)
        shown = None
        for _ in range(100):
            shown = await _js(
                easel.transcript,
                "JSON.stringify([...document.querySelectorAll('.file-chip-name')]"
                ".map(n => n.textContent))",
            )
            if shown and shown != "[]":
                break
            await _until(lambda: True, 0.1)
        assert HOSTILE in shown and "sales.csv" in shown
        assert (
            await _js(easel.transcript, "document.querySelectorAll('.msg-files img').length") == 0
        )
        if os.environ.get("EASEL_TEST_SHOTS"):
            await asyncio.sleep(1.0)  # the web view paints a moment after its DOM changed
            easel.window.grab().save(os.environ["EASEL_TEST_SHOTS"] + "/sent-with-chips.png")
        await _close(easel, task)

        # Opened again, the stored message shows the same chips.
        again, task = await _start(loop, model_server)
        for _ in range(100):
            shown = await _js(again.transcript, "document.querySelectorAll('.file-chip').length")
            if shown == 4:
                break
            await _until(lambda: True, 0.1)
        assert shown == 4
        assert canary.contacts == 0  # no name ever became an element that loads something
        canary.close()
        await _close(again, task)

    run(scenario())


def test_drop_without_files_is_left_alone(loop, run, model_server):
    async def scenario():
        easel, task = await _start(loop, model_server)
        mime = QMimeData()
        mime.setText("just text")
        enter = QDragEnterEvent(
            QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )  # fmt: skip
        enter.ignore()
        QApplication.sendEvent(easel.window, enter)
        assert not easel.composer.tray.attachments()
        await _close(easel, task)

    run(scenario())
