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
The markers are app/artifact_markup.py's; one artifact's type and title, app/artifact_content.py.
"""

from __future__ import annotations

import re

from app.artifact_content import FRAGMENT_RE, LOOKAHEAD, ArtifactSink, doc_kind, slugify
from app.artifact_markup import (
    AUTO_LANGS,
    CLOSE_TAG_RE,
    DIRECTIVE,
    DIRECTIVE_CLOSER_RE,
    DIRECTIVE_END_PARTIAL_RE,
    DIRECTIVE_END_RE,
    DIRECTIVE_PARTIAL_RE,
    DIRECTIVE_RE,
    DIRECTIVEY_RE,
    FENCE_ANY_RE,
    FENCE_LINE_RE,
    FENCE_PARTIAL_RE,
    FENCEY_RE,
    LINE_CAP,
    NEXT_DIRECTIVEY_RE,
    NEXT_FENCEY_RE,
    OPEN_TAG_PARTIAL_RE,
    OPEN_TAG_RE,
    SHORT_SCAN,
    SPILL_RE,
    TAG_WORDS,
    THINK_CLOSE,
    THINK_OPEN,
    TOP_CAND_RE,
    CandidateScan,
    FenceTracker,
    hold_start,
    is_partial_close,
    parse_attrs,
    partial_suffix,
    strip_markup_newlines,
    trim_tail,
)
from app.artifact_segments import (
    HTML,
    MARKDOWN,
    EditClosed,
    EditOpened,
    Prose,
    Reasoning,
    Segment,
    merge_segments,
)


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
        self._scan: CandidateScan | None = None  # where markup may start in _buf
        self._out: list[Segment] = []
        self._used: set[str] = set()
        self._sink: ArtifactSink | None = None
        self._attrs: dict[str, str] = {}
        # tag artifacts
        self._tag_phase = ""
        self._tag_inner = False
        self._tag_tail = ""
        self._tag_fences = FenceTracker()
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
    def capped(self) -> bool:
        """Whether max_artifacts were reached: what follows them is prose."""
        return self._limit is not None and self._closed >= self._limit

    @property
    def spilled(self) -> bool:
        """Whether artifact markup came after the cap (and so stayed prose)."""
        return self._spilled

    # --- machinery ---------------------------------------------------------------------------

    def _take(self) -> list[Segment]:
        # Adjacent pieces joined: every segment costs each listener an event, and a read of
        # the network often makes dozens of pieces (a line of a code block, a paragraph).
        out, self._out = self._out, []
        return merge_segments(out) if len(out) > 1 else out

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
            self._spilled = SPILL_RE.search(seen) is not None
            self._spill_tail = seen[-24:]

    def _prose(self, end: int) -> None:
        if end > self._i:
            self._out.append(Prose(self._buf[self._i : end]))
            self._i = end

    def _emit(self, segments: list[Segment]) -> None:
        self._out.extend(segments)

    def _new_sink(self, syntax: str, hint: str | None = None) -> ArtifactSink:
        self._sink = ArtifactSink(syntax, self._attrs, hint, self._used)
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

    # --- chat text -----------------------------------------------------------------------------

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

    def _decide_open_tag(self, k: int, final: bool) -> tuple[str, re.Match[str] | None]:
        buf = self._buf
        if k > 0 and buf[k - 1] == "`":  # `<artifact>` in inline code is text
            return "no", None
        m = OPEN_TAG_RE.match(buf, k)
        if m:
            return "done", m
        if final:
            return "no", None
        head = buf[k : k + 15].lower()
        if len(head) < 15 and any(w.startswith(head) for w in TAG_WORDS):
            return "more", None
        return ("more" if OPEN_TAG_PARTIAL_RE.match(buf, k) else "no"), None

    def _open_tag(self, m: re.Match[str]) -> None:
        self._attrs = parse_attrs(m.group(2))
        self._i = m.end()
        name = m.group(1).lower()
        if name == "artifact-edit":
            self._start_edit()
            return
        self._new_sink("artifact" if name == "artifact" else "antArtifact")
        self._state, self._tag_phase, self._tag_inner, self._tag_tail = "tag", "nl", False, ""
        self._tag_fences = FenceTracker()

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
            line = buf[i : min(j if j >= 0 else len(buf), i + LINE_CAP + 1)].rstrip("\r")
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
        """The rest of a line that cannot close the block, and every following line that
        cannot either (nothing fence-like at its start): one piece, not a step per line."""
        buf, i = self._buf, self._i
        rx = NEXT_DIRECTIVEY_RE if self._blk_kind == "dir_raw" else NEXT_FENCEY_RE
        m = rx.search(buf, i)
        j = m.start() if m else -1
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
        if len(line) > LINE_CAP:
            return False
        rx = DIRECTIVEY_RE if self._blk_kind == "dir_raw" else FENCEY_RE
        return rx.match(line) is not None

    def _classify_line(self, line: str) -> str:
        """Whether a complete line is the block's closing one ("close") or content ("text")."""
        if self._blk_kind == "dir_raw":
            return "close" if DIRECTIVE_CLOSER_RE.fullmatch(line) else "text"
        m = FENCE_ANY_RE.fullmatch(line)
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
                self._auto_decide(done=len(self._auto_window) >= LOOKAHEAD)
            return
        if self._sink is not None:
            self._emit(self._sink.write(text))

    def _auto_decide(self, done: bool) -> None:
        """A whole document opens as an artifact at once; anything else waits for the fence."""
        kind = doc_kind(self._auto_window[:LOOKAHEAD], done)
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
        if self._auto_lang == "html" and FRAGMENT_RE.search(content):
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
            if j < 0 and not final and len(buf) - i <= LINE_CAP:
                return False
            if j >= 0 and not buf[i:j].strip():
                self._i = j + 1  # blank lines before the fence
                continue
            m = FENCE_LINE_RE.match(buf, i)
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
        m = DIRECTIVE_END_RE.match(buf, i)
        if m and (final or m.end() < len(buf)):
            self._i = m.end()
        elif not final and DIRECTIVE_END_PARTIAL_RE.match(buf, i) and len(buf) - i < LINE_CAP:
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
        m = FENCE_LINE_RE.match(buf, i)
        if m is None and not final and len(buf) - i <= LINE_CAP and buf.find("\n", i) < 0:
            if FENCE_PARTIAL_RE.match(buf, i):
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
            m = CLOSE_TAG_RE.match(buf, k)
            if m:
                self._tag_content(buf[i:k])
                self._i, self._state = m.end(), "top"
                self._emit(self._sink.write(trim_tail(self._tag_tail, self._tag_inner)))
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
            if verdict == "more" or (not final and is_partial_close(buf, k)):
                self._tag_content(buf[i:k])
                self._i = k
                return False
            j = k + 1

    def _tag_content(self, text: str) -> None:
        if not text:
            return
        self._tag_fences.feed(text)
        text = self._tag_tail + text
        hold = hold_start(text, self._tag_inner)
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
        end = k if k >= 0 else len(buf) if final else partial_suffix(buf, i, closer)
        self._edit_acc.append(buf[i:end])
        self._i = end
        if k < 0:
            return False
        text = strip_markup_newlines("".join(self._edit_acc))
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
