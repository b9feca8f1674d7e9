"""Benchmark: revising a 30 KB game by an edit reply vs by a full rewrite.

A real `ChatSession` talks to the loopback model server through the real OpenAI-compatible
provider and stores into a real SQLite store. First a full ~30 KB game artifact is written;
then, interleaved for a few rounds, the same one-line change (a speed constant) arrives as
(a) an `<artifact-edit>` reply and (b) a full rewrite of the artifact, both streamed at the same
token rate (4 characters per chunk, a fixed delay per chunk). Each is timed from `send()` to the
new version being stored (the `ArtifactSaved` event). Prints bytes streamed, wall times and the
ratio (target: the edit path ≥ 10× faster end to end).

    .venv/bin/python bench/revise.py [--rounds N] [--delay SECONDS_PER_CHUNK]
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

from app.providers import make_provider  # noqa: E402
from app.session import ArtifactSaved, ChatSession, EditFailed, SessionEvent  # noqa: E402
from app.store import Store  # noqa: E402
from tests.model_server import ModelServer, Reply, openai_text_reply  # noqa: E402

IDENTIFIER = "star-courier"
CHUNK_CHARS = 4  # about one token per chunk
TARGET_BYTES = 30_000

GAME = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Star Courier</title>
<style>
  html, body { margin: 0; height: 100%; background: #0b0d14; color: #e8e6df;
    font: 14px/1.4 system-ui, sans-serif; }
  #wrap { display: grid; place-items: center; height: 100%; }
  canvas { background: radial-gradient(#141a2b, #07080d); border-radius: 8px;
    box-shadow: 0 10px 40px #0008; }
  #hud { position: fixed; top: 12px; left: 16px; display: flex; gap: 18px; }
  #hud b { color: #f3b27a; }
  #banner { position: fixed; inset: 0; display: grid; place-items: center; pointer-events: none;
    font-size: 28px; letter-spacing: .05em; text-shadow: 0 2px 12px #000; }
</style>
</head>
<body>
<div id="hud">Score <b id="score">0</b> Fuel <b id="fuel">100</b> Sector <b id="sector">1</b>
 Parcels <b id="parcels">0</b></div>
<div id="banner">Press Space to launch</div>
<div id="wrap"><canvas id="game" width="800" height="600"></canvas></div>
<script>
"use strict";
const SHIP_SPEED = 4;
const THRUST = 0.18;
const FRICTION = 0.985;
const FUEL_PER_SECOND = 2.5;
const PARCEL_SCORE = 150;
const SECTORS = __SECTORS__;
const canvas = document.getElementById("game");
const ctx = canvas.getContext("2d");
const keys = new Set();
const state = {
  running: false, score: 0, fuel: 100, sector: 0, parcels: 0,
  ship: { x: 400, y: 300, vx: 0, vy: 0, angle: -Math.PI / 2 },
  rocks: [], stations: [], sparks: [], stars: [], last: 0,
};

function rand(min, max) { return min + Math.random() * (max - min); }

function makeStars() {
  state.stars = Array.from({ length: 140 }, () => ({
    x: rand(0, canvas.width), y: rand(0, canvas.height), z: rand(0.2, 1.2),
  }));
}

function loadSector(index) {
  const sector = SECTORS[index % SECTORS.length];
  state.rocks = sector.rocks.map(([x, y, r, vx, vy]) => ({ x, y, r, vx, vy, spin: rand(-1, 1) }));
  state.stations = sector.stations.map(([x, y]) => ({ x, y, served: false, pulse: 0 }));
  document.getElementById("sector").textContent = index + 1;
}

function reset() {
  Object.assign(state, { score: 0, fuel: 100, sector: 0, parcels: 0, running: true });
  Object.assign(state.ship, { x: 400, y: 300, vx: 0, vy: 0, angle: -Math.PI / 2 });
  loadSector(0);
  document.getElementById("banner").textContent = "";
}

function steer(dt) {
  const ship = state.ship;
  if (keys.has("ArrowLeft")) ship.angle -= 3.2 * dt;
  if (keys.has("ArrowRight")) ship.angle += 3.2 * dt;
  if (keys.has("ArrowUp") && state.fuel > 0) {
    ship.vx += Math.cos(ship.angle) * THRUST * SHIP_SPEED;
    ship.vy += Math.sin(ship.angle) * THRUST * SHIP_SPEED;
    state.fuel = Math.max(0, state.fuel - FUEL_PER_SECOND * dt);
    state.sparks.push({ x: ship.x, y: ship.y, life: 0.5,
      vx: -Math.cos(ship.angle) * 2 + rand(-0.5, 0.5), vy: -Math.sin(ship.angle) * 2 });
  }
  const speed = Math.hypot(ship.vx, ship.vy);
  const limit = SHIP_SPEED * 2;
  if (speed > limit) { ship.vx *= limit / speed; ship.vy *= limit / speed; }
  ship.vx *= FRICTION; ship.vy *= FRICTION;
  ship.x = (ship.x + ship.vx + canvas.width) % canvas.width;
  ship.y = (ship.y + ship.vy + canvas.height) % canvas.height;
}

function moveRocks(dt) {
  for (const rock of state.rocks) {
    rock.x = (rock.x + rock.vx * dt * 60 + canvas.width) % canvas.width;
    rock.y = (rock.y + rock.vy * dt * 60 + canvas.height) % canvas.height;
    rock.spin += dt;
    if (Math.hypot(rock.x - state.ship.x, rock.y - state.ship.y) < rock.r + 10) crash();
  }
}

function deliver() {
  for (const station of state.stations) {
    station.pulse = (station.pulse + 0.05) % 1;
    if (!station.served && Math.hypot(station.x - state.ship.x, station.y - state.ship.y) < 26) {
      station.served = true;
      state.parcels += 1;
      state.score += PARCEL_SCORE;
      state.fuel = Math.min(100, state.fuel + 20);
    }
  }
  if (state.stations.every((s) => s.served)) {
    state.sector += 1;
    loadSector(state.sector);
  }
}

function crash() {
  state.running = false;
  document.getElementById("banner").textContent = "Hull breach! Press Space to relaunch";
}

function drawShip() {
  const { x, y, angle } = state.ship;
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(angle);
  ctx.fillStyle = "#f3b27a";
  ctx.beginPath();
  ctx.moveTo(14, 0); ctx.lineTo(-10, 8); ctx.lineTo(-6, 0); ctx.lineTo(-10, -8);
  ctx.closePath();
  ctx.fill();
  ctx.restore();
}

function draw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (const star of state.stars) {
    ctx.fillStyle = `rgba(255,255,255,${star.z / 1.4})`;
    ctx.fillRect(star.x, star.y, star.z * 1.6, star.z * 1.6);
  }
  for (const station of state.stations) {
    ctx.strokeStyle = station.served ? "#4a5568" : "#7ee0a1";
    ctx.beginPath();
    ctx.arc(station.x, station.y, 16 + station.pulse * 8, 0, Math.PI * 2);
    ctx.stroke();
  }
  ctx.fillStyle = "#8c8f9c";
  for (const rock of state.rocks) {
    ctx.beginPath();
    ctx.arc(rock.x, rock.y, rock.r, 0, Math.PI * 2);
    ctx.fill();
  }
  for (const spark of state.sparks) {
    ctx.fillStyle = `rgba(243,178,122,${spark.life * 2})`;
    ctx.fillRect(spark.x, spark.y, 2, 2);
  }
  drawShip();
}

function updateHud() {
  document.getElementById("score").textContent = state.score;
  document.getElementById("fuel").textContent = Math.round(state.fuel);
  document.getElementById("parcels").textContent = state.parcels;
}

function frame(now) {
  const dt = Math.min(0.05, (now - state.last) / 1000 || 0);
  state.last = now;
  if (state.running) {
    steer(dt);
    moveRocks(dt);
    deliver();
  }
  state.sparks = state.sparks.filter((s) => (s.life -= dt) > 0);
  state.sparks.forEach((s) => { s.x += s.vx; s.y += s.vy; });
  draw();
  updateHud();
  requestAnimationFrame(frame);
}

addEventListener("keydown", (event) => {
  keys.add(event.key);
  if (event.key === " " && !state.running) reset();
});
addEventListener("keyup", (event) => keys.delete(event.key));
makeStars();
loadSector(0);
requestAnimationFrame(frame);
</script>
</body>
</html>
"""


def _sectors(count: int) -> str:
    """Hand-placed-looking sector data (deterministic), one sector per line."""
    lines = []
    for n in range(count):
        rocks = ", ".join(
            f"[{(n * 97 + k * 61) % 760 + 20}, {(n * 53 + k * 89) % 560 + 20}, "
            f"{12 + (n + k) % 18}, {((n + 2 * k) % 7 - 3) / 4}, {((3 * n + k) % 5 - 2) / 4}]"
            for k in range(6 + n % 4)
        )
        stations = ", ".join(
            f"[{(n * 131 + k * 211) % 720 + 40}, {(n * 71 + k * 157) % 520 + 40}]" for k in range(3)
        )
        lines.append(f'  {{ name: "Sector {n + 1}", rocks: [{rocks}], stations: [{stations}] }}')
    return "[\n" + ",\n".join(lines) + "\n]"


def make_game() -> str:
    """The game with as many sectors as bring it to about 30 KB."""
    count = 1
    while len(GAME.replace("__SECTORS__", _sectors(count))) < TARGET_BYTES:
        count += 1
    return GAME.replace("__SECTORS__", _sectors(count))


def full_reply(content: str) -> str:
    return (
        "Here is the game.\n\n"
        f'<artifact identifier="{IDENTIFIER}" type="text/html" title="Star Courier">\n'
        f"{content}\n</artifact>\n\nFly with the arrow keys; Space launches."
    )


def edit_reply(old: int, new: int) -> str:
    return (
        f"Done: the ship is faster now.\n\n"
        f'<artifact-edit identifier="{IDENTIFIER}">\n'
        f"<find>\nconst SHIP_SPEED = {old};\n</find>\n"
        f"<replace>\nconst SHIP_SPEED = {new};\n</replace>\n"
        "</artifact-edit>\n"
    )


def with_speed(content: str, speed: int) -> str:
    return content.replace("const SHIP_SPEED = 4;", f"const SHIP_SPEED = {speed};")


def wire_bytes(reply: Reply) -> int:
    return sum(len(chunk) for chunk in reply.chunks)


async def timed_turn(session: ChatSession, prompt: str) -> tuple[float, str]:
    """Seconds from send() to the new version being stored, and that version's content."""
    saved: list[tuple[float, str]] = []

    def listen(event: SessionEvent) -> None:
        if isinstance(event, ArtifactSaved):
            saved.append((time.perf_counter(), event.version.content))
        elif isinstance(event, EditFailed):
            raise RuntimeError(f"the edit failed: {event.reason}")

    start = time.perf_counter()
    await session.send(prompt, listen)
    if not saved:
        raise RuntimeError("no version was stored")
    return saved[0][0] - start, saved[0][1]


async def run(rounds: int, delay: float) -> None:
    game = make_game()
    store = Store(Path(os.environ["EASEL_HOME"]) / "bench.sqlite3")
    with ModelServer() as server:
        async with httpx.AsyncClient(timeout=60) as client:
            provider = make_provider(
                "openai", client=client, base_url=server.openai_base, api_key=None, name="bench"
            )
            conversation = store.create_conversation("bench")
            session = ChatSession(
                store, conversation.id, provider, "test-model", system_prompt=None
            )
            server.enqueue(openai_text_reply(full_reply(game), chunk_chars=4096))
            await timed_turn(session, "Make me a space delivery game.")
            edit_times, full_times, speed = [], [], 4
            edit_bytes = full_bytes = edit_text = full_text = 0
            for _ in range(rounds):
                edit = openai_text_reply(edit_reply(speed, speed + 1), chunk_chars=CHUNK_CHARS)
                edit.delay = delay
                server.enqueue(edit)
                seconds, content = await timed_turn(session, "Make the ship faster.")
                assert content == with_speed(game, speed + 1), "the edit made the wrong content"
                edit_times.append(seconds)
                edit_bytes, edit_text = wire_bytes(edit), len(edit_reply(speed, speed + 1))
                speed += 1
                rewrite_text = full_reply(with_speed(game, speed + 1))
                rewrite = openai_text_reply(rewrite_text, chunk_chars=CHUNK_CHARS)
                rewrite.delay = delay
                server.enqueue(rewrite)
                seconds, content = await timed_turn(session, "Make the ship faster.")
                assert content == with_speed(game, speed + 1), "the rewrite made the wrong content"
                full_times.append(seconds)
                full_bytes, full_text = wire_bytes(rewrite), len(rewrite_text)
                speed += 1
    store.close()
    report(
        len(game), delay, edit_times, full_times, (edit_text, edit_bytes), (full_text, full_bytes)
    )


def report(
    game_bytes: int,
    delay: float,
    edit_times: list[float],
    full_times: list[float],
    edit_size: tuple[int, int],
    full_size: tuple[int, int],
) -> None:
    edit, full = statistics.median(edit_times), statistics.median(full_times)
    rate = CHUNK_CHARS / delay if delay else float("inf")
    print(f"game artifact: {game_bytes:,} bytes; stream: {CHUNK_CHARS} chars per chunk, "
          f"{delay * 1000:.2f} ms per chunk (~{rate:,.0f} chars/s)")  # fmt: skip
    print(f"{'':14}{'reply chars':>12}{'wire bytes':>12}{'median s':>10}  runs")
    print(f"{'edit reply':14}{edit_size[0]:>12,}{edit_size[1]:>12,}{edit:>10.3f}  "
          f"{', '.join(f'{t:.3f}' for t in edit_times)}")  # fmt: skip
    print(f"{'full rewrite':14}{full_size[0]:>12,}{full_size[1]:>12,}{full:>10.3f}  "
          f"{', '.join(f'{t:.3f}' for t in full_times)}")  # fmt: skip
    ratio = full / edit
    verdict = "meets" if ratio >= 10 else "MISSES"
    print(f"ratio (full rewrite / edit), end to end: {ratio:.1f}x  ({verdict} the 10x target)")
    print(f"bytes streamed ratio: {full_size[1] / edit_size[1]:.1f}x")
    figures = {
        "ratio_rewrite_to_edit": round(ratio, 1),
        "bytes_ratio": round(full_size[1] / edit_size[1], 1),
        "edit_s": round(edit, 3),
        "rewrite_s": round(full, 3),
    }
    print("RESULT " + json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="edit/rewrite pairs (default 3)")
    parser.add_argument(
        "--delay", type=float, default=0.0005, help="seconds between chunks (default 0.0005)"
    )
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.delay))


if __name__ == "__main__":
    main()
