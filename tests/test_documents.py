"""Artifact documents (one full page per artifact type) and the self-contained .html inliner."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.documents import (
    artifact_document,
    inline_css_text,
    inline_script_text,
    inline_vendored,
    script_json,
)
from app.vendor import VendoredFile, resolve_cdn_url
from tests.test_vendor import CHROMIUM, run_chromium

HOSTILE = "</script><script>parent.pwned = 1</script><!-- <script>"


def source_block(page: str) -> str:
    """The JSON-embedded artifact source of a React or Mermaid page."""
    match = re.search(
        r'<script type="application/json" id="easel-source">(.*?)</script>', page, re.S
    )
    assert match is not None
    return json.loads(match.group(1))


def script_sources(page: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"></script>', page)


# --- text/html ---------------------------------------------------------------------------------


def test_whole_html_document_is_returned_as_is() -> None:
    page = "<!DOCTYPE html>\n<html><head><title>x</title></head><body>hi</body></html>"
    assert artifact_document("text/html", page, "T") == page
    bare = "<html lang='de'><body>ok</body></html>"
    assert artifact_document("text/html", bare) == bare


def test_html_fragment_is_wrapped_in_a_minimal_page() -> None:
    page = artifact_document("text/html", "<canvas id=c></canvas><script>draw()</script>", "A<b>")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<title>A&lt;b&gt;</title>" in page
    assert "<body>\n<canvas id=c></canvas><script>draw()</script>\n</body>" in page


# --- image/svg+xml -----------------------------------------------------------------------------


def test_svg_is_centred_on_a_page_and_scaled_to_fit() -> None:
    svg = '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><circle r="5"/></svg>'
    page = artifact_document("image/svg+xml", svg, "Logo")
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert '<svg viewBox="0 0 400 300" xmlns=' in page
    assert "justify-content: center" in page and "background: #fff" in page
    assert "<title>Logo</title>" in page


def test_svg_with_a_viewbox_or_relative_size_is_left_alone() -> None:
    with_box = '<svg viewBox="0 0 10 10" width="100%"><rect/></svg>'
    assert with_box in artifact_document("image/svg+xml", with_box)
    relative = '<svg width="100%" height="50%"><rect/></svg>'
    assert relative in artifact_document("image/svg+xml", relative)


# --- text/markdown -----------------------------------------------------------------------------

MARKDOWN = """# Trip to Kyoto

| Day | Plan |
|-----|------|
| 1   | ~~Osaka~~ Kyoto |

- [x] book hotel
- [ ] 寺 visit

```python
def greet(name):
    return f"hi {name}"
```

<div class="note">raw <b>HTML</b></div>

Text with a footnote.[^1]

[^1]: The note.
"""


def test_markdown_is_a_printable_document_with_highlighted_code() -> None:
    page = artifact_document("text/markdown", MARKDOWN, "Kyoto & more")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Kyoto &amp; more</title>" in page
    assert "<h1>Trip to Kyoto</h1>" in page
    assert "<table>" in page and "<th>Day</th>" in page
    assert "<s>Osaka</s>" in page
    assert 'class="task-list-item-checkbox"' in page and "寺 visit" in page
    assert '<pre><code class="language-python"><span class="k">def</span>' in page
    assert '<div class="note">raw <b>HTML</b></div>' in page
    assert 'class="footnote-ref"' in page
    # our stylesheet and Pygments' are inlined; A4 print rules included
    assert "@media print" in page and "size: A4" in page
    assert ".md-body pre .k" in page
    assert "<link" not in page


def test_markdown_with_an_unknown_language_is_escaped() -> None:
    page = artifact_document("text/markdown", "```nolang\n<b>x</b>\n```\n")
    assert "&lt;b&gt;x&lt;/b&gt;" in page


# --- application/vnd.react ---------------------------------------------------------------------

COUNTER = """import React, { useState } from 'react';

export default function Counter() {
  const [n, setN] = useState(41);
  React.useEffect(() => setN(42), []);
  return <div id="out" className="p-4 bg-red-500">count {n}</div>;
}
"""


def test_react_page_loads_vendored_react_babel_and_tailwind() -> None:
    page = artifact_document("application/vnd.react", COUNTER, "Counter")
    sources = script_sources(page)
    assert [s.split("/")[2] for s in sources] == [
        "cdn.tailwindcss.com",
        "unpkg.com",
        "unpkg.com",
        "unpkg.com",
    ]
    assert any("/react@18." in s for s in sources)
    assert any("/react-dom@18." in s for s in sources)
    assert any("@babel/standalone@" in s for s in sources)
    for src in sources:
        assert resolve_cdn_url(src) is not None, src
    assert '<div id="root"></div>' in page
    assert source_block(page) == COUNTER


def test_react_source_cannot_break_out_of_its_embedding() -> None:
    component = f"export default function X() {{ return <p>{{{json.dumps(HOSTILE)}}}</p>; }}"
    page = artifact_document("application/vnd.react", component)
    assert HOSTILE not in page
    assert "</script><script>parent.pwned" not in page
    assert source_block(page) == component
    # the only </script> tags are the ones the builder wrote
    assert page.count("</script>") == len(script_sources(page)) + 2


def test_react_runner_has_an_error_box_and_no_lucide() -> None:
    page = artifact_document("application/vnd.react", COUNTER)
    assert '<pre id="easel-error" hidden></pre>' in page
    assert "lucide-react" in page  # named in the error message
    assert "lucide" not in " ".join(script_sources(page))


# --- application/vnd.mermaid -------------------------------------------------------------------


def test_mermaid_page_loads_vendored_mermaid_and_embeds_the_source_safely() -> None:
    source = f'graph TD\n  A["{HOSTILE}"] --> B'
    page = artifact_document("application/vnd.mermaid", source, "Flow")
    sources = script_sources(page)
    assert len(sources) == 1 and sources[0].startswith("https://cdn.jsdelivr.net/npm/mermaid@")
    assert resolve_cdn_url(sources[0]) is not None
    assert HOSTILE not in page
    assert source_block(page) == source
    assert "<title>Flow</title>" in page


def test_unknown_type_is_shown_as_escaped_text() -> None:
    page = artifact_document("application/x-unknown", "<b>x</b>")
    assert "<pre>&lt;b&gt;x&lt;/b&gt;</pre>" in page


@given(st.recursive(st.text(), lambda inner: st.lists(inner, max_size=3), max_leaves=5))
def test_script_json_round_trips_and_has_no_markup(value: object) -> None:
    text = script_json(value)
    assert json.loads(text) == value
    assert not set("<>&") & set(text)


# --- inline_vendored ---------------------------------------------------------------------------

CHART = "https://cdn.jsdelivr.net/npm/chart.js@4.4.1/dist/chart.umd.min.js"
FA = "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.4.0/css/all.min.css"


def test_inline_vendored_replaces_vendored_scripts_and_styles() -> None:
    page = f"""<!DOCTYPE html><html><head>
<script src="{CHART}" integrity="sha384-x" crossorigin="anonymous" defer id="lib"></script>
<link rel="stylesheet" href="{FA}" media="all">
<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter">
<script src="https://example.com/other.js"></script>
<!-- <script src="{CHART}"></script> -->
<script>const tag = '<script src="{CHART}"></' + 'script>';</script>
</head><body></body></html>"""
    out = inline_vendored(page)
    assert f'<script src="{CHART}"' not in out.split("<!--")[0]
    assert '<script id="lib">\n' in out
    assert "integrity" not in out and "crossorigin" not in out
    assert '<style media="all">' in out
    assert "url(../webfonts" not in out and 'url("data:font/woff2;base64,' in out
    # Google Fonts: the stylesheet Easel answers with, its faces inlined
    assert "fonts.googleapis.com" not in out and "font-family: 'Inter'" in out
    # untouched: other hosts, comments, text inside inline scripts
    assert '<script src="https://example.com/other.js"></script>' in out
    assert f'<!-- <script src="{CHART}"></script> -->' in out
    assert f"""<script>const tag = '<script src="{CHART}"></' + 'script>';</script>""" in out
    assert not re.search(r'<script src="http[^"]*chart', out.replace(page.split("<!--")[1], ""))


def test_inline_vendored_leaves_pages_without_vendored_urls_alone() -> None:
    page = "<html><body><script src='app.js'></script><link rel=icon href=x.png></body></html>"
    assert inline_vendored(page) == page


def test_inline_vendored_keeps_module_type_and_escapes_closing_tags(tmp_path: Path) -> None:
    lib = tmp_path / "lib.js"
    lib.write_text('var s = "</script><!-- x"; var t = "</SCRIPT>";')

    def resolve(url: str) -> VendoredFile | None:
        return VendoredFile("lib", "1", lib, "text/javascript") if "lib.js" in url else None

    page = '<script type="module" src="https://cdn.example/lib.js"></script><p>after</p>'
    out = inline_vendored(page, resolve)
    assert out.startswith('<script type="module">\n')
    assert out.count("</script>") == 1 and out.lower().count("</script") == 1
    assert "<\\/script>" in out and "<\\/SCRIPT>" in out and "\\x3C!-- x" in out
    assert out.endswith("</script><p>after</p>")


def test_inline_helpers() -> None:
    assert inline_script_text("a</script>b<!--c") == "a<\\/script>b\\x3C!--c"
    css = "a{background:url(img/x.png)} b{src:url('data:,x')} </style>"
    out = inline_css_text(css, "https://cdn.example/pkg/css/a.css", lambda url: None)
    assert 'url("https://cdn.example/pkg/css/img/x.png")' in out
    assert "url('data:,x')" in out and "<\\/style>" in out


# --- the documents running in Chromium ---------------------------------------------------------

CASES = {
    "react": ("application/vnd.react", COUNTER),
    "react-lucide": (
        "application/vnd.react",
        "import { Camera } from 'lucide-react';\nexport default () => <Camera />;\n",
    ),
    "react-hostile": (
        "application/vnd.react",
        # TypeScript, no default export (the last capitalised component is rendered)
        "const Shown = ({ text }: { text: string }) => <p id='out'>{text}</p>;\n"
        f"function App() {{ return <Shown text={{{json.dumps(HOSTILE)}}} />; }}\n",
    ),
    "react-syntax": ("application/vnd.react", "export default function X() { return <p>; }"),
    "mermaid": ("application/vnd.mermaid", "graph TD\n  A[Start] --> B{Done?}"),
    "mermaid-hostile": ("application/vnd.mermaid", f'graph TD\n  A["{HOSTILE}"] --> B'),
    "mermaid-bad": ("application/vnd.mermaid", "graph TD\n  A -->"),
}

PARENT = """<!DOCTYPE html><html><body>FRAMES<pre id="results"></pre><script>
window.addEventListener("load", () => setTimeout(() => {
  const out = {};
  for (const frame of document.querySelectorAll("iframe")) {
    const doc = frame.contentDocument;
    const error = doc.getElementById("easel-error");
    const view = doc.getElementById("out") || doc.getElementById("diagram");
    out[frame.id] = {
      text: view ? view.textContent : null,
      svg: !!doc.querySelector("#diagram svg"),
      error: error && !error.hidden ? error.textContent : "",
      pwned: !!(window.pwned || frame.contentWindow.pwned)};
  }
  document.getElementById("results").textContent = JSON.stringify(out);
}, 3000));
</script></body></html>"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_documents_run_in_chromium(tmp_path: Path) -> None:
    frames = "".join(
        f'<iframe id="{name}" srcdoc="{html.escape(inline_vendored(artifact_document(t, c)), quote=True)}"></iframe>'
        for name, (t, c) in CASES.items()
    )
    path = tmp_path / "documents.html"
    path.write_text(PARENT.replace("FRAMES", frames), encoding="utf-8")
    dom = run_chromium(path, tmp_path / "profile")
    match = re.search(r'<pre id="results">([^<]*)</pre>', dom)
    assert match is not None and match.group(1), dom[-2000:]
    results = json.loads(html.unescape(match.group(1)))
    assert results["react"] == {"text": "count 42", "svg": False, "error": "", "pwned": False}
    assert "lucide-react" in results["react-lucide"]["error"]
    assert "not available in Easel" in results["react-lucide"]["error"]
    assert results["react-hostile"]["text"] == HOSTILE
    assert "does not compile" in results["react-syntax"]["error"]
    assert results["mermaid"]["svg"] and not results["mermaid"]["error"]
    assert results["mermaid-bad"]["error"].startswith("The diagram could not be rendered")
    assert not any(r["pwned"] for r in results.values())
