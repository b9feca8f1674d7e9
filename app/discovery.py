"""Find model servers running on this machine (Ollama, LM Studio) and the models they offer.

Both speak the OpenAI-compatible API, so `GET {base}/models` answers with
`{"object": "list", "data": [{"id": "llama3.2"}, …]}`. Probes run at once with a short
timeout; a server that is not running is simply absent from the result.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from app.presets import PRESETS, Preset

if TYPE_CHECKING:  # annotations only; httpx costs ~0.2 s to import
    import httpx

log = logging.getLogger(__name__)


async def find_local_servers(
    client: httpx.AsyncClient,
    candidates: Sequence[Preset] | None = None,
    *,
    timeout: float = 0.4,
) -> list[tuple[Preset, list[str]]]:
    """The candidates (default: the local presets) that answer, each with its model ids.

    Never raises: a refused connection, a timeout or an answer that is not a model list
    all mean "no server here".
    """
    presets = list(candidates) if candidates is not None else [p for p in PRESETS if p.local]
    answers = await asyncio.gather(*(_models_of(client, p, timeout) for p in presets))
    return [
        (preset, models)
        for preset, models in zip(presets, answers, strict=True)
        if models is not None
    ]


async def _models_of(client: httpx.AsyncClient, preset: Preset, timeout: float) -> list[str] | None:
    import httpx  # here, not at start-up: see the TYPE_CHECKING import above

    url = preset.base_url.rstrip("/") + "/models"
    try:
        response = await client.get(url, timeout=timeout)
        if response.status_code != 200:
            return None
        return _model_ids(response.json())
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
        # The common case (nothing listening) is not worth more than a debug line.
        log.debug("no model server at %s: %s", url, type(error).__name__)
        return None


def _model_ids(body: Any) -> list[str] | None:
    """The ids in an OpenAI-style model list, or None when the body is not one."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        return None
    return [
        item["id"] for item in data if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]
