"""The desktop app's composition: build every object once, wire them, run until closed.

main.py calls this after the QApplication and the qasync loop exist. Everything is passed in
through constructors; nothing here is global.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app import store_tree
from app.config import (
    PRESETS,
    ConfigError,
    ProviderProfile,
    Settings,
    load_settings,
    profile_from_preset,
    save_settings,
)
from app.connection import new_http_client, provider_for, provider_with_key
from app.discovery import find_local_servers
from app.events import ProviderError
from app.i18n import translate
from app.key_marks import mark_keyed
from app.prompts import system_prompt
from app.provider_options import profile_from_options
from app.providers import Provider
from app.publish import Publisher
from app.secrets import (
    KeyringUnavailable,
    KeyStore,
    find_api_key,
    move_header_values,
    settings_have_plain_header_values,
    store_header_values,
    with_header_values,
)
from app.session import ChatSession
from app.store import Conversation
from app.store_checkup import HistoryCheckup
from app.store_recovery import start_empty
from app.tools.hub import ToolHub
from app.tools.settings import load_tool_settings, save_tool_settings
from sandbox.gate import NetworkGate
from sandbox.profile import make_artifact_profile
from widgets.appearance import Appearance
from widgets.artifact_panel import ArtifactPanel
from widgets.artifact_powers import ArtifactPowers
from widgets.chat import ChatController
from widgets.composer import Composer
from widgets.history_notice import show_recovery_notice
from widgets.history_upkeep import upkeep
from widgets.language import fill_language_menu
from widgets.main_window import MainWindow
from widgets.provider_form import ProviderForm
from widgets.shortcuts_dialog import wire_shortcut_commands
from widgets.sidebar import Sidebar
from widgets.theme import ThemeController
from widgets.transcript import TranscriptView
from widgets.warm_up import warm_up

if TYPE_CHECKING:  # annotations only; httpx costs ~0.2 s to import
    import httpx

log = logging.getLogger(__name__)
# Tokens an Anthropic model may think for when the user turns extended thinking on.
THINKING_BUDGET = 8000


class EaselApp:
    """Owns the store, settings, keys, HTTP client, sandbox profile and the window."""

    def __init__(
        self,
        args: argparse.Namespace,
        loop: asyncio.AbstractEventLoop,
        keys: KeyStore,
        gate: NetworkGate | None = None,
    ) -> None:
        self.args = args
        self.loop = loop
        self.settings: Settings = load_settings()
        # A damaged database is set aside and recovered here; one that cannot open at all
        # raises StoreError, which main.py turns into one sentence. Every page is read first
        # only after an unclean end; else after the first frame, when due (_after_first_frame).
        self.checkup = HistoryCheckup()
        opened = self.checkup.open()
        self.store = opened.store
        self._history_notice = opened.notice
        self.keys = keys
        # Made on first use (an SSL context costs ~140 ms): the first frame needs no client.
        self._client: httpx.AsyncClient | None = None
        # Artifacts' storage and model calls (window.storage, window.claude.complete).
        self.powers = ArtifactPowers(self.store, self._artifact_provider)
        # Tool servers live as long as the app; they start in the background after start-up.
        self.tool_hub = ToolHub(load_tool_settings(), save_tool_settings)
        # The gate is the engine's only proxy (sandbox.engine): artifacts reach nothing else.
        self.artifact_profile = make_artifact_profile(gate=gate, bridge=self.powers.endpoint)
        # Deleted with the profile, on this thread (never by the garbage collector elsewhere).
        self.powers.endpoint.setParent(self.artifact_profile)
        self.profile = self._initial_profile()
        self.closed: asyncio.Future[None] = loop.create_future()
        _install_excepthook()

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        # Palette, style sheet and the pages' colour scheme, before any widget shows; --theme
        # is for this run only (the settings keep the user's own choice).
        self.theme = ThemeController(app, getattr(args, "theme", None) or self.settings.theme)
        self.theme.apply()
        keyring_note = "" if self.keys.available else self.keys.unavailable_reason
        self.form = ProviderForm(self.test_profile, keyring_note=keyring_note)
        self.sidebar = Sidebar()
        self.transcript = TranscriptView(interval_ms=33)
        self.transcript.defer_highlighting()  # until after the first frame: see _warm_up
        self.composer = Composer()
        self.publisher = Publisher()
        self.panel = ArtifactPanel(self.artifact_profile, self.publisher)
        self.powers.attach(self.panel)
        self.window = MainWindow(
            self.sidebar, self.transcript, self.composer, self.panel, self.form
        )
        self.chat = ChatController(
            self.store,
            self.transcript,
            self.panel,
            self.composer,
            self.make_session,
            prices=lambda: self.settings.prices,
        )
        self._models: dict[str, list[str]] = {}
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._chosen_model: dict[str, str] = {}
        self.appearance = Appearance(
            self.theme, self.settings, self._save_settings, self.window.actions, self.transcript
        )
        wire_shortcut_commands(self.window)
        self.transcript_ready = False
        self.transcript.ready.connect(self._on_transcript_ready)
        self._wire()

    def _on_transcript_ready(self) -> None:
        if self.transcript_ready:
            return
        self.transcript_ready = True
        # What the first frame does not need starts once it is on screen (see run()).
        QTimer.singleShot(0, self._after_first_frame)

    def _after_first_frame(self) -> None:
        # Deferred modules and common highlighters load off the GUI thread before the first
        # reply needs them (not earlier: the thread would hold the GIL while the window builds).
        asyncio.ensure_future(self._warm_up())
        asyncio.ensure_future(self._start_background_work())
        asyncio.ensure_future(upkeep(lambda: self.store, self.checkup, self.window))

    async def _warm_up(self) -> None:
        await asyncio.to_thread(warm_up)
        # The lexers are compiled now: code shown plain in the first frame gets its colours.
        self.transcript.highlight_deferred()

    async def _start_background_work(self) -> None:
        """The model list, local servers and tool servers, once the client is made off-thread."""
        if self._client is None:  # its SSL context would block the GUI thread ~100 ms
            client = await asyncio.to_thread(
                new_http_client, read_timeout=self.settings.read_timeout
            )
            if self._client is None and not self.closed.done():
                self._client = client
            else:  # something needed a client meanwhile and made one, or the window closed
                await client.aclose()
        if self.closed.done():  # closed while the client was made (httpx loads then)
            return
        if self.profile is not None and self.profile.name not in self._models:
            asyncio.ensure_future(self.refresh_models())
        if self.profile is None:
            asyncio.ensure_future(self._offer_local_servers())
        asyncio.ensure_future(self.tool_hub.start_all())

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared HTTP client, made the first time something needs it."""
        if self._client is None:
            self._client = new_http_client(read_timeout=self.settings.read_timeout)
        return self._client

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as error:
            log.warning("could not save settings: %s", error)

    def _initial_profile(self) -> ProviderProfile | None:
        args = self.args
        given = any((args.provider, args.base_url, args.model, args.api_key_env, args.kind))
        try:
            return profile_from_options(self.settings, args)
        except ConfigError as error:
            if given:
                print(str(error), file=sys.stderr)
            return None

    def _wire(self) -> None:
        window, sidebar, chat = self.window, self.sidebar, self.chat
        sidebar.newRequested.connect(lambda: chat.open(None))
        sidebar.conversationSelected.connect(self.open_conversation)
        sidebar.renameRequested.connect(self._rename)
        sidebar.deleteRequested.connect(self._delete)
        sidebar.searchChanged.connect(lambda _: self.refresh_sidebar())
        sidebar.hitChosen.connect(self.open_hit)
        chat.conversationsChanged.connect(self.refresh_sidebar)
        chat.statusChanged.connect(window.set_stream_status)
        self.form.saved.connect(self.on_profile_saved)
        window.closing.connect(self._on_closing)
        self.composer.modelChosen.connect(self.choose_model)
        self.composer.modelsRefreshRequested.connect(
            lambda: asyncio.ensure_future(self.refresh_models())
        )
        window.actions["new"].triggered.connect(lambda: chat.open(None))
        window.actions["export-md"].triggered.connect(lambda: self.export_conversation("md"))
        window.actions["export-html"].triggered.connect(lambda: self.export_conversation("html"))
        window.actions["save-artifact"].triggered.connect(lambda: self._on_tab("save"))
        window.actions["print-artifact"].triggered.connect(lambda: self._on_tab("print_pdf"))
        window.actions["publish-artifact"].triggered.connect(lambda: self._on_tab("publish"))
        window.actions["providers"].triggered.connect(self.show_providers)
        window.actions["system-prompt"].triggered.connect(self.show_system_prompt)
        window.actions["prices"].triggered.connect(self.show_prices)
        window.actions["tools"].triggered.connect(self.show_tools)
        fill_language_menu(window.language_menu, self.settings)

    # --- running ---------------------------------------------------------------------------

    async def run(self) -> int:
        """Show the window and run until it closes (or the screenshot is saved)."""
        self.window.show()
        self._restore_geometry()
        conversations = self.store.list_conversations(limit=1)
        self.refresh_sidebar()
        self.chat.open(conversations[0].id if conversations else None)
        await self._move_plain_header_values()
        self._show_profile()
        if self._history_notice:
            show_recovery_notice(self.window, self._history_notice, self.start_empty_history)
        # Everything made so far lives as long as the app: keep it out of the collector's
        # full passes, which otherwise stall the loop ~40 ms now and then while a reply streams.
        gc.freeze()
        if self.args.screenshot is not None:
            return await self._screenshot(self.args.screenshot)
        await self.closed
        return 0

    async def _move_plain_header_values(self) -> None:
        """Header values an older settings.json holds in plain text go to the keyring."""
        if not settings_have_plain_header_values(self.settings):
            return
        notes = await move_header_values(self.settings, self.keys)
        try:
            save_settings(self.settings)
        except OSError as error:
            log.warning("could not save settings: %s", error)
        if notes:
            log.warning("%s", " ".join(notes))
            box = QMessageBox(
                QMessageBox.Icon.Information,
                translate("EaselApp", "Header values moved"),
                " ".join(notes),
                QMessageBox.StandardButton.Ok,
                self.window,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()

    async def _screenshot(self, path: Path) -> int:
        deadline = time.monotonic() + 20
        while not self.transcript_ready:
            if time.monotonic() > deadline:
                print("The window did not become ready within 20 s.", file=sys.stderr)
                return 7
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.5)  # let artifact previews paint
        QApplication.processEvents()
        if not self.window.grab().save(str(path)):
            print(f"Could not write {path}.", file=sys.stderr)
            return 1
        self.window.close()
        return 0

    def _on_closing(self) -> None:
        self.chat.stop()
        self.settings.window_geometry = bytes(self.window.saveGeometry().toBase64()).decode()
        self.settings.splitter_sizes = list(self.window.splitter.sizes())
        try:
            save_settings(self.settings)
        except OSError as error:
            log.warning("could not save settings: %s", error)
        asyncio.ensure_future(self._shutdown())

    async def _shutdown(self) -> None:
        self.publisher.stop_all()
        await self.tool_hub.close()
        if self._client is not None:
            await self._client.aclose()
        for client in self._clients.values():
            await client.aclose()
        self.powers.close()
        self.store.close()
        self.checkup.closed_cleanly()
        # Web pages must go before the profiles they use, or Chromium crashes on exit.
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.artifact_profile.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if not self.closed.done():
            self.closed.set_result(None)

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.window.restoreGeometry(
                QByteArray.fromBase64(self.settings.window_geometry.encode())
            )
        if self.settings.splitter_sizes:
            self.window.splitter.setSizes(self.settings.splitter_sizes)

    # --- conversations ---------------------------------------------------------------------

    def refresh_sidebar(self) -> None:
        """List conversations newest first, a page at a time; or the search box's hits."""
        query = self.sidebar.search.text().strip()
        if query:
            self.sidebar.show_hits(self.store.search_hits(query))
        else:
            self.sidebar.set_pages(self._conversation_page, self.chat.conversation_id)

    def _conversation_page(self, offset: int, count: int) -> list[Conversation]:
        return self.store.list_conversations(count, offset)

    def open_hit(self, conversation_id: int, message_id: int) -> None:
        """Open a search hit's conversation at its message (0: a title hit, at the end)."""
        hit = self.store.get_message(message_id) if message_id else None
        if hit is not None and hit.conversation_id == conversation_id:
            store_tree.make_current(self.store, message_id)  # a hit on another branch: shown
        self.chat.open(conversation_id)
        if hit is not None:
            self.chat.reveal(message_id)

    def start_empty_history(self) -> None:
        """Set the (recovered) history aside and go on with an empty one."""
        self.chat.stop()
        self.store, _kept = start_empty(self.store)
        self.chat.store = self.store
        self.chat.open(None)
        self.refresh_sidebar()

    def open_conversation(self, conversation_id: int) -> None:
        """Show a stored conversation."""
        self.chat.open(conversation_id)
        self.refresh_sidebar()

    def _rename(self, conversation_id: int, title: str) -> None:
        self.store.rename_conversation(conversation_id, title)
        self.refresh_sidebar()

    def _delete(self, conversation_id: int) -> None:
        self.store.delete_conversation(conversation_id)
        self.powers.forget_conversation(conversation_id)
        if self.chat.conversation_id == conversation_id:
            remaining = self.store.list_conversations(limit=1)
            self.chat.open(remaining[0].id if remaining else None)
        self.refresh_sidebar()

    def _on_tab(self, method: str) -> None:
        tab = self.panel.current_tab()
        if tab is not None:
            getattr(tab, method)()

    def export_conversation(self, kind: str) -> None:
        """Save the conversation on screen as Markdown or as one HTML page."""
        conversation_id = self.chat.conversation_id
        conversation = self.store.get_conversation(conversation_id) if conversation_id else None
        if conversation is None:
            return
        name = f"{conversation.title}.{kind}"
        dialog = QFileDialog(self.window, translate("EaselApp", "Export conversation"), name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(
            translate("EaselApp", "Markdown (*.md)")
            if kind == "md"
            else translate("EaselApp", "Web page (*.html)")
        )

        def write(result: int) -> None:
            if not result or not dialog.selectedFiles():
                return
            target = Path(dialog.selectedFiles()[0])
            from app.transcript_export import (  # deferred: widgets/warm_up.py
                conversation_html,
                conversation_markdown,
            )

            render = conversation_markdown if kind == "md" else conversation_html
            try:
                target.write_text(render(self.store, conversation), "utf-8")
            except OSError as error:
                box = QMessageBox(
                    QMessageBox.Icon.Warning,
                    translate("EaselApp", "Export failed"),
                    translate("EaselApp", "Could not write {path}: {reason}.").format(
                        path=target, reason=error.strerror or error
                    ),
                    QMessageBox.StandardButton.Ok,
                    self.window,
                )
                box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                box.open()

        dialog.finished.connect(write)
        dialog.open()

    # --- providers -------------------------------------------------------------------------

    async def make_session(self, conversation_id: int) -> ChatSession:
        """The session for a conversation, with the active provider and its key."""
        if self.profile is None:
            raise ProviderError(
                translate(
                    "EaselApp", "No provider is set up yet: choose one in Settings → Providers."
                )
            )
        provider = await provider_for(self.profile, self._client_for(self.profile), self.keys)
        prompt = (
            system_prompt(self.settings.system_prompt)
            if self.settings.artifact_prompt_enabled
            else self.settings.system_prompt
        )
        return ChatSession(
            self.store,
            conversation_id,
            provider,
            self.model,
            system_prompt=prompt,
            temperature=self.profile.temperature,
            max_tokens=self.profile.max_tokens,
            thinking_budget=THINKING_BUDGET if self._thinking() else None,
            tools=self.tool_hub.loop_for(
                self._client_for(self.profile), self.profile.base_url, self.chat.tool_cards.approve
            ),
        )

    async def _artifact_provider(self) -> tuple[Provider, ProviderProfile]:
        """The provider and model an artifact's call goes to: the ones chosen right now."""
        if self.profile is None:
            raise ProviderError(
                translate(
                    "EaselApp", "No provider is set up yet: choose one in Settings → Providers."
                )
            )
        provider = await provider_for(self.profile, self._client_for(self.profile), self.keys)
        return provider, replace(self.profile, model=self.model)

    def _thinking(self) -> bool:
        return bool(
            self.profile
            and self.profile.kind == "anthropic"
            and self.composer.think_button.isChecked()
        )

    def _client_for(self, profile: ProviderProfile) -> httpx.AsyncClient:
        """The shared client, or one that trusts the profile's own CA bundle."""
        if not profile.ca_bundle:
            return self.client
        if profile.ca_bundle not in self._clients:
            try:
                self._clients[profile.ca_bundle] = new_http_client(
                    profile.ca_bundle, read_timeout=self.settings.read_timeout
                )
            except ConfigError as error:
                raise ProviderError(str(error)) from None
        return self._clients[profile.ca_bundle]

    async def test_profile(
        self, profile: ProviderProfile, key: str | None
    ) -> tuple[bool, str, list[str]]:
        """Try a profile: list its models. (ok, one sentence, models)."""
        api_key = key or await find_api_key(profile, self.keys)
        profile, _missing = await with_header_values(profile, self.keys)
        try:
            client = self._client_for(profile)
        except ProviderError as error:
            return False, str(error), []
        provider = provider_with_key(profile, client, api_key)
        try:
            models = await provider.list_models()
        except ProviderError as error:
            return False, str(error), []
        if profile.model and models and profile.model not in models:
            return (
                True,
                translate(
                    "EaselApp",
                    "Connected to {name}, but it does not list “{model}”. It offers {count} "
                    "models.",
                ).format(name=profile.name, model=profile.model, count=len(models)),
                models,
            )
        connected = translate("EaselApp", "Connected to {name} ({count} models available).")
        return True, connected.format(name=profile.name, count=len(models)), models

    def on_profile_saved(self, profile: ProviderProfile, key: str, session_only: bool) -> None:
        asyncio.ensure_future(self.save_profile(profile, key, session_only))

    async def save_profile(self, profile: ProviderProfile, key: str, session_only: bool) -> None:
        """Keep a profile (its key in the keyring, never in a file) and make it active."""
        if key:
            if session_only or not self.keys.available:
                self.keys.set_session_key(profile.name, key)
            else:
                try:
                    await self.keys.set(profile.name, key)
                except KeyringUnavailable:
                    self.keys.set_session_key(profile.name, key)
        previous = self.settings.profile(profile.name)
        await store_header_values(profile, self.keys, session_only=session_only, previous=previous)
        # Remember that it has a key (a session-only one is gone after a restart, and then
        # "No key for …" must be said instead of sending without); saved again with none while
        # none is found means the server needs none.
        if key or await find_api_key(profile, self.keys) is None:
            mark_keyed(profile.name, bool(key))
        self.settings.profiles = [p for p in self.settings.profiles if p.name != profile.name]
        self.settings.profiles.append(profile)
        self.settings.active_profile = profile.name
        save_settings(self.settings)
        self.profile = profile
        self._show_profile()

    def use_profile(self, profile: ProviderProfile) -> None:
        """Make a saved profile the active one."""
        self.settings.active_profile = profile.name
        save_settings(self.settings)
        self.profile = profile
        self._show_profile()

    def _show_profile(self) -> None:
        profile = self.profile
        self.window.show_first_run(profile is None)
        if profile is None:
            self.window.set_model_status(translate("EaselApp", "No provider"), "")
            return
        self.window.set_model_status(profile.name, self.model)
        self.composer.think_button.setVisible(profile.kind == "anthropic")
        models = self._models.get(profile.name, [])
        self.composer.set_models(models, self.model)
        if profile.name not in self._models and self.transcript_ready:
            asyncio.ensure_future(self.refresh_models())  # at start-up: after the first frame

    @property
    def model(self) -> str:
        """The model the next reply comes from: chosen in the composer, else the profile's."""
        if self.profile is None:
            return ""
        return self._chosen_model.get(self.profile.name) or self.profile.model

    def choose_model(self, model: str) -> None:
        """Use another model of the same provider from the next reply on."""
        if self.profile is None or not model:
            return
        self._chosen_model[self.profile.name] = model
        self.window.set_model_status(self.profile.name, model)

    async def refresh_models(self) -> None:
        """Fetch the provider's model list (kept for the run) into the composer's picker."""
        profile = self.profile
        if profile is None:
            return
        ok, _sentence, models = await self.test_profile(profile, None)
        if ok and self.profile == profile:
            self._models[profile.name] = sorted(models)
            self.composer.set_models(self._models[profile.name], self.model)

    async def _offer_local_servers(self) -> None:
        found = await find_local_servers(self.client)
        self.form.offer_local_servers(found)

    def show_providers(self) -> None:
        """Settings → Providers."""
        from widgets.settings_dialogs import ProvidersDialog  # deferred: widgets/warm_up.py

        dialog = ProvidersDialog(self, self.window)
        dialog.open()

    async def import_env_keys(self) -> list[str]:
        """A provider for each preset whose key is in the environment (key kept in the keyring)."""
        imported = []
        for preset in PRESETS:
            key = self.keys.environment_value(preset.key_env) if preset.key_env else None
            if not preset.key_env or not key:
                continue
            profile = self.settings.profile(preset.name) or profile_from_preset(preset)
            if self.settings.profile(profile.name) is None:
                self.settings.profiles.append(profile)
            if self.keys.available:
                try:
                    await self.keys.set(profile.name, key)
                except KeyringUnavailable:
                    pass
            imported.append(profile.name)
        if imported and self.settings.active_profile is None:
            self.use_profile(self.settings.profiles[0])
        save_settings(self.settings)
        return imported

    def show_prices(self) -> None:
        """Settings → Model prices."""
        from widgets.settings_dialogs import PricesDialog  # deferred: widgets/warm_up.py

        models = sorted({m for ms in self._models.values() for m in ms} | {self.model} - {""})
        dialog = PricesDialog(self.settings, models, self.window)

        def done(result: int) -> None:
            if result:
                dialog.apply()
                save_settings(self.settings)
                self.window.set_stream_status(self.chat.conversation_usage())

        dialog.finished.connect(done)
        dialog.open()

    def show_tools(self) -> None:
        """Settings → Tools."""
        from widgets.tools_dialog import open_tools_dialog  # deferred: widgets/warm_up.py

        open_tools_dialog(self.tool_hub, self.window)

    def show_system_prompt(self) -> None:
        """Settings → System prompt."""
        from widgets.settings_dialogs import SystemPromptDialog  # deferred: widgets/warm_up.py

        dialog = SystemPromptDialog(self.settings, self.window)

        def done(result: int) -> None:
            if result:
                dialog.apply()
                save_settings(self.settings)

        dialog.finished.connect(done)
        dialog.open()


def _install_excepthook() -> None:
    """Exceptions in slots and tasks are logged and shown, never silently lost."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
        window = QApplication.activeWindow()
        if window is not None:
            # open(), not the static warning(): a nested event loop would stall asyncio.
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                translate("EaselApp", "Something went wrong"),
                f"{kind.__name__}: {error}",
                QMessageBox.StandardButton.Ok,
                window,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            QTimer.singleShot(0, box.open)

    sys.excepthook = hook
