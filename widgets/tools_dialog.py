"""Settings → Tools: MCP servers (add, edit, enable, check, import), built-ins, approvals.

Every change is applied to the app's `ToolHub` and saved at once (there is nothing to
"cancel"): a server removed or changed is stopped, a new one starts on its next use or when
checked here. Each server shows its state: not started, starting, ready with N tools, or failed
with its own error output. "Always allowed" tools are listed and can be revoked.
Opens with `open()` (never `exec()`: a nested event loop would stall asyncio tasks).
"""

from __future__ import annotations

import asyncio
import shlex
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.config import ConfigError
from app.i18n import translate
from app.tools.hub import ToolHub
from app.tools.mcp_config import DEFAULT_TIMEOUT, ServerConfig, load_config_file
from app.tools.mcp_source import MCPSource
from app.tools.settings import ToolSettings

STATE_REFRESH_MS = 500
CLAUDE_DESKTOP_CONFIGS = (
    "~/.config/Claude/claude_desktop_config.json",
    "~/Library/Application Support/Claude/claude_desktop_config.json",
)


class ToolsDialog(QDialog):
    """The tool settings of the app, applied as they change."""

    def __init__(self, hub: ToolHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("ToolsDialog", "Tools"))
        self.resize(760, 600)
        self.hub = hub
        self._tasks: set[asyncio.Task[None]] = set()
        self.servers = QListWidget(self)
        self.state = QLabel("", self)
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self._build_form()
        self._build_lists()
        self._layout()
        self.servers.currentItemChanged.connect(lambda *_: self._show_selected())
        self.servers.itemChanged.connect(self._on_checked)
        # Servers start in the background: their states are shown as they change.
        self._timer = QTimer(self)
        self._timer.setInterval(STATE_REFRESH_MS)
        self._timer.timeout.connect(self.update_states)
        self._timer.start()
        self.refresh()

    # --- layout ---------------------------------------------------------------------------

    def _build_form(self) -> None:
        self.name = QLineEdit(self)
        self.kind = QComboBox(self)
        self.kind.addItem(translate("ToolsDialog", "Program on this computer (stdio)"), "stdio")
        self.kind.addItem(translate("ToolsDialog", "Remote server (Streamable HTTP)"), "remote")
        self.command = QLineEdit(self)
        self.command.setPlaceholderText(translate("ToolsDialog", "uvx, npx, or a full path"))
        self.args = QLineEdit(self)
        self.args.setPlaceholderText("mcp-server-time --local-timezone Europe/Paris")
        self.env = QPlainTextEdit(self)
        self.env.setPlaceholderText(translate("ToolsDialog", "NAME=value, one a line"))
        self.env.setFixedHeight(56)
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("https://example.com/mcp")
        self.headers = QPlainTextEdit(self)
        self.headers.setPlaceholderText(translate("ToolsDialog", "Header-Name: value, one a line"))
        self.headers.setFixedHeight(56)
        self.timeout = QDoubleSpinBox(self)
        self.timeout.setRange(1, 3600)
        self.timeout.setValue(DEFAULT_TIMEOUT)
        self.timeout.setSuffix(translate("ToolsDialog", " s"))
        self.save_button = QPushButton(translate("ToolsDialog", "Save server"), self)
        self.new_button = QPushButton(translate("ToolsDialog", "New"), self)
        self.remove_button = QPushButton(translate("ToolsDialog", "Remove"), self)
        self.check_button = QPushButton(translate("ToolsDialog", "Check"), self)
        self.import_button = QPushButton(
            translate("ToolsDialog", "Import claude_desktop_config.json…"), self
        )
        self.save_button.clicked.connect(self.save_server)
        self.new_button.clicked.connect(self.clear_form)
        self.remove_button.clicked.connect(self.remove_server)
        self.check_button.clicked.connect(self.check_selected)
        self.import_button.clicked.connect(self._choose_import)
        self.kind.currentIndexChanged.connect(lambda *_: self._kind_changed())
        self._kind_changed()

    def _build_lists(self) -> None:
        settings = self.hub.settings
        self.read_only = QCheckBox(
            translate("ToolsDialog", "Run tools marked read-only without asking"), self
        )
        self.read_only.setChecked(settings.auto_allow_read_only)
        self.fetch_url = QCheckBox(
            translate("ToolsDialog", "Offer the built-in fetch_url tool (reads a web page)"), self
        )
        self.fetch_url.setChecked(settings.fetch_url)
        self.web_search = QCheckBox(
            translate("ToolsDialog", "Offer Kimi its own web search ($web_search)"), self
        )
        self.web_search.setChecked(settings.web_search)
        for box in (self.read_only, self.fetch_url, self.web_search):
            box.toggled.connect(lambda *_: self._options_changed())
        self.allowed = QListWidget(self)
        self.revoke_button = QPushButton(translate("ToolsDialog", "Revoke"), self)
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.close_button = QPushButton(translate("ToolsDialog", "Close"), self)
        self.close_button.clicked.connect(self.accept)

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow(translate("ToolsDialog", "Name"), self.name)
        form.addRow(translate("ToolsDialog", "Kind"), self.kind)
        form.addRow(translate("ToolsDialog", "Command"), self.command)
        form.addRow(translate("ToolsDialog", "Arguments"), self.args)
        form.addRow(translate("ToolsDialog", "Environment"), self.env)
        form.addRow(translate("ToolsDialog", "URL"), self.url)
        form.addRow(translate("ToolsDialog", "Headers"), self.headers)
        form.addRow(translate("ToolsDialog", "Timeout"), self.timeout)
        server_buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.remove_button, self.check_button):
            server_buttons.addWidget(button)
        left = QVBoxLayout()
        left.addWidget(
            QLabel(translate("ToolsDialog", "<b>MCP servers</b> (tick to enable)"), self)
        )
        left.addWidget(self.servers, 1)
        left.addWidget(self.import_button)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(server_buttons)
        right.addWidget(self.state)
        top = QHBoxLayout()
        top.addLayout(left, 2)
        top.addLayout(right, 3)
        allowed = QHBoxLayout()
        allowed.addWidget(self.allowed, 1)
        allowed.addWidget(self.revoke_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 3)
        layout.addWidget(self.message)
        for box in (self.read_only, self.fetch_url, self.web_search):
            layout.addWidget(box)
        layout.addWidget(QLabel(translate("ToolsDialog", "<b>Always allowed tools</b>"), self))
        layout.addLayout(allowed, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)

    # --- showing --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show the hub's servers, their states and the always-allowed tools."""
        current = self.servers.currentItem()
        chosen = current.data(Qt.ItemDataRole.UserRole) if current else None
        self.servers.blockSignals(True)
        self.servers.clear()
        for config in self.hub.settings.servers:
            item = QListWidgetItem(f"{config.name} — {self.state_text(config.name)}")
            item.setData(Qt.ItemDataRole.UserRole, config.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = Qt.CheckState.Checked if config.enabled else Qt.CheckState.Unchecked
            item.setCheckState(checked)
            self.servers.addItem(item)
            if config.name == chosen:
                self.servers.setCurrentItem(item)
        self.servers.blockSignals(False)
        self.allowed.clear()
        self.allowed.addItems(sorted(self.hub.settings.always_allowed))
        self._show_state()

    def update_states(self) -> None:
        """The servers' state lines, updated in place (the list is not rebuilt)."""
        self.servers.blockSignals(True)
        for row in range(self.servers.count()):
            item = self.servers.item(row)
            name = item.data(Qt.ItemDataRole.UserRole)
            item.setText(f"{name} — {self.state_text(name)}")
        self.servers.blockSignals(False)
        self._show_state()

    def state_text(self, name: str) -> str:
        """One line: disabled, not started, starting, ready with N tools, failed."""
        source = self.hub.sources.get(name)
        if source is None:
            return translate("ToolsDialog", "disabled")
        if source.state == "ready":
            count = source.tool_count
            if count == 1:
                return translate("ToolsDialog", "ready with {count} tool").format(count=count)
            return translate("ToolsDialog", "ready with {count} tools").format(count=count)
        if source.state == "failed":
            return translate("ToolsDialog", "failed")
        return (
            translate("ToolsDialog", "starting…")
            if source.state == "starting"
            else translate("ToolsDialog", "not started")
        )

    def _show_state(self) -> None:
        name = self._selected_name()
        source = self.hub.sources.get(name or "")
        if source is None:
            self.state.setText("")
        elif source.state == "failed":
            self.state.setText(
                translate("ToolsDialog", "Failed: {error}").format(error=source.error)
            )
        else:
            self.state.setText(self.state_text(source.name).capitalize())

    def _selected_name(self) -> str | None:
        item = self.servers.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _show_selected(self) -> None:
        name = self._selected_name()
        config = next((s for s in self.hub.settings.servers if s.name == name), None)
        if config is None:
            return
        self.name.setText(config.name)
        self.kind.setCurrentIndex(self.kind.findData("remote" if config.remote else "stdio"))
        self.command.setText(config.command)
        self.args.setText(shlex.join(config.args))
        self.env.setPlainText("\n".join(f"{k}={v}" for k, v in config.env.items()))
        self.url.setText(config.url)
        self.headers.setPlainText("\n".join(f"{k}: {v}" for k, v in config.headers.items()))
        self.timeout.setValue(config.timeout)
        self._show_state()

    def _kind_changed(self) -> None:
        remote = self.kind.currentData() == "remote"
        for widget in (self.command, self.args, self.env):
            widget.setEnabled(not remote)
        for widget in (self.url, self.headers):
            widget.setEnabled(remote)

    # --- changing -------------------------------------------------------------------------

    def clear_form(self) -> None:
        """Empty the form for a new server."""
        self.servers.setCurrentItem(None)
        for line in (self.name, self.command, self.args, self.url):
            line.clear()
        self.env.clear()
        self.headers.clear()
        self.timeout.setValue(DEFAULT_TIMEOUT)

    def form_config(self) -> ServerConfig:
        """The server the form describes; ConfigError (one sentence) when it is not usable."""
        name = self.name.text().strip()
        if not name:
            raise ConfigError(translate("ToolsDialog", "Give the server a name."))
        timeout = float(self.timeout.value())
        old = next((s for s in self.hub.settings.servers if s.name == name), None)
        enabled = old.enabled if old else True
        if self.kind.currentData() == "remote":
            url = self.url.text().strip()
            if not url.startswith(("http://", "https://")):
                raise ConfigError(
                    translate("ToolsDialog", "A remote server needs an http:// or https:// URL.")
                )
            headers = _pairs(
                self.headers.toPlainText(), ":", translate("ToolsDialog", "Header lines")
            )
            return ServerConfig(name, url=url, headers=headers, enabled=enabled, timeout=timeout)
        command = self.command.text().strip()
        if not command:
            raise ConfigError(
                translate(
                    "ToolsDialog", "A program server needs a command (for example uvx or npx)."
                )
            )
        try:
            args = tuple(shlex.split(self.args.text()))
        except ValueError as error:
            raise ConfigError(
                translate("ToolsDialog", "The arguments cannot be split: {error}.").format(
                    error=error
                )
            ) from None
        env = _pairs(self.env.toPlainText(), "=", translate("ToolsDialog", "Environment lines"))
        return ServerConfig(name, command, args, env, enabled=enabled, timeout=timeout)

    def save_server(self) -> None:
        """Add the form's server, or replace the one of the same name."""
        try:
            config = self.form_config()
        except ConfigError as error:
            self.message.setText(str(error))
            return
        self._apply(self.hub.settings.with_server(config))
        self.message.setText(translate("ToolsDialog", "Saved “{name}”.").format(name=config.name))
        self._select(config.name)

    def remove_server(self) -> None:
        name = self._selected_name()
        if name:
            self._apply(self.hub.settings.without_server(name))
            self.clear_form()

    def _on_checked(self, item: QListWidgetItem) -> None:
        name = item.data(Qt.ItemDataRole.UserRole)
        enabled = item.checkState() == Qt.CheckState.Checked
        config = next((s for s in self.hub.settings.servers if s.name == name), None)
        if config is not None and config.enabled != enabled:
            self._apply(self.hub.settings.with_server(replace(config, enabled=enabled)))

    def _options_changed(self) -> None:
        settings = replace(
            self.hub.settings,
            auto_allow_read_only=self.read_only.isChecked(),
            fetch_url=self.fetch_url.isChecked(),
            web_search=self.web_search.isChecked(),
        )
        self._apply(settings)

    def revoke_selected(self) -> None:
        """Forget the selected "always allowed" tool: it asks again next time."""
        item = self.allowed.currentItem()
        if item is not None:
            self._apply(self.hub.settings.revoking(item.text()))

    def import_file(self, path: Path) -> list[str]:
        """Add the servers of a Claude Desktop config; the names added (said in the dialog)."""
        try:
            servers = load_config_file(path)
        except ConfigError as error:
            self.message.setText(str(error))
            return []
        settings = self.hub.settings
        for server in servers:
            settings = settings.with_server(server)
        self._apply(settings)
        names = [server.name for server in servers]
        if len(names) == 1:
            text = translate("ToolsDialog", "Imported {count} server: {names}.")
        elif names:
            text = translate("ToolsDialog", "Imported {count} servers: {names}.")
        else:
            text = translate("ToolsDialog", "{path} has no servers.")
        self.message.setText(text.format(count=len(names), names=", ".join(names), path=path))
        return names

    def _choose_import(self) -> None:
        found = [Path(p).expanduser() for p in CLAUDE_DESKTOP_CONFIGS]
        start = next((str(p) for p in found if p.exists()), str(Path.home()))
        dialog = QFileDialog(
            self,
            translate("ToolsDialog", "Import Claude Desktop servers"),
            start,
            translate("ToolsDialog", "JSON (*.json)"),
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda chosen: self.import_file(Path(chosen)))
        dialog.open()

    def check_selected(self) -> None:
        """Start the selected server now and show what it says."""
        source = self.hub.sources.get(self._selected_name() or "")
        if source is None:
            self.message.setText(
                translate("ToolsDialog", "Enable the server first (tick it in the list).")
            )
            return
        task = asyncio.ensure_future(self._check(source))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self.refresh()

    async def _check(self, source: MCPSource) -> None:
        try:
            await source.list_tools()
        except Exception:  # noqa: BLE001 - its state and error are shown
            pass
        self.refresh()

    def _apply(self, settings: ToolSettings) -> None:
        stale = self.hub.apply(settings)
        self.hub.save(settings)
        self.refresh()
        for source in stale:
            # Stopped in the background: the dialog never waits for a server to exit.
            task = asyncio.ensure_future(source.close())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _select(self, name: str) -> None:
        for row in range(self.servers.count()):
            if self.servers.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.servers.setCurrentRow(row)


def open_tools_dialog(hub: ToolHub, parent: QWidget) -> ToolsDialog:
    """Settings → Tools, opened (not exec'd) and deleted when closed."""
    dialog = ToolsDialog(hub, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _pairs(text: str, separator: str, what: str) -> dict[str, str]:
    pairs = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, found, value = line.partition(separator)
        if not found or not name.strip():
            sentence = translate(
                "ToolsDialog", "{what} look like NAME{separator}value; {line} does not."
            )
            raise ConfigError(
                sentence.format(what=what, separator=separator, line=repr(line.strip()))
            )
        pairs[name.strip()] = value.strip()
    return pairs
