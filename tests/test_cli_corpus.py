"""`main.py ask --json` over every recorded real stream, run as a subprocess.

Each recording in ../shared/corpus/sse is replayed byte for byte by the loopback server; the
JSON events must carry the stream's text and reasoning, its usage, and end with the right
status and exit code (the OpenRouter recording carries an error inside a 200 stream).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, corpus_path
from tests.model_server import corpus_reply
from tests.test_provider_corpus import EXPECTED, naive_text_and_reasoning

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_ask_json_replays_recording(model_server, easel_home, name):
    path = corpus_path("sse", name)
    model_server.enqueue(corpus_reply(path))
    anthropic = name.startswith("anthropic-")
    base = model_server.url if anthropic else model_server.openai_base
    command = [
        sys.executable,
        str(ROOT / "main.py"),
        "ask",
        "--json",
        "--base-url",
        base,
        "--model",
        "m",
        "--kind",
        "anthropic" if anthropic else "openai",
        "hello",
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "EASEL_HOME": str(easel_home)},
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    text, reasoning = naive_text_and_reasoning(path)
    usage, finish, _calls = EXPECTED[name]
    assert events[0]["type"] == "start" and events[-1]["type"] == "done"
    assert "".join(e["text"] for e in events if e["type"] == "text") == text
    assert "".join(e["text"] for e in events if e["type"] == "reasoning") == reasoning
    done = events[-1]
    if finish is None:  # the stream ends in an error
        assert result.returncode != 0 and done["error"] and done["exit_code"] == result.returncode
        assert "Traceback" not in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert done["finish_reason"] == finish
    if usage is not None:
        reported = [e for e in events if e["type"] == "usage"][-1]
        assert (reported["input_tokens"], reported["output_tokens"]) == (
            usage.input_tokens,
            usage.output_tokens,
        )


def test_corpus_is_where_the_tests_expect_it():
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is only beside a developer's checkout")
    assert sorted(p.name for p in (CORPUS / "sse").iterdir()) == sorted(EXPECTED)
