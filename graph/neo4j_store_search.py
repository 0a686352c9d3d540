"""The Neo4j store's people search index (``graph.search``): one ``SearchDoc`` node per
person and word postings (``(:SearchWord)-[:POSTED]->(:SearchDoc)``) under a TEXT index
(Cypher and layout in ``graph.neo4j_queries_search``).

A query's words are letters and digits only (``graph.search.words_of``) and go to
Neo4j as parameters, never as query text: one query finds, for every distinct word,
the vocabulary's words holding it (a TEXT index seek each: no scan of every term, as
the Lucene full-text index's leading wildcards did). One word with no filter but
consent (most searches): each of those vocabulary words' first ``offset + limit``
postings in score order, read from a range index and merged here, and the count from
the postings alone (``TOP``, ``POSTED_COUNT``). Otherwise one query reads the postings
of the word with fewest (so its work is bounded by that word's postings), checks the
other words, filters (consent included), counts, scores and pages. Index writes leave
the version token alone, as page sessions do: the index is derived from the content,
and other processes need not drop their caches. Erasure removes the person's document,
postings and every word only they held (``ERASE_SEARCH_WORDS``) in its own
transaction: no Lucene full-text index holds their words until a merge. (The TEXT
index is Lucene-backed too: an erased word's entry is deleted at once, its bytes may
stay in a segment until Lucene merges it.)
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from typing import Any

from neo4j import Driver, Session
from neo4j.exceptions import ConstraintError

from graph import neo4j_queries_search as q
from graph.neo4j_store_read import read_rows
from graph.store import (
    SEARCH_QUALITIES,
    SEARCH_WEIGHTS,
    Page,
    PersonQuery,
    SearchDocument,
    SearchHit,
    word_weights,
)

__all__ = ["ERASE_SEARCH_WORDS", "Neo4jSearch"]

ERASE_SEARCH_WORDS = q.ERASE
"""Run by the store's erasure, inside its transaction: the person's document, postings
and the words only they held."""

_MATCH_CHARS = 48
"""Of a longer word, the TEXT index looks for its first this many characters (and the
vocabulary words found are then checked for the whole word)."""

_CHUNK = 5_000
"""Documents written per statement."""


def _row(d: SearchDocument) -> dict[str, Any]:
    by_facet: dict[str, list[str]] = {
        f: [] for f in ("organisation", "sector", "cohort", "issue", "project")
    }
    for facet, value in d.facets:
        by_facet[facet].append(value)
    return {
        "id": d.person_id,
        "name": d.name,
        "directory": d.directory,
        "area": d.area,
        "weighted": list(d.weighted),
        "area_key": d.area_key,
        "postings": [{"word": w, "weight": v} for w, v in word_weights(d.weighted).items()],
        **by_facet,
    }


def _params(query: PersonQuery) -> dict[str, Any]:
    return {
        "organisation_id": query.organisation_id,
        "sector": str(query.sector) if query.sector is not None else None,
        "cohort_id": query.cohort_id,
        "issue_id": query.issue_id,
        "area": query.area,
        "ids": None if query.ids is None else list(query.ids),
        "directory_only": query.directory_only,
        "also_id": query.also_id,
    }


def _quality(word: str, token: str) -> float:
    """How ``word`` is found in the vocabulary word ``token`` (which holds it)."""
    whole, start, inside = SEARCH_QUALITIES
    return whole if token == word else start if token.startswith(word) else inside


def _consent_only(query: PersonQuery) -> bool:
    """No filter but consent."""
    return all(
        v is None
        for v in (query.organisation_id, query.sector, query.cohort_id, query.issue_id,
                  query.area, query.ids)
    )  # fmt: skip


def _fields(row: dict[str, Any]) -> list[Any]:
    """A document's fields in the order ``q.HELD`` reads them."""
    return [row[f] for f in ("name", "directory", "area", "area_key", "weighted",
                             "organisation", "sector", "cohort", "issue", "project")]  # fmt: skip


def _write(tx: Any, rows: list[dict[str, Any]], drop: list[str]) -> None:
    """These documents written and these people's dropped; of the documents and their
    postings, only what differs from what the index holds (a rebuild after a rollback
    or an import rewrites few)."""
    if drop:
        tx.run(q.DROP, {"ids": drop}).consume()
    if not rows:
        return
    fields: dict[str, list[Any]] = {}
    held: dict[str, dict[str, tuple[Any, ...]]] = defaultdict(dict)
    for r in tx.run(q.HELD, {"ids": [row["id"] for row in rows]}):
        fields[r["id"]] = list(r["fields"])
        for word, rank, name, directory in r["postings"]:
            held[r["id"]][word] = (rank, name, directory)
    stale: list[dict[str, Any]] = []
    fresh: list[dict[str, Any]] = []
    for row in rows:
        wanted = {p["word"]: (-p["weight"], row["name"], row["directory"]) for p in row["postings"]}
        have = held.get(row["id"], {})
        if gone := [w for w, posted in have.items() if wanted.get(w) != posted]:
            stale.append({"id": row["id"], "words": gone})
        if new := [p for p in row["postings"] if have.get(p["word"]) != wanted[p["word"]]]:
            fresh.append({"id": row["id"], "postings": new, "name": row["name"],
                          "directory": row["directory"]})  # fmt: skip
    if changed := [row for row in rows if fields.get(row["id"]) != _fields(row)]:
        tx.run(q.WRITE, {"rows": changed}).consume()
    if stale:
        tx.run(q.UNPOST, {"rows": stale}).consume()
    if fresh:
        words = sorted({p["word"] for r in fresh for p in r["postings"]})
        tx.run(q.WORDS, {"words": words}).consume()
        tx.run(q.POST, {"rows": fresh}).consume()


def _consume(tx: Any, query: Any, params: dict[str, Any]) -> None:
    tx.run(query, params).consume()


def _created(session: Session, rows: list[dict[str, Any]]) -> bool:
    """Every document written into an empty index by ``CREATE``, in ``_CHUNK`` documents a
    transaction; ``False`` when the index was not empty, or when another process began
    the same rebuild (its documents break the uniqueness constraints, after this one
    may have written some chunks): the rebuild is then written by ``_write``, which
    merges with whatever is there."""
    if not session.execute_read(lambda tx: tx.run(q.EMPTY).single(strict=True)["empty"]):
        return False
    words = sorted({p["word"] for row in rows for p in row["postings"]})
    try:
        session.execute_write(_consume, q.NEW_WORDS, {"words": words})
        for start in range(0, len(rows), _CHUNK):
            session.execute_write(_consume, q.NEW_DOCS, {"rows": rows[start : start + _CHUNK]})
    except ConstraintError:
        return False
    return True


class Neo4jSearch:
    """The ``GraphStore`` search-index methods of ``Neo4jStore``, over its driver."""

    _driver: Driver
    _database: str

    def _translated(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _driver_session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _search_schema(self) -> None:
        if not self.__dict__.get("_search_schema_made"):
            with self._translated():
                for statement in q.SCHEMA:
                    self._driver.execute_query(statement, database_=self._database)
            self.__dict__["_search_schema_made"] = True

    def _search_rows(self, query: Any, **params: Any) -> list[Any]:
        self._search_schema()
        with self._translated():
            return read_rows(self._driver, self._database, query, params)

    def search_mark(self) -> int | None:
        (row,) = self._search_rows(q.MARK)
        return None if row["mark"] is None else int(row["mark"])

    def index_people(
        self,
        documents: Sequence[SearchDocument],
        *,
        drop: Collection[str],
        everything: bool,
        mark: int,
    ) -> None:
        self._search_schema()
        rows = [_row(d) for d in documents]
        with self._driver_session() as session:
            if everything:
                # Every person gets a document (only then are the documents of people no
                # longer in the store removed), so nothing is removed first; one
                # transaction per chunk keeps each within the server's transaction
                # memory at 100,000 people, and the mark, written last, says the index
                # is whole only once it is. Into an empty index, created outright.
                if not _created(session, rows):
                    for start in range(0, len(rows), _CHUNK):
                        session.execute_write(_write, rows[start : start + _CHUNK], [])
                session.execute_write(lambda tx: tx.run(q.DROP_UNLISTED).consume())
                session.execute_write(lambda tx: tx.run(q.DROP_UNHELD_WORDS).consume())
            else:

                def write(tx: Any) -> None:
                    _write(tx, rows, list(drop))
                    tx.run(q.DROP_UNHELD_WORDS).consume()

                session.execute_write(write)
            session.execute_write(lambda tx: tx.run(q.SET_MARK, {"mark": mark}).consume())

    def indexed_people(self, facets: Collection[tuple[str, str]]) -> set[str]:
        if not facets:
            return set()
        rows = self._search_rows(
            q.INDEXED_PEOPLE, facets=[{"facet": f, "value": v} for f, v in facets]
        )
        return {str(r["id"]) for r in rows}

    def search_index(
        self, query: PersonQuery, words: Sequence[str], page: Page
    ) -> tuple[list[SearchHit], int]:
        paged = {"offset": page.offset, "limit": page.limit, **_params(query)}
        if not words:
            (row,) = self._search_rows(q.PAGE, **paged)
            return [SearchHit(h["id"], h["name"]) for h in row["page"]], int(row["n"])
        distinct = list(dict.fromkeys(words))
        cut = {w: w[:_MATCH_CHARS] for w in distinct}
        rows = self._search_rows(q.VOCABULARY, words=sorted(set(cut.values())))
        held = {r["word"]: (list(r["found"]), int(r["postings"])) for r in rows}
        tokens = {w: [t for t in held[cut[w]][0] if w in t] for w in distinct}
        if not all(tokens.values()):
            return [], 0
        driver = min(distinct, key=lambda w: (held[cut[w]][1], -len(w), w))
        if len(words) == 1 and _consent_only(query):
            whole = tokens[driver] == held[cut[driver]][0] and not query.directory_only
            return self._top(
                query, driver, tokens[driver], page, held[cut[driver]][1] if whole else None
            )
        if len(words) == 1:
            (row,) = self._search_rows(
                q.ONE_WORD,
                driver=tokens[driver],
                quality={t: _quality(driver, t) for t in tokens[driver]},
                **paged,
            )
        else:
            (row,) = self._search_rows(
                q.WORDS_QUERY,
                driver=tokens[driver],
                others=[w for w in distinct if w != driver],
                words=list(words),
                phrase=" ".join(words),
                weights=list(SEARCH_WEIGHTS),
                qualities=list(SEARCH_QUALITIES),
                **paged,
            )
        return [SearchHit(h["id"], h["name"]) for h in row["page"]], int(row["n"])

    def _top(
        self, query: PersonQuery, word: str, tokens: list[str], page: Page, degrees: int | None
    ) -> tuple[list[SearchHit], int]:
        """One word, no filter but consent: the best ``offset + limit`` postings of each
        vocabulary word holding it, merged (a person ranks by their best: whoever is in
        the first ``k`` overall is in the first ``k`` of the word they score best by).
        ``degrees``: the vocabulary words' postings, read with them, which is the count
        when there is one vocabulary word and no consent filter."""
        consent = {"directory_only": query.directory_only, "also_id": query.also_id}
        k = page.offset + page.limit
        rows = self._search_rows(q.TOP, tokens=tokens, k=k, **consent)
        scans = [
            [(rank * _quality(word, r["token"]), name, pid) for rank, name, pid in r["top"]]
            for r in rows
        ]
        seen: set[str] = set()
        hits: list[SearchHit] = []
        for _, name, pid in heapq.merge(*scans):
            if pid not in seen:
                seen.add(pid)
                hits.append(SearchHit(pid, name))
                if len(hits) >= k:
                    break
        if degrees is not None and len(tokens) == 1:
            return hits[page.offset :], degrees
        (counted,) = self._search_rows(q.POSTED_COUNT, tokens=tokens, **consent)
        return hits[page.offset :], int(counted["n"])

    def search_areas(self, query: PersonQuery) -> list[tuple[str, str]]:
        rows = self._search_rows(
            q.AREAS, directory_only=query.directory_only, also_id=query.also_id
        )
        return [(r["key"], r["area"]) for r in rows]
