"""List the strings of a .ts file that have no finished translation (scripts/translations).

Prints one line per string, `Context: source`, and a count; exits 1 when any is left, so a
script or CI step can stop on it.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def unfinished(ts_path: str) -> list[tuple[str, str]]:
    """(context, source) of every message whose translation is missing or marked unfinished."""
    left = []
    for context in ET.parse(ts_path).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = "unfinished" if translation is None else translation.get("type", "")
            if kind in ("vanished", "obsolete"):  # no longer in the code: nothing to do
                continue
            forms = [] if translation is None else translation.findall("numerusform")
            text = "" if translation is None else (translation.text or "")
            if kind == "unfinished" or not (text or any(form.text for form in forms)):
                left.append((name, message.findtext("source", "")))
    return left


def main(argv: list[str]) -> int:
    """Print what is left to translate in argv[0]; 1 when anything is."""
    left = unfinished(argv[0])
    for context, source in left:
        print(f"{context}: {source}")
    print(f"{len(left)} string(s) to translate in {argv[0]}." if left else "All translated.")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
