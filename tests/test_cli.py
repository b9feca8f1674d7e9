"""`main.py ask`, `history` and `extract` run as real subprocesses against the loopback server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.model_server import error_reply, openai_text_reply

ROOT = Path(__file__).resolve().parents[1]
PAGE = "<!DOCTYPE html>\n<html><head><title>Breakout</title></head><body><canvas></canvas><script>let x = 1;</script></body></html>"


def _main(*args: str, home: Path, timeout: float = 60, env: dict | None = None):
    environment = {**os.environ, "EASEL_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        cwd=ROOT,
    )


def _ask(server, *args: str, home: Path, env: dict | None = None):
    return _main(
        "ask", "--base-url", server.openai_base, "--model", "test-model", *args, home=home, env=env
    )


def test_ask_streams_text_and_saves_turn(model_server, easel_home: Path):
    model_server.enqueue(openai_text_reply("Hello **world**.\n"))
    result = _ask(model_server, "say hello", home=easel_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello **world**.\n"
    history = _main("history", "--json", home=easel_home)
    rows = json.loads(history.stdout)
    assert len(rows) == 1 and rows[0]["title"] == "say hello"
    shown = _main("history", "--show", str(rows[0]["id"]), "--format", "json", home=easel_home)
    messages = json.loads(shown.stdout)["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "say hello"),
        ("assistant", "Hello **world**.\n"),
    ]
    markdown = _main("history", "--show", str(rows[0]["id"]), home=easel_home).stdout
    assert "# say hello" in markdown and "Hello **world**." in markdown


def test_ask_replaces_artifacts_with_a_line_and_saves_them(model_server, easel_home, tmp_path):
    reply = f'Sure.\n<artifact identifier="breakout" type="text/html" title="Breakout">\n{PAGE}\n</artifact>\nHave fun.\n'
    model_server.enqueue(openai_text_reply(reply, chunk_chars=9))
    out = tmp_path / "out"
    result = _ask(model_server, "a breakout game", "--save-artifacts", str(out), home=easel_home)
    assert result.returncode == 0, result.stderr
    saved = out / "breakout.html"
    assert result.stdout == f"Sure.\n[artifact breakout: Breakout → {saved}]\nHave fun.\n"
    assert "<canvas>" in saved.read_text()


def test_ask_json_events_and_conversation_continues(model_server, easel_home: Path):
    model_server.enqueue(openai_text_reply("one", reasoning="hmm"), openai_text_reply("two"))
    first = _ask(model_server, "--json", "first", home=easel_home)
    events = [json.loads(line) for line in first.stdout.splitlines()]
    kinds = [e["type"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done"
    assert "".join(e["text"] for e in events if e["type"] == "text") == "one"
    assert "".join(e["text"] for e in events if e["type"] == "reasoning") == "hmm"
    conversation = events[-1]["conversation_id"]
    second = _ask(model_server, "--conversation", str(conversation), "second", home=easel_home)
    assert second.stdout == "two\n"
    sent = model_server.requests[-1].json()["messages"]
    assert [m["role"] for m in sent if m["role"] != "system"] == ["user", "assistant", "user"]


def test_ask_reasoning_only_on_request(model_server, easel_home: Path):
    model_server.enqueue(openai_text_reply("answer", reasoning="secret thoughts"))
    plain = _ask(model_server, "q", home=easel_home)
    assert "secret" not in plain.stdout + plain.stderr
    model_server.enqueue(openai_text_reply("answer", reasoning="secret thoughts"))
    shown = _ask(model_server, "--show-reasoning", "q", home=easel_home)
    assert "secret thoughts" in shown.stderr and shown.stdout == "answer\n"


def test_ask_exit_codes_and_one_sentence(model_server, easel_home: Path):
    cases = [
        (error_reply(401, {"error": {"message": "bad key"}}), 3),
        (error_reply(404, {"error": {"message": "model not found"}}), 6),
        (error_reply(400, {"error": {"message": "max_tokens is not supported"}}), 6),
    ]
    for reply, code in cases:
        model_server.enqueue(reply)
        result = _ask(model_server, "hi", home=easel_home)
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_ask_server_error_after_retries_is_exit_5(model_server, easel_home: Path):
    for _ in range(4):
        model_server.enqueue(
            error_reply(503, {"error": {"message": "busy"}}, headers={"Retry-After": "0"})
        )
    result = _ask(model_server, "hi", home=easel_home)
    assert result.returncode == 5 and "Traceback" not in result.stderr


def test_ask_unreachable_server_is_exit_5(easel_home: Path):
    result = _main(
        "ask", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "hi", home=easel_home
    )
    assert result.returncode == 5 and "Traceback" not in result.stderr


def test_missing_key_for_hosted_preset_is_exit_3(easel_home: Path):
    result = _main(
        "ask", "--provider", "deepseek", "hi", home=easel_home, env={"DEEPSEEK_API_KEY": ""}
    )
    assert result.returncode == 3
    assert "DEEPSEEK_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_are_exit_2(easel_home: Path):
    assert _main("ask", "--provider", "no-such-provider", "hi", home=easel_home).returncode == 2
    assert _main("history", "--show", "999", home=easel_home).returncode == 2
    assert _main("extract", "/nonexistent/reply.txt", home=easel_home).returncode == 2


def test_killed_mid_stream_leaves_prompt_and_partial_reply(model_server, easel_home: Path):
    model_server.enqueue(openai_text_reply("tick " * 2000, chunk_chars=5, delay=0.005))
    environment = {**os.environ, "EASEL_HOME": str(easel_home)}
    command = [
        sys.executable,
        str(ROOT / "main.py"),
        "ask",
        "--base-url",
        model_server.openai_base,
        "--model",
        "m",
        "count",
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment, cwd=ROOT
    ) as process:
        # Wait until output streams and at least one checkpoint (about a second) happened.
        assert process.stdout.read(50)
        time.sleep(1.6)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    database = next(easel_home.rglob("*.sqlite3"))
    connection = sqlite3.connect(database)
    rows = connection.execute("select role, content, status from messages order by id").fetchall()
    connection.close()
    assert rows[0] == ("user", "count", "complete")
    assert rows[1][0] == "assistant" and rows[1][1].startswith("tick tick")
    assert rows[1][2] == "streaming"  # as the crash left it
    listed = json.loads(_main("history", "--json", home=easel_home).stdout)
    shown = json.loads(
        _main("history", "--show", str(listed[0]["id"]), "--format", "json", home=easel_home).stdout
    )
    assert shown["messages"][1]["status"] == "incomplete"


def test_extract_lists_artifacts(tmp_path: Path, easel_home: Path):
    reply = tmp_path / "reply.txt"
    reply.write_text(f"Text\n```html\n{PAGE}\n```\nmore", "utf-8")
    result = _main("extract", str(reply), "--json", home=easel_home)
    artifacts = json.loads(result.stdout)
    assert len(artifacts) == 1
    assert artifacts[0]["content"] == PAGE and artifacts[0]["title"] == "Breakout"
    assert artifacts[0]["complete"] is True and artifacts[0]["type"] == "text/html"


def test_ask_applies_an_edit_and_saves_the_new_version(model_server, easel_home, tmp_path):
    game = PAGE.replace("let x = 1;", "const SPEED = 100;")
    model_server.enqueue(
        openai_text_reply(
            f'<artifact identifier="breakout" type="text/html" title="Breakout">\n{game}\n</artifact>\n'
        ),
        openai_text_reply(
            'Slower now.\n<artifact-edit identifier="breakout">\n<find>\nconst SPEED = 100;\n'
            "</find>\n<replace>\nconst SPEED = 160;\n</replace>\n</artifact-edit>\n"
        ),
    )
    out = tmp_path / "out"
    first = _ask(model_server, "--json", "a game", "--save-artifacts", str(out), home=easel_home)
    conversation = json.loads(first.stdout.splitlines()[-1])["conversation_id"]
    second = _ask(
        model_server,
        "--conversation",
        str(conversation),
        "slower",
        "--save-artifacts",
        str(out),
        home=easel_home,
    )
    assert second.returncode == 0, second.stderr
    saved = out / "breakout.html"
    assert second.stdout == f"Slower now.\n[artifact breakout: Breakout → {saved}]\n"
    assert "const SPEED = 160;" in saved.read_text()


def test_request_carries_one_copy_of_the_artifact_however_many_versions(model_server, easel_home):
    big = PAGE.replace("let x = 1;", "/*" + "x" * 30_000 + "*/ const SPEED = 0;")
    tag = '<artifact identifier="game" type="text/html" title="Game">\n{}\n</artifact>'
    model_server.enqueue(openai_text_reply(tag.format(big), chunk_chars=500))
    for n in range(1, 5):
        model_server.enqueue(
            openai_text_reply(tag.format(big.replace("SPEED = 0", f"SPEED = {n}")), chunk_chars=500)
        )
    model_server.enqueue(openai_text_reply("ok"))
    first = _ask(model_server, "--json", "v1", home=easel_home)
    conversation = str(json.loads(first.stdout.splitlines()[-1])["conversation_id"])
    for n in range(2, 7):
        _ask(model_server, "--conversation", conversation, f"turn {n}", home=easel_home)
    sizes = [len(r.body) for r in model_server.requests if r.method == "POST"]
    # Five versions of a 30 KB page later, the request still holds about one copy of it.
    assert sizes[-1] < sizes[1] + 4_000, sizes
    assert sizes[-1] < 2 * len(big)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root needs Chromium's sandbox turned off")
def test_render_as_root_without_flags_still_works(easel_home: Path, tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body><p>Hello from the sandbox</p></body></html>")
    env = {k: v for k, v in os.environ.items() if k != "QTWEBENGINE_CHROMIUM_FLAGS"}
    env.update(EASEL_HOME=str(easel_home), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "render", str(page), "--text"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "Hello from the sandbox" in result.stdout
    assert "sandbox is off" in result.stderr
