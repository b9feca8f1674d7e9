"""Settings dialogs driven like a user in the real window: providers, prices, system prompt.

Every field is changed, saved, and then checked three ways: in settings.json, in the app's
state, and in what actually reaches the loopback model server. Cancel (or closing the dialog)
must leave all three as they were; input that cannot be used gets one clear sentence and
saves nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import certifi
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QTableWidgetItem

from app.config import load_settings
from app.presets import PRESETS
from tests.model_server import openai_text_reply
from tests.test_gui import _chats, _close, _fill_custom, _send_and_wait, _start, _until
from widgets.app import EaselApp
from widgets.settings_dialogs import PricesDialog, ProvidersDialog, SystemPromptDialog


def settings_file(home: Path) -> Path:
    return home / "config" / "settings.json"


def saved(home: Path) -> dict:
    path = settings_file(home)
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def snapshot(home: Path) -> bytes | None:
    path = settings_file(home)
    return path.read_bytes() if path.exists() else None


async def open_dialog(easel: EaselApp, action: str, kind: type[QDialog]) -> QDialog:
    """Trigger a Settings menu action and return the dialog it opened (non-modal open())."""
    before = set(easel.window.findChildren(kind))
    easel.window.actions[action].trigger()
    await _until(lambda: any(d.isVisible() for d in set(easel.window.findChildren(kind)) - before))
    return next(d for d in easel.window.findChildren(kind) if d not in before)


def press(dialog: QDialog, button: QDialogButtonBox.StandardButton) -> None:
    box = dialog.findChild(QDialogButtonBox)
    box.button(button).click()


def button(dialog: QDialog, text: str) -> QPushButton:
    return next(b for b in dialog.findChildren(QPushButton) if b.text() == text)


SAVE = QDialogButtonBox.StandardButton.Save
CANCEL = QDialogButtonBox.StandardButton.Cancel


# --- system prompt --------------------------------------------------------------------------


def test_system_prompt_saves_reaches_the_model_and_cancel_changes_nothing(
    qasync_loop, run_async, model_server, easel_home
):
    model_server.enqueue(openai_text_reply("ok"), openai_text_reply("ok again"))

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        dialog = await open_dialog(easel, "system-prompt", SystemPromptDialog)
        assert dialog.enabled.isChecked()
        assert "artifact" in dialog.edit.toPlainText()  # the built-in prompt is shown
        dialog.edit.setPlainText("You are terse. Answer in one line.")
        dialog.enabled.setChecked(False)
        press(dialog, SAVE)
        await _until(lambda: saved(easel_home).get("system_prompt") is not None)
        assert saved(easel_home)["system_prompt"] == "You are terse. Answer in one line."
        assert saved(easel_home)["artifact_prompt_enabled"] is False
        assert easel.settings.system_prompt == "You are terse. Answer in one line."
        assert not easel.settings.artifact_prompt_enabled
        await _send_and_wait(easel, "hi")
        system = _chats(model_server)[-1].json()["messages"][0]
        assert system == {"role": "system", "content": "You are terse. Answer in one line."}

        # Cancel: the dialog shows what was saved; edits thrown away leave everything as is.
        before = snapshot(easel_home)
        dialog = await open_dialog(easel, "system-prompt", SystemPromptDialog)
        assert dialog.edit.toPlainText() == "You are terse. Answer in one line."
        assert not dialog.enabled.isChecked()
        dialog.edit.setPlainText("Something else entirely")
        dialog.enabled.setChecked(True)
        press(dialog, CANCEL)
        await _until(lambda: not dialog.isVisible())
        assert snapshot(easel_home) == before
        assert easel.settings.system_prompt == "You are terse. Answer in one line."
        assert not easel.settings.artifact_prompt_enabled

        # Reset to default, artifacts on again: the file says "the built-in prompt" (null).
        dialog = await open_dialog(easel, "system-prompt", SystemPromptDialog)
        button(dialog, "Reset to default").click()
        dialog.enabled.setChecked(True)
        press(dialog, SAVE)
        await _until(lambda: saved(easel_home).get("system_prompt", "") is None)
        assert saved(easel_home)["artifact_prompt_enabled"] is True
        await _send_and_wait(easel, "hi again")
        system = _chats(model_server)[-1].json()["messages"][0]["content"]
        assert "<artifact" in system  # Easel's artifact prompt is back
        await _close(easel, task)

    run_async(scenario())
    assert load_settings().system_prompt is None  # and it survives a restart


# --- prices ---------------------------------------------------------------------------------


def cell(dialog: PricesDialog, model: str, column: int) -> QTableWidgetItem:
    for row in range(dialog.table.rowCount()):
        if dialog.table.item(row, 0).text() == model:
            return dialog.table.item(row, column)
    raise AssertionError(f"{model} is not in the prices table")


def test_prices_save_show_money_and_cancel_or_bad_numbers_change_nothing(
    qasync_loop, run_async, model_server, easel_home
):
    model_server.enqueue(openai_text_reply("priced", usage=(1_000_000, 2_000_000)))

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        await _send_and_wait(easel, "hi")
        assert "$" not in easel.window.stream_status.text()

        dialog = await open_dialog(easel, "prices", PricesDialog)
        cell(dialog, "test-model", 1).setText("1.5")  # the model in use is listed
        cell(dialog, "test-model", 2).setText("3")
        button(dialog, "Add a model").click()
        row = dialog.table.rowCount() - 1
        for column, text in enumerate(("other-model", "0.25", "0")):
            dialog.table.item(row, column).setText(text)
        press(dialog, SAVE)
        await _until(lambda: "test-model" in saved(easel_home).get("prices", {}))
        assert saved(easel_home)["prices"] == {"test-model": [1.5, 3.0], "other-model": [0.25, 0.0]}
        assert easel.settings.prices == {"test-model": (1.5, 3.0), "other-model": (0.25, 0.0)}
        # 1 M tokens in at $1.5 and 2 M out at $3: the status line now shows the money.
        assert "$7.50" in easel.window.stream_status.text()

        # Cancel throws the edits away.
        before = snapshot(easel_home)
        dialog = await open_dialog(easel, "prices", PricesDialog)
        cell(dialog, "test-model", 1).setText("99")
        press(dialog, CANCEL)
        await _until(lambda: not dialog.isVisible())
        assert snapshot(easel_home) == before
        assert easel.settings.prices["test-model"] == (1.5, 3.0)

        # A price that is not a number is refused with a sentence; nothing is saved or lost.
        dialog = await open_dialog(easel, "prices", PricesDialog)
        cell(dialog, "test-model", 2).setText("three dollars")
        press(dialog, SAVE)
        await _until(lambda: "test-model" in dialog.problem_label.text())
        assert dialog.isVisible()
        assert "three dollars" in dialog.problem_label.text()
        assert snapshot(easel_home) == before
        assert easel.settings.prices["test-model"] == (1.5, 3.0)
        cell(dialog, "test-model", 2).setText("4")  # corrected, it saves
        press(dialog, SAVE)
        await _until(lambda: saved(easel_home)["prices"]["test-model"] == [1.5, 4.0])
        await _close(easel, task)

    run_async(scenario())


# --- providers ------------------------------------------------------------------------------


def fill_advanced(form, *, headers: str, ca_bundle: str, temperature: str, max_tokens: str):
    form.advanced_toggle.setChecked(True)
    form.headers.setPlainText(headers)
    form.ca_bundle.setText(ca_bundle)
    form.temperature.setText(temperature)
    form.max_tokens.setText(max_tokens)


def test_providers_add_every_field_use_remove_and_closing_changes_nothing(
    qasync_loop, run_async, model_server, easel_home
):
    model_server.enqueue(openai_text_reply("from Loopback"))

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        dialog = await open_dialog(easel, "providers", ProvidersDialog)
        assert dialog.list.count() == 0
        form = dialog.form
        _fill_custom(form, model_server.openai_base + "/", "test-model", key="sk-loop-1")
        form.name.setText("Loopback")
        fill_advanced(
            form,
            headers="X-Extra: hello\nHTTP-Referer: https://easel.example",
            ca_bundle=certifi.where(),
            temperature="0.3",
            max_tokens="123",
        )
        form.save_button.click()
        await _until(lambda: saved(easel_home).get("active_profile") == "Loopback")
        (profile,) = saved(easel_home)["profiles"]
        assert profile["name"] == "Loopback" and profile["kind"] == "openai"
        assert profile["base_url"] == model_server.openai_base  # the trailing slash is gone
        assert profile["model"] == "test-model" and profile["preset"] == "custom"
        assert profile["temperature"] == 0.3 and profile["max_tokens"] == 123
        assert profile["ca_bundle"] == certifi.where()
        # Header names only: their values are secrets and live in the key store.
        names = {(h if isinstance(h, str) else h[0]).casefold() for h in profile["headers"]}
        assert names == {"x-extra", "http-referer"}
        written = settings_file(easel_home).read_text("utf-8")
        assert "sk-loop-1" not in written and "hello" not in written
        assert easel.providers.profile is not None and easel.providers.profile.name == "Loopback"
        await _until(lambda: dialog.list.count() == 1)
        assert dialog.list.item(0).text().endswith("✓")
        # The test before saving already used the headers and the key.
        # (Not necessarily the last list asked for: the window's own model-list refresh for the
        # profile it started with may come later on a loaded machine.)
        listed = [r for r in model_server.requests if r.method == "GET"]
        assert any(
            r.headers.get("x-extra") == "hello"
            and r.headers.get("authorization") == "Bearer sk-loop-1"
            for r in listed
        )

        # A chat goes out with every field of the profile.
        await _send_and_wait(easel, "hi")
        sent = _chats(model_server)[-1]
        body = sent.json()
        assert body["model"] == "test-model"
        assert body["temperature"] == 0.3 and body["max_tokens"] == 123
        assert sent.headers["x-extra"] == "hello"
        assert sent.headers["http-referer"] == "https://easel.example"
        assert sent.headers["authorization"] == "Bearer sk-loop-1"

        # A second provider, then Use the first one again, then Remove the active one.
        form.choose(next(p for p in PRESETS if p.id == "openai"))  # away and back to custom
        _fill_custom(form, model_server.openai_base, "other-model", key="sk-loop-2")
        form.name.setText("Second")
        fill_advanced(form, headers="", ca_bundle="", temperature="", max_tokens="")
        form.save_button.click()
        await _until(lambda: saved(easel_home).get("active_profile") == "Second")
        second = next(p for p in saved(easel_home)["profiles"] if p["name"] == "Second")
        assert second["temperature"] is None and second["max_tokens"] is None
        assert second["headers"] == [] and second["ca_bundle"] is None
        await _until(lambda: dialog.list.count() == 2)
        dialog.list.setCurrentRow(_row(dialog, "Loopback"))
        assert form.name.text() == "Loopback" and form.temperature.text() == "0.3"
        dialog.use_button.click()
        assert saved(easel_home)["active_profile"] == "Loopback"
        assert easel.providers.profile.name == "Loopback"
        dialog.list.setCurrentRow(_row(dialog, "Loopback"))
        dialog.remove_button.click()
        assert [p["name"] for p in saved(easel_home)["profiles"]] == ["Second"]
        assert saved(easel_home)["active_profile"] == "Second"
        assert dialog.list.count() == 1

        # Filling the form and closing the dialog without saving changes nothing.
        before = snapshot(easel_home)
        _fill_custom(form, "http://127.0.0.1:9/v1", "never", key="sk-never")
        form.name.setText("Never saved")
        dialog.reject()
        await _until(lambda: not dialog.isVisible())
        assert snapshot(easel_home) == before
        assert easel.settings.profile("Never saved") is None
        await _close(easel, task)

    run_async(scenario())


def _row(dialog: ProvidersDialog, name: str) -> int:
    for row in range(dialog.list.count()):
        if dialog.list.item(row).text().startswith(name + " ·"):
            return row
    raise AssertionError(f"{name} is not listed")


def test_provider_fields_that_cannot_be_used_get_a_sentence_and_save_nothing(
    qasync_loop, run_async, model_server, easel_home
):
    cases = [
        ({"temperature": "warm"}, "Temperature"),
        ({"max_tokens": "lots"}, "Max tokens"),
        ({"max_tokens": "-5"}, "Max tokens"),
        ({"headers": "X-Extra hello"}, "X-Extra hello"),
    ]

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        dialog = await open_dialog(easel, "providers", ProvidersDialog)
        form = dialog.form
        before = snapshot(easel_home)
        for change, named in cases:
            _fill_custom(form, model_server.openai_base, "test-model")
            form.name.setText("Broken")
            fields = {"headers": "", "ca_bundle": "", "temperature": "", "max_tokens": ""}
            fields.update(change)
            fill_advanced(form, **fields)
            form.result.setText("")
            form.save_button.click()
            await _until(lambda: form.result.text().startswith("✗"))
            assert named in form.result.text(), (change, form.result.text())
            # Insisting does not save it either while the field is unusable.
            form.save_button.click()
            await _until(lambda: form.test_button.isEnabled())
            await _until(lambda: form.result.text().startswith("✗"))
            assert snapshot(easel_home) == before, change
            assert easel.settings.profile("Broken") is None
            assert form.temperature.text() == fields["temperature"]  # nothing typed is lost
        # A CA bundle that is not there: the test says so in a sentence naming the file.
        _fill_custom(form, model_server.openai_base, "test-model")
        fill_advanced(
            form, headers="", ca_bundle="/no/such/bundle.pem", temperature="", max_tokens=""
        )
        form.result.setText("")
        form.test_button.click()
        await _until(lambda: form.result.text().startswith("✗"))
        assert "/no/such/bundle.pem" in form.result.text()
        assert snapshot(easel_home) == before
        await _close(easel, task)

    run_async(scenario())
