"""API keys in the environment never reach QtWebEngine's helper processes (renderers included).

The real app (`main.py --screenshot`) and `render` run as subprocesses with keys in their
environment; while they run, the test finds their QtWebEngineProcess descendants through /proc
and reads each one's environment. The app must still use the key (the loopback server sees it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.secret_env import is_secret_name, take_secret_environment

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-foo-env-key-3b9d71"
TOKEN = "hf-token-value-0c4e2a"

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")


def test_which_names_are_secret() -> None:
    for name in ("OPENAI_API_KEY", "FOO_APIKEY", "HF_TOKEN", "AWS_SECRET_ACCESS_KEY",
                 "DB_PASSWORD", "GOOGLE_APPLICATION_CREDENTIALS", "api_key"):  # fmt: skip
        assert is_secret_name(name), name
    for name in ("DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS", "SSH_AUTH_SOCK", "PATH",
                 "PYTHON_KEYRING_BACKEND", "KEYBOARD", "QTWEBENGINE_CHROMIUM_FLAGS", "HOME"):  # fmt: skip
        assert not is_secret_name(name), name


def test_taken_variables_leave_the_environment_and_come_back_as_values() -> None:
    environ = {"OPENAI_API_KEY": "k", "MYSTERY": "m", "PATH": "/bin"}
    assert take_secret_environment(["MYSTERY", ""], environ) == {
        "OPENAI_API_KEY": "k",
        "MYSTERY": "m",
    }
    assert environ == {"PATH": "/bin"}


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended meanwhile
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _engine_environments(process: subprocess.Popen) -> dict[str, dict[str, str]]:
    """{"<pid> <role>": environment} of the web engine's processes, once a renderer runs.

    Renderers are forked by the zygote and keep its command line, so a renderer is told apart
    by its parent: an engine process whose parent is an engine process.
    """
    seen: dict[str, dict[str, str]] = {}
    while process.poll() is None:
        engine: dict[int, dict[str, str]] = {}
        for pid in _descendants(process.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                raw = Path(f"/proc/{pid}/environ").read_bytes()
            except OSError:
                continue  # it ended meanwhile
            if b"QtWebEngineProcess" in cmdline:
                pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
                engine[pid] = {k.decode(): v.decode(errors="replace") for k, _, v in pairs}
        tree = _children()
        for pid, environment in engine.items():
            forked = any(pid in tree.get(parent, []) for parent in engine)
            seen[f"{pid} {'renderer' if forked else 'engine'}"] = environment
        if any(key.endswith("renderer") for key in seen):
            return seen
        time.sleep(0.02)  # polling another process's /proc: nothing to wait on instead
    return seen


def _run_and_inspect(args: list[str], home: Path) -> tuple[dict[str, dict[str, str]], str]:
    env = {**os.environ, "EASEL_HOME": str(home), "FOO_API_KEY": KEY, "HF_TOKEN": TOKEN,
           "EASEL_TEST_MARKER": "visible", "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        environments = _engine_environments(process)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return environments, stderr


def _assert_clean(environments: dict[str, dict[str, str]]) -> None:
    assert any(key.endswith("renderer") for key in environments), environments.keys()
    for cmdline, environment in environments.items():
        assert environment.get("EASEL_TEST_MARKER") == "visible", cmdline  # we read it right
        assert "FOO_API_KEY" not in environment and "HF_TOKEN" not in environment, cmdline
        assert KEY not in "".join(environment.values()), cmdline


def test_the_apps_renderers_hold_no_key_yet_the_app_uses_it(model_server, easel_home, tmp_path):
    args = ["--screenshot", str(tmp_path / "shot.png"), "--base-url", model_server.openai_base,
            "--model", "test-model", "--api-key-env", "FOO_API_KEY"]  # fmt: skip
    environments, stderr = _run_and_inspect(args, easel_home)
    _assert_clean(environments)
    # The window listed the server's models with the key from the (now empty) environment.
    listed = [r for r in model_server.requests if r.path == "/v1/models"]
    assert listed and listed[0].headers.get("authorization") == f"Bearer {KEY}", stderr


def test_renders_renderers_hold_no_key(easel_home, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><p id=p>hello</p>", "utf-8")
    environments, _ = _run_and_inspect(["render", str(page), "--wait", "1", "--text"], easel_home)
    _assert_clean(environments)
