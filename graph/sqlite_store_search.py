"""The SQLite store's people search index (``graph.search``): an FTS5 table.

``person_fts`` holds each person's search document (already folded by
``graph.search``) under the ``trigram`` tokenizer, so a quoted word matches
wherever it stands inside a word, as the search promises ("lice" finds
"Police"); ``person_doc`` holds, under the same rowid, what the filters, the
consent rule and the ranking read; ``person_facet`` what a document is listed
under (employers, sectors, cohorts, issues, projects).

A query's words are letters and digits only (``graph.search.words_of``), and are
still put in the ``MATCH`` text as quoted strings, never as syntax; words under
three characters (which no trigram holds) and the rest of long words are checked
with ``instr``. An erasure removes the person's rows and then merges the index
(``optimize``), so no segment keeps the erased words.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from graph import sqlite_store_postings as postings
from graph.sqlite_store_postings import text_score as _score
from graph.sqlite_store_postings import text_score_any as _score_any
from graph.store import (
    Page,
    PersonQuery,
    SearchDocument,
    SearchHit,
)

__all__ = [
    "SCHEMA",
    "SqliteSearch",
    "drop_person",
    "erase_from_index",
    "index_people",
    "indexed_people",
    "search_areas",
    "search_index",
    "search_mark",
]

SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS person_fts USING fts5(body, tokenize = 'trigram')",
    "CREATE TABLE IF NOT EXISTS person_doc (rowid INTEGER PRIMARY KEY,"
    " person_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, directory INTEGER NOT NULL,"
    " area TEXT NOT NULL, area_key TEXT NOT NULL,"
    " w0 TEXT NOT NULL, w1 TEXT NOT NULL, w2 TEXT NOT NULL, w3 TEXT NOT NULL,"
    " w4 TEXT NOT NULL, w5 TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS person_doc_name ON person_doc(name, person_id)",
    "CREATE TABLE IF NOT EXISTS person_facet (person_id TEXT NOT NULL, facet TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY (facet, value, person_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS person_facet_person ON person_facet(person_id)",
    "CREATE TABLE IF NOT EXISTS search_state (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " mark INTEGER NOT NULL)",
    *postings.SCHEMA,
)

T = TypeVar("T")

_MATCHED = 8
"""At most this many words go to ``MATCH`` (the longest); the rest are checked by ``instr``."""

_MATCH_CHARS = 48
"""Of a longer word, ``MATCH`` looks for its first this many characters (``instr`` the rest)."""

_FILTERS = {
    "organisation": "organisation_id",
    "cohort": "cohort_id",
    "issue": "issue_id",
}


def search_mark(conn: sqlite3.Connection) -> int | None:
    """None also when the index has documents but no postings (written by a version
    without them): the next search then writes it whole."""
    row = conn.execute("SELECT mark FROM search_state WHERE id = 1").fetchone()
    return None if row is None or postings.missing(conn) else int(row[0])


def drop_person(conn: sqlite3.Connection, person_ids: Collection[str]) -> None:
    """Remove these people's documents (inside the caller's transaction)."""
    for person_id in person_ids:
        postings.drop_postings(conn, person_id)
        row = conn.execute("SELECT rowid FROM person_doc WHERE person_id = ?", (person_id,))
        for (rowid,) in row.fetchall():
            conn.execute("DELETE FROM person_fts WHERE rowid = ?", (rowid,))
            conn.execute("DELETE FROM person_doc WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM person_facet WHERE person_id = ?", (person_id,))


def erase_from_index(conn: sqlite3.Connection, person_id: str) -> None:
    """An erasure's part: the person's documents gone, and the index merged so that no
    segment still holds their words (``secure_delete`` overwrites the freed pages)."""
    drop_person(conn, [person_id])
    conn.execute("INSERT INTO person_fts (person_fts) VALUES ('optimize')")


def index_people(
    conn: sqlite3.Connection,
    documents: Sequence[SearchDocument],
    *,
    drop: Collection[str],
    everything: bool,
    mark: int,
) -> None:
    """``GraphStore.index_people``, inside the caller's transaction."""
    if everything:
        conn.execute("DELETE FROM person_fts")
        conn.execute("DELETE FROM person_doc")
        conn.execute("DELETE FROM person_facet")
    else:
        drop_person(conn, [*drop, *(d.person_id for d in documents)])
    for d in documents:
        rowid = conn.execute(
            "INSERT INTO person_doc (person_id, name, directory, area, area_key,"
            " w0, w1, w2, w3, w4, w5) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (d.person_id, d.name, int(d.directory), d.area, d.area_key, *d.weighted),
        ).lastrowid
        conn.execute("INSERT INTO person_fts (rowid, body) VALUES (?, ?)", (rowid, d.body))
    postings.write_postings(conn, documents, everything=everything)
    conn.executemany(
        "INSERT OR IGNORE INTO person_facet (person_id, facet, value) VALUES (?, ?, ?)",
        [(d.person_id, facet, value) for d in documents for facet, value in d.facets],
    )
    if everything:
        conn.execute("INSERT INTO person_fts (person_fts) VALUES ('optimize')")
    conn.execute(
        "INSERT INTO search_state (id, mark) VALUES (1, ?)"
        " ON CONFLICT (id) DO UPDATE SET mark = excluded.mark",
        (mark,),
    )


def indexed_people(conn: sqlite3.Connection, facets: Collection[tuple[str, str]]) -> set[str]:
    found: set[str] = set()
    for facet, value in facets:
        found.update(
            p
            for (p,) in conn.execute(
                "SELECT person_id FROM person_facet WHERE facet = ? AND value = ?", (facet, value)
            )
        )
    return found


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _conditions(query: PersonQuery, words: Sequence[str]) -> tuple[str, str, list[Any]]:
    """The FROM clause, the WHERE clause and their parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    long_words = sorted({w for w in words if len(w) >= 3}, key=len, reverse=True)[:_MATCHED]
    source = "person_doc d"
    if long_words:
        source = "person_fts f JOIN person_doc d ON d.rowid = f.rowid"
        clauses.append("person_fts MATCH ?")
        params.append(" AND ".join(_quoted(w[:_MATCH_CHARS]) for w in long_words))
    checked = {w for w in words if not (w in long_words and len(w) <= _MATCH_CHARS)}
    if checked:
        if not long_words:
            source = "person_fts f JOIN person_doc d ON d.rowid = f.rowid"
        clauses.append(  # one clause for any number of words (no expression-depth limit)
            "NOT EXISTS (SELECT 1 FROM json_each(?) w WHERE instr(f.body, w.value) = 0)"
        )
        params.append(json.dumps(sorted(checked)))
    filters, filter_params = _filters(query)
    clauses += filters
    params += filter_params
    if query.directory_only:
        clauses.append("(d.directory = 1 OR d.person_id IS ?)")
        params.append(query.also_id)
    return source, " AND ".join(clauses) or "1", params


def _filters(query: PersonQuery) -> tuple[list[str], list[Any]]:
    """The conditions on ``person_doc d`` of every filter but the text and consent."""
    clauses: list[str] = []
    params: list[Any] = []
    for facet, attribute in _FILTERS.items():
        if (value := getattr(query, attribute)) is not None:
            clauses.append(
                "EXISTS (SELECT 1 FROM person_facet x WHERE x.person_id = d.person_id"
                f" AND x.facet = '{facet}' AND x.value = ?)"
            )
            params.append(value)
    if query.sector is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM person_facet x WHERE x.person_id = d.person_id"
            " AND x.facet = 'sector' AND x.value = ?)"
        )
        params.append(str(query.sector))
    if query.area is not None:  # folded by the caller (``graph.search.fold``)
        clauses.append("d.area_key = ?")
        params.append(query.area)
    if query.ids is not None:
        ids = list(query.ids)
        clauses.append(f"d.person_id IN ({','.join('?' * len(ids))})" if ids else "0")
        params += ids
    return clauses, params


_POSTED_WORDS = 2
"""Queries of up to this many words are answered from the postings. One word (most
searches, a word's start included) is a merge of index scans: 1-2 ms at 100,000 people
where the FTS path took ~100 ms. Two words read the postings of the word with fewer
and check the other on those people's texts: work bounded by that word's postings, not
FTS5's whole match set (at 10,000 people, min of 3 at load ~8: "youth violence" 44 ->
8 ms, "community safety" 19 -> 10 ms). The postings path answers any number of words
alike (tested up to 12), but from three words on FTS5's intersection of every word's
trigrams was the smaller work in the same run (1-10 ms against 3-34 ms), so they, and
longer (hostile) queries, whose words FTS5 caps, go there."""


def search_index(
    conn: sqlite3.Connection, query: PersonQuery, words: Sequence[str], page: Page
) -> tuple[list[SearchHit], int]:
    """``GraphStore.search_index``, inside the caller's read transaction: through the
    postings (``graph.sqlite_store_postings``) for up to ``_POSTED_WORDS`` words."""
    if words and len(words) <= _POSTED_WORDS:
        filters, filter_params = _filters(query)
        return postings.postings_page(
            conn,
            words,
            query.directory_only,
            query.also_id,
            (" AND ".join(filters), filter_params) if filters else None,
            page.offset,
            page.limit,
        )
    source, condition, params = _conditions(query, words)
    count_sql = f"SELECT count(*) FROM {source} WHERE {condition}"
    if not words:
        rows = conn.execute(
            f"SELECT d.person_id, d.name, count(*) OVER () FROM {source} WHERE {condition}"
            " ORDER BY d.name, d.person_id LIMIT ? OFFSET ?",
            [*params, page.limit, page.offset],
        ).fetchall()
    else:
        phrase = " ".join(words) if len(words) > 1 else ""
        if len(words) <= postings.SCORED_WORDS:
            score = _score(len(words), len(params))
            scored = [v for w in words for v in (f" {w} ", f" {w}", w)] + [phrase]
        else:
            score, scored = _score_any(len(params)), [json.dumps(list(words)), phrase]
        rows = conn.execute(
            "WITH found AS (SELECT d.person_id, d.name, d.w0, d.w1, d.w2, d.w3, d.w4, d.w5"
            f" FROM {source} WHERE {condition})"
            f" SELECT d.person_id, d.name, count(*) OVER (), {score} AS score"
            " FROM found d ORDER BY score DESC, d.name, d.person_id"
            f" LIMIT ?{len(params) + len(scored) + 1} OFFSET ?{len(params) + len(scored) + 2}",
            [*params, *scored, page.limit, page.offset],
        ).fetchall()
    if rows:
        count = int(rows[0][2])
    else:
        (count,) = conn.execute(count_sql, params).fetchone()
    return [SearchHit(r[0], r[1]) for r in rows], int(count)


def search_areas(conn: sqlite3.Connection, query: PersonQuery) -> list[tuple[str, str]]:
    condition, params = "1", []
    if query.directory_only:
        condition, params = "(directory = 1 OR person_id IS ?)", [query.also_id]
    return [
        (k, a)
        for k, a in conn.execute(
            f"SELECT area_key, area FROM person_doc WHERE {condition} AND area != ''"
            " ORDER BY name, person_id",
            params,
        )
    ]


class SqliteSearch:
    """The ``GraphStore`` search-index methods of ``SqliteStore``, over its connection."""

    _conn: sqlite3.Connection
    _lock: threading.RLock

    def _search_read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                return work(self._conn)
            finally:
                self._conn.execute("ROLLBACK")

    def search_mark(self) -> int | None:
        return self._search_read(search_mark)

    def index_people(
        self,
        documents: Sequence[SearchDocument],
        *,
        drop: Collection[str],
        everything: bool,
        mark: int,
    ) -> None:
        """Not in the store's ``_transaction``: the index is no content, notes no change
        and leaves this connection's ``version()`` alone."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                index_people(self._conn, documents, drop=drop, everything=everything, mark=mark)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def indexed_people(self, facets: Collection[tuple[str, str]]) -> set[str]:
        return self._search_read(lambda conn: indexed_people(conn, facets))

    def search_index(
        self, query: PersonQuery, words: Sequence[str], page: Page
    ) -> tuple[list[SearchHit], int]:
        return self._search_read(lambda conn: search_index(conn, query, words, page))

    def search_areas(self, query: PersonQuery) -> list[tuple[str, str]]:
        return self._search_read(lambda conn: search_areas(conn, query))
