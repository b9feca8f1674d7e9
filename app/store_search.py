"""History search: the prose of messages and the titles of conversations, best match first.

The query is the user's text: every word must appear (in any order, any case), and FTS syntax
in it (quotes, AND, OR, NEAR, *) is matched literally. Messages are found in the prose index of
migration m008 (app/search_index.py: never artifact markup), titles in their own index.

Trigram FTS5 matches any substring of three or more characters (CJK has no spaces to split
words on). A shorter CJK term such as "赵州" is found through the trigrams that begin with it
(the index's own vocabulary; every prose ends in PROSE_END so a term at the very end begins one
too); a short Latin term, or a CJK one that begins too many trigrams to list, is matched by LIKE
on the newest rows. Without an index (no FTS5, a damaged one) LIKE finds candidates and the
extractor keeps those whose prose matches.

These functions read through the connection they are given; a damaged index raises
sqlite3.DatabaseError, which the store answers by rebuilding it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from app.search_index import prose

# Matching messages ranked per query: the newest this many, so a word in every reply costs
# the same as a rare one. FTS5's bm25() cannot help there: it counts every match of each term
# first (100-300 ms for a common word over 200,000 messages), so the score is computed here,
# over the first SCORED_CHARS of each candidate. Older matches follow unranked, newest first,
# up to OLDER of them, read only when the ranked ones do not fill the results.
RANKED = 500
OLDER = 20_000
SCORED_CHARS = 20_000
# bm25's constants: how fast repeats stop counting, how much length dilutes them.
_K1, _B = 1.2, 0.75
# A short term beginning more trigrams than this is matched by LIKE instead.
_MAX_TRIGRAMS = 200
# Rows the LIKE fallback reads (newest first) before filtering by prose.
_LIKE_LIMIT = 1000


@dataclass(frozen=True)
class SearchHit:
    """One place a query matched: a message (message_id), or a title (message_id None).

    highlights are the (start, end) offsets of each match within snippet.
    """

    conversation_id: int
    message_id: int | None
    title: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]

    def marked(self, before: str = "**", after: str = "**") -> str:
        """The snippet with every match wrapped in `before` … `after`."""
        parts, end = [], 0
        for start, stop in self.highlights:
            parts += [self.snippet[end:start], before, self.snippet[start:stop], after]
            end = stop
        return "".join(parts) + self.snippet[end:]


def fts_tokenizer(db: sqlite3.Connection) -> str | None:
    """The message index's tokenizer ("trigram" or "unicode61"), or None with no FTS5 index."""
    row = db.execute("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").fetchone()
    if row is None:
        return None
    return "trigram" if "trigram" in row[0] else "unicode61"


def search(
    db: sqlite3.Connection,
    tokenizer: str | None,
    query: str,
    *,
    limit: int = 50,
    per_conversation: int = 3,
) -> list[SearchHit]:
    """Titles that match, then messages, each best first; at most `per_conversation` message
    hits from one conversation. Needs the prose index (m008) when `tokenizer` is not None."""
    terms = query.split()
    if not terms:
        return []
    if tokenizer is None:
        return like_search(db, query, limit=limit, per_conversation=per_conversation)
    titles = _title_matches(db, tokenizer, terms)
    messages = _message_matches(db, tokenizer, terms)
    return _assemble(db, terms, titles, messages, limit, per_conversation, _prose_reader(db))


def like_search(
    db: sqlite3.Connection, query: str, *, limit: int = 50, per_conversation: int = 3
) -> list[SearchHit]:
    """The same search without any index: LIKE over the rows, kept if their prose matches."""
    terms = query.split()
    if not terms:
        return []
    candidates = db.execute(
        f"SELECT id, role, content FROM messages WHERE {_likes('content', terms)}"
        f" AND status != 'streaming' ORDER BY id DESC LIMIT {_LIKE_LIMIT}",
        _patterns(terms),
    ).fetchall()
    texts = {mid: prose(role, content) for mid, role, content in candidates}
    found = [mid for mid, text in texts.items() if _holds_all(text, terms)]
    return _assemble(
        db, terms, like_titles(db, terms), found, limit, per_conversation, texts.__getitem__
    )


def like_titles(db: sqlite3.Connection, terms: list[str]) -> list[int]:
    """Conversations whose title holds every term, newest first."""
    rows = db.execute(
        f"SELECT id FROM conversations WHERE {_likes('title', terms)} ORDER BY updated DESC",
        _patterns(terms),
    )
    return [row[0] for row in rows]


def _title_matches(db: sqlite3.Connection, tokenizer: str, terms: list[str]) -> list[int]:
    if tokenizer == "trigram" and min(map(len, terms)) < 3:
        return like_titles(db, terms)  # titles are few: no trigram tricks needed
    rows = db.execute(
        "SELECT rowid FROM conversations_fts WHERE conversations_fts MATCH ? ORDER BY rank",
        (" ".join(map(_quoted, terms)),),
    )
    return [row[0] for row in rows]


def _message_matches(db: sqlite3.Connection, tokenizer: str, terms: list[str]) -> Iterator[int]:
    """Ids of matching messages: the newest RANKED best first (newer first among equals),
    then older ones newest first."""
    groups: list[str] = []
    scanned: list[str] = []
    for term in terms:
        if tokenizer != "trigram" or len(term) >= 3:
            groups.append(_quoted(term))
        elif term.isascii():
            scanned.append(term)
        else:
            trigrams = _trigrams_beginning(db, term)
            if trigrams is None:
                scanned.append(term)
            elif not trigrams:
                return  # no prose holds it
            else:
                groups.append("(" + " OR ".join(map(_quoted, trigrams)) + ")")
    where, parameters = [], []
    if groups:
        where.append("messages_fts MATCH ?")
        parameters.append(" AND ".join(groups))
    if scanned:
        # (prose || '') keeps FTS5 from taking the LIKE itself (it answers none for a
        # pattern under three characters).
        where.append(_likes("(prose || '')", scanned))
        parameters += _patterns(scanned)
    rows = db.execute(
        f"SELECT rowid, length(prose), substr(prose, 1, {SCORED_CHARS}) FROM messages_fts"
        f" WHERE {' AND '.join(where)} ORDER BY rowid DESC LIMIT {RANKED}",
        parameters,
    ).fetchall()
    if not rows:
        return
    average = sum(row[1] for row in rows) / len(rows)
    rows.sort(key=lambda row: (-_score(row[2], row[1], average, terms), -row[0]))
    yield from (row[0] for row in rows)
    if len(rows) == RANKED:
        older = db.execute(
            f"SELECT rowid FROM messages_fts WHERE {' AND '.join(where)} AND rowid < ?"
            f" ORDER BY rowid DESC LIMIT {OLDER}",
            [*parameters, min(row[0] for row in rows)],
        ).fetchall()
        yield from (row[0] for row in older)


def _score(text: str, length: int, average: float, terms: list[str]) -> float:
    """bm25 without its rarity weight (every term counts the same): more matches count
    more, each less than the last, and a long text needs more of them."""
    folded = text.casefold()
    dilution = _K1 * (1 - _B + _B * length / max(average, 1.0))
    score = 0.0
    for term in terms:
        count = folded.count(term.casefold())
        score += count * (_K1 + 1) / (count + dilution)
    return score


def _trigrams_beginning(db: sqlite3.Connection, term: str) -> list[str] | None:
    """The indexed trigrams that begin with `term` (None when there are too many to list)."""
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_fts_terms"
        " USING fts5vocab(main, messages_fts, 'row')"
    )
    low = term.lower()
    rows = db.execute(
        "SELECT term FROM temp.messages_fts_terms WHERE term >= ? AND term < ?"
        f" LIMIT {_MAX_TRIGRAMS + 1}",
        (low, low + "\U0010ffff"),
    ).fetchall()
    return None if len(rows) > _MAX_TRIGRAMS else [row[0] for row in rows]


def _prose_reader(db: sqlite3.Connection) -> Callable[[int], str]:
    def read(message_id: int) -> str:
        row = db.execute("SELECT prose FROM messages_fts WHERE rowid = ?", (message_id,))
        return row.fetchone()[0]

    return read


def _assemble(
    db: sqlite3.Connection,
    terms: list[str],
    titles: list[int],
    messages: Iterable[int],
    limit: int,
    per_conversation: int,
    text_of: Callable[[int], str],
) -> list[SearchHit]:
    """Hits in order: titles, then messages (at most per_conversation of each conversation)."""
    hits: list[SearchHit] = []
    names = _titles(db, titles)
    for conversation_id in titles[:limit]:
        title = names[conversation_id]
        hits.append(SearchHit(conversation_id, None, title, *snippet(title, terms)))
    taken: dict[int, int] = {}
    ids = iter(messages)
    # Their conversations, 500 at a time (SQLite's variable limit), only as far as needed.
    while len(hits) < limit and (chunk := list(islice(ids, 500))):
        owners = _owners(db, chunk)
        for message_id in chunk:
            conversation_id = owners.get(message_id)
            if len(hits) >= limit:
                break
            if conversation_id is None or taken.get(conversation_id, 0) >= per_conversation:
                continue
            taken[conversation_id] = taken.get(conversation_id, 0) + 1
            text = text_of(message_id)
            hits.append(SearchHit(conversation_id, message_id, "", *snippet(text, terms)))
    names = _titles(db, [hit.conversation_id for hit in hits if hit.message_id is not None])
    return [
        hit if hit.message_id is None else _with_title(hit, names[hit.conversation_id])
        for hit in hits
    ]


def _with_title(hit: SearchHit, title: str) -> SearchHit:
    return SearchHit(hit.conversation_id, hit.message_id, title, hit.snippet, hit.highlights)


def _titles(db: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    marks = ", ".join("?" for _ in unique)
    rows = db.execute(f"SELECT id, title FROM conversations WHERE id IN ({marks})", unique)
    return dict(rows.fetchall())


def _owners(db: sqlite3.Connection, message_ids: list[int]) -> dict[int, int]:
    """Each message's conversation."""
    marks = ", ".join("?" for _ in message_ids)
    rows = db.execute(
        f"SELECT id, conversation_id FROM messages WHERE id IN ({marks})", message_ids
    )
    return dict(rows.fetchall())


def damaged_indexes(db: sqlite3.Connection) -> list[str]:
    """The FTS5 tables whose integrity-check fails (index and content disagree, or unreadable)."""
    damaged = []
    for name in ("messages_fts", "conversations_fts"):
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is None:
            continue
        try:
            db.execute(f"INSERT INTO {name}({name}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError:
            damaged.append(name)
    return damaged


def _quoted(term: str) -> str:
    """A term as a quoted FTS5 string (quotes doubled), so nothing in it is syntax."""
    return '"' + term.replace('"', '""') + '"'


def _likes(column: str, terms: list[str]) -> str:
    return " AND ".join(f"{column} LIKE ? ESCAPE '\\'" for _ in terms)


def _patterns(terms: list[str]) -> list[str]:
    return ["%" + re.sub(r"([\\%_])", r"\\\1", term) + "%" for term in terms]


def _holds_all(text: str, terms: list[str]) -> bool:
    folded = text.casefold()
    return all(term.casefold() in folded for term in terms)


def snippet(
    text: str, terms: list[str], *, before: int = 40, after: int = 80
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A one-line excerpt of `text` around the first term found in it, and where every term
    occurs in that excerpt."""
    pattern = re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))), re.I)
    text = text.rstrip("\n")
    match = pattern.search(text)
    start = max(0, match.start() - before) if match else 0
    if start > 0:  # begin at a word where there is one near (CJK has none: begin anywhere)
        space = text.find(" ", start, start + 15)
        start = space + 1 if space != -1 and space < match.start() else start
    end = (match.end() if match else 0) + after
    excerpt = " ".join(text[start:end].split())
    excerpt = ("…" if start > 0 else "") + excerpt + ("…" if end < len(text) else "")
    return excerpt, tuple(found.span() for found in pattern.finditer(excerpt))
