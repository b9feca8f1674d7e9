"""One artifact's content: its type, title and identifier, read from the markup or the content.

`ArtifactSink` receives an artifact's text as it streams and says ArtifactOpened (once the type
and title are known, reading ahead at most LOOKAHEAD characters), ArtifactDelta… and
ArtifactClosed.
"""

from __future__ import annotations

import html
import re
import unicodedata

from app.artifact_segments import (
    HTML,
    MARKDOWN,
    MERMAID,
    REACT,
    SVG,
    ArtifactClosed,
    ArtifactDelta,
    ArtifactOpened,
    Segment,
)

_TYPE_ALIASES = {
    HTML: HTML, "html": HTML, "htm": HTML, "xhtml": HTML, "application/vnd.ant.html": HTML,
    SVG: SVG, "svg": SVG, "image/svg": SVG, "text/svg": SVG, "application/vnd.ant.svg": SVG,
    MARKDOWN: MARKDOWN, "markdown": MARKDOWN, "md": MARKDOWN, "text/x-markdown": MARKDOWN,
    "application/vnd.ant.markdown": MARKDOWN,
    REACT: REACT, "react": REACT, "jsx": REACT, "tsx": REACT, "application/vnd.ant.react": REACT,
    "text/jsx": REACT,
    MERMAID: MERMAID, "mermaid": MERMAID, "application/vnd.ant.mermaid": MERMAID,
    "text/mermaid": MERMAID,
}  # fmt: skip
_DEFAULT_TITLES = {
    HTML: "Page", SVG: "Drawing", MARKDOWN: "Document", REACT: "Component", MERMAID: "Diagram",
}  # fmt: skip
_MIME_RE = re.compile(r"[a-z]+/[a-z0-9][a-z0-9.+-]*\Z")
_CODE_CONTAINER = "application/vnd.ant.code"  # a wrapper, not a type: read language or content
_MERMAID_WORDS = frozenset(
    "graph flowchart sequencediagram classdiagram statediagram statediagram-v2 erdiagram gantt "
    "pie journey mindmap timeline gitgraph quadrantchart requirementdiagram c4context "
    "sankey-beta xychart-beta block-beta".split()
)
LOOKAHEAD = 4096  # how much content may be read ahead to find a title or a type
_PROLOG_RE = re.compile(
    r"\s*(?:(?:<\?xml[^>]*>|<!--.*?-->|<!doctype\s+svg[^>]*>)\s*)*", re.S | re.I
)
_DOC_HTML_RE = re.compile(r"<!doctype\s+html|<html[\s>]", re.I)
_DOC_SVG_RE = re.compile(r"<svg[\s>]", re.I)
_DOC_PREFIXES = ("<!doctype html", "<html", "<svg")
_DOC_UNFINISHED = ("<?", "<!--", "<!doctype svg")  # a prolog still arriving
FRAGMENT_RE = re.compile(r"<(?:script|canvas|style|body)[\s>]", re.I)
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.S | re.I)
_HEAD_END_RE = re.compile(r"<body[\s>]|</head\s*>", re.I)
_HEADING_RE = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1\s*>", re.S | re.I)
_MD_HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t#]*\r?$(?=\n)", re.M)
_MD_HEADING_FINAL_RE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t#]*\r?$", re.M)


def normalize_type(raw: str | None) -> str | None:
    """One of ARTIFACT_TYPES for a known spelling ("svg", "application/vnd.ant.react"…), else None."""
    if not raw:
        return None
    return _TYPE_ALIASES.get(raw.strip().lower())


def slugify(text: str) -> str:
    """A kebab-case identifier ([a-z0-9-]) from any text; "" when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:64].rstrip("-")


def _clean_title(raw: str) -> str:
    """Visible text of a title or heading: tags dropped, entities decoded, spaces collapsed."""
    text = html.unescape(re.sub(r"<[^>]*>", "", raw))
    return " ".join(text.split())[:120]


def doc_kind(window: str, done: bool) -> str | None:
    """Kind of fenced content: "html"/"svg" when it starts as a whole document, None when it
    does not, "?" while too little has arrived to tell (done: no more content will come)."""
    rest = window[_PROLOG_RE.match(window).end() :]
    head = rest[:16].lower()
    if _DOC_HTML_RE.match(head):
        return "html"
    if _DOC_SVG_RE.match(head):
        return "svg"
    if done:
        return None
    if (
        not rest
        or head.startswith(_DOC_UNFINISHED)
        or any(p.startswith(head) for p in _DOC_PREFIXES)
    ):
        return "?"
    return None


def _sniff_type(window: str, done: bool, given: str | None) -> str | None:
    """The type of an artifact whose type attribute is missing or unknown; None until decidable.
    Each rule looks only at what a longer window could not change, so the answer is stable."""
    start = window[_PROLOG_RE.match(window).end() :]
    if len(start) < 64 and not done:
        return None
    if _DOC_SVG_RE.match(start[:5]):
        return SVG
    if start.startswith("<"):
        return HTML
    if given and _MIME_RE.match(given) and given != _CODE_CONTAINER:
        return given  # a sensible type we do not render specially (text/css, text/plain…)
    words = start[:64].split(None, 1)
    if words and words[0].lower().rstrip(":;") in _MERMAID_WORDS:
        return MERMAID
    if not done:
        return None  # "export default" may still come
    if words and words[0] in ("import", "export") or "export default" in start:
        return REACT
    return "text/plain" if given == _CODE_CONTAINER else MARKDOWN


def _find_title(window: str, kind: str, done: bool) -> tuple[bool, str | None]:
    """(decided, title) from content: <title>, else first heading; stable as content grows."""
    if kind == MARKDOWN:
        rx = _MD_HEADING_FINAL_RE if done else _MD_HEADING_RE
        m = rx.search(window)
        return (True, _clean_title(m.group(1)) or None) if m else (done, None)
    if kind not in (HTML, SVG):
        return True, None
    head_end = _HEAD_END_RE.search(window) if kind == HTML else None
    head = window[: head_end.start()] if head_end else window
    m = _TITLE_RE.search(head)
    if m and _clean_title(m.group(1)):
        return True, _clean_title(m.group(1))
    if not (head_end or done or m):
        return False, None  # a <title> may still come
    heading = _HEADING_RE.search(window)
    if heading and _clean_title(heading.group(2)):
        return True, _clean_title(heading.group(2))
    return done, None


class ArtifactSink:
    """One artifact's content: decides identifier, type and title (reading ahead in the content
    when the markup did not say), then emits ArtifactOpened, ArtifactDelta… and ArtifactClosed."""

    def __init__(
        self, syntax: str, attrs: dict[str, str], hint: str | None, used: set[str]
    ) -> None:
        self.syntax = syntax
        self._given_id = slugify(attrs.get("identifier") or attrs.get("id") or "")
        raw_type = (attrs.get("type") or "").strip().lower()
        language = attrs.get("language", "")
        if raw_type == _CODE_CONTAINER and normalize_type(language):
            raw_type = language.lower()  # Claude's code artifact in a language we render
        self._raw_type = raw_type or (hint or "")
        self.type = normalize_type(self._raw_type)
        self._title = attrs.get("title", "").strip() or None
        self._used = used
        self.identifier = ""
        self._parts: list[str] = []
        self._window = ""  # content read ahead while not yet opened
        self._out: list[Segment] = []
        self.opened = False

    def start(self) -> list[Segment]:
        """Open at once when the markup said enough (else the content will tell)."""
        self._try_open(done=False)
        return self._take()

    def write(self, text: str) -> list[Segment]:
        """Add content; returns the segments this makes ready."""
        if not text:
            return []
        self._parts.append(text)
        if self.opened:
            return [ArtifactDelta(self.identifier, text)]
        self._window += text
        if len(self._window) >= LOOKAHEAD or ">" in text or "\n" in text:
            self._try_open(done=len(self._window) >= LOOKAHEAD)
        return self._take()

    def close(self, complete: bool) -> list[Segment]:
        """End the artifact (opening it first if the look-ahead was still undecided)."""
        if not self.opened:
            self._try_open(done=True)
        content = "".join(self._parts)
        self._out.append(ArtifactClosed(self.identifier, content, complete))
        return self._take()

    def _take(self) -> list[Segment]:
        out, self._out = self._out, []
        return out

    def _try_open(self, done: bool) -> None:
        window = self._window[:LOOKAHEAD]
        kind = self.type or _sniff_type(window, done, self._raw_type or None)
        if kind is None:
            return
        title = self._title
        if title is None:
            decided, title = _find_title(window, kind, done)
            if not decided:
                return
        self.type = kind
        self._open(title)

    def _open(self, title: str | None) -> None:
        if self._given_id:
            self.identifier = self._given_id
        else:
            base = slugify(title or "") or slugify(_DEFAULT_TITLES.get(self.type, "Artifact"))
            self.identifier, n = base, 2
            while self.identifier in self._used:  # a different artifact already has this name
                self.identifier, n = f"{base}-{n}", n + 1
        self._used.add(self.identifier)
        title = title or self._given_id or _DEFAULT_TITLES.get(self.type, "Artifact")
        self.opened = True
        self._out.append(ArtifactOpened(self.identifier, self.type, title, self.syntax))
        if self._window:
            self._out.append(ArtifactDelta(self.identifier, self._window))
        self._window = ""
