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

One word and no filter but consent (most searches): each vocabulary word's postings
are already in score order, so the page is a merge of a few index scans, stopped once
it is full (a person met again later scores no higher); the count is read from the
same index. Several words, or filters: one query over the postings of the word with
fewest vocabulary words, probing the others by (word, person), the phrase bonus from
the texts of only those found.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from graph.store import SEARCH_QUALITIES, SEARCH_WEIGHTS, SearchDocument, SearchHit

__all__ = [
    "SCHEMA",
    "drop_postings",
    "missing",
    "postings_page",
    "write_postings",
]

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS search_token (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS search_posting (token INTEGER NOT NULL, rank REAL NOT NULL,"
    " name TEXT NOT NULL, person_id TEXT NOT NULL, directory INTEGER NOT NULL,"
    " PRIMARY KEY (token, rank, name, person_id)) WITHOUT ROWID",
)
"""No index by (word, person): the probes of several words would use one, but only
one-word queries come here (``graph.sqlite_store_search._POSTED_WORDS``), and at
100,000 people it would cost 2.7 million more entries to write on every rebuild."""


def _tokens(weighted: Sequence[str]) -> dict[str, float]:
    """Each word of a document's texts by weight, with the highest weight holding it."""
    found: dict[str, float] = {}
    for weight, text in zip(SEARCH_WEIGHTS, weighted, strict=True):
        for word in text.split():
            if word != "|" and word not in found:
                found[word] = weight
    return found


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
    for word, weight in _tokens(weighted).items():
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
        words = {w for d in documents for w in _tokens(d.weighted)}
        known = {}
        for word in words:
            conn.execute("INSERT OR IGNORE INTO search_token (token) VALUES (?)", (word,))
            (known[word],) = conn.execute(
                "SELECT id FROM search_token WHERE token = ?", (word,)
            ).fetchone()
    rows: list[tuple[int, float, str, str, int]] = []
    for d in documents:
        for word, weight in _tokens(d.weighted).items():
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


def _best(found: list[tuple[int, float]]) -> str:
    """A word's best ``quality x weight`` over the postings ``p`` of its vocabulary words
    (the ids and qualities are numbers the store made, written in)."""
    if len({q for _, q in found}) == 1:
        return f"max(-p.rank * {found[0][1]!r})"
    cases = " ".join(f"WHEN {int(t)} THEN {q!r}" for t, q in found)
    return f"max(-p.rank * (CASE p.token {cases} END))"


def _phrase_bonus(phrase: str) -> tuple[str, list[Any]]:
    """The highest weight whose text on ``person_doc d`` holds the whole phrase (0 for
    one word), with its parameters."""
    if not phrase:
        return "0.0", []
    cases = ", ".join(
        f"(CASE WHEN instr(d.w{i}, ?) > 0 THEN {w!r} ELSE 0.0 END)"
        for i, w in enumerate(SEARCH_WEIGHTS)
    )
    return f"max({cases})", [phrase] * len(SEARCH_WEIGHTS)


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
    driver = min(distinct, key=lambda w: (len(found[w]), -len(w)))
    others = [w for w in distinct if w != driver]
    column = {w: f"s{i}" for i, w in enumerate([driver, *others])}
    consent, consent_params = _consent(directory_only, also_id, "p")
    probes = "".join(
        f", (SELECT {_best(found[w])} FROM search_posting p"
        f" WHERE p.token IN ({','.join(str(t) for t, _ in found[w])})"
        f" AND p.person_id = c.person_id) AS {column[w]}"
        for w in others
    )
    held = "".join(f" AND f.{column[w]} IS NOT NULL" for w in others)
    total = "(0.0" + "".join(f" + f.{column[w]}" for w in words) + ")"
    where, filter_params = filters if filters is not None else ("1", [])
    bonus, bonus_params = _phrase_bonus(" ".join(words) if len(words) > 1 else "")
    found_sql = (
        f"WITH c AS (SELECT p.person_id, p.name, {_best(found[driver])} AS s0"
        " FROM search_posting p"
        f" WHERE p.token IN ({','.join(str(t) for t, _ in found[driver])}){consent}"
        " GROUP BY p.person_id),"
        f" f AS (SELECT c.person_id, c.name, c.s0{probes} FROM c)"
        f" SELECT f.person_id, f.name, count(*) OVER (), ({total} + {bonus}) AS score"
        f" FROM f JOIN person_doc d ON d.person_id = f.person_id WHERE 1{held} AND {where}"
    )
    params = [*consent_params, *bonus_params, *filter_params]
    rows = conn.execute(
        found_sql + " ORDER BY score DESC, f.name, f.person_id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    if rows:
        return [SearchHit(r[0], r[1]) for r in rows], int(rows[0][2])
    (count,) = conn.execute(f"SELECT count(*) FROM ({found_sql})", params).fetchone()
    return [], int(count)
