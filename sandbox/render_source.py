"""What `render` shows: a page file, or a stored artifact with its storage and model calls.

DESIGN.md §5: `render IN.html …`, or `render --conversation ID --artifact IDENTIFIER
[--version N] [--allow-model] [PROVIDER OPTIONS] …` — the latest version by default, with the
artifact's `window.storage` from the history (what the page writes is kept there, as in the
window). Model calls (`window.claude.complete`) are refused unless `--allow-model` is given; then
they go to the provider the options name, without asking (there is nobody to ask), up to the
per-run budget. The bridge's coroutines run on a thread of their own, since `render` waits with
Qt's event loops and has no asyncio loop.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.artifact_bridge import ArtifactBridge, Completion
from app.artifact_model import ProviderModel
from app.artifact_storage import ArtifactStorage
from app.attachment_store import file_reader
from app.cli import add_provider_options, profile_from_options
from app.config import ConfigError, ProviderProfile, load_settings
from app.connection import new_http_client, provider_for
from app.documents import artifact_document
from app.providers.base import Message
from app.secrets import KeyStore
from app.store import Store
from app.store_errors import StoreError
from app.store_recovery import open_history

MODEL_OFF = (
    "Model calls are off in render: add --allow-model (with provider options) to let them through."
)


class SourceError(Exception):
    """The input cannot be rendered; str() is one sentence, `usage` says whether it is exit 2."""

    def __init__(self, sentence: str, *, usage: bool = True) -> None:
        super().__init__(sentence)
        self.usage = usage


@dataclass
class RenderSource:
    """The page to load, the key it is shown under, and the bridge its calls go to."""

    key: str
    html: str
    bridge: ArtifactBridge
    store: Store | None = None

    def close(self) -> None:
        """Keep what the page stored; close the history."""
        try:
            self.bridge.save_calls()
            self.bridge.storage.flush()
        finally:
            if self.store is not None:
                self.store.close()


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """The input: a file, or a stored artifact (and whether its model calls may go out)."""
    parser.add_argument("input", type=Path, nargs="?", help="the HTML file to load")
    stored = parser.add_argument_group("a stored artifact instead of a file")
    stored.add_argument("--conversation", type=int, metavar="ID", help="the conversation")
    stored.add_argument("--artifact", metavar="IDENTIFIER", help="the artifact's identifier")
    stored.add_argument("--version", type=int, metavar="N", help="a version (default: latest)")
    stored.add_argument(
        "--allow-model",
        action="store_true",
        help="let the page's window.claude.complete calls reach the model",
    )
    add_provider_options(parser)


def open_source(args: argparse.Namespace, environment: Mapping[str, str]) -> RenderSource:
    """The source the arguments name; SourceError with the sentence to print."""
    model = _model(args, environment) if args.allow_model else None
    if args.conversation is None and args.artifact is None:
        if args.input is None:
            raise SourceError("give a page file, or --conversation ID --artifact IDENTIFIER.")
        try:
            html = args.input.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise SourceError(f"cannot read {args.input}: {error.strerror or error}.") from None
        bridge = _bridge(ArtifactStorage(None), None, model)
        return RenderSource(f"render:{args.input.name}", html, bridge)
    if args.input is not None or args.conversation is None or args.artifact is None:
        raise SourceError("--conversation and --artifact go together, without a page file.")
    try:
        store = open_history().store
    except StoreError as error:
        raise SourceError(str(error), usage=False) from None
    if args.version is None:  # the latest on the branch the conversation shows
        chosen = store.path_versions(args.conversation, args.artifact)
    else:
        versions = store.artifact_versions(args.conversation, args.artifact)
        chosen = [v for v in versions if v.version == args.version]
    if not chosen:
        store.close()
        which = f" version {args.version}" if args.version is not None else ""
        raise SourceError(
            f"conversation {args.conversation} has no artifact {args.artifact!r}{which}."
        )
    version = chosen[-1]
    html = artifact_document(version.type, version.content, version.title)
    bridge = _bridge(ArtifactStorage(store), store, model)
    return RenderSource(f"{args.conversation}/{args.artifact}", html, bridge, store)


def run_in_thread(coroutine: Coroutine[Any, Any, None]) -> None:
    """The bridge's scheduler in render: each call on a thread with its own asyncio loop."""
    threading.Thread(target=asyncio.run, args=(coroutine,), daemon=True).start()


def _bridge(storage: ArtifactStorage, store: Store | None, model: object) -> ArtifactBridge:
    return ArtifactBridge(
        storage,
        store,
        model=model,  # type: ignore[arg-type]
        preapproved=model is not None,
        unavailable=MODEL_OFF,
        files=file_reader(store) if store is not None else None,  # the conversation's files
    )


def _model(args: argparse.Namespace, environment: Mapping[str, str]) -> _RenderModel:
    try:
        profile = profile_from_options(load_settings(), args)
    except ConfigError as error:
        raise SourceError(str(error)) from None
    return _RenderModel(profile, environment)


class _RenderModel:
    """A model call from a render thread: its own client and key store, closed afterwards."""

    def __init__(self, profile: ProviderProfile, environment: Mapping[str, str]) -> None:
        self._profile = profile
        self._environment = dict(environment)

    async def __call__(
        self, messages: tuple[Message, ...], system: str | None, max_tokens: int
    ) -> Completion:
        settings = load_settings()
        async with new_http_client(read_timeout=settings.read_timeout) as client:
            keys = await KeyStore.open_default(self._environment)
            provider = await provider_for(self._profile, client, keys)

            async def connect() -> tuple[Any, ProviderProfile]:
                return provider, self._profile

            return await ProviderModel(connect)(messages, system, max_tokens)
