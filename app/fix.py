""" "Fix this": turn the errors an artifact logged into one message asking the model for an edit.

The sandbox reports console lines as (level, message, source, line). `collect_errors` keeps the
errors, collapsing identical ones (a game loop throws the same TypeError sixty times a second)
into one group with a count; `ErrorTally` does the same one line at a time (O(1) a line), for a
console that keeps only its last lines (`app.console_log`) but must still count every error. `fix_prompt` writes the user message: each error with the code
around its line, numbered, and the exact `<artifact-edit>` syntax of DESIGN.md §3. The prompt
is bounded: at most `MAX_GROUPS` errors, each message and excerpt cut to a fixed size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Levels worth fixing: errors (uncaught exceptions, failed resources, console.error) and
# requests the sandbox blocked (the panel reports those as level "blocked", source = the URL).
ERROR_LEVELS = frozenset({"error", "blocked"})
MAX_GROUPS = 5
CONTEXT_LINES = 4  # lines shown on each side of an error's line
MAX_MESSAGE_CHARS = 600
MAX_LINE_CHARS = 160  # a minified line would otherwise fill the prompt
# Different errors an ErrorTally remembers; a page that makes each message unique counts on.
MAX_TRACKED_GROUPS = 500


@dataclass(frozen=True)
class ConsoleLine:
    """One console message as the sandbox captured it; line 0 means "unknown"."""

    level: str
    message: str
    source: str = ""
    line: int = 0


@dataclass(frozen=True)
class ErrorGroup:
    """Identical errors (same level, message, source and line) counted once."""

    level: str
    message: str
    source: str
    line: int
    count: int = 1


class ErrorTally:
    """Errors counted as they arrive, identical ones collapsed; adding a line is O(1).

    At most `max_groups` different errors are remembered (a page can make every message
    unique); later different ones still count in `total`, as `untracked`.
    """

    def __init__(self, max_groups: int = MAX_TRACKED_GROUPS) -> None:
        self._counts: dict[tuple[str, str, str, int], int] = {}
        self._max_groups = max_groups
        self.total = 0
        self.untracked = 0

    def add(self, line: ConsoleLine) -> bool:
        """Count `line` if it is an error; whether it was one."""
        if line.level not in ERROR_LEVELS:
            return False
        self.total += 1
        key = (line.level, line.message.strip(), line.source, line.line)
        if key in self._counts:
            self._counts[key] += 1
        elif len(self._counts) < self._max_groups:
            self._counts[key] = 1
        else:
            self.untracked += 1
        return True

    def groups(self) -> list[ErrorGroup]:
        """The different errors, in order of first appearance, each with its count."""
        return [ErrorGroup(*key, count=count) for key, count in self._counts.items()]

    def clear(self) -> None:
        """Forget every error (a new version runs)."""
        self._counts.clear()
        self.total = 0
        self.untracked = 0


def collect_errors(lines: Iterable[ConsoleLine]) -> list[ErrorGroup]:
    """The errors among `lines`, identical ones collapsed, in order of first appearance."""
    tally = ErrorTally(max_groups=2**31)
    for line in lines:
        tally.add(line)
    return tally.groups()


def fix_prompt(
    identifier: str,
    title: str,
    content: str,
    errors: list[ErrorGroup],
    *,
    type: str = "text/html",  # noqa: A002 (the artifact attribute's own name)
) -> str:
    """The user message that asks the model to fix `errors` in the artifact's latest version."""
    shown = errors[:MAX_GROUPS]
    code_lines = content.splitlines()
    parts = [_intro(identifier, title, len(errors))]
    for number, group in enumerate(shown, start=1):
        parts.append(_describe(number, group, code_lines))
    if len(errors) > len(shown):
        parts.append(f"({len(errors) - len(shown)} more different errors are not shown.)")
    parts.append(_request(identifier, title, type))
    return "\n\n".join(parts) + "\n"


def _intro(identifier: str, title: str, count: int) -> str:
    noun = "an error" if count == 1 else f"{count} different errors"
    return (
        f"The artifact “{title}” (identifier `{identifier}`) shows {noun} when it runs. "
        "Please find the cause and fix it."
    )


def _describe(number: int, group: ErrorGroup, code_lines: list[str]) -> str:
    times = f" (×{group.count})" if group.count > 1 else ""
    kind = "Blocked request" if group.level == "blocked" else "Error"
    text = [f"{number}. {kind}{times}: {_cut(group.message, MAX_MESSAGE_CHARS)}"]
    if group.level == "blocked":
        text.append("   Only the vendored libraries load; inline anything else the page needs.")
        return "\n".join(text)
    where = _where(group)
    if where:
        text.append(f"   at {where}")
    if _own_line(group, len(code_lines)):
        text.append(_excerpt(code_lines, group.line))
    return "\n".join(text)


def _where(group: ErrorGroup) -> str:
    if group.line <= 0:
        return ""
    if _is_library(group.source):
        return f"{group.source}, line {group.line} (a library, not the artifact's code)"
    return f"line {group.line} of the artifact"


def _is_library(source: str) -> bool:
    # Vendored libraries keep their CDN address; the artifact itself comes from our scheme.
    return source.startswith(("http://", "https://"))


def _own_line(group: ErrorGroup, line_count: int) -> bool:
    return 0 < group.line <= line_count and not _is_library(group.source)


def _excerpt(code_lines: list[str], line: int) -> str:
    """The lines around `line`, numbered, the error's line marked with ">"."""
    first = max(1, line - CONTEXT_LINES)
    last = min(len(code_lines), line + CONTEXT_LINES)
    width = len(str(last))
    rows = []
    for number in range(first, last + 1):
        marker = ">" if number == line else " "
        text = _clip(code_lines[number - 1], MAX_LINE_CHARS)
        rows.append(f"{marker}{number:>{width}} | {text}")
    return "   Code around it (the numbers and '|' are not part of the code):\n```\n" + (
        "\n".join(rows) + "\n```"
    )


def _clip(line: str, limit: int) -> str:
    """A code line as it is (indentation matters to a find), shortened only when very long."""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _request(identifier: str, title: str, type: str) -> str:  # noqa: A002
    return (
        "Reply with an edit to the latest version, in exactly this form:\n\n"
        f'<artifact-edit identifier="{identifier}">\n'
        "<find>\n"
        "the exact lines to change, copied character for character from the latest version\n"
        "</find>\n"
        "<replace>\n"
        "the corrected lines\n"
        "</replace>\n"
        "</artifact-edit>\n\n"
        "Each <find> must match exactly one place in the current code (include a neighbouring "
        "line if needed); use several <find>/<replace> pairs for several places. Do not copy "
        "the line numbers shown above. If the fix needs large changes, send the complete "
        f'artifact instead: <artifact identifier="{identifier}" type="{type}" '
        f'title="{title.replace(chr(34), chr(39))}">…</artifact>.'
    )
