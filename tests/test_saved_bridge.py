"""A saved artifact outside Easel: window.storage keeps working (localStorage), the model and
attached files reject with a sentence, in a real browser (Debian's Chromium, offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.saved_bridge import with_offline_bridge
from tests.test_vendor import CHROMIUM, run_chromium

PAGE = """<!DOCTYPE html><html><head><title>saved</title></head><body><pre id=out></pre>
<script>
(async () => {
  const out = {};
  const got = await window.storage.get("visits");
  const visits = (got ? Number(got.value) : 0) + 1;
  out.set = await window.storage.set("visits", String(visits));
  out.list = await window.storage.list("vis");
  try { await window.claude.complete("hi"); out.complete = "answered"; }
  catch (e) { out.complete = e.message; }
  try { await fetch("https://api.anthropic.com/v1/messages", {method: "POST", body: "{}"});
        out.messages = "answered"; }
  catch (e) { out.messages = e.message; }
  try { await window.fs.readFile("data.csv"); out.fs = "read"; } catch (e) { out.fs = e.message; }
  document.getElementById("out").textContent = JSON.stringify(out);
})();
</script></body></html>"""


def test_the_offline_bridge_goes_first_in_the_head():
    page = with_offline_bridge(PAGE)
    assert page.index("window.storage and friends") < page.index("<title>")
    assert with_offline_bridge("<p>fragment</p>").endswith("<p>fragment</p>")
    assert "<header>" in with_offline_bridge("<header>x</header>")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_a_saved_page_keeps_its_storage_in_a_browser_and_says_why_the_model_is_not_there(
    tmp_path: Path,
):
    saved = tmp_path / "saved.html"
    saved.write_text(with_offline_bridge(PAGE), encoding="utf-8")
    profile = tmp_path / "browser-profile"
    first = run_chromium(saved, profile)
    assert '"value":"1"' in first, first[-500:]
    # A later session of the same profile reads what an earlier one stored. Headless Chromium
    # quits right after --dump-dom, and about one session in ten on our machines the next one
    # reads nothing: the write was not yet on disk, or (with it on disk, no error logged) it
    # was not read. Such a session stores "1" again; sessions run until one reads a value.
    for _ in range(6):
        second = run_chromium(saved, profile)
        if '"value":"1"' not in second:
            break
    assert '"value":"2"' in second, second[-500:]
    assert '"list":{"keys":["visits"]}' in second
    for name in ("complete", "messages", "fs"):
        assert f'"{name}":"This page was saved from Easel: model calls' in second
