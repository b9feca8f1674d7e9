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
The markers are app/artifact_markup.py's; one artifact's type and title, app/artifact_content.py;
the steps inside blocks, app/artifact_blocks.py; inside tags and edits, app/artifact_tags.py.
"""

from __future__ import annotations

from app.artifact_blocks import BlockSteps
from app.artifact_markup import (
    AUTO_LANGS,
    DIRECTIVE,
    DIRECTIVE_PARTIAL_RE,
    DIRECTIVE_RE,
    FENCE_LINE_RE,
    FENCE_PARTIAL_RE,
    LINE_CAP,
    SHORT_SCAN,
    THINK_CLOSE,
    THINK_OPEN,
    TOP_CAND_RE,
    CandidateScan,
    parse_attrs,
    partial_suffix,
)
from app.artifact_segments import Prose, Reasoning, Segment
from app.artifact_tags import TagSteps


class ArtifactParser(BlockSteps, TagSteps):
    """Incremental extractor: feed reply text in any chunks, get segments in reply order.

    max_artifacts: after that many artifacts and edits have closed, the rest of the reply is
    prose, markup and all (a reply with thousands of tiny artifacts would otherwise make
    thousands of versions and tabs); `capped` says when that happened.
    """

    def __init__(self, max_artifacts: int | None = None) -> None:
        super().__init__(max_artifacts)
        self._init_blocks()
        self._init_tags()
        self._scan: CandidateScan | None = None  # where markup may start in _buf
        # One step function per state; each returns True when it moved on to another state.
        self._steps = {
            "start": self._step_start, "think": self._step_think, "top": self._step_top,
            "tag": self._step_tag, "block": self._step_block, "edit": self._step_edit,
            "dir_head": self._step_dir_head, "dir_peek": self._step_dir_peek,
            "dir_end": self._step_dir_end,
        }  # fmt: skip

    # --- public -------------------------------------------------------------------------------

    def feed(self, chunk: str) -> list[Segment]:
        """Add reply text; returns the segments that are certain now."""
        if not chunk:
            return self._take()
        if self._plain(chunk):
            # Nothing held and nothing that could start markup: the chunk is chat text as is.
            self._buf, self._i = chunk[-1], 1  # the last character, for "^" as _pump keeps it
            return [Prose(chunk)]
        self._buf += chunk
        self._pump(final=False)
        return self._take()

    def _plain(self, chunk: str) -> bool:
        """Whether chat text with nothing held needs no scan: none of TOP_CAND_RE's
        characters, and no blank tail (a fence's indentation may follow)."""
        return (
            self._state == "top"
            and self._i == len(self._buf)
            and not self.capped
            and chunk[-1] not in " \t"
            and "<" not in chunk
            and ":" not in chunk
            and "`" not in chunk
            and "~" not in chunk
        )

    def close(self) -> list[Segment]:
        """End of stream: flush held text; an open artifact or edit closes incomplete."""
        self._pump(final=True)
        self._finish()
        self._buf, self._i = "", 0
        return self._take()

    @property
    def spilled(self) -> bool:
        """Whether artifact markup came after the cap (and so stayed prose)."""
        return self._spilled

    # --- machinery ----------------------------------------------------------------------------

    def _pump(self, final: bool) -> None:
        while self._steps[self._state](final):
            pass
        # Keep one consumed character so that "^" still knows whether we are at a line start.
        keep = max(self._i - 1, 0)
        self._buf, self._i = self._buf[keep:], self._i - keep
        self._scan = None  # it was of the text before the cut (and kept all of it alive)

    # --- start and reasoning ------------------------------------------------------------------

    def _step_start(self, final: bool) -> bool:
        buf = self._buf
        j = len(buf) - len(buf[self._i :].lstrip())
        rest = buf[j : j + len(THINK_OPEN)]
        if rest == THINK_OPEN:
            self._i, self._state = j + len(THINK_OPEN), "think"
            return True
        if not final and len(rest) < len(THINK_OPEN) and THINK_OPEN.startswith(rest):
            return False  # whitespace, or a partial <think>
        self._state = "top"
        return True

    def _step_think(self, final: bool) -> bool:
        buf, i = self._buf, self._i
        k = buf.find(THINK_CLOSE, i)
        end = k if k >= 0 else len(buf) if final else partial_suffix(buf, i, THINK_CLOSE)
        if end > i:
            self._out.append(Reasoning(buf[i:end]))
        self._i = end
        if k < 0:
            return False
        self._i, self._state = k + len(THINK_CLOSE), "top"
        return True

    # --- chat text ----------------------------------------------------------------------------

    def _step_top(self, final: bool) -> bool:
        buf, j = self._buf, self._i
        if self.capped:
            self._spill(buf[j:])
            self._prose(len(buf))
            return False
        while True:
            k = self._next_candidate(buf, j)
            if k < 0:
                self._prose(len(buf))
                return False
            verdict = self._top_candidate(k, final)
            if verdict == "no":
                j = k + 1
                continue
            if verdict == "more":
                self._prose(k)
                return False
            return True

    def _next_candidate(self, buf: str, j: int) -> int:
        """Where markup may start in chat text from j on; -1: nowhere."""
        if len(buf) - j <= SHORT_SCAN:
            m = TOP_CAND_RE.search(buf, j)
            return m.start() if m else -1
        scan = self._scan
        if scan is None or not scan.holds(buf):
            # One per text: made per call, its look-ahead made many blocks quadratic.
            scan = self._scan = CandidateScan(buf)
        return scan.next(j)

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

    def _top_directive(self, k: int, final: bool) -> str:
        buf = self._buf
        if k > 0 and buf[k - 1] == "`":
            return "no"
        m = DIRECTIVE_RE.match(buf, k)
        if m is None:
            if final:
                return "no"
            head = buf[k : k + len(DIRECTIVE)].lower()
            if len(head) < len(DIRECTIVE) and DIRECTIVE.startswith(head):
                return "more"
            return "more" if DIRECTIVE_PARTIAL_RE.match(buf, k) else "no"
        self._prose(k)
        self._attrs = parse_attrs(m.group(1))
        self._i, self._state = m.end(), "dir_head"
        return "done"

    def _top_fence(self, k: int, final: bool) -> str:
        buf = self._buf
        m = FENCE_LINE_RE.match(buf, k)
        if m is None:
            if final or buf.find("\n", k) >= 0 or len(buf) - k > LINE_CAP:
                return "no"
            return "more" if FENCE_PARTIAL_RE.match(buf, k) else "no"
        fence, info = m.group(1), m.group(2)
        if fence[0] == "`" and "`" in info:
            return "no"  # ```like this``` is inline code, not a fence
        self._prose(k)
        lang = (info.split() or [""])[0].lower()
        # The opener is recorded: prose shows it, and an html fence may turn out to be prose.
        self._raw = []
        self._advance(m.end())
        if lang in AUTO_LANGS:
            self._auto_lang, self._auto_state = lang, "?"
            self._auto_held, self._auto_window = [], ""
            self._start_block("auto", fence)
        else:
            self._start_block("prose", fence)
        return "done"

    # --- end of stream ------------------------------------------------------------------------

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
