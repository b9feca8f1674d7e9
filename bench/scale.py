"""Benchmark: a history that scales — start-up, opening, search and artifact tabs, one run.

    .venv/bin/python bench/scale.py [--conversations 10000] [--messages 20] [--long 2000]
                                    [--tabs 50] [--rounds 3] [--quick]
                                    [--only startup|open|search|tabs|turn]

- startup_ratio_10k: the main window ready (bench/startup.py's definition) with EASEL_HOME
  holding `--conversations` × `--messages` stored conversations (some with artifacts, some in
  Chinese) ÷ with an empty home; medians of fresh processes, interleaved.
- open_2000_ratio: opening a `--long`-message conversation ÷ a 10-message one, to first paint
  (the transcript shows the last message, scrolled to the end), in one window, alternated;
  medians of `--rounds` (at least 3) each. Timed from the call that opens it to the moment the
  page has applied the update that shows it, noted on the page itself (bench/scale_window.py).
- turn_2000_stall_ratio: the event loop's longest stall during a turn (a question sent and
  answered by the loopback model server) at the end of the `--long`-message conversation ÷ at
  the end of the 10-message one, medians of `--rounds` (at least 3) each, alternated in one
  window; the milliseconds are printed and given as turn_2000_stall_ms. Everything a turn reads
  of the history (the request, the tree, the branch switchers) grows with it; the stall should
  not.
- search_ms_10k: median milliseconds of the store's full-text search over that history.
- artifact_tabs_leak_mb: PSS of the whole process tree (QtWebEngine's processes included) after
  showing `--tabs` artifact tabs one by one and closing them, minus before.

`--quick` runs small counts (the tests run it so the script cannot rot). `--only` measures one
figure (and builds only the history it needs). Prints the figures, then `RESULT {json}` last
(DESIGN §5), with the figures measured.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.store import DB_FILE, Store  # noqa: E402
from bench.scale_history import (  # noqa: E402
    add_artifact_conversation,
    add_conversation,
    build_history,
)
from tests.model_server import ModelServer, openai_text_reply  # noqa: E402

WINDOW = ROOT / "bench" / "scale_window.py"
PARTS = ("startup", "open", "search", "tabs", "turn")
TURN_REPLY = (
    "Here is the next step of the plan:\n\n- walk to the river\n- lunch at the market\n\n"
    "```python\nprint('have a good trip')\n```\n"
)
QUERIES = ("eastern temples", "counter", "学习计划", "parses log", "Gion", "数学")


def window(home: Path, *arguments: str) -> dict[str, Any]:
    """Run the window child on `home`; its JSON line."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_CHROMIUM_FLAGS": os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox"),
        "EASEL_HOME": str(home),
    }
    result = subprocess.run(
        [sys.executable, str(WINDOW), *arguments],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(
            f"the window child failed ({result.returncode}): {result.stderr[-2000:]}"
        )
    return json.loads(lines[-1])


def search_ms(home: Path, rounds: int) -> float:
    """Median milliseconds of Store.search over the history, each query `rounds` times."""
    store = Store(home / "data" / DB_FILE)
    try:
        times = []
        for _ in range(rounds):
            for query in QUERIES:
                start = time.perf_counter()
                found = store.search(query)
                times.append((time.perf_counter() - start) * 1000)
                if not found:
                    raise RuntimeError(f"the search for {query!r} found nothing")
        return statistics.median(times)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--long", type=int, default=2000)
    parser.add_argument("--tabs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small counts, one round")
    parser.add_argument("--only", choices=PARTS, help="measure this figure alone")
    args = parser.parse_args()
    if args.quick:
        args.conversations, args.long, args.tabs, args.rounds = 200, 120, 3, 1
    parts = {args.only} if args.only else set(PARTS)

    base = Path(tempfile.mkdtemp(prefix="easel-scale-"))
    empty, full, opening = base / "empty", base / "full", base / "open"
    for home in (empty, full, opening):
        home.mkdir()
    if parts & {"startup", "search"}:
        start = time.perf_counter()
        build_history(full, args.conversations, args.messages)
        print(f"built {args.conversations:,} conversations in {time.perf_counter() - start:.1f} s")
    if parts & {"open", "turn"}:
        small = add_conversation(opening, "Ten messages", 10)
        long = add_conversation(opening, f"{args.long} messages", args.long)
    if "tabs" in parts:
        tabs = add_artifact_conversation(opening, args.tabs)
    result: dict[str, float] = {}

    if "startup" in parts:
        bare, loaded = [], []
        for _ in range(args.rounds):  # interleaved, so both see the same machine
            bare.append(window(empty, "startup")["seconds"])
            loaded.append(window(full, "startup")["seconds"])
        startup_ratio = statistics.median(loaded) / statistics.median(bare)
        print(
            f"window ready, empty history: {statistics.median(bare) * 1000:.0f} ms; "
            f"{args.conversations:,} conversations: {statistics.median(loaded) * 1000:.0f} ms"
        )
        result["startup_ratio_10k"] = round(startup_ratio, 2)

    if "open" in parts:
        opened = window(opening, "open", str(small), str(long), str(max(3, args.rounds)))
        open_small = statistics.median(opened["small"])
        open_long = statistics.median(opened["big"])
        print(
            f"opened to first paint: 10 messages {open_small * 1000:.1f} ms, "
            f"{args.long:,} messages {open_long * 1000:.1f} ms (the frames that paint them "
            f"start at {statistics.median(opened['small_frame']) * 1000:.1f} and "
            f"{statistics.median(opened['big_frame']) * 1000:.1f} ms)"
        )
        result["open_2000_ratio"] = round(open_long / open_small, 2)

    if "turn" in parts:
        rounds = 1 if args.quick else max(3, args.rounds)
        with ModelServer() as server:
            for _ in range(2 * rounds):
                server.enqueue(openai_text_reply(TURN_REPLY, chunk_chars=8))
            stalls = window(opening, "turn", str(small), str(long), str(rounds), server.openai_base)
        small_ms, long_ms = statistics.median(stalls["small"]), statistics.median(stalls["big"])
        print(
            f"longest loop stall of a turn: 10 messages {small_ms:.0f} ms, "
            f"{args.long:,} messages {long_ms:.0f} ms"
        )
        result["turn_2000_stall_ratio"] = round(long_ms / max(small_ms, 1.0), 2)
        result["turn_2000_stall_ms"] = round(long_ms, 1)

    if "search" in parts:
        search = search_ms(full, max(3, args.rounds))
        print(f"search over {args.conversations:,} conversations: {search:.1f} ms (median)")
        result["search_ms_10k"] = round(search, 1)

    if "tabs" in parts:
        memory = window(opening, "tabs", str(tabs), str(args.tabs))
        leak_mb = (memory["end_kb"] - memory["start_kb"]) / 1024
        print(
            f"process tree PSS: {memory['start_kb'] / 1024:.0f} MB before, "
            f"{memory['end_kb'] / 1024:.0f} MB after {args.tabs} artifact tabs opened and closed"
        )
        result["artifact_tabs_leak_mb"] = round(leak_mb, 1)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
