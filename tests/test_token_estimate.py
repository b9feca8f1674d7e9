"""The tokens/second line: CJK counted about one token a character, the provider's count wins."""

from __future__ import annotations

import re

from app.token_estimate import estimate_tokens
from tests.model_server import openai_text_reply
from tests.test_gui import _close, _send_and_wait, _start

CHINESE = "这是一个关于天气的简短回答，今天北京晴朗，气温适中。" * 12  # 312 characters


def test_cjk_counts_one_token_a_character_and_english_a_quarter():
    assert estimate_tokens("你好世界") == 4
    assert estimate_tokens("abcd" * 10) == 10
    # ASCII takes a shortcut; accents are not wide, mixed text counts each part its way.
    assert estimate_tokens("café" * 4) == 4 and estimate_tokens("ab你好") == 2.5
    assert estimate_tokens("こんにちは") == 5 and estimate_tokens("안녕하세요") == 5
    assert round(estimate_tokens(CHINESE)) == len(CHINESE)
    pieces = [CHINESE[i : i + 7] for i in range(0, len(CHINESE), 7)]
    assert abs(sum(estimate_tokens(p) for p in pieces) - estimate_tokens(CHINESE)) < 1e-9


def _tokens(status: str) -> tuple[str, int]:
    match = re.search(r"(~?)([\d,]+) tokens", status)
    assert match, status
    return match.group(1), int(match.group(2).replace(",", ""))


def test_the_status_line_estimates_a_chinese_reply_then_uses_the_usage(
    qasync_loop, run_async, model_server
):
    model_server.enqueue(
        openai_text_reply(CHINESE, usage=None), openai_text_reply(CHINESE, usage=(50, 250))
    )

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        await _send_and_wait(easel, "天气怎么样？")
        approx, tokens = _tokens(easel.window.stream_status.text())
        assert approx == "~" and len(CHINESE) * 0.9 <= tokens <= len(CHINESE) * 1.1
        await _send_and_wait(easel, "再说一遍")
        approx, tokens = _tokens(easel.window.stream_status.text())
        assert (approx, tokens) == ("", 250)
        await _close(easel, task)

    run_async(scenario())
