"""A reply stopped while it wrote an artifact says "Incomplete" once, not three times."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.model_server import openai_text_reply
from tests.test_gui import _close, _start, _transcript_text, _type_and_send, _until

PAGE = '<artifact identifier="p" type="text/html" title="P">\n<html><body>' + "<p>word</p>\n" * 400


def test_a_stopped_reply_says_incomplete_once(qasync_loop, run_async, model_server):
    model_server.enqueue(openai_text_reply("Intro.\n" + PAGE, chunk_chars=5, delay=0.01))

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        await _type_and_send(easel, "a page")
        await _until(lambda: easel.chat.busy and easel.chat.turn.chars > 100)
        QTest.keyClick(easel.composer.edit, Qt.Key.Key_Escape)
        await _until(lambda: not easel.chat.busy)
        text = ""
        for _ in range(100):  # the page applies the last updates a frame later
            text = await _transcript_text(easel)
            if "Retry" in text:
                break
            await asyncio.sleep(0.05)
        assert "Incomplete — Stopped." in text and "Retry" in text
        assert text.count("Incomplete") == 1, text
        assert "incomplete" not in easel.window.stream_status.text().lower()
        await _close(easel, task)

    run_async(scenario())
