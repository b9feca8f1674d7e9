"""What the window shows of the active provider: its name and model, the composer's model
picker, the first-run page, and local servers found on this machine.

It listens to widgets/provider_control.py and passes the user's choices back to it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING

from app.discovery import find_local_servers
from app.i18n import translate
from widgets.composer import Composer
from widgets.main_window import MainWindow
from widgets.provider_control import ProviderControl

if TYPE_CHECKING:
    from widgets.provider_form import ProviderForm


class ProviderStatus:
    """Keeps the window, the composer and the provider form in step with ProviderControl."""

    def __init__(
        self,
        control: ProviderControl,
        window: MainWindow,
        composer: Composer,
        form: Callable[[], ProviderForm],
        ready: Callable[[], bool],
        spawn: Callable[[Coroutine[object, object, object]], object] = asyncio.ensure_future,
    ) -> None:
        self.control = control
        self.window = window
        self.composer = composer
        self.form = form  # made when first needed (EaselApp.form)
        # Whether the first frame is on screen: before it, the model list waits (see EaselApp).
        self._ready = ready
        # Runs the model-list fetch beside the window (EaselApp cancels it at shutdown).
        self._spawn = spawn
        control.profileChanged.connect(self.show_profile)
        control.modelsChanged.connect(self._show_models)
        composer.modelChosen.connect(self.choose_model)
        composer.modelsRefreshRequested.connect(lambda: self._spawn(control.refresh_models()))

    def show_profile(self) -> None:
        """Show the active profile (or the first-run page when there is none)."""
        profile = self.control.profile
        self.window.show_first_run(profile is None)
        if profile is None:
            self.window.set_model_status(translate("EaselApp", "No provider"), "")
            return
        self.window.set_model_status(profile.name, self.control.model)
        self.composer.think_button.setVisible(profile.kind == "anthropic")
        models = self.control.models.get(profile.name, [])
        self.composer.set_models(models, self.control.model)
        if profile.name not in self.control.models and self._ready():
            # At start-up: after the first frame.
            self._spawn(self.control.refresh_models())

    def _show_models(self) -> None:
        profile = self.control.profile
        if profile is not None:
            self.composer.set_models(self.control.models[profile.name], self.control.model)

    def choose_model(self, model: str) -> None:
        """Use another model of the same provider from the next reply on."""
        if self.control.choose_model(model):
            assert self.control.profile is not None
            self.window.set_model_status(self.control.profile.name, model)

    def thinking(self) -> bool:
        """Whether the next reply may think first (Anthropic, and the button is on)."""
        profile = self.control.profile
        return bool(
            profile and profile.kind == "anthropic" and self.composer.think_button.isChecked()
        )

    async def offer_local_servers(self) -> None:
        """Offer the model servers running on this machine in the provider form."""
        found = await find_local_servers(self.control.client)
        self.form().offer_local_servers(found)
