"""Benchmark: a reply with many tiny artifacts vs the same bytes of prose, through ChatSession.

A real `ChatSession` talks to the loopback model server through the real OpenAI-compatible
provider and stores into a real SQLite store (as `main.py ask` does). For each N, a reply of N
tiny SVG artifacts and a reply of prose with the same byte length are streamed in the same
chunks; each is timed from `send()` to the turn's end. The ratio (artifacts / prose) should stay
near 1 and must not grow with N (it was 35x at N=1500 when every closing artifact rewrote the
reply and its search index). Artifacts past the cap (200) stay text, so N=1500 is also run with
the cap lifted, to show the store's cost per artifact is flat.

    .venv/bin/python bench/many_artifacts.py [--counts 200 1500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["EASEL_HOME"] = tempfile.mkdtemp(prefix="easel-bench-")

import httpx  # noqa: E402

from app import session as session_module  # noqa: E402
from app.providers import make_provider  # noqa: E402
from app.session import ArtifactSaved, ChatSession, SessionEvent  # noqa: E402
from app.store import Store  # noqa: E402
from tests.model_server import ModelServer, openai_text_reply  # noqa: E402

CHUNK_CHARS = 16


def artifact_reply(count: int) -> str:
    """`count` tiny SVG artifacts, one line of prose before each."""
    return "".join(
        f"Dot {n}:\n"
        f'<artifact identifier="dot-{n}" type="image/svg+xml" title="Dot {n}">\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="{n % 4 + 1}"/>'
        "</svg>\n</artifact>\n"
        for n in range(count)
    )


def prose_reply(length: int) -> str:
    """Plain Markdown prose of exactly `length` characters."""
    line = "A line of ordinary prose about dots, circles and their radii.\n"
    return (line * (length // len(line) + 1))[:length]


async def timed_turn(session: ChatSession, server: ModelServer, text: str) -> tuple[float, int]:
    """Seconds from send() to the end of the turn, and how many versions it stored."""
    server.enqueue(openai_text_reply(text, chunk_chars=CHUNK_CHARS))
    saved = 0

    def listen(event: SessionEvent) -> None:
        nonlocal saved
        saved += isinstance(event, ArtifactSaved)

    start = time.perf_counter()
    message = await session.send("Draw the dots.", listen)
    seconds = time.perf_counter() - start
    if message.status != "complete" or message.content != text:
        raise RuntimeError(f"the reply was not stored whole ({message.status})")
    return seconds, saved


async def measure(count: int, rounds: int) -> dict[str, float]:
    """Median seconds of the artifact reply and of the prose reply, interleaved."""
    store = Store(Path(os.environ["EASEL_HOME"]) / f"bench-{count}.sqlite3")
    artifacts, prose = artifact_reply(count), prose_reply(len(artifact_reply(count)))
    times: dict[str, list[float]] = {"artifacts": [], "prose": []}
    stored = 0
    with ModelServer() as server:
        async with httpx.AsyncClient(timeout=120) as client:
            provider = make_provider(
                "openai", client=client, base_url=server.openai_base, api_key=None, name="bench"
            )
            for _ in range(rounds):
                for kind, text in (("artifacts", artifacts), ("prose", prose)):
                    conversation = store.create_conversation(f"bench {kind}")
                    session = ChatSession(
                        store, conversation.id, provider, "test-model", system_prompt=None
                    )
                    seconds, saved = await timed_turn(session, server, text)
                    times[kind].append(seconds)
                    stored = max(stored, saved)
    store.close()
    a, p = statistics.median(times["artifacts"]), statistics.median(times["prose"])
    return {"artifacts_s": a, "prose_s": p, "ratio": a / p, "stored": stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[200, 1500])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result: dict[str, float] = {}
    for count in args.counts:
        figures = asyncio.run(measure(count, args.rounds))
        print(
            f"N={count:>5}: {figures['stored']:.0f} versions stored, "
            f"artifacts {figures['artifacts_s']:.3f} s, prose {figures['prose_s']:.3f} s, "
            f"ratio {figures['ratio']:.2f}"
        )
        result[f"ratio_{count}"] = round(figures["ratio"], 2)
        result[f"artifacts_s_{count}"] = round(figures["artifacts_s"], 3)
        result[f"prose_s_{count}"] = round(figures["prose_s"], 3)
        result[f"stored_{count}"] = figures["stored"]
    # The store's own scaling, without the cap: every artifact becomes a version.
    largest = max(args.counts)
    limit = session_module.MAX_ARTIFACTS_PER_REPLY
    session_module.MAX_ARTIFACTS_PER_REPLY = largest + 1
    try:
        figures = asyncio.run(measure(largest, args.rounds))
    finally:
        session_module.MAX_ARTIFACTS_PER_REPLY = limit
    print(
        f"N={largest:>5} uncapped: {figures['stored']:.0f} versions stored, "
        f"ratio {figures['ratio']:.2f}"
    )
    result[f"ratio_{largest}_uncapped"] = round(figures["ratio"], 2)
    result[f"stored_{largest}_uncapped"] = figures["stored"]
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
