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
    # Headless Chromium exits right after --dump-dom, and about one run in six it exits before
    # its browser process has written the page's localStorage to disk (Chromium's own shutdown,
    # not the bridge). A run whose write is not on disk left nothing behind, so it is run again.
    for _ in range(5):
        first = run_chromium(saved, profile)
        assert '"value":"1"' in first, first[-500:]
        if _storage_on_disk(profile, "easel-storage:visits"):
            break
    else:
        pytest.fail("Chromium never wrote the page's localStorage to its profile")
    second = run_chromium(saved, profile)  # the same browser profile: localStorage survives
    assert '"value":"2"' in second, second[-500:]
    assert '"list":{"keys":["visits"]}' in second
    for name in ("complete", "messages", "fs"):
        assert f'"{name}":"This page was saved from Easel: model calls' in second


def _storage_on_disk(profile: Path, key: str) -> bool:
    """Whether Chromium's localStorage database in `profile` holds `key` (its LevelDB files)."""
    folder = profile / "Default" / "Local Storage" / "leveldb"
    wanted = key.encode("latin-1")
    return any(wanted in f.read_bytes() for f in folder.glob("*") if f.is_file())
