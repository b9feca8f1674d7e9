"""Settings dialogs: the providers page and the system prompt editor.

Both open with `open()` (never `exec()`: a nested event loop would stall asyncio tasks).
"""

from __future__ import annotations

from typing import Protocol

from app.prompts import DEFAULT_SYSTEM_PROMPT
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.config import ProviderProfile, Settings, save_settings
from widgets.provider_form import ProviderForm, Tester


class ProviderOwner(Protocol):
    """What the providers dialog needs from the app."""

    settings: Settings
    profile: ProviderProfile | None

    async def test_profile(
        self, profile: ProviderProfile, key: str | None
    ) -> tuple[bool, str, list[str]]: ...

    def use_profile(self, profile: ProviderProfile) -> None: ...

    def on_profile_saved(self, profile: ProviderProfile, key: str, session_only: bool) -> None: ...


class ProvidersDialog(QDialog):
    """Saved providers (use, remove) and a form to add or edit one."""

    def __init__(self, owner: ProviderOwner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Providers")
        self.resize(720, 560)
        self.owner = owner
        self.list = QListWidget(self)
        self.use_button = QPushButton("Use", self)
        self.remove_button = QPushButton("Remove", self)
        tester: Tester = owner.test_profile
        self.form = ProviderForm(tester, parent=self)
        self.form.save_button.setText("Save provider")
        side = QVBoxLayout()
        side.addWidget(QLabel("<b>Saved providers</b>", self))
        side.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.remove_button)
        side.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(side, 1)
        layout.addWidget(self.form, 2)
        self.use_button.clicked.connect(self._use)
        self.remove_button.clicked.connect(self._remove)
        self.list.currentItemChanged.connect(self._show_selected)
        self.form.saved.connect(self._saved)
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        active = self.owner.settings.active_profile
        for profile in self.owner.settings.profiles:
            mark = "  ✓" if profile.name == active else ""
            item = QListWidgetItem(f"{profile.name} · {profile.model}{mark}")
            item.setData(Qt.ItemDataRole.UserRole, profile.name)
            self.list.addItem(item)

    def _selected(self) -> ProviderProfile | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return self.owner.settings.profile(item.data(Qt.ItemDataRole.UserRole))

    def _show_selected(self) -> None:
        profile = self._selected()
        if profile is not None:
            self.form.set_profile(profile)

    def _use(self) -> None:
        profile = self._selected()
        if profile is not None:
            self.owner.use_profile(profile)
            self._fill()

    def _remove(self) -> None:
        profile = self._selected()
        if profile is None:
            return
        settings = self.owner.settings
        settings.profiles = [p for p in settings.profiles if p.name != profile.name]
        if settings.active_profile == profile.name:
            settings.active_profile = settings.profiles[0].name if settings.profiles else None
        save_settings(settings)
        self._fill()

    def _saved(self, profile: ProviderProfile, key: str, session_only: bool) -> None:
        self.owner.on_profile_saved(profile, key, session_only)
        self._fill()


class SystemPromptDialog(QDialog):
    """See and edit the system prompt that teaches the model to make artifacts."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("System prompt")
        self.resize(760, 620)
        self.settings = settings
        self.enabled = QCheckBox("Teach the model to make artifacts (recommended)", self)
        self.enabled.setChecked(settings.artifact_prompt_enabled)
        self.edit = QPlainTextEdit(self)
        self.edit.setPlainText(settings.system_prompt or DEFAULT_SYSTEM_PROMPT)
        reset = QPushButton("Reset to default", self)
        reset.clicked.connect(lambda: self.edit.setPlainText(DEFAULT_SYSTEM_PROMPT))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)
        row = QHBoxLayout()
        row.addWidget(reset)
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)

    def apply(self) -> None:
        """Write the dialog's choices into the settings (the caller saves them)."""
        text = self.edit.toPlainText().strip()
        self.settings.system_prompt = None if text == DEFAULT_SYSTEM_PROMPT.strip() else text
        self.settings.artifact_prompt_enabled = self.enabled.isChecked()
