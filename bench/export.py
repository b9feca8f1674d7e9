"""Benchmark: exporting an artifact (A4 PDF paged and fit to one page, a self-contained .html).

In one run: the time Easel takes to print a 5-page document (paged) and to fit it onto one
page, warm (the page already loaded, as in the Print dialog) and cold (`render --pdf` as a
process, start-up included); beside them the time Chromium's own headless print takes for the
same page (`chromium --headless --print-to-pdf`, also a whole process), as a ratio. Then the
size of a three.js artifact saved as a self-contained file (vendored three.js inlined).

    .venv/bin/python bench/export.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.documents import inline_vendored  # noqa: E402
from sandbox.engine import add_gpu_switches, start_network_wall  # noqa: E402
from sandbox.printing import PrintOptions, page_count, start_pdf  # noqa: E402
from sandbox.profile import make_artifact_profile  # noqa: E402
from sandbox.scheme import register_scheme  # noqa: E402
from sandbox.view import ArtifactView  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PARAGRAPH = (
    "<p>Regional rail ridership grew steadily across the corridor while bus services were "
    "reorganised around new interchanges; the pilot fares scheme encouraged off-peak travel "
    "and measured demand rose at every station on the line, 北京 承德 正定.</p>"
)
THREE_ARTIFACT = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Spinning cube</title>
<style>body{margin:0;overflow:hidden;background:#111}</style></head>
<body>
<script src="https://cdn.jsdelivr.net/npm/three@0.160.1/build/three.min.js"></script>
<script>
const scene = new THREE.Scene();
const camera = new THREE.PerspectiveCamera(70, innerWidth / innerHeight, 0.1, 100);
const renderer = new THREE.WebGLRenderer({antialias: true});
renderer.setSize(innerWidth, innerHeight);
document.body.appendChild(renderer.domElement);
const cube = new THREE.Mesh(new THREE.BoxGeometry(), new THREE.MeshNormalMaterial());
scene.add(cube); camera.position.z = 2;
renderer.setAnimationLoop(() => { cube.rotation.x += 0.01; cube.rotation.y += 0.013;
  renderer.render(scene, camera); });
</script></body></html>
"""


def document(paragraphs: int) -> str:
    body = "".join(f"<h2>Section {n}</h2>" + PARAGRAPH * 4 for n in range(paragraphs // 4))
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Report</title></head><body>{body}</body></html>'


def wait(start) -> tuple:
    results: list[tuple] = []
    loop = QEventLoop()

    def done(*args: object) -> None:
        results.append(args)
        loop.quit()

    start(done)
    if not results:
        QTimer.singleShot(60_000, loop.quit)
        loop.exec()
    return results[0]


def timed_pdf(view: ArtifactView, options: PrintOptions) -> tuple[float, bytes]:
    began = time.perf_counter()
    (pdf,) = wait(lambda done: start_pdf(view, options, done))
    return time.perf_counter() - began, pdf


def five_page_document(view: ArtifactView) -> str:
    """Grow the document until Easel prints it on 5 pages."""
    for paragraphs in range(8, 200, 4):
        html = document(paragraphs)
        wait(lambda done, html=html: _load(view, html, done))
        if page_count(timed_pdf(view, PrintOptions())[1]) >= 5:
            return html
    raise SystemExit("could not make a 5-page document")


def _load(view: ArtifactView, html: str, done) -> None:
    view.loaded.connect(done)
    view.show_document("bench", html)


def process_seconds(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - began


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    register_scheme()
    gate = start_network_wall()  # measured behind the same wall as the app
    add_gpu_switches()
    app = QApplication([sys.argv[0], "-platform", "offscreen"])
    profile = make_artifact_profile(gate=gate)
    view = ArtifactView(profile, open_links=False)
    view.resize(1280, 900)
    view.show()
    html = five_page_document(view)
    warm = {mode: [] for mode in ("paged", "fit")}
    for _ in range(rounds):
        for mode in warm:
            seconds, pdf = timed_pdf(view, PrintOptions(mode=mode))
            warm[mode].append(seconds)
    fit_pages = page_count(timed_pdf(view, PrintOptions(mode="fit"))[1])
    view.close()
    view.deleteLater()
    app.processEvents()
    profile.deleteLater()
    app.processEvents()

    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        render = [sys.executable, "-m", "sandbox.exporters", str(page), "--wait", "0"]
        cold = {"paged": [], "fit": [], "chromium": []}
        for _ in range(rounds):
            cold["paged"].append(process_seconds([*render, "--pdf", f"{folder}/e.pdf"]))
            cold["fit"].append(
                process_seconds([*render, "--pdf", f"{folder}/f.pdf", "--fit-one-page"])
            )
            if shutil.which(CHROMIUM):
                cold["chromium"].append(
                    process_seconds(
                        [
                            CHROMIUM,
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            f"--print-to-pdf={folder}/c.pdf",
                            "--no-pdf-header-footer",
                            page.as_uri(),
                        ]
                    )
                )
        chromium_pages = (
            page_count((Path(folder) / "c.pdf").read_bytes()) if cold["chromium"] else 0
        )
    saved = inline_vendored(THREE_ARTIFACT).encode("utf-8")

    print(f"A 5-page document ({rounds} rounds, medians)")
    print(
        f"  warm, page loaded    paged {median_ms(warm['paged'])}   fit to one page "
        f"{median_ms(warm['fit'])} ({fit_pages} page)"
    )
    print(
        f"  cold, whole process  paged {median_ms(cold['paged'])}   fit to one page "
        f"{median_ms(cold['fit'])}"
    )
    if cold["chromium"]:
        base = statistics.median(cold["chromium"])
        print(
            f"  chromium --print-to-pdf     {median_ms(cold['chromium'])} ({chromium_pages} pages)"
        )
        print(f"  ratio cold paged / chromium  {statistics.median(cold['paged']) / base:5.2f}")
        print(f"  ratio cold fit / chromium    {statistics.median(cold['fit']) / base:5.2f}")
    else:
        print("  chromium not found: no baseline")
    print(
        f"Self-contained three.js artifact: {len(saved) / 1024:.0f} KiB "
        f"(source {len(THREE_ARTIFACT.encode()) / 1024:.1f} KiB)"
    )

    def ms(values: list[float]) -> float:
        return round(statistics.median(values) * 1000, 1)

    figures: dict[str, object] = {
        "warm_paged_ms": ms(warm["paged"]),
        "warm_fit_ms": ms(warm["fit"]),
        "cold_paged_ms": ms(cold["paged"]),
        "cold_fit_ms": ms(cold["fit"]),
        "chromium_ms": ms(cold["chromium"]) if cold["chromium"] else None,
        "self_contained_three_js_kib": round(len(saved) / 1024),
    }
    if cold["chromium"]:
        base = statistics.median(cold["chromium"])
        figures["cold_paged_ratio_to_chromium"] = round(statistics.median(cold["paged"]) / base, 3)
        figures["cold_fit_ratio_to_chromium"] = round(statistics.median(cold["fit"]) / base, 3)
    print("RESULT " + json.dumps(figures))


if __name__ == "__main__":
    main()
