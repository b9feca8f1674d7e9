"""A reply as Markdown with each artifact's source in a code fence, not as raw tags.

Left as the model wrote it, an HTML artifact in an exported `.md` file is raw HTML to every
Markdown viewer: it renders (or runs) instead of showing its source, and a stray backtick run
inside it ends any fence around it. Each artifact becomes a caption line and a fence made of
more backticks than the longest run of backticks inside the source (at least three), so no
content can close it early. Edits show their find/replace pairs the same way. Prose and
reasoning keep their text; nothing the model wrote is dropped.
"""

from __future__ import annotations

import re

from app.artifact_segments import (
    ArtifactClosed,
    ArtifactOpened,
    EditClosed,
    EditOpened,
    Prose,
    Reasoning,
)
from app.artifacts import display_parts

_BACKTICKS = re.compile(r"`+")
# Info strings for the fence, so viewers colour the source.
_LANGUAGES = {
    "text/html": "html",
    "image/svg+xml": "svg",
    "text/markdown": "markdown",
    "application/vnd.react": "jsx",
    "application/vnd.mermaid": "mermaid",
    "application/vnd.ant.code": "",
}


def fence_for(content: str) -> str:
    """Backticks enough to fence `content`: one more than its longest run, at least three."""
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    return "`" * max(3, longest + 1)


def fenced(content: str, info: str = "") -> str:
    """`content` in a code fence that nothing inside it can close."""
    fence = fence_for(content)
    body = content if content.endswith("\n") else content + "\n"
    return f"{fence}{info}\n{body}{fence}"


def reply_markdown(text: str) -> str:
    """A stored reply with its artifacts and edits as fenced sources under a caption."""
    out: list[str] = []
    opened: ArtifactOpened | None = None
    edit: str | None = None
    for part in display_parts(text):
        if isinstance(part, Prose):
            out.append(part.text)
        elif isinstance(part, Reasoning):
            out.append("\n" + "\n".join(f"> {line}" for line in part.text.splitlines()) + "\n")
        elif isinstance(part, ArtifactOpened):
            opened = part
        elif isinstance(part, ArtifactClosed):
            out.append(_artifact_block(opened, part))
            opened = None
        elif isinstance(part, EditOpened):
            edit = part.identifier
        elif isinstance(part, EditClosed):
            out.append(_edit_block(edit or part.identifier, part))
            edit = None
    return "".join(out)


def _artifact_block(opened: ArtifactOpened | None, closed: ArtifactClosed) -> str:
    title = (opened.title if opened else "") or closed.identifier
    kind = opened.type if opened else ""
    caption = f"**Artifact: {title}** (`{closed.identifier}`{', ' + kind if kind else ''})"
    if not closed.complete:
        caption += " — incomplete"
    return f"\n\n{caption}\n\n{fenced(closed.content, _LANGUAGES.get(kind, ''))}\n\n"


def _edit_block(identifier: str, closed: EditClosed) -> str:
    blocks = [f"\n\n**Edit to `{identifier}`**" + ("" if closed.complete else " — incomplete")]
    for find, replace in closed.pairs:
        blocks.append(f"Find:\n\n{fenced(find)}\n\nReplace with:\n\n{fenced(replace)}")
    return "\n\n".join(blocks) + "\n\n"
