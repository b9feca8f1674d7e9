"""Connect a model: pick a preset (or a local server found here), paste a key, test, save.

Shown as the first-run panel when no provider is set up, and inside Settings → Providers to
add or edit one. The form does no I/O itself: testing and saving are the owner's job, handed
in as coroutines, so the form never blocks the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.config import ProviderProfile, move_userinfo_to_header
from app.i18n import translate
from app.presets import PRESETS, Preset, profile_from_preset

# (profile, key or None) -> one sentence saying how the test went; raises nothing.
Tester = Callable[[ProviderProfile, str | None], Awaitable[tuple[bool, str, list[str]]]]


def parse_headers(text: str) -> tuple[tuple[str, str], ...]:
    """ "Name: value" lines as header pairs (blank and malformed lines are skipped)."""
    pairs = []
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def _number(text: str, kind: type[int] | type[float]) -> int | float | None:
    try:
        return kind(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _preset_name(preset: Preset) -> str:
    """A preset's name as shown: product names as they are, "Custom" in the window's language."""
    if preset.id == "custom":
        return translate("ProviderForm", "Custom (OpenAI-compatible)")
    return preset.name


class ProviderForm(QWidget):
    """A form for one provider profile with Test and Save."""

    # The user saved a working profile: (profile, key or "", keep the key for this run only).
    saved = Signal(object, str, bool)

    def __init__(
        self,
        tester: Tester,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("providerForm")
        self._tester = tester
        self._local: list[tuple[Preset, list[str]]] = []
        self._task: asyncio.Task[object] | None = None
        self._save_anyway = False
        self._save_label = translate("ProviderForm", "Save and start chatting")

        self.local_box = QWidget(self)
        self.local_layout = QVBoxLayout(self.local_box)
        self.local_layout.setContentsMargins(0, 0, 0, 0)
        self.local_box.hide()

        self.preset = QComboBox(self)
        self.preset.setObjectName("presetCombo")
        for preset in PRESETS:
            self.preset.addItem(_preset_name(preset), preset.id)
        self.name = QLineEdit(self)
        self.base_url = QLineEdit(self)
        self.kind = QComboBox(self)
        self.kind.setObjectName("kindCombo")
        self.kind.addItem(
            translate("ProviderForm", "OpenAI-compatible (/chat/completions)"), "openai"
        )
        self.kind.addItem(
            translate("ProviderForm", "Anthropic Messages (/v1/messages)"), "anthropic"
        )
        self.model = QComboBox(self)
        self.model.setEditable(True)
        self.key = QLineEdit(self)
        self.key.setObjectName("keyEdit")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_note = QLabel(self)
        self.key_note.setWordWrap(True)
        self.key_note.setObjectName("hint")
        self.session_only = QCheckBox(
            translate("ProviderForm", "Keep the key for this session only"), self
        )
        # Shown only when keys cannot be saved (set_keyring_note).
        self.keyring_label = QLabel(self)
        self.keyring_label.setWordWrap(True)
        self.keyring_label.setObjectName("warning")
        self.advanced_toggle = QToolButton(self)
        self.advanced_toggle.setText(translate("ProviderForm", "Advanced ▸"))
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setAutoRaise(True)
        self.advanced = QWidget(self)
        self.headers = QPlainTextEdit(self.advanced)
        self.headers.setPlaceholderText(
            translate(
                "ProviderForm",
                "One per line, e.g.  X-Goog-Api-Key: …  or  X-Api-Key: $MY_KEY_VARIABLE",
            )
        )
        self.headers.setToolTip(
            translate(
                "ProviderForm",
                "Header values are kept in the system keyring, never in the settings file. "
                "A saved value shows as an empty “Name:” line: leave it empty to keep it.",
            )
        )
        self.headers.setFixedHeight(60)
        self.ca_bundle = QLineEdit(self.advanced)
        self.ca_bundle.setPlaceholderText(
            translate("ProviderForm", "A PEM file of extra certificate authorities")
        )
        self.temperature = QLineEdit(self.advanced)
        self.temperature.setPlaceholderText(translate("ProviderForm", "the provider's default"))
        self.max_tokens = QLineEdit(self.advanced)
        self.max_tokens.setPlaceholderText(translate("ProviderForm", "the provider's default"))
        advanced_form = QFormLayout(self.advanced)
        advanced_form.setContentsMargins(0, 0, 0, 0)
        advanced_form.addRow(translate("ProviderForm", "Extra headers"), self.headers)
        advanced_form.addRow(translate("ProviderForm", "CA bundle"), self.ca_bundle)
        advanced_form.addRow(translate("ProviderForm", "Temperature"), self.temperature)
        advanced_form.addRow(translate("ProviderForm", "Max tokens"), self.max_tokens)
        self.advanced.hide()
        self.advanced_toggle.toggled.connect(self._toggle_advanced)
        self.result = QLabel("", self)
        self.result.setObjectName("testResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_button = QPushButton(translate("ProviderForm", "Test connection"), self)
        self.save_button = QPushButton(translate("ProviderForm", "Save and start chatting"), self)
        self.save_button.setObjectName("primary")

        form = QFormLayout()
        form.addRow(translate("ProviderForm", "Provider"), self.preset)
        form.addRow(translate("ProviderForm", "Name"), self.name)
        form.addRow(translate("ProviderForm", "Base URL"), self.base_url)
        form.addRow(translate("ProviderForm", "API kind"), self.kind)
        form.addRow(translate("ProviderForm", "Model"), self.model)
        form.addRow(translate("ProviderForm", "API key"), self.key)
        form.addRow("", self.key_note)
        form.addRow("", self.session_only)
        form.addRow("", self.keyring_label)
        self._form = form
        form.addRow("", self.advanced_toggle)
        form.addRow("", self.advanced)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local_box)
        layout.addLayout(form)
        layout.addWidget(self.result)
        layout.addLayout(buttons)

        self.preset.currentIndexChanged.connect(self._on_preset)
        self.test_button.clicked.connect(lambda: self._start(self._test))
        self.save_button.clicked.connect(lambda: self._start(self._save))
        for field in (self.base_url, self.key, self.name):
            field.textEdited.connect(self._changed)
        self.model.editTextChanged.connect(self._changed)
        self.kind.currentIndexChanged.connect(self._changed)
        self._on_preset()
        self.set_keyring_note("")  # until the app knows whether keys can be saved

    def set_keyring_note(self, note: str) -> None:
        """Say why keys cannot be saved (no system keyring), and keep them for this session;
        "" when they can. The desktop app learns this after its first frame."""
        self.keyring_label.setText(note)
        self._form.setRowVisible(self.keyring_label, bool(note))
        if note:
            self.session_only.setChecked(True)
        self.session_only.setEnabled(not note)

    # --- filling in ------------------------------------------------------------------------

    def offer_local_servers(self, found: list[tuple[Preset, list[str]]]) -> None:
        """Local servers (Ollama, LM Studio) found running here come first: no key needed."""
        self._local = found
        while self.local_layout.count():
            item = self.local_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if not found:
            self.local_box.hide()
            return
        title = QLabel(
            translate("ProviderForm", "<b>Found on this computer</b> — no key needed"),
            self.local_box,
        )
        self.local_layout.addWidget(title)
        for preset, models in found:
            model = models[0] if models else ""
            label = translate("ProviderForm", "Use {name}").format(name=preset.name)
            label += f" · {model}" if model else ""
            button = QPushButton(label, self.local_box)
            button.setObjectName("localServer")
            button.clicked.connect(lambda _=False, p=preset, m=models: self.choose(p, m))
            self.local_layout.addWidget(button)
        self.local_box.show()
        self.choose(*found[0])

    def choose(self, preset: Preset, models: list[str] | None = None) -> None:
        """Select a preset (and the models known for it)."""
        self.preset.setCurrentIndex(max(0, self.preset.findData(preset.id)))
        if models:
            self._set_models(models, preset.default_model or models[0])

    def set_profile(self, profile: ProviderProfile) -> None:
        """Show an existing profile for editing."""
        index = self.preset.findData(profile.preset or "custom")
        self.preset.setCurrentIndex(max(0, index))
        self.name.setText(profile.name)
        self.base_url.setText(profile.base_url)
        self.kind.setCurrentIndex(max(0, self.kind.findData(profile.kind)))
        self.model.setEditText(profile.model)
        self.headers.setPlainText("\n".join(f"{k}: {v}" for k, v in profile.headers))
        self.ca_bundle.setText(profile.ca_bundle or "")
        self.temperature.setText("" if profile.temperature is None else str(profile.temperature))
        self.max_tokens.setText("" if profile.max_tokens is None else str(profile.max_tokens))

    def profile(self) -> ProviderProfile:
        """The profile as the form shows it now."""
        preset = self._preset()
        base = profile_from_preset(preset, self.model.currentText().strip() or None)
        profile = ProviderProfile(
            name=self.name.text().strip() or preset.name,
            kind=self.kind.currentData() if preset.id == "custom" else base.kind,
            base_url=self.base_url.text().strip().rstrip("/") or base.base_url,
            model=self.model.currentText().strip() or base.model,
            key_env=base.key_env,
            preset=preset.id,
            headers=parse_headers(self.headers.toPlainText()),
            temperature=_number(self.temperature.text(), float),
            max_tokens=_number(self.max_tokens.text(), int),
            ca_bundle=self.ca_bundle.text().strip() or None,
        )
        # user:password@ typed into the base URL becomes a header value (kept in the keyring).
        return move_userinfo_to_header(profile)

    def problem(self) -> str | None:
        """One sentence about an advanced field that cannot be used as typed, or None.

        Checked before Test and Save: an unusable value is never silently dropped.
        """
        numbers = (
            (translate("ProviderForm", "Temperature"), self.temperature.text(), float, "0.7"),
            (translate("ProviderForm", "Max tokens"), self.max_tokens.text(), int, "4096"),
        )
        for label, text, kind, example in numbers:
            value = _number(text, kind)
            if text.strip() and (value is None or value < 0 or (kind is int and value == 0)):
                return translate(
                    "ProviderForm",
                    "{label} must be a number such as {example}, or empty for the provider's "
                    "default, not “{text}”.",
                ).format(label=label, example=example, text=text.strip())
        for line in self.headers.toPlainText().splitlines():
            name, sep, _value = line.partition(":")
            if line.strip() and not (sep and name.strip()):
                return translate(
                    "ProviderForm", "Each extra header is one line “Name: value”; “{line}” is not."
                ).format(line=line.strip())
        return None

    def _toggle_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_toggle.setText(
            translate("ProviderForm", "Advanced ▾")
            if shown
            else translate("ProviderForm", "Advanced ▸")
        )

    def _preset(self) -> Preset:
        preset_id = self.preset.currentData()
        return next(p for p in PRESETS if p.id == preset_id)

    def _on_preset(self) -> None:
        preset = self._preset()
        self.name.setText(_preset_name(preset))
        self.base_url.setText(preset.base_url)
        self.base_url.setReadOnly(preset.id != "custom" and not preset.local)
        self.kind.setCurrentIndex(max(0, self.kind.findData(preset.kind)))
        self.kind.setEnabled(preset.id == "custom")
        local_models = next((m for p, m in self._local if p.id == preset.id), [])
        self._set_models(local_models or list(preset.models_hint), preset.default_model)
        self.key.setEnabled(preset.needs_key or preset.id == "custom")
        if preset.needs_key:
            env = translate("ProviderForm", " Or set {variable} and leave this empty.")
            env = env.format(variable=preset.key_env) if preset.key_env else ""
            note = translate("ProviderForm", "Your {name} API key is kept in the system keyring.")
            self.key_note.setText(note.format(name=preset.name) + env)
        elif preset.local:
            note = translate("ProviderForm", "{name} runs on this computer: no key needed.")
            self.key_note.setText(note.format(name=preset.name))
        else:
            self.key_note.setText(
                translate("ProviderForm", "Leave empty if the server needs no key.")
            )
        self.result.setText("")
        self._changed()

    def _set_models(self, models: list[str], current: str) -> None:
        self.model.clear()
        self.model.addItems(models)
        self.model.setEditText(current or (models[0] if models else ""))

    # --- actions ---------------------------------------------------------------------------

    def _start(self, action: Callable[[], Awaitable[object]]) -> None:
        if self._task is not None and not self._task.done():
            return  # one test at a time
        self._task = asyncio.ensure_future(action())

    def _changed(self) -> None:
        # Another profile now: a new test decides again whether it may be saved untested.
        self._save_anyway = False
        self.save_button.setText(self._save_label)

    def _show_problem(self) -> bool:
        problem = self.problem()
        if problem is not None:
            self.result.setText("✗ " + problem)
            self.result.setProperty("ok", False)
        return problem is not None

    async def _test(self) -> bool:
        if self._show_problem():
            return False
        self.result.setText(translate("ProviderForm", "Testing…"))
        self.test_button.setEnabled(False)
        try:
            ok, sentence, models = await self._tester(
                self.profile(), self.key.text().strip() or None
            )
        finally:
            self.test_button.setEnabled(True)
        self.result.setText(("✓ " if ok else "✗ ") + sentence)
        self.result.setProperty("ok", ok)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        if ok and models and self.model.count() == 0:
            self._set_models(models, self.model.currentText() or models[0])
        return ok

    async def _save(self) -> None:
        if self._show_problem():  # never "Save anyway" with a field that cannot be used
            return
        if not self._save_anyway and not await self._test():
            # Some servers cannot list models yet chat fine: the user may insist, knowingly.
            self._save_anyway = True
            self.save_button.setText(translate("ProviderForm", "Save anyway"))
            return
        self._changed()
        self.saved.emit(self.profile(), self.key.text().strip(), self.session_only.isChecked())

    def set_save_label(self, text: str) -> None:
        """The Save button's text (it differs between first run and Settings)."""
        self._save_label = text
        self.save_button.setText(text)
