"""The Settings menu's dialogs: providers, model prices, system prompt and tools.

Each dialog module loads on first use (widgets/warm_up.py loads them after the first frame).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.config import Settings, save_settings
from widgets.chat import ChatController
from widgets.main_window import MainWindow
from widgets.provider_control import ProviderControl

if TYPE_CHECKING:
    from app.tools.hub import ToolHub


class SettingsMenu:
    """Opens each settings dialog and keeps what it applies."""

    def __init__(
        self,
        settings: Settings,
        providers: ProviderControl,
        tool_hub: Callable[[], ToolHub],
        chat: ChatController,
        window: MainWindow,
    ) -> None:
        self.settings = settings
        self.providers = providers
        self.tool_hub = tool_hub  # made on first use (EaselApp.tool_hub)
        self.chat = chat
        self.window = window

    def show_providers(self) -> None:
        """Settings → Providers."""
        from widgets.settings_dialogs import ProvidersDialog  # deferred: widgets/warm_up.py

        dialog = ProvidersDialog(self.providers, self.window)
        dialog.open()

    def show_prices(self) -> None:
        """Settings → Model prices."""
        from widgets.settings_dialogs import PricesDialog  # deferred: widgets/warm_up.py

        dialog = PricesDialog(self.settings, self.providers.known_models(), self.window)

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

        open_tools_dialog(self.tool_hub(), self.window)

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
