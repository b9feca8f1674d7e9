"""The flashcards a user asks for, in the real window: the page asks once before calling the
model, grades with it, and keeps its score across a restart (DESIGN.md §4.1)."""

from __future__ import annotations

import asyncio
import os

from PySide6.QtWidgets import QPushButton

from tests.model_server import openai_text_reply
from tests.test_gui import _close, _start, _type_and_send, _until

CARDS = """<!DOCTYPE html><html><head><title>Cards</title></head><body>
<p id=score>loading</p><p id=verdict></p>
<script>
(async () => {
  const saved = await window.storage.get("score");
  let score = saved ? Number(saved.value) : 0;
  document.getElementById("score").textContent = "score " + score;
  try {
    const verdict = await window.claude.complete("Is 'Paris' the capital of France? One word.");
    document.getElementById("verdict").textContent = verdict;
    score += 1;
    await window.storage.set("score", String(score));
    document.getElementById("score").textContent = "score " + score;
  } catch (error) {
    document.getElementById("verdict").textContent = "refused: " + error.message;
  }
})();
</script></body></html>"""


async def _text(view, element: str) -> str:
    future = asyncio.get_running_loop().create_future()
    view.page().runJavaScript(
        f"(document.getElementById('{element}') || {{}}).textContent || ''",
        0,
        lambda value: future.done() or future.set_result(value),
    )
    return str(await asyncio.wait_for(future, 10))


def _chats(server) -> list:
    return [r for r in server.requests if r.method == "POST"]


def test_flashcards_ask_once_grade_with_the_model_and_keep_the_score(
    qasync_loop, run_async, model_server
):
    reply = f'Here you go:\n<artifact identifier="cards" type="text/html" title="Cards">\n{CARDS}\n</artifact>\n'
    model_server.enqueue(
        openai_text_reply(reply),
        openai_text_reply("Correct"),
        openai_text_reply("Correct again"),
    )

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        await _type_and_send(easel, "a flashcard app that grades my answers and keeps my score")
        await _until(lambda: easel.panel.tab("cards") is not None)
        tab = easel.panel.tab("cards")
        await _until(lambda: tab.consent.isVisible(), timeout=30)
        assert "capital of France" in tab.consent.prompt.text()
        if os.environ.get("EASEL_TEST_SHOTS"):
            easel.window.grab().save(os.path.join(os.environ["EASEL_TEST_SHOTS"], "consent.png"))
        assert len(_chats(model_server)) == 1  # nothing sent before the user answers
        always = next(
            b for b in tab.consent.findChildren(QPushButton) if b.text().startswith("Always")
        )
        always.click()
        await _until(lambda: len(_chats(model_server)) == 2)
        sent = _chats(model_server)[1].json()
        assert sent["messages"][-1]["content"].startswith("Is 'Paris'")
        for _ in range(200):
            if await _text(tab.view, "score") == "score 1":
                break
            await asyncio.sleep(0.05)
        assert await _text(tab.view, "verdict") == "Correct"
        assert tab.toolbar.model_usage.text().startswith("Model: 1 call")
        await _close(easel, task)

        again, task = await _start(qasync_loop, model_server)
        await _until(lambda: again.panel.tab("cards") is not None)
        tab = again.panel.tab("cards")
        again.panel.tabs.setCurrentWidget(tab)
        await _until(lambda: len(_chats(model_server)) == 3, timeout=30)  # always: not asked
        assert not tab.consent.isVisible()
        for _ in range(200):
            if await _text(tab.view, "score") == "score 2":
                break
            await asyncio.sleep(0.05)
        assert await _text(tab.view, "score") == "score 2"  # the score survived the restart
        await _close(again, task)

    run_async(scenario())
