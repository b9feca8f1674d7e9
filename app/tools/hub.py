"""The tool servers of one process and the tool loop each session gets from them.

The hub keeps one `MCPSource` per configured server for the life of the process (a server is
started once, not per conversation), can start them in the background after start-up, and
builds a `ToolLoop` for a session: Easel's built-ins plus every enabled server, under the
user's approval policy. Applying new settings closes the servers that were removed or changed.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.tools.settings import ToolSettings

if TYPE_CHECKING:  # annotations only; httpx costs ~0.2 s to import
    import httpx

    from app.tools.approval import ApprovalPolicy, Approver
    from app.tools.loop import ToolLoop
    from app.tools.mcp_source import MCPSource

log = logging.getLogger(__name__)


class ToolHub:
    """The MCP servers of the process, by name, and the settings they came from."""

    def __init__(
        self, settings: ToolSettings, save: Callable[[ToolSettings], None] = lambda s: None
    ) -> None:
        self.settings = settings
        self._save = save
        self.sources: dict[str, MCPSource] = {}
        # "Allow for this conversation", shared by the sessions of a conversation (the window
        # makes a session per turn), for as long as the app runs.
        self.conversation_allowed: dict[int, set[str]] = {}
        self._policies: weakref.WeakSet[ApprovalPolicy] = weakref.WeakSet()
        self.apply(settings)

    def apply(self, settings: ToolSettings) -> list[MCPSource]:
        """Use new settings; returns the sources that must be closed (removed or changed)."""
        stale = [
            source for name, source in self.sources.items() if source.config not in settings.servers
        ]
        for source in stale:
            del self.sources[source.name]
        for config in settings.servers:
            if config.enabled and config.name not in self.sources:
                from app.tools.mcp_source import MCPSource  # only when a server is configured

                self.sources[config.name] = MCPSource(config)
        for config in settings.servers:
            if not config.enabled and config.name in self.sources:
                stale.append(self.sources.pop(config.name))
        self.settings = settings
        for policy in self._policies:
            policy.settings = settings
        return stale

    def save(self, settings: ToolSettings) -> None:
        """Store settings changed by an approval ("always allow")."""
        self.settings = settings
        for policy in self._policies:
            policy.settings = settings
        self._save(settings)

    async def start_all(self) -> None:
        """Start every enabled server (in the background after start-up); failures are kept."""
        await asyncio.gather(*(_try(source) for source in self.sources.values()))

    def loop_for(
        self, client: httpx.AsyncClient, base_url: str, approver: Approver
    ) -> ToolLoop | None:
        """A session's tool loop, or None when no tool is offered at all."""
        if not self.settings.any_tools:
            return None
        # Imported for the first turn, not at start-up (~20 ms, the providers' base with them).
        from app.tools.approval import ApprovalPolicy
        from app.tools.builtin import BuiltinTools, is_moonshot
        from app.tools.loop import ToolLoop
        from app.tools.registry import ToolRegistry, ToolSource

        builtin = BuiltinTools(
            client,
            fetch_url=self.settings.fetch_url,
            web_search=self.settings.web_search and is_moonshot(base_url),
        )
        sources: list[ToolSource] = [builtin, *self.sources.values()]
        policy = ApprovalPolicy(self.settings, approver, self.save, self.conversation_allowed)
        self._policies.add(policy)
        return ToolLoop(ToolRegistry(sources), policy)

    async def close(self) -> None:
        """Stop every server."""
        await asyncio.gather(*(source.close() for source in self.sources.values()))


async def _try(source: MCPSource) -> None:
    try:
        await source.list_tools()
    except Exception as error:  # noqa: BLE001 - its state says it; the others go on
        log.info("tool server %s did not start: %s", source.name, error)
