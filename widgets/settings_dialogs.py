"""Settings dialogs: the providers page and the system prompt editor.

Both open with `open()` (never `exec()`: a nested event loop would stall asyncio tasks).
"""

from __future__ import annotations

import asyncio
import math
from typing import Protocol

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
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.config import ProviderProfile, Settings, save_settings
from app.i18n import translate
from app.prompts import DEFAULT_SYSTEM_PROMPT
from widgets.provider_form import ProviderForm, Tester


class ProviderOwner(Protocol):
    """What the providers dialog needs from the app."""

    settings: Settings
    profile: ProviderProfile | None

    async def test_profile(
        self, profile: ProviderProfile, key: str | None
    ) -> tuple[bool, str, list[str]]: ...

    def use_profile(self, profile: ProviderProfile) -> None: ...

    async def save_profile(
        self, profile: ProviderProfile, key: str, session_only: bool
    ) -> None: ...

    async def import_env_keys(self) -> list[str]: ...


class ProvidersDialog(QDialog):
    """Saved providers (use, remove) and a form to add or edit one."""

    def __init__(self, owner: ProviderOwner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("SettingsDialogs", "Providers"))
        self.resize(720, 560)
        self.owner = owner
        self.list = QListWidget(self)
        self.use_button = QPushButton(translate("SettingsDialogs", "Use"), self)
        self.remove_button = QPushButton(translate("SettingsDialogs", "Remove"), self)
        self.import_button = QPushButton(
            translate("SettingsDialogs", "Import keys from the environment"), self
        )
        self.import_button.setToolTip(
            translate(
                "SettingsDialogs",
                "Make a provider for each key set in MOONSHOT_API_KEY, DEEPSEEK_API_KEY, "
                "OPENAI_API_KEY, OPENROUTER_API_KEY or ANTHROPIC_API_KEY (kept in the keyring)",
            )
        )
        self.import_result = QLabel("", self)
        self.import_result.setWordWrap(True)
        tester: Tester = owner.test_profile
        self.form = ProviderForm(tester, parent=self)
        self.form.set_save_label(translate("SettingsDialogs", "Save provider"))
        side = QVBoxLayout()
        side.addWidget(QLabel(translate("SettingsDialogs", "<b>Saved providers</b>"), self))
        side.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.remove_button)
        side.addLayout(buttons)
        side.addWidget(self.import_button)
        side.addWidget(self.import_result)
        layout = QHBoxLayout(self)
        layout.addLayout(side, 1)
        layout.addWidget(self.form, 2)
        self.use_button.clicked.connect(self._use)
        self.remove_button.clicked.connect(self._remove)
        self.import_button.clicked.connect(lambda: asyncio.ensure_future(self._import()))
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

    async def _import(self) -> None:
        names = await self.owner.import_env_keys()
        self.import_result.setText(
            translate("SettingsDialogs", "Imported: {names}.").format(names=", ".join(names))
            if names
            else translate("SettingsDialogs", "No provider key is set in the environment.")
        )
        self._fill()

    def _saved(self, profile: ProviderProfile, key: str, session_only: bool) -> None:
        asyncio.ensure_future(self._save(profile, key, session_only))

    async def _save(self, profile: ProviderProfile, key: str, session_only: bool) -> None:
        # The list is filled after the save is done (the key may go to the keyring first),
        # else the provider just saved would be missing from it.
        await self.owner.save_profile(profile, key, session_only)
        self._fill()


class PricesDialog(QDialog):
    """What each model costs (per million tokens), so usage can show money too."""

    def __init__(
        self, settings: Settings, models: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("SettingsDialogs", "Model prices"))
        self.resize(560, 420)
        self.settings = settings
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(
            [
                translate("SettingsDialogs", "Model"),
                translate("SettingsDialogs", "Input $ / M tokens"),
                translate("SettingsDialogs", "Output $ / M tokens"),
            ]
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 220)
        known = dict(settings.prices)
        for model in models:
            known.setdefault(model, (0.0, 0.0))
        for model, (price_in, price_out) in sorted(known.items()):
            self._add_row(model, price_in, price_out)
        add = QPushButton(translate("SettingsDialogs", "Add a model"), self)
        add.clicked.connect(lambda: self._add_row("", 0.0, 0.0))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        note = QLabel(
            translate(
                "SettingsDialogs",
                "Prices are yours to enter (providers change them). Leave 0 for free.",
            ),
            self,
        )
        note.setWordWrap(True)
        # Why Save did nothing: a price that is not a number is refused, never dropped silently.
        self.problem_label = QLabel("", self)
        self.problem_label.setObjectName("warning")
        self.problem_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem_label)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)

    def _add_row(self, model: str, price_in: float, price_out: float) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, value in enumerate((model, f"{price_in:g}", f"{price_out:g}")):
            self.table.setItem(row, column, QTableWidgetItem(value))

    def _texts(self, row: int) -> list[str]:
        cells = [self.table.item(row, column) for column in range(3)]
        return [cell.text().strip() if cell else "" for cell in cells]

    def problem(self) -> str | None:
        """One sentence about the first price that cannot be saved, or None."""
        for row in range(self.table.rowCount()):
            model, *prices = self._texts(row)
            sentences = (
                translate(
                    "SettingsDialogs",
                    "The input price of {name} must be a number of dollars per million tokens, "
                    "such as 0.6, not “{text}”.",
                ),
                translate(
                    "SettingsDialogs",
                    "The output price of {name} must be a number of dollars per million tokens, "
                    "such as 0.6, not “{text}”.",
                ),
            )
            for sentence, text in zip(sentences, prices, strict=True):
                try:
                    value = float(text or 0)
                except ValueError:
                    value = float("nan")
                if not math.isfinite(value) or value < 0:
                    row_name = translate("SettingsDialogs", "row {number}").format(number=row + 1)
                    name = f"“{model}”" if model else row_name
                    return sentence.format(name=name, text=text)
            if not model and any(float(p or 0) for p in prices):
                return translate(
                    "SettingsDialogs", "Row {number} has a price but no model name."
                ).format(number=row + 1)
        return None

    def accept(self) -> None:
        """Save only when every price can be used; otherwise say which one cannot."""
        problem = self.problem()
        if problem is not None:
            self.problem_label.setText(problem)
            return
        self.problem_label.setText("")
        super().accept()

    def prices(self) -> dict[str, tuple[float, float]]:
        """The prices as entered (rows without a model or a number are left out)."""
        prices: dict[str, tuple[float, float]] = {}
        for row in range(self.table.rowCount()):
            texts = self._texts(row)
            try:
                price = (float(texts[1] or 0), float(texts[2] or 0))
            except ValueError:
                continue
            if texts[0] and price != (0.0, 0.0):
                prices[texts[0]] = price
        return prices

    def apply(self) -> None:
        """Write the prices into the settings (the caller saves them)."""
        self.settings.prices = self.prices()


class SystemPromptDialog(QDialog):
    """See and edit the system prompt that teaches the model to make artifacts."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("SettingsDialogs", "System prompt"))
        self.resize(760, 620)
        self.settings = settings
        self.enabled = QCheckBox(
            translate("SettingsDialogs", "Teach the model to make artifacts (recommended)"), self
        )
        self.enabled.setChecked(settings.artifact_prompt_enabled)
        self.edit = QPlainTextEdit(self)
        self.edit.setPlainText(settings.system_prompt or DEFAULT_SYSTEM_PROMPT)
        reset = QPushButton(translate("SettingsDialogs", "Reset to default"), self)
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
