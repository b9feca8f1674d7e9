"""A safe, static preview of a page that is still streaming in.

While a full HTML artifact streams, the panel shows what has arrived so far. That prefix is
untrusted and incomplete, so it is never shown as is: `partial_preview` parses it with
`html.parser` and writes a new document from the parse, keeping only what cannot run code:

- `<script>` elements go with their content, closed or not (an unclosed one is buffered by the
  parser and never reported); so do `<noscript>`, `<iframe>`, `<noembed>`, `<noframes>`;
  `<object>`, `<embed>`, `<applet>`, `<frame>`, `<base>` and `<meta http-equiv>` tags go;
- attributes named `on…` go, and so does any attribute whose value holds a `javascript:` or
  `vbscript:` URL (entities decoded, blanks and control characters ignored) or a
  `data:text/html` one;
- comments, processing instructions and CDATA go; a trailing incomplete tag, comment or
  character reference is cut off (the parser holds it back until more input arrives);
- every text and attribute value is re-escaped, and `<` inside a `<style>` becomes the CSS
  escape `\\3c ` so no style text can close the element or open a tag (in SVG a `<style>` is
  not raw text);
- `<meta http-equiv="Content-Security-Policy" content="script-src 'none'">` is written at the
  start of the head as a second wall.

Because the output is written from the parse, whatever a browser makes of it contains only
the elements and attributes written here: text can never turn into markup.

CSS frameworks that work at run time (Tailwind's play script, `cdn.tailwindcss.com` or
`@tailwindcss/browser`) would leave the preview unstyled until the artifact closes. The page's
script never runs here; instead the preview names the framework's vendored copy in
`<meta name="easel-css-framework" content="<the script's CDN URL>">` (only when that URL is a
vendored Tailwind build), and the sandbox view runs that vendored copy in Easel's own isolated
script world (`sandbox.view`), where it styles the preview's DOM and nothing of the page runs.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from app.vendor import VendoredFile, resolve_cdn_url

CSP_META = '<meta http-equiv="Content-Security-Policy" content="script-src \'none\'">'
# Elements whose whole content is dropped with them (raw text in a browser, or code).
_SKIP_CONTENT = frozenset({"script", "noscript", "iframe", "noembed", "noframes"})
# Elements dropped as tags only: their children (fallback content) may still show.
_DROP_TAG = frozenset({"object", "embed", "applet", "frame", "frameset", "base", "portal"})
# Tokens that may come before the CSP meta without weakening it.
_BEFORE_META = frozenset({"html", "head"})
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9._:-]*\Z")
_ATTR_NAME = re.compile(r"[^\s\"'<>/=\x00-\x1f\x7f]+\Z")
_BLANKS = re.compile(r"[\x00-\x20\x7f]+")
_DANGEROUS_VALUE = ("javascript:", "vbscript:", "data:text/html")
_SAFE_LINK_RELS = frozenset({"stylesheet", "icon", "shortcut", "apple-touch-icon"})
FRAMEWORK_META = "easel-css-framework"
# Vendored packages whose script builds the page's CSS at run time (run for the preview).
CSS_FRAMEWORKS = frozenset({"tailwindcss-cdn", "@tailwindcss/browser"})
_FRAMEWORK_META = re.compile(rf'<meta name="{FRAMEWORK_META}" content="([^"]*)">')


def partial_preview(html_so_far: str) -> str:
    """A static, script-free document showing what has arrived of `html_so_far`."""
    writer = _PreviewWriter()
    writer.feed(html_so_far)
    # No close(): what the parser still holds is an incomplete tail, and it stays out.
    return writer.result()


def css_framework(url: str) -> VendoredFile | None:
    """The vendored CSS framework script a `<script src>` URL names, or None."""
    found = resolve_cdn_url(url)
    return found if found is not None and found.package in CSS_FRAMEWORKS else None


def framework_script(preview: str) -> VendoredFile | None:
    """The vendored framework a preview written by `partial_preview` asks the view to run."""
    match = _FRAMEWORK_META.search(preview)
    return css_framework(html.unescape(match.group(1))) if match else None


def _dangerous(value: str) -> bool:
    cleaned = _BLANKS.sub("", value).lower()
    return any(marker in cleaned for marker in _DANGEROUS_VALUE)


def _safe_attr(name: str, value: str | None) -> bool:
    if not _ATTR_NAME.match(name):
        return False
    local = name.rsplit(":", 1)[-1].lower()
    if local.startswith("on"):
        return False
    if value is None:
        return True
    if local == "attributename" and value.strip().lower().startswith(("on", "href", "xlink")):
        return False  # SVG animation could write a handler or a link target
    return not _dangerous(value)


def _attributes(attrs: list[tuple[str, str | None]]) -> str:
    parts = []
    for name, value in attrs:
        if not _safe_attr(name, value):
            continue
        parts.append(name if value is None else f'{name}="{html.escape(value, quote=True)}"')
    return "".join(" " + part for part in parts)


def _allowed_tag(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    if not _TAG_NAME.match(tag) or tag in _DROP_TAG:
        return False
    values = {name: (value or "") for name, value in attrs}
    if tag == "meta" and "http-equiv" in values:
        return False  # refresh, or a policy of the page's own: only ours is written
    if tag == "meta" and values.get("name", "").lower() == FRAMEWORK_META:
        return False  # only the preview names the framework the view runs
    if tag == "link":
        rels = set(values.get("rel", "").lower().split())
        return bool(rels & _SAFE_LINK_RELS)
    return True


class _PreviewWriter(HTMLParser):
    """Writes a safe copy of each token the parser reports."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._doctype = False
        self._meta_written = False
        self._skipping: str | None = None  # the element whose content is being dropped
        self._framework = ""  # the CDN URL of a CSS framework script the page loads

    def result(self) -> str:
        self._write_meta()
        out = list(self._out)
        if self._framework:
            url = html.escape(self._framework, quote=True)
            out.insert(out.index(CSP_META) + 1, f'<meta name="{FRAMEWORK_META}" content="{url}">')
        head = "<!DOCTYPE html>\n" if self._doctype else ""
        return head + "".join(out)

    def _write_meta(self) -> None:
        if not self._meta_written:
            self._meta_written = True
            self._out.append(CSP_META)

    def _note_framework(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "script" or self._framework:
            return
        src = next((v for k, v in attrs if k.lower() == "src" and v), "")
        if src and css_framework(src) is not None:
            self._framework = src

    def _emit(self, text: str) -> None:
        self._write_meta()
        self._out.append(text)

    # -- tokens --------------------------------------------------------------------------------

    def handle_decl(self, decl: str) -> None:
        """A doctype keeps the page in standards mode; nothing else of it is kept."""
        if decl.lower().startswith("doctype") and not self._out:
            self._doctype = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A start tag, written again from its parsed name and attributes."""
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closing tag (`<br/>`, SVG shapes)."""
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        if self._skipping:
            return
        self._note_framework(tag, attrs)
        if tag in _SKIP_CONTENT:
            # A self-closed <script/> is still open in a browser; its content is dropped here
            # only when the parser also sees it as open (it then holds the text as script).
            if not closed:
                self._skipping = tag
            return
        if not _allowed_tag(tag, attrs):
            return
        text = f"<{tag}{_attributes(attrs)}{' /' if closed else ''}>"
        if tag in _BEFORE_META and not self._meta_written:
            self._out.append(text)
            if tag == "head":
                self._write_meta()
            return
        self._emit(text)

    def handle_endtag(self, tag: str) -> None:
        """An end tag; the end of a skipped element resumes writing."""
        if self._skipping:
            if tag == self._skipping:
                self._skipping = None
            return
        if tag in _SKIP_CONTENT or not _TAG_NAME.match(tag) or tag in _DROP_TAG:
            return
        self._emit(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        """Text, re-escaped; style text with `<` made inert; skipped content dropped."""
        if self._skipping or self.cdata_elem == "script":
            return
        if self.cdata_elem == "style":
            self._emit(data.replace("<", "\\3c "))
            return
        if not self._meta_written and not data.strip():
            self._out.append(data)  # whitespace between doctype, <html> and <head>
            return
        self._emit(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        """Comments are dropped (conditional comments and friends)."""

    def handle_pi(self, data: str) -> None:
        """Processing instructions are dropped."""

    def unknown_decl(self, data: str) -> None:
        """CDATA sections and other declarations are dropped."""
