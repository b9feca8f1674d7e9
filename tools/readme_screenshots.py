"""Take the README's screenshots: one conversation with an artifact open, light and dark.

Run from the repository root:
    python tools/readme_screenshots.py [OUT_DIR] [--theme T ...] [--language zh_CN]

A reply with an artifact comes from the loopback model server (tests/model_server.py), is
stored by `main.py ask` in a throwaway EASEL_HOME, and `main.py --screenshot OUT --theme T`
photographs the window at 1280x720 (offscreen when there is no display); with --language, one
more picture in that language (light theme), named after it. Look at the pictures before
committing them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.model_server import ModelServer, openai_text_reply  # noqa: E402

PAGE = """<!DOCTYPE html>
<html><head><title>Habit tracker</title><style>
:root { color-scheme: light dark; --bg:#fbfaf7; --card:#fff; --fg:#23221f; --muted:#76746c; --line:#e7e4dc; --on:#c96f3b; }
@media (prefers-color-scheme: dark) { :root { --bg:#1b1b1a; --card:#262624; --fg:#ecebe7; --muted:#a3a29c; --line:#3a3935; --on:#e08a62; } }
body { margin:0; font:15px/1.5 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
main { max-width:560px; margin:28px auto; padding:0 20px; }
h1 { font-size:22px; margin:0 0 4px; } p.sub { color:var(--muted); margin:0 0 18px; }
.row { display:flex; align-items:center; gap:10px; background:var(--card); border:1px solid var(--line); border-radius:12px; padding:12px 14px; margin:10px 0; }
.row b { flex:1; font-weight:600; } .days { display:flex; gap:6px; }
.d { width:22px; height:22px; border-radius:6px; border:1px solid var(--line); }
.d.on { background:var(--on); border-color:var(--on); }
.streak { color:var(--muted); font-size:13px; width:70px; text-align:right; }
</style></head><body><main>
<h1>This week</h1><p class="sub">Tap a square to mark a day. It follows your light or dark theme.</p>
<div id="list"></div></main>
<script>
const habits = [["Read 20 pages",[1,1,0,1,1,1,0]],["Walk 30 minutes",[1,0,1,1,0,1,1]],["No phone after 10pm",[0,1,1,1,1,0,0]],["Practise Chinese",[1,1,1,1,1,1,0]]];
const list = document.getElementById("list");
for (const [name, days] of habits) {
  const row = document.createElement("div"); row.className = "row";
  row.innerHTML = `<b>${name}</b><div class="days">${days.map(d => `<span class="d ${d ? "on" : ""}"></span>`).join("")}</div><span class="streak">${days.filter(Boolean).length}/7 days</span>`;
  list.appendChild(row);
}
document.querySelectorAll(".d").forEach(d => d.onclick = () => d.classList.toggle("on"));
</script></body></html>"""
REPLY = (
    "Here is a small habit tracker. Each square is a day; click one to mark it.\n\n"
    f'<artifact identifier="habits" type="text/html" title="Habit tracker">\n{PAGE}\n</artifact>\n\n'
    "The colours come from CSS variables, with a `prefers-color-scheme: dark` block:\n\n"
    "```css\n@media (prefers-color-scheme: dark) {\n  :root { --bg: #1b1b1a; --fg: #ecebe7; }\n}\n```\n"
)


def geometry(width: int, height: int) -> str:
    """A saved window geometry of that size, as settings.json keeps it."""
    code = (
        "from PySide6.QtWidgets import QApplication, QMainWindow\n"
        f"app = QApplication([]); w = QMainWindow(); w.resize({width}, {height})\n"
        "print(bytes(w.saveGeometry().toBase64()).decode())\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--theme", action="append", choices=("light", "dark", "system"))
    parser.add_argument("--language", choices=("zh_CN",), help="also a picture in this language")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home, ModelServer() as server:
        server.enqueue(openai_text_reply(REPLY, chunk_chars=50))
        env = dict(os.environ, EASEL_HOME=home)
        options = ["--base-url", server.openai_base, "--model", "test-model"]
        prompt = "Make me a habit tracker for this week"
        subprocess.run([sys.executable, "main.py", "ask", *options, prompt], env=env, check=True)
        settings_path = Path(home) / "config" / "settings.json"
        raw = json.loads(settings_path.read_text()) if settings_path.exists() else {}
        raw["window_geometry"] = geometry(1280, 720)
        raw["splitter_sizes"] = [220, 500, 560]
        settings_path.write_text(json.dumps(raw))
        shots = [(theme, theme, "en") for theme in args.theme or ["light", "dark"]]
        if args.language:
            shots.append((args.language, "light", args.language))
        for name, theme, language in shots:
            out = args.out / f"{name}.png"
            command = [sys.executable, "main.py", *options, "--screenshot", str(out)]
            subprocess.run(
                [*command, "--theme", theme, "--language", language], env=env, check=True
            )
            print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
