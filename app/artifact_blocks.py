"""The artifact extractor's steps inside fenced and directive blocks.

A fence in chat text either stays prose (any language but the document ones), may turn out to
be an automatic artifact (html, svg, xml: a whole document opens at once, a runnable fragment
when the fence closes), or is the body of a ``:::artifact{...}`` directive. The body goes out
up to the next line that may close the block; such a line is classified once it is complete.
"""

from __future__ import annotations

from app.artifact_content import FRAGMENT_RE, LOOKAHEAD, doc_kind
from app.artifact_markup import (
    DIRECTIVE_CLOSER_RE,
    DIRECTIVE_END_PARTIAL_RE,
    DIRECTIVE_END_RE,
    DIRECTIVEY_RE,
    FENCE_ANY_RE,
    FENCE_LINE_RE,
    FENCEY_RE,
    LINE_CAP,
    NEXT_DIRECTIVEY_RE,
    NEXT_FENCEY_RE,
)
from app.artifact_parser_core import ParserCore
from app.artifact_segments import HTML, Prose


class BlockSteps(ParserCore):
    """Steps of the "block", "dir_head", "dir_peek" and "dir_end" states."""

    def _init_blocks(self) -> None:
        self._blk_kind = ""
        self._blk_char = "`"
        self._blk_len = 3
        self._blk_depth = 0
        self._blk_nl = ""
        self._blk_mid = False
        self._auto_lang = ""
        self._auto_state = "?"  # "?": may still be a whole document; "held": wait for the fence
        self._auto_held: list[str] = []
        self._auto_window = ""

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

    # --- directive ----------------------------------------------------------------------------

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
