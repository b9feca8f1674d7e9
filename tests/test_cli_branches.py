"""`ask --regenerate`, `ask --edit MSG_ID` and `history --show --format json` on the tree.

Real subprocesses against the loopback model server: the request bodies it received show that
only the current path is sent, and the JSON history shows every branch with its parent.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.model_server import openai_text_reply
from tests.test_cli import _ask, _main


def _sent(server) -> list[tuple[str, str]]:
    """The turns (role, content) of the last request, without the system prompt."""
    body = [r for r in server.requests if r.method == "POST"][-1].json()
    return [(m["role"], m["content"]) for m in body["messages"] if m["role"] != "system"]


def _shown(home: Path, conversation: int) -> dict:
    result = _main("history", "--show", str(conversation), "--format", "json", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_regenerate_and_edit_send_only_the_current_path(model_server, easel_home: Path):
    model_server.enqueue(
        openai_text_reply("A1"),
        openai_text_reply("A2"),
        openai_text_reply("A2 again"),
        openai_text_reply("A2 for the edit"),
    )
    assert _ask(model_server, "Q1", home=easel_home).returncode == 0
    assert _ask(model_server, "--conversation", "1", "Q2", home=easel_home).returncode == 0
    again = _ask(model_server, "--conversation", "1", "--regenerate", home=easel_home)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "A2 again"
    assert _sent(model_server) == [("user", "Q1"), ("assistant", "A1"), ("user", "Q2")]
    tree = _shown(easel_home, 1)
    by_content = {m["content"]: m for m in tree["messages"]}
    q1, a1, q2 = (by_content[text]["id"] for text in ("Q1", "A1", "Q2"))
    assert by_content["A2"]["parent_id"] == by_content["A2 again"]["parent_id"] == q2
    assert tree["current_path"] == [q1, a1, q2, by_content["A2 again"]["id"]]

    edited = _ask(
        model_server, "--conversation", "1", "--edit", str(q2), "Q2, said better", home=easel_home
    )
    assert edited.returncode == 0, edited.stderr
    assert _sent(model_server) == [("user", "Q1"), ("assistant", "A1"), ("user", "Q2, said better")]
    tree = _shown(easel_home, 1)
    assert len(tree["messages"]) == 7  # every branch
    by_content = {m["content"]: m for m in tree["messages"]}
    new_q2 = by_content["Q2, said better"]
    assert new_q2["parent_id"] == a1 and new_q2["role"] == "user"
    assert by_content["A2 for the edit"]["parent_id"] == new_q2["id"]
    assert tree["current_path"] == [q1, a1, new_q2["id"], by_content["A2 for the edit"]["id"]]
    # The Markdown export follows the current path: the other branch is not in it.
    markdown = _main("history", "--show", "1", home=easel_home).stdout
    assert "Q2, said better" in markdown and "A2 again" not in markdown


def test_branch_options_refuse_with_one_sentence(model_server, easel_home: Path):
    model_server.enqueue(openai_text_reply("A1"))
    assert _ask(model_server, "Q1", home=easel_home).returncode == 0
    reply_id = _shown(easel_home, 1)["current_path"][-1]
    cases = {
        ("--regenerate",): "--regenerate needs --conversation ID",
        ("--edit", "1", "new text"): "--edit needs --conversation ID",
        ("--conversation", "1", "--regenerate", "extra"): "--regenerate takes no PROMPT",
        ("--conversation", "1", "--edit", "999", "x"): "That message is not part of this",
        ("--conversation", "1", "--edit", str(reply_id), "x"): "is not a message of yours",
        ("--conversation", "1", "--edit", "1"): "Nothing to send: give a PROMPT.",
        ("--conversation", "1", "--regenerate", "--edit", "1"): "not both",
        ("--conversation", "7", "--regenerate"): "There is no conversation 7.",
    }
    for args, sentence in cases.items():
        result = _ask(model_server, *args, home=easel_home)
        assert result.returncode == 2, (args, result.stderr)
        assert sentence in result.stderr and len(result.stderr.strip().splitlines()) == 1, args
    assert len([r for r in model_server.requests if r.method == "POST"]) == 1  # nothing sent
    assert len(_shown(easel_home, 1)["messages"]) == 2  # nothing stored
