"""The artifact extractor's steps for tags: ``<artifact>`` / ``<antArtifact>`` artifacts and
``<artifact-edit>`` find/replace edits.

An opening tag is recognised wherever chat text may hold one; the content runs to the closing
tag, except that an opening tag outside a fence inside the content means the model forgot to
close, and the artifact ends incomplete there.
"""

from __future__ import annotations

import re

from app.artifact_content import slugify
from app.artifact_markup import (
    CLOSE_TAG_RE,
    FENCE_LINE_RE,
    FENCE_PARTIAL_RE,
    LINE_CAP,
    OPEN_TAG_PARTIAL_RE,
    OPEN_TAG_RE,
    TAG_WORDS,
    FenceTracker,
    hold_start,
    is_partial_close,
    next_tag_start,
    parse_attrs,
    partial_suffix,
    strip_markup_newlines,
    trim_tail,
)
from app.artifact_parser_core import ParserCore
from app.artifact_segments import MARKDOWN, EditClosed, EditOpened


class TagSteps(ParserCore):
    """Steps of the "tag" and "edit" states, and what opens them."""

    def _init_tags(self) -> None:
        self._tag_phase = ""
        self._tag_inner = False
        self._tag_tail = ""
        self._tag_fences = FenceTracker()
        self._edit_id = ""
        self._edit_phase = ""
        self._edit_acc: list[str] = []
        self._edit_find: str | None = None
        self._edit_pairs: list[tuple[str, str]] = []
        self._edit_ok = True

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
            k = next_tag_start(buf, j)
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

    # --- edits --------------------------------------------------------------------------------

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
