"""The streaming artifact extractor: a model's reply text in, chat prose and artifact events out.

Recognised syntaxes (DESIGN.md section 3): our ``<artifact identifier= type= title=>``, Claude's
``<antArtifact ...>``, LibreChat's ``:::artifact{...}`` directive around a fenced block, plain
```` ```html ```` / ```` ```svg ```` / ```` ```xml ```` fences holding a whole document or a
runnable HTML fragment (*automatic* artifacts), ``<artifact-edit>`` find/replace edits, and
``<think>...</think>`` reasoning at the start of the content.

``ArtifactParser.feed`` accepts any chunking of the text and gives the same segments (after
merging adjacent pieces) as one call with the whole text. It holds back only what might still
turn out to be markup (a partial tag, a line that might be a fence, the newline before a closing
tag) and a bounded look-ahead of an artifact's first 4 KB when its title or type must be read from
its content. Every wait is capped, so the work per character is bounded and feeding is linear.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from app.i18n import translate

ARTIFACT_TYPES = (
    "text/html",
    "image/svg+xml",
    "text/markdown",
    "application/vnd.react",
    "application/vnd.mermaid",
)
HTML, SVG, MARKDOWN, REACT, MERMAID = ARTIFACT_TYPES


@dataclass(frozen=True)
class Prose:
    """Chat text (Markdown), in reply order."""

    text: str


@dataclass(frozen=True)
class Reasoning:
    """Reasoning the model wrote into the content as <think>...</think>."""

    text: str


@dataclass(frozen=True)
class ArtifactOpened:
    """An artifact starts. syntax: "artifact" | "antArtifact" | "directive" | "fence"."""

    identifier: str
    type: str
    title: str
    syntax: str


@dataclass(frozen=True)
class ArtifactDelta:
    """A piece of the open artifact's content; the pieces concatenate to the final content."""

    identifier: str
    text: str


@dataclass(frozen=True)
class ArtifactClosed:
    """An artifact ends; complete is False when the stream ended or another began first."""

    identifier: str
    content: str
    complete: bool


@dataclass(frozen=True)
class EditOpened:
    """An <artifact-edit> for an existing artifact starts."""

    identifier: str


@dataclass(frozen=True)
class EditClosed:
    """An edit ends: its (find, replace) pairs in order; complete is False when cut off."""

    identifier: str
    pairs: tuple[tuple[str, str], ...]
    complete: bool


Segment = (
    Prose | Reasoning | ArtifactOpened | ArtifactDelta | ArtifactClosed | EditOpened | EditClosed
)


@dataclass(frozen=True)
class Artifact:
    """One artifact found in a reply (a stored reply, or `main.py extract`)."""

    identifier: str
    type: str
    title: str
    content: str
    complete: bool


# --- markers -------------------------------------------------------------------------------

_TAG_WORDS = ("<artifact", "<antartifact", "<artifact-edit")
_OPEN_TAG_RE = re.compile(r"<(artifact-edit|artifact|antartifact)(?=[\s>/])([^<>]{0,2000})>", re.I)
# Artifact markup in text after the cap: an opening tag, a directive, a document fence.
_SPILL_RE = re.compile(
    r"<(?:artifact-edit|artifact|antartifact)[\s>]|:::artifact|^[ \t]*(?:`{3,}|~{3,})[ \t]*(?:html|svg|xml)",
    re.I | re.M,
)
_OPEN_TAG_PARTIAL_RE = re.compile(r"<(?:artifact-edit|artifact|antartifact)\s[^<>]{0,2000}\Z", re.I)
_CLOSE_TAG_RE = re.compile(r"</(?:artifact|antartifact)\s{0,8}>", re.I)
_CLOSE_WORDS = ("</artifact>", "</antartifact>")
_DIRECTIVE = ":::artifact{"
_DIRECTIVE_RE = re.compile(r":::artifact\{([^}\n]{0,2000})\}", re.I)
_DIRECTIVE_PARTIAL_RE = re.compile(r":::artifact\{[^}\n]{0,2000}\Z", re.I)
_DIRECTIVE_END_RE = re.compile(r"[ \t]*(?:\r?\n[ \t]*)*:::[ \t]*(?=\r?\n|\Z)")
_DIRECTIVE_END_PARTIAL_RE = re.compile(r"[ \t\r\n]*(?::{1,3}[ \t]*\r?)?\Z")
_ATTR_RE = re.compile(r"""([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>}]+))""")
_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"

# Candidates in chat text: a tag, a directive, a line that may open a fence, a tail to hold.
_TOP_CAND_RE = re.compile(r"<|:::|:{1,2}\Z|^[ \t]*[`~]|^[ \t]+\Z", re.M)
_FENCE_LINE_RE = re.compile(r"[ \t]*(`{3,}|~{3,})([^\n]*)\n")
_FENCE_PARTIAL_RE = re.compile(r"[ \t]*(?:`{0,2}|~{0,2}|`{3,}[^`\n]*|~{3,}[^\n]*)\Z")
_FENCE_ANY_RE = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
_FENCEY_RE = re.compile(r"[ \t]*(?:[`~]|\Z)")
_DIRECTIVEY_RE = re.compile(r"[ \t]*(?:[`~:]|\Z)")
_DIRECTIVE_CLOSER_RE = re.compile(r"[ \t]*:::[ \t]*")
_AUTO_LANGS = frozenset({"html", "htm", "xhtml", "svg", "xml"})
_LINE_CAP = 1000  # a "line" longer than this is never markup: bounds every wait

# The newline before a closing tag belongs to the markup; with a fence inside the tag, so does
# the fence's closing line. Bounded quantifiers keep what may be held back small.
_TRIM_FENCE_RE = re.compile(r"\r?\n[ \t]{0,16}(?:`{3,32}|~{3,32})[ \t]{0,16}\Z")
_HOLD_NL_RE = re.compile(r"\r?\n\Z")
_HOLD_FENCE_LINE_RE = re.compile(r"\r?\n[ \t]{0,16}(?:`{0,32}|~{0,32})[ \t]{0,16}\r?\Z")
_HOLD_FENCE_NL_RE = re.compile(r"\r?\n[ \t]{0,16}(?:`{3,32}|~{3,32})[ \t]{0,16}\r?\n\Z")

# --- types, titles, identifiers ----------------------------------------------------------------

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
# A reply makes at most this many artifact versions; markup after them stays text.
MAX_ARTIFACTS_PER_REPLY = 200
_WINDOW = 4096  # how much content may be read ahead to find a title or a type
_PROLOG_RE = re.compile(
    r"\s*(?:(?:<\?xml[^>]*>|<!--.*?-->|<!doctype\s+svg[^>]*>)\s*)*", re.S | re.I
)
_DOC_HTML_RE = re.compile(r"<!doctype\s+html|<html[\s>]", re.I)
_DOC_SVG_RE = re.compile(r"<svg[\s>]", re.I)
_DOC_PREFIXES = ("<!doctype html", "<html", "<svg")
_DOC_UNFINISHED = ("<?", "<!--", "<!doctype svg")  # a prolog still arriving
_FRAGMENT_RE = re.compile(r"<(?:script|canvas|style|body)[\s>]", re.I)
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


def _parse_attrs(text: str) -> dict[str, str]:
    """Attributes in any order and quoting style; names lowercased, entities decoded."""
    attrs: dict[str, str] = {}
    for m in _ATTR_RE.finditer(text):
        value = next(v for v in m.group(2, 3, 4) if v is not None)
        attrs.setdefault(m.group(1).lower(), html.unescape(value).strip())
    return attrs


def _doc_kind(window: str, done: bool) -> str | None:
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


class _Sink:
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
        if len(self._window) >= _WINDOW or ">" in text or "\n" in text:
            self._try_open(done=len(self._window) >= _WINDOW)
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
        window = self._window[:_WINDOW]
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


class _FenceTracker:
    """Follows Markdown fences through an artifact's content, line by line, so that an
    <artifact> tag quoted in a code block inside the content is not taken for a new one."""

    def __init__(self) -> None:
        self.fence = ""  # the open fence's marker ("```", "~~~~"), or "" outside fences
        self._line = ""  # the start of the current line (capped: long lines are not fences)

    def feed(self, text: str) -> None:
        start = 0
        while True:
            nl = text.find("\n", start)
            if nl < 0:
                if len(self._line) <= _LINE_CAP:
                    self._line += text[start : start + _LINE_CAP + 1]
                return
            line, self._line = self._line + text[start : start + min(nl - start, _LINE_CAP + 1)], ""
            self._end_line(line.rstrip("\r"))
            start = nl + 1

    def _end_line(self, line: str) -> None:
        m = _FENCE_ANY_RE.fullmatch(line) if len(line) <= _LINE_CAP else None
        if m is None:
            return
        fence, info = m.group(1), m.group(2).strip()
        if not self.fence:
            if not (fence[0] == "`" and "`" in info):
                self.fence = fence
        elif not info and fence[0] == self.fence[0] and len(fence) >= len(self.fence):
            self.fence = ""


def _partial_suffix(buf: str, start: int, word: str) -> int:
    """Where the shortest suffix of buf[start:] that is a proper prefix of word begins."""
    for k in range(max(start, len(buf) - len(word) + 1), len(buf)):
        if word.startswith(buf[k:].lower()):
            return k
    return len(buf)


def _hold_start(text: str, inner_fence: bool) -> int:
    """How much of a tag artifact's content may go out now: the rest may still be markup
    (the newline before the closing tag; with an inner fence, also that fence's last line)."""
    last = text.rfind("\n")
    if last < 0:
        return len(text) - 1 if text.endswith("\r") else len(text)
    if inner_fence:
        prev = text.rfind("\n", 0, last)
        if prev >= 0:
            start = prev - 1 if prev > 0 and text[prev - 1] == "\r" else prev
            if _HOLD_FENCE_NL_RE.match(text, start):
                return start
        start = last - 1 if last > 0 and text[last - 1] == "\r" else last
        if _HOLD_FENCE_LINE_RE.match(text, start):
            return start
    start = last - 1 if last > 0 and text[last - 1] == "\r" else last
    if _HOLD_NL_RE.match(text, start):
        return start
    return len(text) - 1 if text.endswith("\r") else len(text)


def _trim_tail(tail: str, inner_fence: bool) -> str:
    """The held tail of a closed tag artifact without its markup (see _hold_start)."""
    tail = tail[:-2] if tail.endswith("\r\n") else tail[:-1] if tail.endswith("\n") else tail
    if inner_fence:
        m = _TRIM_FENCE_RE.search(tail)
        if m:
            tail = tail[: m.start()]
    return tail


def _is_partial_close(buf: str, k: int) -> bool:
    """Whether buf[k:] may still grow into </artifact> or </antArtifact>."""
    if len(buf) - k > 24:
        return False  # before slicing: a copy of the rest for every "<" was quadratic
    rest = buf[k:].lower()
    core = rest.rstrip(" \t\r\n")
    if core != rest:
        return core in ("</artifact", "</antartifact")
    return any(w.startswith(rest) for w in _CLOSE_WORDS)


def _strip_markup_newlines(text: str) -> str:
    """The one newline after an opening and before a closing tag belongs to the markup."""
    text = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text


class ArtifactParser:
    """Incremental extractor: feed reply text in any chunks, get segments in reply order.

    max_artifacts: after that many artifacts and edits have closed, the rest of the reply is
    prose, markup and all (a reply with thousands of tiny artifacts would otherwise make
    thousands of versions and tabs); `capped` says when that happened.
    """

    def __init__(self, max_artifacts: int | None = None) -> None:
        self._limit = max_artifacts
        self._closed = 0
        self._spilled = False
        self._spill_tail = ""  # the end of the prose so far, for a marker split across chunks
        self._buf = ""
        self._i = 0  # start of the unconsumed text in _buf
        self._state = "start"
        self._out: list[Segment] = []
        self._used: set[str] = set()
        self._sink: _Sink | None = None
        self._attrs: dict[str, str] = {}
        # tag artifacts
        self._tag_phase = ""
        self._tag_inner = False
        self._tag_tail = ""
        self._tag_fences = _FenceTracker()
        # fenced and directive blocks
        self._blk_kind = ""
        self._blk_char = "`"
        self._blk_len = 3
        self._blk_depth = 0
        self._blk_nl = ""
        self._blk_mid = False
        self._raw: list[str] | None = None
        self._auto_lang = ""
        self._auto_state = "?"  # "?": may still be a whole document; "held": wait for the fence
        self._auto_held: list[str] = []
        self._auto_window = ""
        # edits
        self._edit_id = ""
        self._edit_phase = ""
        self._edit_acc: list[str] = []
        self._edit_find: str | None = None
        self._edit_pairs: list[tuple[str, str]] = []
        self._edit_ok = True
        # One step function per state; each returns True when it moved on to another state.
        self._steps = {
            "start": self._step_start, "think": self._step_think, "top": self._step_top,
            "tag": self._step_tag, "block": self._step_block, "edit": self._step_edit,
            "dir_head": self._step_dir_head, "dir_peek": self._step_dir_peek,
            "dir_end": self._step_dir_end,
        }  # fmt: skip

    # --- public ------------------------------------------------------------------------------

    def feed(self, chunk: str) -> list[Segment]:
        """Add reply text; returns the segments that are certain now."""
        if chunk:
            self._buf += chunk
            self._pump(final=False)
        return self._take()

    def close(self) -> list[Segment]:
        """End of stream: flush held text; an open artifact or edit closes incomplete."""
        self._pump(final=True)
        self._finish()
        self._buf, self._i = "", 0
        return self._take()

    @property
    def capped(self) -> bool:
        """Whether max_artifacts were reached: what follows them is prose."""
        return self._limit is not None and self._closed >= self._limit

    @property
    def spilled(self) -> bool:
        """Whether artifact markup came after the cap (and so stayed prose)."""
        return self._spilled

    # --- machinery ---------------------------------------------------------------------------

    def _take(self) -> list[Segment]:
        out, self._out = self._out, []
        return out

    def _pump(self, final: bool) -> None:
        while self._steps[self._state](final):
            pass
        # Keep one consumed character so that "^" still knows whether we are at a line start.
        keep = max(self._i - 1, 0)
        self._buf, self._i = self._buf[keep:], self._i - keep

    def _advance(self, to: int) -> None:
        """Consume up to index `to`, recording raw text when a fence may fall back to prose."""
        if self._raw is not None and to > self._i:
            self._raw.append(self._buf[self._i : to])
        self._i = to

    def _spill(self, text: str) -> None:
        if not self._spilled:
            seen = self._spill_tail + text
            self._spilled = _SPILL_RE.search(seen) is not None
            self._spill_tail = seen[-24:]

    def _prose(self, end: int) -> None:
        if end > self._i:
            self._out.append(Prose(self._buf[self._i : end]))
            self._i = end

    def _emit(self, segments: list[Segment]) -> None:
        self._out.extend(segments)

    def _new_sink(self, syntax: str, hint: str | None = None) -> _Sink:
        self._sink = _Sink(syntax, self._attrs, hint, self._used)
        self._emit(self._sink.start())
        return self._sink

    def _close_sink(self, complete: bool) -> None:
        if self._sink is not None:
            self._emit(self._sink.close(complete))
            self._sink = None
            self._closed += 1

    # --- start and reasoning -----------------------------------------------------------------

    def _step_start(self, final: bool) -> bool:
        buf = self._buf
        j = len(buf) - len(buf[self._i :].lstrip())
        rest = buf[j : j + len(_THINK_OPEN)]
        if rest == _THINK_OPEN:
            self._i, self._state = j + len(_THINK_OPEN), "think"
            return True
        if not final and len(rest) < len(_THINK_OPEN) and _THINK_OPEN.startswith(rest):
            return False  # whitespace, or a partial <think>
        self._state = "top"
        return True

    def _step_think(self, final: bool) -> bool:
        buf, i = self._buf, self._i
        k = buf.find(_THINK_CLOSE, i)
        end = k if k >= 0 else len(buf) if final else _partial_suffix(buf, i, _THINK_CLOSE)
        if end > i:
            self._out.append(Reasoning(buf[i:end]))
        self._i = end
        if k < 0:
            return False
        self._i, self._state = k + len(_THINK_CLOSE), "top"
        return True

    # --- chat text -----------------------------------------------------------------------------

    def _step_top(self, final: bool) -> bool:
        buf, j = self._buf, self._i
        if self.capped:
            self._spill(buf[j:])
            self._prose(len(buf))
            return False
        while True:
            m = _TOP_CAND_RE.search(buf, j)
            if m is None:
                self._prose(len(buf))
                return False
            k = m.start()
            verdict = self._top_candidate(k, final)
            if verdict == "no":
                j = k + 1
                continue
            if verdict == "more":
                self._prose(k)
                return False
            return True

    def _top_candidate(self, k: int, final: bool) -> str:
        """At a candidate: "no" (plain text), "more" (wait), or "done" (marker handled)."""
        c = self._buf[k]
        if c == "<":
            verdict, m = self._decide_open_tag(k, final)
            if m is not None:
                self._prose(k)
                self._open_tag(m)
            return verdict
        if c == ":":
            return self._top_directive(k, final)
        return self._top_fence(k, final)

    def _decide_open_tag(self, k: int, final: bool) -> tuple[str, re.Match[str] | None]:
        buf = self._buf
        if k > 0 and buf[k - 1] == "`":  # `<artifact>` in inline code is text
            return "no", None
        m = _OPEN_TAG_RE.match(buf, k)
        if m:
            return "done", m
        if final:
            return "no", None
        head = buf[k : k + 15].lower()
        if len(head) < 15 and any(w.startswith(head) for w in _TAG_WORDS):
            return "more", None
        return ("more" if _OPEN_TAG_PARTIAL_RE.match(buf, k) else "no"), None

    def _open_tag(self, m: re.Match[str]) -> None:
        self._attrs = _parse_attrs(m.group(2))
        self._i = m.end()
        name = m.group(1).lower()
        if name == "artifact-edit":
            self._start_edit()
            return
        self._new_sink("artifact" if name == "artifact" else "antArtifact")
        self._state, self._tag_phase, self._tag_inner, self._tag_tail = "tag", "nl", False, ""
        self._tag_fences = _FenceTracker()

    def _top_directive(self, k: int, final: bool) -> str:
        buf = self._buf
        if k > 0 and buf[k - 1] == "`":
            return "no"
        m = _DIRECTIVE_RE.match(buf, k)
        if m is None:
            if final:
                return "no"
            head = buf[k : k + len(_DIRECTIVE)].lower()
            if len(head) < len(_DIRECTIVE) and _DIRECTIVE.startswith(head):
                return "more"
            return "more" if _DIRECTIVE_PARTIAL_RE.match(buf, k) else "no"
        self._prose(k)
        self._attrs = _parse_attrs(m.group(1))
        self._i, self._state = m.end(), "dir_head"
        return "done"

    def _top_fence(self, k: int, final: bool) -> str:
        buf = self._buf
        m = _FENCE_LINE_RE.match(buf, k)
        if m is None:
            if final or buf.find("\n", k) >= 0 or len(buf) - k > _LINE_CAP:
                return "no"
            return "more" if _FENCE_PARTIAL_RE.match(buf, k) else "no"
        fence, info = m.group(1), m.group(2)
        if fence[0] == "`" and "`" in info:
            return "no"  # ```like this``` is inline code, not a fence
        self._prose(k)
        lang = (info.split() or [""])[0].lower()
        # The opener is recorded: prose shows it, and an html fence may turn out to be prose.
        self._raw = []
        self._advance(m.end())
        if lang in _AUTO_LANGS:
            self._auto_lang, self._auto_state = lang, "?"
            self._auto_held, self._auto_window = [], ""
            self._start_block("auto", fence)
        else:
            self._start_block("prose", fence)
        return "done"

    # --- fenced and directive blocks ------------------------------------------------------------

    def _start_block(self, kind: str, fence: str) -> None:
        self._state, self._blk_kind = "block", kind
        self._blk_char, self._blk_len = (fence[0], len(fence)) if fence else (":", 3)
        self._blk_depth, self._blk_nl, self._blk_mid = 0, "", False

    def _step_block(self, final: bool) -> bool:
        progressed = self._scan_block(final)
        if self._blk_kind == "prose" and self._raw:
            self._out.append(Prose("".join(self._raw)))
            self._raw = [] if self._state == "block" else None
        return progressed

    def _scan_block(self, final: bool) -> bool:
        """Line by line: content goes to _body; the newline before a line that may close the
        block is held; a complete fence-like line is classified once."""
        buf = self._buf
        while True:
            i = self._i
            if self._blk_mid:
                if not self._block_mid_line(final):
                    return False
                continue
            if i >= len(buf):
                return False
            j = buf.find("\n", i)
            line = buf[i : min(j if j >= 0 else len(buf), i + _LINE_CAP + 1)].rstrip("\r")
            fencey = self._fencey(line)
            if fencey and j < 0 and not final:
                return False  # wait for the whole line
            if fencey and self._classify_line(line) == "close":
                self._advance(i + len(line))
                self._end_block()
                return True
            self._body(self._blk_nl)
            self._blk_nl, self._blk_mid = "", True

    def _block_mid_line(self, final: bool) -> bool:
        buf, i = self._buf, self._i
        j = buf.find("\n", i)
        if j < 0:
            end = len(buf) - 1 if buf.endswith("\r") and not final else len(buf)
            if end > i:
                self._body(buf[i:end])
                self._advance(end)
            return False
        e = j - 1 if j - 1 >= i and buf[j - 1] == "\r" else j
        self._body(buf[i:e])
        self._blk_nl, self._blk_mid = buf[e : j + 1], False
        self._advance(j + 1)
        return True

    def _fencey(self, line: str) -> bool:
        if len(line) > _LINE_CAP:
            return False
        rx = _DIRECTIVEY_RE if self._blk_kind == "dir_raw" else _FENCEY_RE
        return rx.match(line) is not None

    def _classify_line(self, line: str) -> str:
        """Whether a complete line is the block's closing one ("close") or content ("text")."""
        if self._blk_kind == "dir_raw":
            return "close" if _DIRECTIVE_CLOSER_RE.fullmatch(line) else "text"
        m = _FENCE_ANY_RE.fullmatch(line)
        if m is None:
            return "text"
        fence, info = m.group(1), m.group(2).strip()
        if self._blk_kind == "prose":
            closes = not info and fence[0] == self._blk_char and len(fence) >= self._blk_len
            return "close" if closes else "text"
        if info:
            if not (fence[0] == "`" and "`" in info):
                self._blk_depth += 1  # a fence with a language opens a nested block
            return "text"
        if self._blk_depth > 0:
            self._blk_depth -= 1
            return "text"
        closes = fence[0] == self._blk_char and len(fence) >= self._blk_len
        return "close" if closes else "text"

    def _body(self, text: str) -> None:
        if not text or self._blk_kind == "prose":
            return
        if self._blk_kind == "auto" and self._sink is None:
            self._auto_held.append(text)
            if self._auto_state == "?":
                self._auto_window += text
                self._auto_decide(done=len(self._auto_window) >= _WINDOW)
            return
        if self._sink is not None:
            self._emit(self._sink.write(text))

    def _auto_decide(self, done: bool) -> None:
        """A whole document opens as an artifact at once; anything else waits for the fence."""
        kind = _doc_kind(self._auto_window[:_WINDOW], done)
        if kind == "?":
            return
        self._auto_state, self._auto_window = "held", ""
        if kind is not None:
            self._attrs, self._raw = {}, None
            sink = self._new_sink("fence", kind)
            held, self._auto_held = self._auto_held, []
            self._emit(sink.write("".join(held)))

    def _end_block(self) -> None:
        kind = self._blk_kind
        self._state = "dir_end" if kind == "dir_fence" else "top"
        if kind == "auto":
            self._end_auto(complete=True)
        elif kind in ("dir_fence", "dir_raw"):
            self._close_sink(True)

    def _end_auto(self, complete: bool) -> None:
        if self._sink is not None:
            self._close_sink(complete)
            return
        content = "".join(self._auto_held)
        self._auto_held, self._auto_window = [], ""
        if self._auto_lang == "html" and _FRAGMENT_RE.search(content):
            self._attrs, self._raw = {}, None
            sink = self._new_sink("fence", HTML)
            self._emit(sink.write(content))
            self._close_sink(complete)
        else:
            raw, self._raw = self._raw or [], None
            if raw:
                self._out.append(Prose("".join(raw)))

    # --- directive -----------------------------------------------------------------------------

    def _step_dir_head(self, final: bool) -> bool:
        j = self._buf.find("\n", self._i)
        if j < 0:
            self._i = len(self._buf)  # the rest of the directive's line is markup
            return False
        self._i, self._state = j + 1, "dir_peek"
        return True

    def _step_dir_peek(self, final: bool) -> bool:
        buf = self._buf
        while True:
            i = self._i
            j = buf.find("\n", i)
            if j < 0 and not final and len(buf) - i <= _LINE_CAP:
                return False
            if j >= 0 and not buf[i:j].strip():
                self._i = j + 1  # blank lines before the fence
                continue
            m = _FENCE_LINE_RE.match(buf, i)
            if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                lang = (m.group(2).split() or [""])[0].lower()
                self._new_sink("directive", lang or None)
                self._i = m.end()
                self._start_block("dir_fence", m.group(1))
            else:
                self._new_sink("directive")
                self._start_block("dir_raw", "")
            return True

    def _step_dir_end(self, final: bool) -> bool:
        buf, i = self._buf, self._i
        m = _DIRECTIVE_END_RE.match(buf, i)
        if m and (final or m.end() < len(buf)):
            self._i = m.end()
        elif not final and _DIRECTIVE_END_PARTIAL_RE.match(buf, i) and len(buf) - i < _LINE_CAP:
            return False
        self._state = "top"
        return True

    # --- tag artifacts -------------------------------------------------------------------------

    def _step_tag(self, final: bool) -> bool:
        if self._tag_phase == "nl":
            return self._tag_newline(final)
        if self._tag_phase == "fence":
            return self._tag_fence(final)
        return self._tag_body(final)

    def _tag_newline(self, final: bool) -> bool:
        buf, i = self._buf, self._i
        if i >= len(buf) or (buf[i] == "\r" and i + 1 == len(buf) and not final):
            return False
        if buf.startswith("\r\n", i):
            self._i += 2
        elif buf[i] == "\n":
            self._i += 1
        self._tag_phase = "fence"
        return True

    def _tag_fence(self, final: bool) -> bool:
        """A model that wraps the content in a fence inside the tag: drop the fence lines."""
        buf, i = self._buf, self._i
        m = _FENCE_LINE_RE.match(buf, i)
        if m is None and not final and len(buf) - i <= _LINE_CAP and buf.find("\n", i) < 0:
            if _FENCE_PARTIAL_RE.match(buf, i):
                return False
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            lang = (m.group(2).split() or [""])[0].lower()
            sink_type = self._sink.type if self._sink else None
            if sink_type != MARKDOWN or lang in ("markdown", "md"):
                self._i, self._tag_inner = m.end(), True
        self._tag_phase = "body"
        return True

    def _tag_body(self, final: bool) -> bool:
        buf, i = self._buf, self._i
        j = i
        while True:
            k = buf.find("<", j)
            if k < 0:
                self._tag_content(buf[i:])
                self._i = len(buf)
                return False
            m = _CLOSE_TAG_RE.match(buf, k)
            if m:
                self._tag_content(buf[i:k])
                self._i, self._state = m.end(), "top"
                self._emit(self._sink.write(_trim_tail(self._tag_tail, self._tag_inner)))
                self._close_sink(True)
                return True
            verdict, _ = self._decide_open_tag(k, final)
            if verdict == "done":
                self._tag_content(buf[i:k])
                self._i = i = k
                if not self._tag_fences.fence:  # the model forgot to close: a new one begins
                    self._state = "top"
                    self._finish_tag()
                    return True
                verdict = "no"  # quoted in a code block inside the content
            if verdict == "more" or (not final and _is_partial_close(buf, k)):
                self._tag_content(buf[i:k])
                self._i = k
                return False
            j = k + 1

    def _tag_content(self, text: str) -> None:
        if not text:
            return
        self._tag_fences.feed(text)
        text = self._tag_tail + text
        hold = _hold_start(text, self._tag_inner)
        self._tag_tail = text[hold:]
        self._emit(self._sink.write(text[:hold]))

    def _finish_tag(self) -> None:
        """Close the tag artifact incomplete with everything that arrived."""
        tail, self._tag_tail = self._tag_tail, ""
        self._emit(self._sink.write(tail))
        self._close_sink(False)

    # --- edits ---------------------------------------------------------------------------------

    def _start_edit(self) -> None:
        ident = self._attrs.get("identifier") or self._attrs.get("id") or ""
        self._edit_id = slugify(ident) or "artifact"
        self._state, self._edit_phase = "edit", "between"
        self._edit_acc, self._edit_find, self._edit_pairs, self._edit_ok = [], None, [], True
        self._out.append(EditOpened(self._edit_id))

    def _step_edit(self, final: bool) -> bool:
        if self._edit_phase == "between":
            return self._edit_between(final)
        closer = "</find>" if self._edit_phase == "find" else "</replace>"
        buf, i = self._buf, self._i
        k = buf.find(closer, i)
        end = k if k >= 0 else len(buf) if final else _partial_suffix(buf, i, closer)
        self._edit_acc.append(buf[i:end])
        self._i = end
        if k < 0:
            return False
        text = _strip_markup_newlines("".join(self._edit_acc))
        self._edit_acc, self._i = [], k + len(closer)
        if self._edit_phase == "find":
            self._edit_ok = self._edit_ok and self._edit_find is None
            self._edit_find = text
        else:
            self._edit_pairs.append((self._edit_find or "", text))
            self._edit_find = None
        self._edit_phase = "between"
        return True

    def _edit_between(self, final: bool) -> bool:
        buf, j = self._buf, self._i
        while True:
            k = buf.find("<", j)
            if k < 0:
                self._i = len(buf)
                return False
            head = buf[k : k + 18].lower()
            for word, phase in (("<find>", "find"), ("<replace>", "replace")):
                if head.startswith(word):
                    self._i, self._edit_phase = k + len(word), phase
                    return True
            m = re.match(r"</artifact-edit\s{0,8}>", head)
            if m:
                self._i = k + m.end()
                self._close_edit(complete=True)
                return True
            verdict, _ = self._decide_open_tag(k, final)
            if verdict == "done":
                self._i = k
                self._close_edit(complete=False)
                return True
            partial = any(w.startswith(head) for w in ("<find>", "<replace>", "</artifact-edit>"))
            if verdict == "more" or (partial and not final):
                self._i = k
                return False
            j = k + 1

    def _close_edit(self, complete: bool) -> None:
        complete = complete and self._edit_ok and self._edit_find is None
        self._out.append(EditClosed(self._edit_id, tuple(self._edit_pairs), complete))
        self._state = "top"
        self._closed += 1

    # --- end of stream -------------------------------------------------------------------------

    def _finish(self) -> None:
        """After the final pump: whatever is still open closes with what arrived."""
        state, rest = self._state, self._buf[self._i :]
        self._i = len(self._buf)
        if state in ("start", "top", "dir_end") and rest:
            self._out.append(Prose(rest))
        elif state == "think" and rest:
            self._out.append(Reasoning(rest))
        elif state == "tag":
            self._tag_tail += rest
            self._finish_tag()
        elif state == "edit":
            self._close_edit(complete=False)
        elif state in ("dir_head", "dir_peek"):
            self._new_sink("directive")
            self._close_sink(False)
        elif state == "block":
            self._finish_block(rest)
        self._state = "top"

    def _finish_block(self, rest: str) -> None:
        if self._blk_kind == "prose":
            raw = "".join(self._raw or []) + rest
            if raw:
                self._out.append(Prose(raw))
            self._raw = None
            return
        self._body(self._blk_nl + rest)
        if self._blk_kind == "auto":
            self._end_auto(complete=False)
        else:
            self._close_sink(False)


def merge_segments(segments: list[Segment]) -> list[Segment]:
    """Adjacent Prose, adjacent Reasoning and adjacent deltas of one artifact joined: what every
    chunking of the same reply reduces to."""
    merged: list[Segment] = []
    for seg in segments:
        prev = merged[-1] if merged else None
        if isinstance(seg, Prose) and isinstance(prev, Prose):
            merged[-1] = Prose(prev.text + seg.text)
        elif isinstance(seg, Reasoning) and isinstance(prev, Reasoning):
            merged[-1] = Reasoning(prev.text + seg.text)
        elif (
            isinstance(seg, ArtifactDelta)
            and isinstance(prev, ArtifactDelta)
            and prev.identifier == seg.identifier
        ):
            merged[-1] = ArtifactDelta(seg.identifier, prev.text + seg.text)
        else:
            merged.append(seg)
    return merged


def parse_reply(text: str, max_artifacts: int | None = MAX_ARTIFACTS_PER_REPLY) -> list[Segment]:
    """All segments of a whole reply (feed + close), adjacent pieces merged.

    By default a stored reply is read as the session read it: past MAX_ARTIFACTS_PER_REPLY
    artifacts, the rest is prose.
    """
    parser = ArtifactParser(max_artifacts)
    return merge_segments(parser.feed(text) + parser.close())


def artifact_limit_note(limit: int = MAX_ARTIFACTS_PER_REPLY) -> str:
    """The one sentence said when a reply has more artifacts than a reply may make."""
    return translate(
        "Artifacts",
        "This reply has more than {limit} artifacts: the first {limit} are in the artifact "
        "panel; the rest stay in the reply as text.",
    ).format(limit=limit)


def extract_artifacts(text: str) -> list[Artifact]:
    """Every artifact in a reply, in order (a reused identifier appears once per version)."""
    found: list[Artifact] = []
    opened: dict[str, ArtifactOpened] = {}
    for seg in parse_reply(text, max_artifacts=None):
        if isinstance(seg, ArtifactOpened):
            opened[seg.identifier] = seg
        elif isinstance(seg, ArtifactClosed):
            head = opened[seg.identifier]
            found.append(Artifact(seg.identifier, head.type, head.title, seg.content, seg.complete))
    return found


def display_parts(text: str) -> list[Segment]:
    """Segments for showing a stored reply: parse_reply without the ArtifactDelta pieces."""
    return stored_reply_parts(text)[0]


def stored_reply_parts(text: str) -> tuple[list[Segment], bool]:
    """display_parts, and whether artifacts past MAX_ARTIFACTS_PER_REPLY stayed as text."""
    parser = ArtifactParser(MAX_ARTIFACTS_PER_REPLY)
    segments = merge_segments(parser.feed(text) + parser.close())
    return [seg for seg in segments if not isinstance(seg, ArtifactDelta)], parser.spilled
