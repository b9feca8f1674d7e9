"""The desktop app's composition: build every object once, wire them, run until closed.

main.py calls this after the QApplication and the qasync loop exist. Everything is passed in
through constructors; nothing here is global.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import logging
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.bytecode_cache import cache_dir, stop_keeping
from app.config import Settings, load_settings, save_settings
from app.i18n import translate
from app.markdown import MarkdownRenderer, render_fingerprint
from app.publish import Publisher
from app.render_cache import CACHE_NAME as RENDERED_NAME
from app.render_cache import RenderCache
from app.secrets import KeyStore, move_header_values, settings_have_plain_header_values
from app.store_checkup import HistoryCheckup
from app.store_recovery import start_empty
from sandbox.gate import NetworkGate
from widgets.appearance import Appearance
from widgets.artifact_panel import ArtifactPanel
from widgets.chat import ChatController
from widgets.composer import Composer
from widgets.conversation_commands import ConversationCommands
from widgets.cursor_rest import CursorRest
from widgets.excepthook import install_excepthook
from widgets.file_folders import FileFolders
from widgets.history_upkeep import index_queued, upkeep
from widgets.language import fill_language_menu
from widgets.main_window import MainWindow
from widgets.provider_control import ProviderControl, initial_profile
from widgets.provider_status import ProviderStatus
from widgets.settings_menu import SettingsMenu
from widgets.shortcuts_dialog import wire_shortcut_commands
from widgets.sidebar import Sidebar
from widgets.theme import ThemeController, run_theme
from widgets.transcript import TranscriptView
from widgets.warm_up import warm_up
from widgets.window_geometry import geometry_text, restore_window

if TYPE_CHECKING:
    from app.session import ChatSession
    from app.tools.hub import ToolHub
    from sandbox.profile import ArtifactProfile
    from widgets.artifact_powers import ArtifactPowers
    from widgets.early_start import EarlyStart
    from widgets.provider_form import ProviderForm

log = logging.getLogger(__name__)
# Tokens an Anthropic model may think for when the user turns extended thinking on.
THINKING_BUDGET = 8000
# A reply is indexed for search this long after the page has shown all of it (and painted it).
INDEX_AFTER_SHOWN_S = 0.25


class EaselApp:
    """Owns the store, settings, keys, HTTP client, sandbox profile and the window."""

    def __init__(
        self,
        args: argparse.Namespace,
        loop: asyncio.AbstractEventLoop,
        keys: KeyStore,
        gate: NetworkGate | None = None,
        early: EarlyStart | None = None,
    ) -> None:
        """early: the theme and the transcript page main.py started before importing this
        (widgets/early_start.py); without it, both are made here."""
        self.args = args
        self.loop = loop
        self.settings: Settings = load_settings()
        # A damaged database is set aside and recovered here; one that cannot open at all
        # raises StoreError, which main.py turns into one sentence. Every page is read first
        # only after an unclean end; else after the first frame, when due (_after_first_frame).
        self.checkup = HistoryCheckup()
        opened = self.checkup.open()
        self.store = opened.store
        self.store.index_on_write = False  # replies are indexed once a turn is over (below)
        self._history_notice = opened.notice
        self.keys = keys
        # The active provider, its models and the HTTP clients (made on first use).
        self.providers = ProviderControl(self.settings, keys, initial_profile(self.settings, args))
        # Artifacts' web profile with their storage and model calls (window.storage,
        # window.claude.complete): made when the first artifact shows (see _artifacts).
        self._gate = gate
        self._powers: ArtifactPowers | None = None
        self._artifact_profile: ArtifactProfile | None = None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        # Palette, style sheet and the pages' colour scheme, before any widget shows; --theme
        # is for this run only (the settings keep the user's own choice).
        if early is not None:
            self.theme = early.theme
        else:
            self.theme = ThemeController(app, run_theme(args, self.settings))
            self.theme.apply(style_sheet=False)  # set below, once the widgets are built
        # The transcript page starts loading first (or already has, in main.py): its renderer
        # process starts up while the rest of the window is built.
        # Stored replies' Markdown rendered before is kept (app/render_cache.py): a first frame
        # whose replies are all there imports no Markdown parser.
        self.rendered = RenderCache(cache_dir() / RENDERED_NAME, render_fingerprint())
        self.store.on_delete = self.rendered.clear  # a deleted reply's text leaves it too
        self.transcript = TranscriptView(
            renderer=MarkdownRenderer(self.rendered),
            interval_ms=33,
            page=early.transcript_page if early is not None else None,
        )
        self.transcript.defer_highlighting()  # until after the first frame: see _warm_up
        self.closed: asyncio.Future[None] = loop.create_future()
        # Set once the deferred modules are imported and the lexers compiled (see _warm_up).
        self.warmed_up = asyncio.Event()
        # Work started beside the window (model list, warm-up, tool servers): see _background.
        self._tasks: set[asyncio.Task[object]] = set()
        self._closing = False  # the window is closing: nothing new starts (see _background)
        install_excepthook()

        # Why keys cannot be saved, once known after the first frame (see _note_keyring).
        self._keyring_note = ""
        self.sidebar = Sidebar()
        self.composer = Composer()
        self.publisher = Publisher()
        # Save dialogs open in the last folder used per kind (kept in settings.json).
        self.folders = FileFolders(self.settings, self._save_settings)
        self.panel = ArtifactPanel(
            lambda: self.artifact_profile, self.publisher, folders=self.folders
        )
        self.window = MainWindow(
            self.sidebar, self.transcript, self.composer, self.panel, lambda: self.form
        )
        self.chat = ChatController(
            self.store,
            self.transcript,
            self.panel,
            self.composer,
            self.make_session,
            prices=lambda: self.settings.prices,
        )
        self.chat.busyChanged.connect(self._index_when_idle)
        self.transcript_ready = False
        self.cursor_rest: CursorRest | None = None  # made after the first frame
        self.provider_status = ProviderStatus(
            self.providers,
            self.window,
            self.composer,
            lambda: self.form,
            lambda: self.transcript_ready,
            spawn=self._background,
        )
        self.conversations = ConversationCommands(
            self.chat, self.sidebar, self._forget_storage, self.window, self.folders
        )
        self.settings_menu = SettingsMenu(
            self.settings, self.providers, lambda: self.tool_hub, self.chat, self.window
        )
        self.appearance = Appearance(
            self.theme, self.settings, self._save_settings, self.window.actions, self.transcript
        )
        wire_shortcut_commands(self.window)
        # Set now, not before the widgets were built: each would be polished twice.
        self.theme.apply_style_sheet()
        self.transcript.ready.connect(self._on_transcript_ready)
        self._wire()

    @functools.cached_property
    def form(self) -> ProviderForm:
        """The first-run page's provider form, made when that page first shows."""
        from widgets.provider_form import ProviderForm

        form = ProviderForm(self.providers.test_profile)
        form.saved.connect(self.providers.on_profile_saved)
        if self._keyring_note:
            form.set_keyring_note(self._keyring_note)
        return form

    @functools.cached_property
    def tool_hub(self) -> ToolHub:
        """Tool servers, as long as the app lives; made (with their settings read) when the
        background work starts them after the first frame, or at a first use before that."""
        from app.tools.hub import ToolHub
        from app.tools.settings import load_tool_settings, save_tool_settings

        return ToolHub(load_tool_settings(), save_tool_settings)

    @property
    def artifact_profile(self) -> ArtifactProfile:
        """The artifacts' web profile, made with their bridge when the first artifact shows:
        the first frame needs neither (their modules are warmed up right after it)."""
        if self._artifact_profile is None:
            from sandbox.profile import make_artifact_profile
            from widgets.artifact_powers import ArtifactPowers

            powers = ArtifactPowers(self.store, self.providers.artifact_provider)
            # The gate is the engine's only proxy (sandbox.engine): artifacts reach nothing else.
            profile = make_artifact_profile(gate=self._gate, bridge=powers.endpoint)
            # Deleted with the profile, on this thread (never by the garbage collector elsewhere).
            powers.endpoint.setParent(profile)
            powers.attach(self.panel)
            self._powers, self._artifact_profile = powers, profile
        return self._artifact_profile

    @property
    def powers(self) -> ArtifactPowers:
        """The artifacts' storage and model calls (made with artifact_profile)."""
        self.artifact_profile  # noqa: B018 - makes both
        assert self._powers is not None
        return self._powers

    def _forget_storage(self, conversation_id: int) -> None:
        # A deleted conversation's artifacts' storage leaves the cache (if any was read).
        if self._powers is not None:
            self._powers.forget_conversation(conversation_id)

    def _on_transcript_ready(self) -> None:
        if self.transcript_ready:
            return
        self.transcript_ready = True
        # What the first frame does not need starts once it is on screen (see run()).
        QTimer.singleShot(0, self._after_first_frame)

    def _after_first_frame(self) -> None:
        if self._closing:  # closed before its first frame's turn ended: the window is going
            return
        # Deferred modules and common highlighters load off the GUI thread before the first
        # reply needs them (not earlier: the thread would hold the GIL while the window builds).
        self.window.watch_transcript_drops()
        # An idle window does nothing: not even blink its text cursor (widgets/cursor_rest.py).
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.cursor_rest = CursorRest(app, parent=self.window)
        self._background(self._warm_up())
        self._background(self._note_keyring())
        self._background(self._start_background_work())
        self._background(upkeep(lambda: self.store, self.checkup, self.window))

    def _index_when_idle(self, busy: bool) -> None:
        """A turn is over: its reply's search prose is indexed in steps, once its last text
        is shown."""
        if not busy:
            self._background(self._index_once_shown())

    async def _index_once_shown(self) -> None:
        # Indexing a long reply takes the GUI thread ~15 ms a step: not while the page still
        # waits for the reply's last update (the Markdown worker's last answers, a frame's
        # steps, the page applying them), and not in the frames that paint it.
        while True:
            while not self.transcript.shown:
                await asyncio.sleep(0.02)
            await asyncio.sleep(INDEX_AFTER_SHOWN_S)
            if self.transcript.shown:
                break
        await index_queued(lambda: self.store)

    def _background(self, work: Coroutine[object, object, object]) -> None:
        """Run `work` beside the window; shutting down cancels what is still pending, so no
        coroutine is left never awaited when the window closes before it ran; once it is
        closing, `work` does not start."""
        if self._closing:
            work.close()
            return
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _warm_up(self) -> None:
        await asyncio.to_thread(warm_up)
        # The lexers are compiled now: code shown plain in the first frame gets its colours.
        self.transcript.highlight_deferred()
        await self._start_markdown_worker()
        # What the warm-up imported lives as long as the app too (~47,000 objects): out of
        # the collector's full passes as well, which took 20-35 ms each (up to 140 under load)
        # a few times a second while a long reply rendered. The garbage it left goes first.
        gc.collect()
        gc.freeze()
        # The start is over: what it compiled is kept for the next one, and nothing later
        # (patterns made from what the user or a model wrote) is (app/bytecode_cache.py);
        # so are the first frame's rendered replies.
        stop_keeping()
        self.rendered.save()
        self.warmed_up.set()

    async def _start_markdown_worker(self) -> None:
        """Streaming replies' Markdown renders in a process of its own from now on (on the
        other core: app/markdown_worker.py); until it is ready, here."""
        from app.markdown_remote import MarkdownWorker

        # Started here, not in a thread: it takes ~1 ms (vfork), and a thread's worker could
        # outlive a window closed meanwhile.
        link = self.transcript.use_markdown_worker(MarkdownWorker.start())
        settled = asyncio.get_running_loop().create_future()
        link.settled.connect(lambda: settled.done() or settled.set_result(None))
        try:  # warmed up once it can render (or has failed to start: rendered here then)
            await asyncio.wait_for(settled, 30)
        except TimeoutError:
            log.warning("the Markdown worker is slow to start; replies render here meanwhile")

    async def _note_keyring(self) -> None:
        """Find the keyring backend now; the provider form says so when keys can't be saved."""
        if not await self.keys.ready():
            self._keyring_note = self.keys.unavailable_reason
            if "form" in self.__dict__:  # made (see form)
                self.form.set_keyring_note(self._keyring_note)

    async def _start_background_work(self) -> None:
        """The model list, local servers and tool servers, once the client is made off-thread."""
        providers = self.providers
        await providers.make_client_off_thread()
        if self.closed.done():  # closed while the client was made (httpx loads then)
            return
        if providers.profile is not None and providers.profile.name not in providers.models:
            self._background(providers.refresh_models())
        if providers.profile is None:
            self._background(self.provider_status.offer_local_servers())
        self._background(self.tool_hub.start_all())

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as error:
            log.warning("could not save settings: %s", error)

    def _wire(self) -> None:
        window, sidebar, chat = self.window, self.sidebar, self.chat
        conversations, menu = self.conversations, self.settings_menu
        sidebar.newRequested.connect(lambda: chat.open(None))
        sidebar.conversationSelected.connect(conversations.open_conversation)
        sidebar.renameRequested.connect(conversations.rename)
        sidebar.deleteRequested.connect(conversations.delete)
        sidebar.searchChanged.connect(lambda _: conversations.refresh_sidebar())
        sidebar.hitChosen.connect(conversations.open_hit)
        chat.conversationsChanged.connect(conversations.refresh_sidebar)
        chat.statusChanged.connect(window.set_stream_status)
        window.closing.connect(self._on_closing)
        window.actions["new"].triggered.connect(lambda: chat.open(None))
        window.actions["export-md"].triggered.connect(
            lambda: conversations.export_conversation("md")
        )
        window.actions["export-html"].triggered.connect(
            lambda: conversations.export_conversation("html")
        )
        window.actions["save-artifact"].triggered.connect(lambda: self._on_tab("save"))
        window.actions["print-artifact"].triggered.connect(lambda: self._on_tab("print_pdf"))
        window.actions["publish-artifact"].triggered.connect(lambda: self._on_tab("publish"))
        window.actions["providers"].triggered.connect(menu.show_providers)
        window.actions["system-prompt"].triggered.connect(menu.show_system_prompt)
        window.actions["prices"].triggered.connect(menu.show_prices)
        window.actions["tools"].triggered.connect(menu.show_tools)
        fill_language_menu(window.language_menu, self.settings)

    # --- running ---------------------------------------------------------------------------

    async def run(self) -> int:
        """Show the window and run until it closes (or the screenshot is saved)."""
        restore_window(self.window, self.settings.window_geometry)
        self.window.show()
        if self.settings.splitter_sizes:
            self.window.splitter.setSizes(self.settings.splitter_sizes)
        conversations = self.store.list_conversations(limit=1)
        self.chat.open(conversations[0].id if conversations else None)
        self.conversations.refresh_sidebar()  # after: it marks the conversation open
        await self._move_plain_header_values()
        self.provider_status.show_profile()
        if self._history_notice:
            from widgets.history_notice import show_recovery_notice  # QMessageBox: seldom

            show_recovery_notice(self.window, self._history_notice, self.start_empty_history)
        # Everything made so far lives as long as the app: keep it out of the collector's
        # full passes, which otherwise stall the loop ~40 ms now and then while a reply streams.
        # main.py turned the collector off while the window was built: back on from here.
        gc.freeze()
        gc.enable()
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
        # Let artifact previews paint; waiting in the task lets Qt run its pending events
        # (processEvents here would re-enter other asyncio tasks under qasync).
        await asyncio.sleep(1.6)
        if not self.window.grab().save(str(path)):
            print(f"Could not write {path}.", file=sys.stderr)
            return 1
        self.window.close()
        return 0

    def _on_closing(self) -> None:
        self._closing = True
        self.chat.stop()
        if self.cursor_rest is not None:
            self.cursor_rest.stop()  # the platform's blink back (it is the application's)
        self.settings.window_geometry = geometry_text(self.window)
        if not self.window.first_run_showing:  # the artifact panel is hidden then (no width)
            self.settings.splitter_sizes = list(self.window.splitter.sizes())
        try:
            save_settings(self.settings)
        except OSError as error:
            log.warning("could not save settings: %s", error)
        self.rendered.save()  # replies rendered this session, for the next start's first frame
        asyncio.ensure_future(self._shutdown())

    async def _shutdown(self) -> None:
        pending = [task for task in self._tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        self.publisher.stop_all()
        if "tool_hub" in self.__dict__:  # made (see tool_hub)
            await self.tool_hub.close()
        await self.providers.aclose()
        self.transcript.stop_markdown_worker()
        if self._powers is not None:
            self._powers.close()
        self.store.close()
        self.checkup.closed_cleanly()
        # Web pages must go before the profiles they use, or Chromium crashes on exit.
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if self._artifact_profile is not None:
            self._artifact_profile.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if not self.closed.done():
            self.closed.set_result(None)

    # --- the rest of the window's commands -------------------------------------------------

    def start_empty_history(self) -> None:
        """Set the (recovered) history aside and go on with an empty one."""
        self.chat.stop()
        if self._powers is not None:  # what artifacts stored goes to the history it came from
            self._powers.endpoint.flush()
        self.store, _kept = start_empty(self.store)
        self.store.index_on_write = False
        self.rendered.clear()  # the set-aside history's replies leave the cache with it
        self.store.on_delete = self.rendered.clear
        self.chat.store = self.store
        if self._powers is not None:  # and from now on to the new one
            self._powers.use_store(self.store)
        self.chat.open(None)
        self.conversations.refresh_sidebar()

    def _on_tab(self, method: str) -> None:
        tab = self.panel.current_tab()
        if tab is not None:
            getattr(tab, method)()

    async def make_session(self, conversation_id: int) -> ChatSession:
        """The session for a conversation, with the active provider and its key."""
        # Imported at the first turn: the first frame needs none of the session's machinery.
        from app.prompts import system_prompt
        from app.session import ChatSession

        provider, profile = await self.providers.connect()
        prompt = (
            system_prompt(self.settings.system_prompt)
            if self.settings.artifact_prompt_enabled
            else self.settings.system_prompt
        )
        return ChatSession(
            self.store,
            conversation_id,
            provider,
            self.providers.model,
            system_prompt=prompt,
            temperature=profile.temperature,
            max_tokens=profile.max_tokens,
            thinking_budget=THINKING_BUDGET if self.provider_status.thinking() else None,
            tools=self.tool_hub.loop_for(
                self.providers.client_for(profile), profile.base_url, self.chat.tool_cards.approve
            ),
        )
