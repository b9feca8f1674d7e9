"""`render --conversation ID --artifact IDENTIFIER [--version N] [--allow-model]` (DESIGN.md §5):
a stored artifact with its storage, and its model calls only when allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.store import Store
from app.store_recovery import open_history
from tests.model_server import openai_text_reply

ROOT = Path(__file__).resolve().parents[1]

COUNTER = """<p id=n>?</p><script>
(async () => {
  const got = await window.storage.get("runs");
  const runs = (got ? Number(got.value) : 0) + 1;
  await window.storage.set("runs", String(runs));
  document.getElementById("n").textContent = "runs " + runs;
})();
</script>"""

ASKER = """<p id=a>waiting</p><script>
window.claude.complete("Say hello").then(
  (text) => { document.getElementById("a").textContent = "model: " + text; },
  (error) => { document.getElementById("a").textContent = "refused: " + error.message; });
</script>"""


def render(*args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "render", *args],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
        env=env,
    )


def _stored(identifier: str, *contents: str) -> int:
    store = open_history().store
    conversation = store.create_conversation(provider="p", model="m").id
    for content in contents:
        store.add_artifact_version(conversation, identifier, "text/html", identifier, content)
    store.close()
    return conversation


def test_a_stored_artifact_renders_with_its_storage_kept_between_runs(easel_home):
    conversation = _stored("counter", "<p>v1</p>", COUNTER)
    where = ["--conversation", str(conversation), "--artifact", "counter"]
    first = render(*where, "--text", "--wait", "1")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "runs 1"
    second = render(*where, "--text", "--wait", "1")
    assert second.stdout.strip() == "runs 2"  # the storage is the history's, as in the window
    older = render(*where, "--version", "1", "--text")
    assert older.stdout.strip() == "v1"
    store = Store(easel_home / "data" / "easel.sqlite3")
    rows = store.read("SELECT key, value FROM artifact_storage WHERE identifier = 'counter'")
    assert [tuple(r) for r in rows] == [("runs", "2")]


def test_model_calls_are_refused_unless_allowed(easel_home, model_server):
    conversation = _stored("asker", ASKER)
    where = ["--conversation", str(conversation), "--artifact", "asker", "--text", "--wait", "1.5"]
    refused = render(*where)
    assert refused.returncode == 0, refused.stderr
    assert refused.stdout.strip().startswith("refused: Model calls are off in render")
    assert [r for r in model_server.requests if r.method == "POST"] == []

    model_server.enqueue(openai_text_reply("hello from the model"))
    provider = ["--base-url", model_server.openai_base, "--model", "test-model"]
    allowed = render(*where, "--allow-model", *provider)
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.strip() == "model: hello from the model"
    sent = [r for r in model_server.requests if r.method == "POST"]
    assert len(sent) == 1 and sent[0].json()["messages"][-1]["content"] == "Say hello"
    store = Store(easel_home / "data" / "easel.sqlite3")
    assert store.usage_totals(conversation) != (0, 0)  # the call counts in the usage


def test_a_missing_artifact_or_a_mixed_input_is_a_usage_error(easel_home, tmp_path):
    conversation = _stored("counter", COUNTER)
    missing = render("--conversation", str(conversation), "--artifact", "nope", "--text")
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"Conversation {conversation} has no artifact 'nope'."
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    mixed = render(str(page), "--conversation", str(conversation), "--artifact", "counter")
    assert mixed.returncode == 2 and "Traceback" not in mixed.stderr
    nothing = render("--text")
    assert nothing.returncode == 2 and "page file" in nothing.stderr
