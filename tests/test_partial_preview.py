"""The streaming preview: every prefix of a page becomes a static document that runs nothing."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from PySide6.QtWebEngineCore import QWebEngineScript
from PySide6.QtWebEngineWidgets import QWebEngineView

from app.partial_preview import CSP_META, partial_preview
from tests.conftest import corpus_path

# Our own page: a realistic game head and body, plus every way we know to run code.
HOSTILE_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=javascript:document.title='PWNED'">
<title>Safe</title>
<base href="https://evil.example/">
<style>
  body { font: 16px system-ui; background: #fafaf8; }
  .card > h1 { color: #c96f3b; }
  /* a closing tag in CSS ends the element in a browser too: </style><img src=x onerror=alert(1)>
</style>
<script>document.title = 'PWNED'; window.__pwned = 1;</script>
<script src="https://cdn.jsdelivr.net/npm/chart.js"></script>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/tailwind.css">
<link rel="modulepreload" href="evil.js">
</head>
<body onload="document.title='PWNED'">
<!-- a comment with <script>document.title='PWNED'</script> inside -->
<div class="card" id="card"><h1 title="a &quot;quoted&quot; title">Breakout &amp; friends</h1>
<p>Score: <span id="score">0</span> &lt;3</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onerror="document.title='PWNED'" alt="dot">
<a href="javascript:document.title='PWNED'">play</a>
<a href=" jav&#x09;ascript:alert(1)">tabbed</a>
<a href="https://example.com/help">help</a>
<button ONCLICK="document.title='PWNED'" formaction="javascript:alert(1)">Go</button>
<iframe srcdoc="<script>parent.document.title='PWNED'</script>">fallback</iframe>
<object data="data:text/html,<script>alert(1)</script>"><p>object fallback</p></object>
<embed src="evil.swf">
<noscript><p>Please enable JavaScript</p></noscript>
<svg width="40" height="40" viewBox="0 0 40 40" onload="document.title='PWNED'">
  <circle cx="20" cy="20" r="18" fill="#c96f3b"/>
  <a xlink:href="javascript:alert(1)"><text x="5" y="25">svg</text></a>
  <set attributeName="onmouseover" to="alert(1)"/>
  <animate attributeName="href" values="javascript:alert(1)"/>
  <script>document.title='PWNED'</script>
  <style><img src=x onerror="document.title='PWNED'"></style>
</svg>
<form action="javascript:alert(1)"><input value="</script><script>alert(1)</script>"></form>
<script>
  const SPEED = 4;
  function loop() { requestAnimationFrame(loop); }
  document.title = "PWNED";
</script>
<p>the end</p>
</div>
</body>
</html>
"""


class _Inspector(HTMLParser):
    """Collects what a browser-like parse of the output would hold."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_static(output: str) -> None:
    """No script element, no handler attribute, no javascript: URL, the CSP meta first in head."""
    assert "<script" not in output.lower()
    inspector = _Inspector()
    inspector.feed(output)
    inspector.close()
    names = [tag for tag, _ in inspector.tags]
    assert "script" not in names and "iframe" not in names and "object" not in names
    for tag, attrs in inspector.tags:
        for name, value in attrs:
            assert not name.split(":")[-1].startswith("on"), (tag, name)
            cleaned = "".join((value or "").split()).lower()
            assert "javascript:" not in cleaned, (tag, name, value)
        if tag == "meta":
            assert dict(attrs).get("http-equiv") in (None, "Content-Security-Policy")
    metas = [
        attrs for tag, attrs in inspector.tags if tag == "meta" and "http-equiv" in dict(attrs)
    ]
    assert len(metas) == 1
    first = next(tag for tag, _ in inspector.tags if tag not in ("html", "head"))
    assert first == "meta" and output.count(CSP_META) == 1


def test_every_prefix_of_our_page_is_static():
    for end in range(len(HOSTILE_PAGE) + 1):
        assert_static(partial_preview(HOSTILE_PAGE[:end]))


@pytest.mark.parametrize(
    "name",
    [
        "gpt-5-coding-examples-csv-to-charts-chartjs-cdn.html",
        "gpt-5-coding-examples-regex-lab.html",
        "gpt-5-coding-examples-solar-system-explorer.html",
    ],
)
def test_prefixes_of_real_pages_are_static(name):
    page = corpus_path("pages", name).read_text(encoding="utf-8")
    for end in [*range(0, len(page), 23), len(page)]:
        assert_static(partial_preview(page[:end]))


def test_the_whole_page_keeps_its_content_and_style():
    output = partial_preview(HOSTILE_PAGE)
    assert output.startswith("<!DOCTYPE html>\n")
    assert "<title>Safe</title>" in output
    assert ".card > h1 { color: #c96f3b; }" in output
    assert "Breakout &amp; friends" in output and "&lt;3" in output
    assert 'title="a &quot;quoted&quot; title"' in output
    assert '<a href="https://example.com/help">help</a>' in output
    assert '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/tailwind.css">' in output
    assert "modulepreload" not in output and "<base" not in output
    assert "<p>object fallback</p>" in output and "Please enable JavaScript" not in output
    assert '<circle cx="20" cy="20" r="18" fill="#c96f3b" />' in output
    assert "SPEED" not in output and "document.title = " not in output
    # In SVG a <style> is parsed as markup: its "<" is escaped so the img stays text.
    assert "<style>\\3c img src=x" in output
    assert "<p>the end</p>" in output


def test_style_text_cannot_close_the_element_or_open_a_tag():
    output = partial_preview("<style>a{}</style ><img src=x onerror=alert(1)></style><p>x")
    assert "<img" not in output.split("</style>")[0].replace("\\3c img", "")
    assert_static(output)


def test_an_unclosed_script_at_the_end_disappears():
    output = partial_preview("<html><body><h1>Game</h1><script>\nconst SPEED = 4;\nfunction lo")
    assert "<h1>Game</h1>" in output and "SPEED" not in output


def test_a_trailing_incomplete_tag_is_cut_off():
    assert partial_preview('<p>Hello</p><div class="sc').endswith("<p>Hello</p>")
    assert partial_preview("<p>Hi</p><!-- still writi").endswith("<p>Hi</p>")
    assert partial_preview("<p>Tom is wri").endswith("<p>Tom is wri")
    # Text ending in a half character reference waits for the rest of it.
    assert partial_preview("<p>Tom &am").endswith("<p>")


def test_the_policy_sits_at_the_start_of_the_head():
    output = partial_preview('<!doctype html><html lang="en"><head><meta charset="utf-8">')
    assert output.startswith(f'<!DOCTYPE html>\n<html lang="en"><head>{CSP_META}')
    assert partial_preview("").endswith(CSP_META)
    assert partial_preview("<h1>Fragment").startswith(CSP_META + "<h1>")


def test_nothing_runs_in_a_real_browser(qtbot):
    """Chromium itself: the preview of the hostile page keeps its title and runs nothing."""
    view = QWebEngineView()
    qtbot.addWidget(view)  # closed and deleted (page included) when the test ends
    page = view.page()
    with qtbot.waitSignal(view.loadFinished, timeout=30_000):
        view.setHtml(partial_preview(HOSTILE_PAGE))
    answers: list[object] = []
    # An isolated world: the page's policy (script-src 'none') does not apply to our probe.
    page.runJavaScript(
        "JSON.stringify([document.title, document.querySelectorAll('p').length])",
        QWebEngineScript.ScriptWorldId.ApplicationWorld,
        answers.append,
    )
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    assert json.loads(str(answers[0])) == ["Safe", 3]
