"""Benchmark: showing an artifact in the sandbox vs a bare `QWebEngineView.setHtml`.

Measures, in one run and interleaved, the time from handing a ~30 KB canvas game to the view
until `loadFinished`: through `ArtifactView.show_document` (scheme handler, interceptor, CSP,
own origin) and through a plain `setHtml` in a default view. Prints the medians and ratios.

    .venv/bin/python bench/artifact.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.partial_preview import partial_preview  # noqa: E402
from sandbox.engine import add_gpu_switches, start_network_wall  # noqa: E402
from sandbox.profile import make_artifact_profile  # noqa: E402
from sandbox.scheme import register_scheme  # noqa: E402
from sandbox.view import ArtifactView  # noqa: E402

GAME = """<!doctype html>
<html><head><meta charset="utf-8"><title>Breakout</title>
<style>
  body { margin: 0; background: #111; color: #eee; font: 14px system-ui; display: grid;
         place-items: center; height: 100vh; }
  canvas { background: #000; border: 1px solid #444; }
  #hud { position: fixed; top: 8px; left: 8px; }
</style></head>
<body><div id="hud">Score <span id="score">0</span> · Lives <span id="lives">3</span>
· Level <span id="level">1</span></div><canvas id="game" width="640" height="480"></canvas>
<script>
"use strict";
const LEVELS = __LEVELS__;
const PALETTE = __PALETTE__;
const canvas = document.getElementById("game");
const ctx = canvas.getContext("2d");
const state = { score: 0, lives: 3, level: 0, bricks: [], particles: [], keys: {} };
const paddle = { x: 270, y: 450, w: 100, h: 12, speed: 7 };
const ball = { x: 320, y: 300, r: 7, dx: 3.2, dy: -3.6, stuck: true };
const BRICK = { w: 48, h: 18, gap: 4, top: 50, left: 10 };

function buildLevel(index) {
  const rows = LEVELS[index % LEVELS.length];
  state.bricks = [];
  rows.forEach((row, r) => row.forEach((hits, c) => {
    if (hits > 0) state.bricks.push({
      x: BRICK.left + c * (BRICK.w + BRICK.gap), y: BRICK.top + r * (BRICK.h + BRICK.gap),
      hits, color: PALETTE[(r + hits) % PALETTE.length] });
  }));
  document.getElementById("level").textContent = index + 1;
}

function resetBall() {
  ball.x = paddle.x + paddle.w / 2; ball.y = paddle.y - ball.r - 1;
  ball.dx = 3.2 * (Math.random() < 0.5 ? -1 : 1); ball.dy = -3.6; ball.stuck = true;
}

function burst(x, y, color) {
  for (let i = 0; i < 12; i++) {
    const angle = (Math.PI * 2 * i) / 12;
    state.particles.push({ x, y, dx: Math.cos(angle) * 2, dy: Math.sin(angle) * 2, life: 30, color });
  }
}

function collideBricks() {
  for (const brick of state.bricks) {
    if (brick.hits <= 0) continue;
    const nearX = Math.max(brick.x, Math.min(ball.x, brick.x + BRICK.w));
    const nearY = Math.max(brick.y, Math.min(ball.y, brick.y + BRICK.h));
    const dx = ball.x - nearX, dy = ball.y - nearY;
    if (dx * dx + dy * dy > ball.r * ball.r) continue;
    if (Math.abs(dx) > Math.abs(dy)) ball.dx = -ball.dx; else ball.dy = -ball.dy;
    brick.hits -= 1;
    state.score += 10;
    burst(nearX, nearY, brick.color);
    document.getElementById("score").textContent = state.score;
    return;
  }
}

function update() {
  if (state.keys.ArrowLeft) paddle.x -= paddle.speed;
  if (state.keys.ArrowRight) paddle.x += paddle.speed;
  paddle.x = Math.max(0, Math.min(canvas.width - paddle.w, paddle.x));
  if (ball.stuck) { resetBall(); return; }
  ball.x += ball.dx; ball.y += ball.dy;
  if (ball.x < ball.r || ball.x > canvas.width - ball.r) ball.dx = -ball.dx;
  if (ball.y < ball.r) ball.dy = -ball.dy;
  if (ball.y > paddle.y - ball.r && ball.x > paddle.x && ball.x < paddle.x + paddle.w && ball.dy > 0) {
    const hit = (ball.x - (paddle.x + paddle.w / 2)) / (paddle.w / 2);
    ball.dx = hit * 5; ball.dy = -Math.abs(ball.dy);
  }
  if (ball.y > canvas.height) {
    state.lives -= 1;
    document.getElementById("lives").textContent = state.lives;
    if (state.lives <= 0) { state.lives = 3; state.score = 0; state.level = 0; buildLevel(0); }
    resetBall();
  }
  collideBricks();
  if (state.bricks.every((b) => b.hits <= 0)) { state.level += 1; buildLevel(state.level); resetBall(); }
  state.particles = state.particles.filter((p) => (p.x += p.dx, p.y += p.dy, --p.life > 0));
}

function draw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (const brick of state.bricks) {
    if (brick.hits <= 0) continue;
    ctx.fillStyle = brick.color;
    ctx.fillRect(brick.x, brick.y, BRICK.w, BRICK.h);
  }
  ctx.fillStyle = "#eee";
  ctx.fillRect(paddle.x, paddle.y, paddle.w, paddle.h);
  ctx.beginPath(); ctx.arc(ball.x, ball.y, ball.r, 0, Math.PI * 2); ctx.fill();
  for (const p of state.particles) { ctx.fillStyle = p.color; ctx.fillRect(p.x, p.y, 2, 2); }
}

function frame() { update(); draw(); requestAnimationFrame(frame); }
addEventListener("keydown", (e) => { state.keys[e.key] = true; if (e.key === " ") ball.stuck = false; });
addEventListener("keyup", (e) => { state.keys[e.key] = false; });
canvas.addEventListener("click", () => { ball.stuck = false; });
buildLevel(0);
resetBall();
frame();
</script></body></html>
"""


def game_page(target_bytes: int = 30_000) -> str:
    """The breakout page, with enough levels (12 columns x 8 rows of brick strengths) for ~30 KB."""
    levels: list[str] = []
    index = 0
    while True:
        rows = [
            "[" + ",".join(str((index * 7 + r * 3 + c * c) % 4) for c in range(12)) + "]"
            for r in range(8)
        ]
        levels.append("[" + ",".join(rows) + "]")
        index += 1
        page = _fill(levels)
        if len(page.encode()) >= target_bytes:
            return page


def _fill(levels: list[str]) -> str:
    palette = [f'"hsl({hue}, 70%, 55%)"' for hue in range(0, 360, 15)]
    text = GAME.replace("__LEVELS__", "[\n" + ",\n".join(levels) + "\n]")
    return text.replace("__PALETTE__", "[" + ",".join(palette) + "]")


def timed_load(start, finished_signal) -> float:  # noqa: ANN001
    """Milliseconds from `start()` until `finished_signal` fires."""
    loop = QEventLoop()
    finished_signal.connect(loop.quit)
    QTimer.singleShot(30_000, loop.quit)
    began = time.perf_counter()
    start()
    loop.exec()
    elapsed = (time.perf_counter() - began) * 1000
    finished_signal.disconnect(loop.quit)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    register_scheme()
    gate = start_network_wall()  # measured behind the same wall as the app
    add_gpu_switches()
    app = QApplication([sys.argv[0], "-platform", "offscreen"])
    page = game_page()
    profile = make_artifact_profile(gate=gate)
    sandboxed = ArtifactView(profile, open_links=False)
    bare = QWebEngineView()
    for view in (sandboxed, bare):
        view.resize(800, 600)
        view.show()
    # Warm both up once: the first load of any view starts a renderer process.
    timed_load(lambda: sandboxed.show_document("warm", page), sandboxed.loaded)
    timed_load(lambda: bare.setHtml(page), bare.loadFinished)
    # Two series, each interleaved with the bare baseline. A new version of the same artifact
    # stays in its origin's renderer; a new artifact is a new origin, so Chromium swaps the
    # renderer process (site isolation) and that costs more.
    series = {
        "same artifact (a new version)": lambda i: "game",
        "a new artifact (new origin)": lambda i: f"game-{i}",
        "a new artifact, as in the app": lambda i: f"streamed-{i}",
    }
    plain: list[float] = []
    results: dict[str, list[float]] = {}
    for label, key_of in series.items():
        results[label] = []
        for round_ in range(args.rounds):
            key = key_of(round_)
            if key.startswith("streamed-"):
                # In the app the page grew in a script-free preview while it streamed (on its
                # own origin); the clock starts when the closing marker arrives.
                half = partial_preview(page[: len(page) // 2])
                timed_load(
                    lambda key=key, half=half: sandboxed.show_partial(key, half),
                    sandboxed.loaded,
                )
            results[label].append(
                timed_load(lambda key=key: sandboxed.show_document(key, page), sandboxed.loaded)
            )
            plain.append(timed_load(lambda: bare.setHtml(page), bare.loadFinished))
    base = statistics.median(plain)
    print(f"page: {len(page.encode())} bytes, {args.rounds} rounds per series, medians:")
    print(f"  bare QWebEngineView.setHtml      {base:7.1f} ms")
    for label, times in results.items():
        median = statistics.median(times)
        print(f"  show_document, {label:<30} {median:7.1f} ms  ratio {median / base:.2f}")
    print("  (target: ratio <= 1.3 and < 300 ms for the closing marker to a running preview)")
    figures: dict[str, object] = {"bare_sethtml_ms": round(base, 1)}
    for label, times in results.items():
        name = "_".join(re.findall(r"[a-z]+", label))
        figures[f"{name}_ms"] = round(statistics.median(times), 1)
        figures[f"{name}_ratio"] = round(statistics.median(times) / base, 3)
    # Printed before the clean-up: Qt's exit after it has crashed on this machine (exit 139).
    print("RESULT " + json.dumps(figures), flush=True)
    for view in (sandboxed, bare):
        view.close()
        view.deleteLater()
    # Let deleteLater run (pages go before their profile), then release the profile.
    QTimer.singleShot(0, app.quit)
    app.exec()
    profile.deleteLater()
    QTimer.singleShot(0, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
