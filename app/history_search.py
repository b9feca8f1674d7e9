"""`main.py history --search QUERY [--json]`: where the query matches, best first.

Text: one line per hit, `conversation  message  title  snippet` with each match in **bold**
(message is "-" for a title). JSON: a list of {"conversation_id", "message_id", "title",
"snippet"} (DESIGN.md §5), the snippet marked the same way.
"""

from __future__ import annotations

import json
import sys

from app.store import Store

EXIT_USAGE = 2


def print_search(store: Store, query: str, as_json: bool) -> int:
    """Print the hits for `query`; exit code 0, or 2 for a query with no words."""
    if not query.split():
        print("history --search needs at least one word to look for.", file=sys.stderr)
        return EXIT_USAGE
    hits = store.search_hits(query)
    if as_json:
        rows = [
            {
                "conversation_id": hit.conversation_id,
                "message_id": hit.message_id,
                "title": hit.title,
                "snippet": hit.marked(),
            }
            for hit in hits
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("No conversations match.", file=sys.stderr)
    for hit in hits:
        message = "-" if hit.message_id is None else str(hit.message_id)
        print(f"{hit.conversation_id:>5}  {message:>6}  {hit.title}  {hit.marked()}")
    return 0
