"""The SQLite search index's word postings (``graph.sqlite_store_search``): how a query of
a few words is answered without reading and scoring every document that holds them.

``search_token`` is the index's vocabulary: every word of every search document (a
few thousand at 100,000 people: names, employers, topics, cohorts and issues repeat);
``search_posting`` one row per (word, person) holding it, with the highest weight of
the fields that hold it (as ``rank``, its negative, so that one ascending key orders
a word's people best first, then by name and id) and the person's directory consent.

The score of ``graph.search`` is then read, not computed from the texts: a query word
is found in a person's field exactly when it is a substring of one of the field's
words (a query word has no spaces), whole when it equals one, at a start when one
begins with it. So the words the query word is found in are looked up in the
vocabulary, each with its quality, and a person's best for the word is the highest
``quality x weight`` over their postings of those words: the same products (and so
the same floating-point sums, in the words' order) as the texts give.

One word and no filter but consent (most searches, a word's start included): each
vocabulary word's postings are already in score order, so the page is a merge of a few
index scans, stopped once it is full (a person met again later scores no higher); the
count is read from the same index. Several words, or filters: the postings of the word
with fewest (counted from the index) name the candidates, whose texts
(``person_doc``) are checked for the other words and scored as the FTS path scores
them; the work is bounded by that word's postings, not by FTS5's match set.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from graph.store import SEARCH_QUALITIES, SEARCH_WEIGHTS, SearchDocument, SearchHit, word_weights

__all__ = [
    "SCHEMA",
    "drop_postings",
    "SCORED_WORDS",
    "missing",
    "postings_page",
    "text_score",
    "text_score_any",
    "write_postings",
]

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS search_token (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS search_posting (token INTEGER NOT NULL, rank REAL NOT NULL,"
    " name TEXT NOT NULL, person_id TEXT NOT NULL, directory INTEGER NOT NULL,"
    " PRIMARY KEY (token, rank, name, person_id)) WITHOUT ROWID",
)
"""No index by (word, person): several words are checked on the candidates' texts, and
at 100,000 people it would cost 2.7 million more entries to write on every rebuild."""


def missing(conn: sqlite3.Connection) -> bool:
    """Documents indexed but no postings: an index written before postings existed."""
    return (
        conn.execute("SELECT 1 FROM search_token LIMIT 1").fetchone() is None
        and conn.execute("SELECT 1 FROM person_doc LIMIT 1").fetchone() is not None
    )


def drop_postings(conn: sqlite3.Connection, person_id: str) -> None:
    """Remove this person's postings (read from their indexed texts) and every word of
    theirs no one else holds."""
    row = conn.execute(
        "SELECT name, w0, w1, w2, w3, w4, w5 FROM person_doc WHERE person_id = ?", (person_id,)
    ).fetchone()
    if row is None:
        return
    name, *weighted = row
    for word, weight in word_weights(weighted).items():
        found = conn.execute("SELECT id FROM search_token WHERE token = ?", (word,)).fetchone()
        if found is None:
            continue
        conn.execute(
            "DELETE FROM search_posting WHERE token = ? AND rank = ? AND name = ?"
            " AND person_id = ?",
            (found[0], -weight, name, person_id),
        )
        conn.execute(
            "DELETE FROM search_token WHERE id = ?1"
            " AND NOT EXISTS (SELECT 1 FROM search_posting WHERE token = ?1)",
            (found[0],),
        )


def write_postings(
    conn: sqlite3.Connection, documents: Sequence[SearchDocument], *, everything: bool
) -> None:
    """The postings of these documents (with ``everything``: of every document, the
    vocabulary written anew)."""
    if everything:
        conn.execute("DELETE FROM search_posting")
        conn.execute("DELETE FROM search_token")
        known: dict[str, int] = {}
    else:
        words = {w for d in documents for w in word_weights(d.weighted)}
        known = {}
        for word in words:
            conn.execute("INSERT OR IGNORE INTO search_token (token) VALUES (?)", (word,))
            (known[word],) = conn.execute(
                "SELECT id FROM search_token WHERE token = ?", (word,)
            ).fetchone()
    rows: list[tuple[int, float, str, str, int]] = []
    for d in documents:
        for word, weight in word_weights(d.weighted).items():
            token = known.get(word)
            if token is None:
                token = known[word] = len(known) + 1
            rows.append((token, -weight, d.name, d.person_id, int(d.directory)))
    if everything:
        conn.executemany(
            "INSERT INTO search_token (id, token) VALUES (?, ?)", [(i, w) for w, i in known.items()]
        )
        rows.sort()
    conn.executemany(
        "INSERT OR REPLACE INTO search_posting (token, rank, name, person_id, directory)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )


def _found_in(conn: sqlite3.Connection, word: str) -> list[tuple[int, float]]:
    """The vocabulary's words holding ``word``, each with how it is found in them."""
    whole, start, inside = SEARCH_QUALITIES
    return [
        (token_id, whole if token == word else start if token.startswith(word) else inside)
        for token_id, token in conn.execute(
            "SELECT id, token FROM search_token WHERE instr(token, ?) > 0", (word,)
        )
    ]


def _consent(directory_only: bool, also_id: str | None, alias: str) -> tuple[str, list[Any]]:
    if not directory_only:
        return "", []
    return f" AND ({alias}.directory = 1 OR {alias}.person_id IS ?)", [also_id]


def _one_word(
    conn: sqlite3.Connection,
    found: list[tuple[int, float]],
    directory_only: bool,
    also_id: str | None,
    offset: int,
    limit: int,
) -> tuple[list[SearchHit], int]:
    consent, params = _consent(directory_only, also_id, "p")

    def scan(token: int, quality: float) -> Iterator[tuple[float, str, str]]:
        for rank, name, person_id in conn.execute(
            "SELECT p.rank, p.name, p.person_id FROM search_posting p"
            f" WHERE p.token = ?{consent} ORDER BY p.rank, p.name, p.person_id",
            [token, *params],
        ):
            yield rank * quality, name, person_id

    seen: set[str] = set()
    hits: list[SearchHit] = []
    for _, name, person_id in heapq.merge(*(scan(t, q) for t, q in found)):
        if person_id in seen:
            continue
        seen.add(person_id)
        hits.append(SearchHit(person_id, name))
        if len(hits) >= offset + limit:
            break
    marks = ",".join("?" * len(found))
    counted = "count(*)" if len(found) == 1 else "count(DISTINCT p.person_id)"
    (count,) = conn.execute(
        f"SELECT {counted} FROM search_posting p WHERE p.token IN ({marks}){consent}",
        [*(t for t, _ in found), *params],
    ).fetchone()
    return hits[offset:], int(count)


def text_score(words: int, base: int) -> str:
    """``graph.search``'s score of a row ``d`` holding ``person_doc``'s texts by weight,
    for this many words: parameters ``base + 1`` on are each word three times (``' w '``,
    ``' w'``, ``'w'``: whole, start, anywhere), then the phrase (empty for one word).
    The weights and qualities are ``graph.store``'s constants, written in as numbers."""
    whole, start, inside = SEARCH_QUALITIES
    columns = [(f"d.w{i}", w) for i, w in enumerate(SEARCH_WEIGHTS)]

    def best(n: int) -> str:
        found, at_start, anywhere = (f"?{base + 3 * n + k}" for k in (1, 2, 3))
        return (
            "max("
            + ", ".join(
                f"(CASE WHEN instr({c}, {anywhere}) = 0 THEN 0.0"
                f" WHEN instr({c}, {found}) > 0 THEN {w * whole!r}"
                f" WHEN instr({c}, {at_start}) > 0 THEN {w * start!r} ELSE {w * inside!r} END)"
                for c, w in columns
            )
            + ")"
        )

    total = " + ".join(best(n) for n in range(words))
    phrase = f"?{base + 3 * words + 1}"
    bonus = ", ".join(
        f"(CASE WHEN {phrase} <> '' AND instr({c}, {phrase}) > 0 THEN {w!r} ELSE 0.0 END)"
        for c, w in columns
    )
    return f"((0.0 + {total}) + max({bonus}))"


def text_score_any(base: int) -> str:
    """The same score for any number of words: parameter ``base + 1`` the words as a JSON
    array, ``base + 2`` the phrase (slower: the array is read again for every row)."""
    whole, start, inside = SEARCH_QUALITIES
    columns = [(f"d.w{i}", w) for i, w in enumerate(SEARCH_WEIGHTS)]
    best = ", ".join(
        f"(CASE WHEN instr({c}, w.value) = 0 THEN 0.0"
        f" WHEN instr({c}, ' ' || w.value || ' ') > 0 THEN {w * whole!r}"
        f" WHEN instr({c}, ' ' || w.value) > 0 THEN {w * start!r} ELSE {w * inside!r} END)"
        for c, w in columns
    )
    phrase = f"?{base + 2}"
    bonus = ", ".join(
        f"(CASE WHEN {phrase} <> '' AND instr({c}, {phrase}) > 0 THEN {w!r} ELSE 0.0 END)"
        for c, w in columns
    )
    return f"((SELECT total(max({best})) FROM json_each(?{base + 1}) w) + max({bonus}))"


SCORED_WORDS = 12
"""Queries of up to this many words are scored by one expression written out word by
word; longer ones (a hostile query, or no one holds them all) through ``json_each``."""


def postings_page(
    conn: sqlite3.Connection,
    words: Sequence[str],
    directory_only: bool,
    also_id: str | None,
    filters: tuple[str, list[Any]] | None,
    offset: int,
    limit: int,
) -> tuple[list[SearchHit], int]:
    """One page of the people holding every word (and passing ``filters``: a condition
    on ``person_doc d`` and its parameters), best first, and how many there are."""
    distinct = list(dict.fromkeys(words))
    found = {w: _found_in(conn, w) for w in distinct}
    if any(not f for f in found.values()):
        return [], 0
    if len(words) == 1 and filters is None:
        return _one_word(conn, found[words[0]], directory_only, also_id, offset, limit)
    counts = {w: _postings(conn, found[w]) for w in distinct}
    driver = min(distinct, key=lambda w: (counts[w], -len(w), w))
    others = [w for w in distinct if w != driver]
    consent, consent_params = _consent(directory_only, also_id, "p")
    where, filter_params = filters if filters is not None else ("1", [])
    texts = " || ".join(f"d.w{i}" for i in range(len(SEARCH_WEIGHTS)))
    found_sql = (
        "WITH c AS (SELECT DISTINCT p.person_id FROM search_posting p"
        f" WHERE p.token IN ({','.join(str(t) for t, _ in found[driver])}){consent}),"
        " f AS (SELECT d.person_id, d.name, d.w0, d.w1, d.w2, d.w3, d.w4, d.w5"
        " FROM c JOIN person_doc d ON d.person_id = c.person_id WHERE"
        f" NOT EXISTS (SELECT 1 FROM json_each(?) o WHERE instr({texts}, o.value) = 0)"
        f" AND {where})"
    )
    params = [*consent_params, json.dumps(others), *filter_params]
    base = len(params)
    phrase = " ".join(words) if len(words) > 1 else ""
    if len(words) <= SCORED_WORDS:
        score = text_score(len(words), base)
        scored = [v for w in words for v in (f" {w} ", f" {w}", w)] + [phrase]
    else:
        score, scored = text_score_any(base), [json.dumps(list(words)), phrase]
    at = base + len(scored)
    rows = conn.execute(
        f"{found_sql} SELECT d.person_id, d.name, count(*) OVER (), {score} AS score"
        f" FROM f d ORDER BY score DESC, d.name, d.person_id LIMIT ?{at + 1} OFFSET ?{at + 2}",
        [*params, *scored, limit, offset],
    ).fetchall()
    if rows:
        return [SearchHit(r[0], r[1]) for r in rows], int(rows[0][2])
    (count,) = conn.execute(f"{found_sql} SELECT count(*) FROM f", params).fetchone()
    return [], int(count)


def _postings(conn: sqlite3.Connection, found: list[tuple[int, float]]) -> int:
    """How many postings these vocabulary words have (an index-only count)."""
    marks = ",".join("?" * len(found))
    (count,) = conn.execute(
        f"SELECT count(*) FROM search_posting WHERE token IN ({marks})", [t for t, _ in found]
    ).fetchone()
    return int(count)
