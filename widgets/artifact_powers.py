"""The artifact bridge in the window: storage in the history, the model after the user says yes.

`ArtifactPowers` composes app/artifact_storage.py, app/artifact_bridge.py and
sandbox/bridge.py for the desktop app (DESIGN.md §4.1): storage persists in the conversation's
database; a model call goes to the provider and model the user has chosen at that moment,
through the provider layer, after the consent bar on the artifact's tab answered; the tab's
toolbar shows the calls and tokens; a reload lets a declined artifact ask again.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject

from app.artifact_bridge import ArtifactBridge
from app.artifact_model import Connect, ProviderModel
from app.artifact_storage import ArtifactRef, ArtifactStorage, ref_for_key
from app.attachment_store import file_reader
from app.store import Store
from sandbox.bridge import BridgeEndpoint
from widgets.artifact_panel import ArtifactPanel


class ArtifactPowers:
    """Owns the bridge of the window's artifacts; `attach` it to the panel once it exists."""

    def __init__(self, store: Store, connect: Connect, parent: QObject | None = None) -> None:
        self._connect = connect
        self.storage, self.bridge = self._bridge_for(store)
        self.endpoint = BridgeEndpoint(self.bridge, _schedule, parent)
        self._panel: ArtifactPanel | None = None

    def _bridge_for(self, store: Store) -> tuple[ArtifactStorage, ArtifactBridge]:
        storage = ArtifactStorage(store)
        bridge = ArtifactBridge(
            storage,
            store,
            model=ProviderModel(self._connect),
            consent=self._ask,
            files=file_reader(store),  # window.fs.readFile: the conversation's attached files
        )
        return storage, bridge

    def use_store(self, store: Store) -> None:
        """The app started an empty history: storage, model calls and files are the new
        store's from now on. Flush the endpoint before the old store closes."""
        self.storage, self.bridge = self._bridge_for(store)
        self.endpoint.use_bridge(self.bridge)

    def attach(self, panel: ArtifactPanel) -> None:
        """Questions go to the artifact's tab; usage to its toolbar; a reload forgets a no."""
        self._panel = panel
        self.endpoint.usageChanged.connect(panel.show_model_usage)
        panel.tabReloaded.connect(lambda key: self.bridge.forget_refusal(ref_for_key(key)))
        panel.modelPermissionRevoked.connect(lambda key: self.bridge.revoke(ref_for_key(key)))

    def forget_conversation(self, conversation_id: int) -> None:
        """A deleted conversation's storage leaves the cache too (the rows are gone)."""
        self.storage.forget(conversation_id)

    def close(self) -> None:
        """Write what artifacts stored and not yet saved."""
        self.endpoint.close()

    async def _ask(self, ref: ArtifactRef, prompt: str, reason: str) -> str:
        key = f"{ref.conversation_id}/{ref.identifier}"
        tab = self._panel.tab_for_key(key) if self._panel is not None else None
        if tab is None:
            return "deny"  # no tab to ask on (the conversation was closed): nothing is sent
        return await tab.consent.ask(prompt, reason)


def _schedule(coroutine: object) -> None:
    asyncio.ensure_future(coroutine)  # type: ignore[arg-type]
