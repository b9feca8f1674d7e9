"""Turn an artifact of any type into one full HTML page, and make pages self-contained.

`artifact_document(type, content, title)` is what the sandbox loads for an artifact
(DESIGN.md §3): HTML as is, SVG centred on a page, Markdown as a printable document, a React
component run with vendored React and Babel, a Mermaid diagram. Library scripts are referenced
by their canonical CDN URLs, which the sandbox answers from assets/vendor (app/vendor.py).

`inline_vendored(html)` is the "Save as .html" step (DESIGN.md §6): every `<script src>` and
stylesheet `<link>` whose CDN URL is vendored becomes an inline `<script>`/`<style>` holding the
file, and every vendored ES module the page imports becomes a `data:` URL in its import map
(app/import_maps.py), so the saved page runs offline.

Values from the model never reach a script by concatenation: they are embedded as JSON in a
`<script type="application/json">` block with `<`, `>` and `&` escaped (`script_json`).
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from collections.abc import Callable
from urllib.parse import urljoin

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from app.import_maps import inline_modules, with_import_map
from app.resources import asset
from app.vendor import VendoredFile, package_version, resolve_cdn_url

ARTIFACT_ASSETS = asset("artifact")
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
WHOLE_DOCUMENT = re.compile(r"<!doctype\s|<html[\s>]", re.IGNORECASE)
SVG_PROLOGUE = re.compile(
    r"^\s*(?:<\?xml[^>]*\?>\s*|<!doctype[^>]*>\s*|<!--.*?-->\s*)*", re.I | re.S
)
SVG_OPEN_TAG = re.compile(r"<svg\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.IGNORECASE)
# One tag's attributes: name, then an optional "double", 'single' or bare value.
ATTRIBUTE = re.compile(
    r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""", re.DOTALL
)
TAG_BODY = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
# What inline_vendored walks over: comments, raw-text elements (skipped whole) and links.
TOKEN = re.compile(
    rf"<!--.*?-->|<(script|style|textarea|title)\b({TAG_BODY})>|<link\b({TAG_BODY})>",
    re.IGNORECASE | re.DOTALL,
)
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
# Attributes that make no sense once a script or stylesheet is inline.
DROPPED_ATTRIBUTES = frozenset(
    {"src", "href", "rel", "integrity", "crossorigin", "referrerpolicy", "defer", "async"}
)

Resolver = Callable[[str], VendoredFile | None]


def script_json(value: object) -> str:
    """A value as JSON that is safe inside any <script> element (no `<`, `>` or `&`)."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@functools.cache
def _asset(name: str) -> str:
    """One of our own files in assets/artifact (read once)."""
    return (ARTIFACT_ASSETS / name).read_text(encoding="utf-8")


def _page(title: str, head: str, body: str, lang: str = "en") -> str:
    """A minimal full HTML page."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n{VIEWPORT}\n'
        f"<title>{html.escape(title)}</title>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def html_document(content: str, title: str = "") -> str:
    """text/html: the content as is; a fragment is wrapped in a minimal page.

    Bare imports of vendored libraries (`from 'three'`) get Easel's import map when the page
    has none (app/import_maps.py).
    """
    if WHOLE_DOCUMENT.search(content):
        return with_import_map(content)
    return with_import_map(_page(title or "Artifact", "", content))


def svg_document(content: str, title: str = "") -> str:
    """image/svg+xml: the SVG inline, centred and scaled to fit on a white page."""
    svg = SVG_PROLOGUE.sub("", content, count=1)
    svg = SVG_OPEN_TAG.sub(lambda m: _with_viewbox(m.group(0)), svg, count=1)
    return _page(title or "SVG", f"<style>\n{_asset('svg.css')}</style>\n", svg)


def _with_viewbox(tag: str) -> str:
    """Give an <svg> with numeric width/height but no viewBox one, so that it can scale."""
    attrs = {name.lower(): value for name, value in _attributes(tag[4:-1])}
    if "viewbox" in attrs:
        return tag
    try:
        width = float((attrs.get("width") or "").removesuffix("px"))
        height = float((attrs.get("height") or "").removesuffix("px"))
    except ValueError:
        return tag
    return f'<svg viewBox="0 0 {width:g} {height:g}"' + tag[4:]


def _highlight(code: str, lang: str, _attrs: str) -> str:
    """Pygments spans for a fenced block (markdown-it wraps them in <pre><code>)."""
    try:
        lexer = get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes the code itself
    return highlight(code, lexer, HtmlFormatter(nowrap=True))


@functools.cache
def _markdown() -> MarkdownIt:
    """The document renderer: CommonMark + tables, strikethrough, task lists, footnotes."""
    md = MarkdownIt("commonmark", {"html": True, "highlight": _highlight})
    md.enable(["table", "strikethrough"])
    return md.use(tasklists_plugin).use(footnote_plugin)


@functools.cache
def _pygments_css() -> str:
    return HtmlFormatter(style="default").get_style_defs(".md-body pre")


def markdown_document(content: str, title: str = "") -> str:
    """text/markdown: a clean, printable document with highlighted code."""
    body = f'<main class="md-body">\n{_markdown().render(content)}</main>'
    style = f"<style>\n{_asset('markdown.css')}\n{_pygments_css()}\n</style>\n"
    return _page(title or "Document", style, body)


def _library_scripts(*urls: str) -> str:
    return "".join(f'<script src="{html.escape(url)}"></script>\n' for url in urls)


def _source_block(content: str) -> str:
    return f'<script type="application/json" id="easel-source">{script_json(content)}</script>\n'


ERROR_BOX_STYLE = (
    "<style>#easel-error{margin:16px;padding:12px 16px;white-space:pre-wrap;"
    "font:13px/1.5 ui-monospace,monospace;color:#8a1c1c;background:#fff4f4;"
    "border:1px solid #f0b8b8;border-radius:6px}</style>\n"
)


def react_document(content: str, title: str = "") -> str:
    """application/vnd.react: React 18 + Babel + Tailwind's play script, then the component."""
    react, babel = package_version("react"), package_version("@babel/standalone")
    scripts = _library_scripts(
        f"https://cdn.tailwindcss.com/{package_version('tailwindcss-cdn')}",
        f"https://unpkg.com/react@{react}/umd/react.development.js",
        f"https://unpkg.com/react-dom@{package_version('react-dom')}/umd/react-dom.development.js",
        f"https://unpkg.com/@babel/standalone@{babel}/babel.min.js",
    )
    body = (
        '<div id="root"></div>\n<pre id="easel-error" hidden></pre>\n'
        + _source_block(content)
        + f"<script>\n{_asset('react-runner.js')}</script>"
    )
    return _page(title or "React component", scripts + ERROR_BOX_STYLE, body)


def mermaid_document(content: str, title: str = "") -> str:
    """application/vnd.mermaid: the diagram rendered by vendored Mermaid, errors as text."""
    url = f"https://cdn.jsdelivr.net/npm/mermaid@{package_version('mermaid')}/dist/mermaid.min.js"
    style = (
        "<style>body{margin:0;background:#fff}#diagram{display:flex;justify-content:center;"
        "padding:16px}#diagram svg{max-width:100%;height:auto}</style>\n"
    )
    body = (
        '<div id="diagram"></div>\n<pre id="easel-error" hidden></pre>\n'
        + _source_block(content)
        + f"<script>\n{_asset('mermaid-runner.js')}</script>"
    )
    return _page(title or "Diagram", _library_scripts(url) + style + ERROR_BOX_STYLE, body)


BUILDERS: dict[str, Callable[[str, str], str]] = {
    "text/html": html_document,
    "image/svg+xml": svg_document,
    "text/markdown": markdown_document,
    "application/vnd.react": react_document,
    "application/vnd.mermaid": mermaid_document,
}


def artifact_document(type: str, content: str, title: str = "") -> str:
    """One full HTML page for an artifact; an unknown type is shown as plain text."""
    builder = BUILDERS.get(type.strip().lower())
    if builder is None:
        return _page(title or "Artifact", "", f"<pre>{html.escape(content)}</pre>")
    return builder(content, title)


# --- Save as .html: inline the vendored libraries -------------------------------------------


def _attributes(text: str) -> list[tuple[str, str | None]]:
    """(name, value) pairs of a tag's attribute text; a bare attribute has value None."""
    pairs = []
    for match in ATTRIBUTE.finditer(text):
        value = next((g for g in match.groups()[1:] if g is not None), None)
        pairs.append((match.group(1), None if value is None else html.unescape(value)))
    return pairs


def _open_tag(name: str, attrs: list[tuple[str, str | None]]) -> str:
    kept = [(k, v) for k, v in attrs if k.lower() not in DROPPED_ATTRIBUTES]
    rendered = "".join(f" {k}" if v is None else f' {k}="{html.escape(v)}"' for k, v in kept)
    return f"<{name}{rendered}>"


def inline_script_text(text: str) -> str:
    """JavaScript made safe to sit inside <script>…</script> without changing what it does."""
    text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
    # `<!--` can switch the HTML parser into the "escaped" script states.
    return text.replace("<!--", "\\x3C!--")


def _data_url(found: VendoredFile) -> str:
    encoded = base64.b64encode(found.read_bytes()).decode("ascii")
    return f"data:{found.mime};base64,{encoded}"


def inline_css_text(css: str, base_url: str, resolve: Resolver) -> str:
    """CSS for an inline <style>: vendored url(...) become data: URLs, others absolute."""

    def rewrite(match: re.Match[str]) -> str:
        ref = match.group(2).strip()
        if ref.startswith(("data:", "#")):
            return match.group(0)
        absolute = urljoin(base_url, ref)
        found = resolve(absolute)
        return f'url("{_data_url(found) if found else absolute}")'

    css = CSS_URL.sub(rewrite, css)
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def _inline_script(attr_text: str, resolve: Resolver) -> str | None:
    attrs = _attributes(attr_text)
    src = next((v for k, v in attrs if k.lower() == "src" and v), None)
    found = resolve(src) if src else None
    if found is None:
        return None
    code = inline_script_text(found.read_bytes().decode("utf-8"))
    return f"{_open_tag('script', attrs)}\n{code}\n</script>"


def _inline_link(attr_text: str, resolve: Resolver) -> str | None:
    attrs = _attributes(attr_text)
    values = {k.lower(): v for k, v in attrs}
    href = values.get("href")
    if "stylesheet" not in (values.get("rel") or "").lower().split() or not href:
        return None
    found = resolve(href)
    if found is None or found.mime != "text/css":
        return None
    css = inline_css_text(found.read_bytes().decode("utf-8"), href, resolve)
    return f"{_open_tag('style', attrs)}\n{css}\n</style>"


def _element_end(page: str, name: str, start: int) -> int:
    """The index just past `</name…>` after start (the end of the page if unclosed)."""
    close = re.compile(rf"</{name}\b[^>]*>", re.IGNORECASE).search(page, start)
    return close.end() if close else len(page)


def inline_vendored(page: str, resolve: Resolver = resolve_cdn_url) -> str:
    """The page with every vendored library script and stylesheet inlined (others untouched).

    ES modules reached through the page's import map are inlined into it (`inline_modules`).
    """
    page = inline_modules(page, resolve)
    out: list[str] = []
    pos = 0
    while (match := TOKEN.search(page, pos)) is not None:
        raw_name, raw_attrs, link_attrs = match.groups()
        end, replacement = match.end(), None
        if raw_name:
            end = _element_end(page, raw_name, match.end())
            if raw_name.lower() == "script":
                replacement = _inline_script(raw_attrs, resolve)
        elif link_attrs is not None:
            replacement = _inline_link(link_attrs, resolve)
        out.append(page[pos : match.start()])
        out.append(page[match.start() : end] if replacement is None else replacement)
        pos = end
    out.append(page[pos:])
    return "".join(out)
