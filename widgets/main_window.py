"""The main window: conversations on the left, the chat in the middle, artifacts on the right.

Only layout, menus and the status line live here; what the parts do is in their own modules
and in the chat controller. The centre shows the first-run panel until a provider is set up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import translate
from widgets.appearance_menu import add_appearance_actions, add_shortcut_actions
from widgets.artifact_panel import ArtifactPanel
from widgets.composer import Composer
from widgets.pane_reveal import reveal_pane
from widgets.sidebar import Sidebar
from widgets.transcript import TranscriptView

if TYPE_CHECKING:
    from widgets.provider_form import ProviderForm


class MainWindow(QMainWindow):
    """Easel's one window."""

    # The window is closing (the app saves its geometry and ends the loop).
    closing = Signal()

    def __init__(
        self,
        sidebar: Sidebar,
        transcript: TranscriptView,
        composer: Composer,
        panel: ArtifactPanel,
        first_run: Callable[[], ProviderForm],
    ) -> None:
        """first_run: the provider form, made when the first-run page first shows (most
        starts have a provider, and the form is ~5 ms of the first frame)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Easel")
        self.sidebar = sidebar
        self.transcript = transcript
        self.composer = composer
        self.panel = panel
        self._first_run = first_run
        self._first_run_shown = False  # the page is in self.center (index 1)

        # The frame first, the web view last: each move of a widget holding a web view into
        # another parent costs ~3-8 ms (measured), so the transcript moves once, into place.
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(True)
        self.center = QStackedWidget(self.splitter)
        chat = QWidget(self.center)
        chat.setObjectName("chatColumn")
        self.center.addWidget(chat)
        self.splitter.addWidget(sidebar)
        self.splitter.addWidget(self.center)
        self.splitter.addWidget(panel)
        chat_layout = QVBoxLayout(chat)
        chat_layout.setContentsMargins(0, 0, 0, 0)
        chat_layout.setSpacing(0)
        chat_layout.addWidget(transcript, 1)
        chat_layout.addWidget(composer)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([240, 560, 640])
        self.setCentralWidget(self.splitter)
        composer.drops.watch(self)  # files dropped anywhere on the window are attached
        self._drops, self._transcript = composer.drops, transcript
        # Folded away by the user, the panel comes back for a new artifact or a clicked card.
        panel.revealRequested.connect(lambda: reveal_pane(self.splitter, 2))

        self.model_status = QLabel("", self)
        self.stream_status = QLabel("", self)
        for label in (self.model_status, self.stream_status):
            label.setMinimumWidth(1)  # a long status never sets the window's minimum width
        self.statusBar().addWidget(self.model_status)
        self.statusBar().addPermanentWidget(self.stream_status)
        self.actions: dict[str, QAction] = {}
        self._menus()

    def _first_run_page(self, form: ProviderForm) -> QScrollArea:
        page = QWidget(self)
        page.setObjectName("firstRun")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 40, 48, 40)
        title = QLabel(translate("MainWindow", "<h1>Welcome to Easel</h1>"), page)
        intro = QLabel(
            translate(
                "MainWindow",
                "Connect a model to start. Replies stream into the chat; whatever the model "
                "builds — a game, a page, a one-page report — runs beside it.",
            ),
            page,
        )
        intro.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(form)
        layout.addStretch(1)
        # Scrolled, not squeezed: the centre's minimum width is the widest of its pages, and
        # the form's would otherwise hold the window wider than a small screen.
        scroll = QScrollArea(self)
        scroll.setObjectName("firstRunScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu(translate("MainWindow", "&File"))
        self._action(
            file_menu, "new", translate("MainWindow", "&New chat"), QKeySequence.StandardKey.New
        )
        file_menu.addSeparator()
        self._action(
            file_menu,
            "save-artifact",
            translate("MainWindow", "&Save artifact as .html…"),
            "Ctrl+S",
        )
        self._action(
            file_menu, "print-artifact", translate("MainWindow", "&Print artifact (A4)…"), "Ctrl+P"
        )
        self._action(
            file_menu,
            "publish-artifact",
            translate("MainWindow", "P&ublish artifact on this computer…"),
        )
        file_menu.addSeparator()
        self._action(
            file_menu, "export-md", translate("MainWindow", "Export conversation as &Markdown…")
        )
        self._action(
            file_menu, "export-html", translate("MainWindow", "Export conversation as &HTML…")
        )
        file_menu.addSeparator()
        self._action(
            file_menu, "quit", translate("MainWindow", "&Quit"), QKeySequence.StandardKey.Quit
        )
        view_menu = self.menuBar().addMenu(translate("MainWindow", "&View"))
        self._action(
            view_menu,
            "toggle-sidebar",
            translate("MainWindow", "Show &conversations"),
            "Ctrl+B",
            checkable=True,
        )
        self._action(
            view_menu,
            "toggle-artifacts",
            translate("MainWindow", "Show &artifacts"),
            "Ctrl+J",
            checkable=True,
        )
        settings_menu = self.menuBar().addMenu(translate("MainWindow", "&Settings"))
        self._action(settings_menu, "providers", translate("MainWindow", "&Providers…"))
        self._action(settings_menu, "system-prompt", translate("MainWindow", "&System prompt…"))
        self._action(settings_menu, "prices", translate("MainWindow", "Model &prices…"))
        self._action(settings_menu, "tools", translate("MainWindow", "&Tools and MCP servers…"))
        # Filled by the app from its settings (widgets/language.py).
        self.language_menu = settings_menu.addMenu(translate("MainWindow", "&Language"))
        add_appearance_actions(self._action, view_menu)
        add_shortcut_actions(self._action, self.menuBar(), view_menu, self.actions)
        self.actions["toggle-sidebar"].setChecked(True)
        self.actions["toggle-artifacts"].setChecked(True)
        self.actions["toggle-sidebar"].toggled.connect(self.sidebar.setVisible)
        self.actions["toggle-artifacts"].toggled.connect(self.panel.setVisible)
        self.actions["quit"].triggered.connect(self.close)

    def _action(
        self,
        menu: object,
        name: str,
        text: str,
        shortcut: QKeySequence.StandardKey | str | None = None,
        *,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        menu.addAction(action)  # type: ignore[attr-defined]
        self.actions[name] = action
        return action

    def watch_transcript_drops(self) -> None:
        """Files dropped on the transcript are attached too (not given to the page). Called
        once the first frame is on screen: watching the widgets the web view makes for itself
        means asking PySide6 their types, which the first time builds the Python enums of
        every widget class (~80 of them, ~20 ms)."""
        self._drops.watch(self._transcript, children=True)

    def show_first_run(self, shown: bool) -> None:
        """The provider set-up panel in the centre (True) or the chat (False).

        While it shows, the artifact panel is hidden and its width goes to the form: with no
        model there is nothing to show in it, and beside it the form was cut off on a
        1280-pixel screen. The splitter gives the panel its width back when it shows again.
        """
        if shown and not self._first_run_shown:
            self._first_run_shown = True
            self.center.addWidget(self._first_run_page(self._first_run()))
        self.center.setCurrentIndex(1 if shown else 0)
        self.splitter.widget(2).setVisible(not shown)
        if not shown:
            self.composer.focus()

    @property
    def first_run_showing(self) -> bool:
        """Whether the provider set-up panel is what the centre shows."""
        return self.center.currentIndex() == 1

    def set_model_status(self, provider: str, model: str) -> None:
        """Provider and model on the left of the status line and in the composer."""
        self.model_status.setText(f"{provider} · {model}" if model else provider)
        self.composer.set_provider(provider)

    def set_stream_status(self, text: str) -> None:
        """Tokens and speed on the right of the status line."""
        self.stream_status.setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.closing.emit()
        super().closeEvent(event)
