"""Settings → Tools: add, check, disable and import servers; revoke an always-allowed tool."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.tools.hub import ToolHub
from app.tools.settings import ToolSettings, load_tool_settings, save_tool_settings
from widgets.tools_dialog import ToolsDialog

FIXTURE = str(Path(__file__).resolve().parent / "fixtures" / "mcp_fixture_server.py")


@pytest.fixture
def hub(tmp_path: Path):
    path = tmp_path / "tools.json"
    return ToolHub(ToolSettings(), lambda s: save_tool_settings(s, path)), path


def test_add_check_disable_and_remove_a_server(qtbot, run_async, hub):
    hub, path = hub
    dialog = ToolsDialog(hub)
    qtbot.addWidget(dialog)
    dialog.name.setText("fixture")
    dialog.command.setText(sys.executable)
    dialog.args.setText(FIXTURE)
    dialog.env.setPlainText("GREETING=hi")
    dialog.save_button.click()
    saved = load_tool_settings(path)
    assert [s.name for s in saved.servers] == ["fixture"]
    assert saved.servers[0].env == {"GREETING": "hi"}
    assert "not started" in dialog.servers.item(0).text()

    async def start_in_background():
        started = asyncio.ensure_future(hub.start_all())  # as the app does after start-up
        while "ready" not in dialog.servers.item(0).text():  # the dialog's timer shows it
            await asyncio.sleep(0.05)
        await started

    run_async(start_in_background())
    assert "ready with 7 tools" in dialog.servers.item(0).text()
    started = hub.sources["fixture"]

    async def disable():
        dialog.servers.item(0).setCheckState(Qt.CheckState.Unchecked)
        for task in list(dialog._tasks):
            await task  # the server is stopped in the background

    run_async(disable())
    assert "fixture" not in hub.sources and not load_tool_settings(path).servers[0].enabled
    assert started.state == "stopped" and "disabled" in dialog.servers.item(0).text()
    dialog.servers.setCurrentRow(0)
    dialog.remove_button.click()
    assert load_tool_settings(path).servers == ()


def test_a_broken_server_shows_its_error(qtbot, run_async, hub):
    hub, _ = hub
    dialog = ToolsDialog(hub)
    qtbot.addWidget(dialog)
    dialog.name.setText("broken")
    dialog.command.setText("no-such-mcp-command-xyz")
    dialog.save_button.click()

    async def check():
        dialog.check_selected()
        for task in list(dialog._tasks):
            await task

    run_async(check())
    assert "failed" in dialog.servers.item(0).text()
    assert "'no-such-mcp-command-xyz' was not found" in dialog.state.text()
    run_async(hub.close())


def test_bad_form_input_is_one_sentence_and_saves_nothing(qtbot, hub):
    hub, path = hub
    dialog = ToolsDialog(hub)
    qtbot.addWidget(dialog)
    dialog.name.setText("x")
    dialog.command.setText("uvx")
    dialog.env.setPlainText("no separator here")
    dialog.save_button.click()
    assert "NAME=value" in dialog.message.text() and not path.exists()


def test_import_claude_desktop_config_and_revoke(qtbot, hub, tmp_path):
    hub, path = hub
    config = tmp_path / "claude_desktop_config.json"
    servers = {
        "time": {"command": "uvx", "args": ["mcp-server-time"]},
        "remote": {"url": "https://example.invalid/mcp", "headers": {"Authorization": "x"}},
    }
    config.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    hub.save(hub.settings.allowing("time/get_current_time"))
    dialog = ToolsDialog(hub)
    qtbot.addWidget(dialog)
    assert dialog.import_file(config) == ["time", "remote"]
    saved = load_tool_settings(path)
    assert {s.name: s.remote for s in saved.servers} == {"time": False, "remote": True}
    assert dialog.allowed.count() == 1
    dialog.allowed.setCurrentRow(0)
    dialog.revoke_button.click()
    assert load_tool_settings(path).always_allowed == frozenset()
    assert dialog.allowed.count() == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert dialog.import_file(bad) == [] and "not valid JSON" in dialog.message.text()
