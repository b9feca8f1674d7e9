"""The HTML export of a conversation, opened in a real browser (headless Debian Chromium).

What must hold whatever the export's markup becomes (a CSP, another sandbox): every artifact
is there at its latest version, its script runs offline (a vendored library included), and
it cannot reach into the exported page around it. Each artifact's script paints its page a
colour computed at run time, so a colour in the screenshot proves that version's code ran;
the colours never appear literally in the file.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.store import Store
from app.transcript_export import conversation_html
from tests.test_vendor import CHROMIUM, run_chromium

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")


def painter(parts: tuple[int, int, int], marker: str, *, jquery: bool = False) -> str:
    """An artifact whose script paints the body rgb(parts) (built at run time) and says so."""
    numbers = ",".join(str(p) for p in parts)
    colour = f"'rgb(' + [{numbers}].join(',') + ')'"
    # Try to reach the page around the frame: a sandboxed artifact must not manage it.
    escape = (
        "try { parent.document.body.insertAdjacentHTML('beforeend', "
        "'<p id=' + 'esc' + 'aped>' + 'out' + '</p>'); } catch (e) {}"
    )
    if jquery:
        paint = f"$('body').css('background', {colour}); $('#out').text('{marker}' + $.fn.jquery);"
        head = '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
    else:
        paint = (
            f"document.body.style.background = {colour};"
            f" document.getElementById('out').textContent = '{marker}';"
        )
        head = ""
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body style='margin:0;min-height:100vh'>"
        f"<p id=out>not run</p><script>{paint} {escape}</script></body></html>"
    )


# The colours (as the browser draws them) and the versions they belong to.
COUNTER_V1 = (201, 31, 32)
COUNTER_V2 = (33, 34, 202)
JQ = (35, 161, 62)


def artifact(identifier: str, title: str, content: str) -> str:
    return f'<artifact identifier="{identifier}" type="text/html" title="{title}">\n{content}\n</artifact>'


def edit(identifier: str, find: str, replace: str) -> str:
    return (
        f'<artifact-edit identifier="{identifier}">\n<find>\n{find}\n</find>\n'
        f"<replace>\n{replace}\n</replace>\n</artifact-edit>"
    )


def make_conversation(store: Store) -> int:
    """Two artifacts, one of them edited to a second version, as a session stores them."""
    conversation = store.create_conversation("Export check")
    counter_v1 = painter(COUNTER_V1, "COUNTER-ONE")
    counter_v2 = painter(COUNTER_V2, "COUNTER-TWO")
    jq = painter(JQ, "JQ-", jquery=True)
    store.add_message(conversation.id, "user", "make a counter and a jquery page")
    first = store.add_message(
        conversation.id,
        "assistant",
        "Here they are:\n"
        + artifact("counter", "Counter", counter_v1)
        + "\nand\n"
        + artifact("jq", "With jQuery", jq)
        + "\nEnjoy.",
        model="test-model",
    )
    store.add_artifact_version(
        conversation.id, "counter", "text/html", "Counter", counter_v1, message_id=first.id
    )
    store.add_artifact_version(
        conversation.id, "jq", "text/html", "With jQuery", jq, message_id=first.id
    )
    store.add_message(conversation.id, "user", "make the counter blue")
    numbers = ",".join(str(p) for p in COUNTER_V1)
    second = store.add_message(
        conversation.id,
        "assistant",
        "Blue now:\n" + edit("counter", numbers, ",".join(str(p) for p in COUNTER_V2)),
        model="test-model",
    )
    store.add_artifact_version(
        conversation.id, "counter", "text/html", "Counter", counter_v2,
        origin="edit", message_id=second.id,
    )  # fmt: skip
    return conversation.id


def screenshot(page: Path, tmp_path: Path) -> QImage:
    shot = tmp_path / "shot.png"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'shot-profile'}",
        # Offline for sure: every connection goes to a closed port.
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--virtual-time-budget=5000",
        "--window-size=1000,4000",
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    subprocess.run(command, capture_output=True, timeout=100, check=False)
    image = QImage(str(shot))
    assert not image.isNull(), "Chromium wrote no screenshot"
    return image.convertToFormat(QImage.Format.Format_RGB32)


def pixels_of(image: QImage, rgb: tuple[int, int, int], tolerance: int = 3) -> int:
    hits = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            colour = image.pixelColor(x, y).getRgb()[:3]
            if all(abs(a - b) <= tolerance for a, b in zip(colour, rgb, strict=True)):
                hits += 1
    return hits


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    store = Store(tmp_path / "history.sqlite3")
    try:
        conversation = store.get_conversation(make_conversation(store))
        page = tmp_path / "export.html"
        page.write_text(conversation_html(store, conversation), "utf-8")
    finally:
        store.close()
    return page


def test_the_colours_come_from_the_scripts_and_nothing_is_fetched(exported: Path):
    text = html.unescape(exported.read_text("utf-8"))
    for rgb in (COUNTER_V1, COUNTER_V2, JQ):
        assert f"rgb({','.join(map(str, rgb))})" not in text  # only the scripts make them
    # The library is inlined: no script is fetched from anywhere.
    assert not re.search(r"""<script[^>]*\bsrc=["']?https?:""", text, re.IGNORECASE)
    assert "jQuery" in text


def test_the_exported_artifacts_run_in_chromium_at_their_latest_version(
    exported: Path, tmp_path: Path
):
    image = screenshot(exported, tmp_path)
    # Every artifact frame ran its own code: the latest counter (blue) and the jQuery page,
    # whose library came from the file itself (the browser is offline for it).
    assert pixels_of(image, COUNTER_V2) > 2000
    assert pixels_of(image, JQ) > 2000
    # The first version stays where the model made it, also running.
    assert pixels_of(image, COUNTER_V1) > 2000


def test_the_exported_page_reads_well_and_the_artifacts_cannot_reach_it(
    exported: Path, tmp_path: Path
):
    dom = run_chromium(exported, tmp_path / "dom-profile")
    assert "Export check" in dom
    assert "Here they are:" in dom and "Enjoy." in dom and "Blue now:" in dom
    assert "make the counter blue" in dom
    assert 'id="escaped"' not in dom and "<p id=escaped>" not in dom
