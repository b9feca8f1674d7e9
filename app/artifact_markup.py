"""The artifact extractor's vocabulary: the markers of each syntax, and what text may still
turn out to be markup (held back) or is markup (trimmed).

Every pattern is bounded (see LINE_CAP), so that what is held back while streaming stays small.
"""

from __future__ import annotations

import html
import re

TAG_WORDS = ("<artifact", "<antartifact", "<artifact-edit")
OPEN_TAG_RE = re.compile(r"<(artifact-edit|artifact|antartifact)(?=[\s>/])([^<>]{0,2000})>", re.I)
# Artifact markup in text after the cap: an opening tag, a directive, a document fence.
SPILL_RE = re.compile(
    r"<(?:artifact-edit|artifact|antartifact)[\s>]|:::artifact|^[ \t]*(?:`{3,}|~{3,})[ \t]*(?:html|svg|xml)",
    re.I | re.M,
)
OPEN_TAG_PARTIAL_RE = re.compile(r"<(?:artifact-edit|artifact|antartifact)\s[^<>]{0,2000}\Z", re.I)
CLOSE_TAG_RE = re.compile(r"</(?:artifact|antartifact)\s{0,8}>", re.I)
# Inside a tag artifact's content only a "<" that starts one of our tag words can end it, or
# one so near the end of what has arrived that it may still grow into one (a partial opening
# tag looks 15 characters on, a partial closing tag 24): every other "<" is content.
TAG_START_RE = re.compile(r"</?(?:artifact|antartifact)", re.I)
PARTIAL_TAG_ZONE = 24
_CLOSE_WORDS = ("</artifact>", "</antartifact>")
DIRECTIVE = ":::artifact{"
DIRECTIVE_RE = re.compile(r":::artifact\{([^}\n]{0,2000})\}", re.I)
DIRECTIVE_PARTIAL_RE = re.compile(r":::artifact\{[^}\n]{0,2000}\Z", re.I)
DIRECTIVE_END_RE = re.compile(r"[ \t]*(?:\r?\n[ \t]*)*:::[ \t]*(?=\r?\n|\Z)")
DIRECTIVE_END_PARTIAL_RE = re.compile(r"[ \t\r\n]*(?::{1,3}[ \t]*\r?)?\Z")
_ATTR_RE = re.compile(r"""([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>}]+))""")
THINK_OPEN, THINK_CLOSE = "<think>", "</think>"

# Candidates in chat text: a tag, a directive, a line that may open a fence, a tail to hold.
# Cheap on a few characters; CandidateScan finds the same positions in long text.
TOP_CAND_RE = re.compile(r"<|:::|:{1,2}\Z|^[ \t]*[`~]|^[ \t]+\Z", re.M)
# Fewer characters than this left to scan: TOP_CAND_RE, else a CandidateScan.
SHORT_SCAN = 128
# A line start (after its newline) that may open a fence, for CandidateScan.
_NEXT_FENCE_START_RE = re.compile(r"\n[ \t]*[`~]")
_FENCE_START_RE = re.compile(r"[ \t]*[`~]")
FENCE_LINE_RE = re.compile(r"[ \t]*(`{3,}|~{3,})([^\n]*)\n")
FENCE_PARTIAL_RE = re.compile(r"[ \t]*(?:`{0,2}|~{0,2}|`{3,}[^`\n]*|~{3,}[^\n]*)\Z")
FENCE_ANY_RE = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
FENCEY_RE = re.compile(r"[ \t]*(?:[`~]|\Z)")
DIRECTIVEY_RE = re.compile(r"[ \t]*(?:[`~:]|\Z)")
# The newline before the next line that _fencey (resp. _directivey) may call markup: a line
# starting with a fence character, or blank so far. The lines before it are content whatever
# follows, so a block's body goes out in one piece up to there (a leading literal "\n" keeps
# the search in C).
NEXT_FENCEY_RE = re.compile(r"\n(?=[ \t]*(?:[`~]|\r*(?:\n|\Z)))")
NEXT_DIRECTIVEY_RE = re.compile(r"\n(?=[ \t]*(?:[`~:]|\r*(?:\n|\Z)))")
DIRECTIVE_CLOSER_RE = re.compile(r"[ \t]*:::[ \t]*")
AUTO_LANGS = frozenset({"html", "htm", "xhtml", "svg", "xml"})
LINE_CAP = 1000  # a "line" longer than this is never markup: bounds every wait

# The newline before a closing tag belongs to the markup; with a fence inside the tag, so does
# the fence's closing line. Bounded quantifiers keep what may be held back small.
_TRIM_FENCE_RE = re.compile(r"\r?\n[ \t]{0,16}(?:`{3,32}|~{3,32})[ \t]{0,16}\Z")
_HOLD_NL_RE = re.compile(r"\r?\n\Z")
_HOLD_FENCE_LINE_RE = re.compile(r"\r?\n[ \t]{0,16}(?:`{0,32}|~{0,32})[ \t]{0,16}\r?\Z")
_HOLD_FENCE_NL_RE = re.compile(r"\r?\n[ \t]{0,16}(?:`{3,32}|~{3,32})[ \t]{0,16}\r?\n\Z")


def parse_attrs(text: str) -> dict[str, str]:
    """Attributes in any order and quoting style; names lowercased, entities decoded."""
    attrs: dict[str, str] = {}
    for m in _ATTR_RE.finditer(text):
        value = next(v for v in m.group(2, 3, 4) if v is not None)
        attrs.setdefault(m.group(1).lower(), html.unescape(value).strip())
    return attrs


class FenceTracker:
    """Follows Markdown fences through an artifact's content, line by line, so that an
    <artifact> tag quoted in a code block inside the content is not taken for a new one."""

    def __init__(self) -> None:
        self.fence = ""  # the open fence's marker ("```", "~~~~"), or "" outside fences
        self._line = ""  # the start of the current line (capped: long lines are not fences)

    def feed(self, text: str) -> None:
        nl = text.find("\n")
        if nl < 0:
            if len(self._line) <= LINE_CAP:
                self._line += text[: LINE_CAP + 1]
            return
        line, self._line = self._line + text[: min(nl, LINE_CAP + 1)], ""
        self._end_line(line.rstrip("\r"))
        last = text.rfind("\n")
        # The whole lines in between: only one that starts like a fence can change anything
        # (a 2.6 MB page's 40,000 lines took 45 ms one by one, most of reading it).
        ticks, tildes = text.find("```", nl + 1, last), text.find("~~~", nl + 1, last)
        while ticks >= 0 or tildes >= 0:
            at = ticks if tildes < 0 or 0 <= ticks < tildes else tildes
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)  # the line's end: its other marks are not looked at
            if start == at or not text[start:at].strip(" \t"):  # only indentation before it
                self._end_line(text[start : min(end, start + LINE_CAP + 1)].rstrip("\r"))
            if 0 <= ticks <= end:
                ticks = text.find("```", end, last)
            if 0 <= tildes <= end:
                tildes = text.find("~~~", end, last)
        self._line = text[last + 1 : last + 1 + LINE_CAP + 1]

    def _end_line(self, line: str) -> None:
        m = FENCE_ANY_RE.fullmatch(line) if len(line) <= LINE_CAP else None
        if m is None:
            return
        fence, info = m.group(1), m.group(2).strip()
        if not self.fence:
            if not (fence[0] == "`" and "`" in info):
                self.fence = fence
        elif not info and fence[0] == self.fence[0] and len(fence) >= len(self.fence):
            self.fence = ""


class CandidateScan:
    """Where chat text may hold markup: exactly the positions TOP_CAND_RE.search(buf, j)
    finds, found with str.find and a regex with a literal prefix. TOP_CAND_RE tries five
    alternatives at every character: over long text, most of the parser's time. Each kind's
    next position is kept until the scan passes it, so a text full of "<" stays linear.
    """

    def __init__(self, buf: str) -> None:
        self._buf = buf
        n = len(buf)
        self._none = n + 1  # "no more of this kind"
        self._lt = self._colons = self._fence = -1  # not looked for yet
        self._last = 0
        # The tail candidates are fixed for this text: a trailing ":" or "::" (the start of a
        # directive), a last line of only blanks (the start of a fence's indentation).
        self._end_colon = n - 2 if buf.endswith("::") else n - 1 if buf.endswith(":") else n + 1
        line = buf.rfind("\n") + 1
        self._blank_tail = line if line < n and not buf[line:].strip(" \t") else n + 1

    def holds(self, buf: str) -> bool:
        """Whether this scan is of that very text."""
        return buf is self._buf

    def next(self, j: int) -> int:
        """The first candidate at or after j; -1 when there is none."""
        buf = self._buf
        if j < self._last:  # kept positions are good only for later starts
            self._lt = self._colons = self._fence = -1
        self._last = j
        if self._lt < j:
            k = buf.find("<", j)
            self._lt = k if k >= 0 else self._none
        if self._colons < j:
            k = buf.find(":::", j)
            self._colons = k if k >= 0 else self._none
        if self._fence < j:
            if j == 0 and _FENCE_START_RE.match(buf):
                self._fence = 0
            else:
                m = _NEXT_FENCE_START_RE.search(buf, max(j - 1, 0))
                self._fence = m.start() + 1 if m else self._none
        end_colon = self._end_colon
        if end_colon < j:  # "x::" scanned from the second colon: that colon alone
            end_colon = j if j < len(buf) else self._none
        blank = self._blank_tail if self._blank_tail >= j else self._none
        k = min(self._lt, self._colons, self._fence, end_colon, blank)
        return k if k < self._none else -1


def partial_suffix(buf: str, start: int, word: str) -> int:
    """Where the shortest suffix of buf[start:] that is a proper prefix of word begins."""
    for k in range(max(start, len(buf) - len(word) + 1), len(buf)):
        if word.startswith(buf[k:].lower()):
            return k
    return len(buf)


def hold_start(text: str, inner_fence: bool) -> int:
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


def trim_tail(tail: str, inner_fence: bool) -> str:
    """The held tail of a closed tag artifact without its markup (see hold_start)."""
    tail = tail[:-2] if tail.endswith("\r\n") else tail[:-1] if tail.endswith("\n") else tail
    if inner_fence:
        m = _TRIM_FENCE_RE.search(tail)
        if m:
            tail = tail[: m.start()]
    return tail


def next_tag_start(buf: str, j: int) -> int:
    """The first "<" at or after j that may be a tag of ours (see TAG_START_RE); -1: none.

    The "<"s it skips were each visited and found to be content: a 5 MB page of HTML has
    ~700,000 of them (reading it took the GUI thread 0.8 s, now 0.08 s).
    """
    m = TAG_START_RE.search(buf, j)
    k = m.start() if m else -1
    near_end = buf.find("<", max(j, len(buf) - PARTIAL_TAG_ZONE))
    if near_end >= 0 and (k < 0 or near_end < k):
        return near_end
    return k


def is_partial_close(buf: str, k: int) -> bool:
    """Whether buf[k:] may still grow into </artifact> or </antArtifact>."""
    if len(buf) - k > PARTIAL_TAG_ZONE:
        return False  # before slicing: a copy of the rest for every "<" was quadratic
    rest = buf[k:].lower()
    core = rest.rstrip(" \t\r\n")
    if core != rest:
        return core in ("</artifact", "</antartifact")
    return any(w.startswith(rest) for w in _CLOSE_WORDS)


def strip_markup_newlines(text: str) -> str:
    """The one newline after an opening and before a closing tag belongs to the markup."""
    text = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
