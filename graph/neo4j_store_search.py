"""The Neo4j store's people search index (``graph.search``): ``search_*`` properties on
``Person`` nodes under a full-text index (Cypher in ``graph.neo4j_queries_search``).

A query's words are letters and digits only (``graph.search.words_of``), so each
becomes the Lucene wildcard term ``*word*`` (any term holding it) with no syntax of
its own; only the longest few words, each cut to a bounded length, go to Lucene
(a 10,000-character query stays one small query), and ``CONTAINS`` checks every
word exactly. Index writes leave the version token alone, as page sessions do: the
index is derived from the content, and other processes need not drop their caches.
Erasure deletes the person's node, and with it their properties and index entries.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from typing import Any

from neo4j import Driver, Session

from graph import neo4j_queries_search as q
from graph.store import (
    SEARCH_QUALITIES,
    SEARCH_WEIGHTS,
    Page,
    PersonQuery,
    SearchDocument,
    SearchHit,
)

__all__ = ["Neo4jSearch", "lucene_query"]

_MATCHED = 8
"""At most this many words go to Lucene (the longest); ``CONTAINS`` checks them all."""

_MATCH_CHARS = 48
"""Of a longer word, Lucene looks for its first this many characters."""

_CHUNK = 5_000
"""Documents written per statement."""


def lucene_query(words: Sequence[str]) -> str:
    """Every (longest) word required, anywhere in a term: ``+*word*``. The words are
    letters and digits only; anything else is refused rather than escaped."""
    chosen = sorted({w[:_MATCH_CHARS] for w in words}, key=len, reverse=True)[:_MATCHED]
    for word in chosen:
        if not word.isalnum():
            raise ValueError("a search word must be letters and digits only")
    return " AND ".join(f"*{w}*" for w in chosen)


def _row(d: SearchDocument) -> dict[str, Any]:
    by_facet: dict[str, list[str]] = {
        f: [] for f in ("organisation", "sector", "cohort", "issue", "project")
    }
    for facet, value in d.facets:
        by_facet[facet].append(value)
    return {
        "id": d.person_id,
        "body": d.body,
        "weighted": list(d.weighted),
        "area_key": d.area_key,
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
        with self._driver_session() as session:
            return session.execute_read(lambda tx: list(tx.run(query, params)))

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

        def write(tx: Any, chunk: list[dict[str, Any]], ids: list[str]) -> None:
            if ids:
                tx.run(q.DROP, {"ids": ids}).consume()
            if chunk:
                tx.run(q.WRITE, {"rows": chunk}).consume()

        with self._driver_session() as session:
            if everything:
                # Every person gets a document (a node without one is a node erased),
                # so nothing is removed first; one transaction per chunk keeps each
                # within the server's transaction memory at 100,000 people, and the
                # mark, written last, says the index is whole only once it is.
                for start in range(0, len(rows), _CHUNK):
                    session.execute_write(write, rows[start : start + _CHUNK], [])
            else:
                session.execute_write(write, rows, list(drop))
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
        if words:
            (row,) = self._search_rows(
                q.QUERY,
                lucene=lucene_query(words),
                words=list(words),
                phrase=" ".join(words),
                weights=list(SEARCH_WEIGHTS),
                qualities=list(SEARCH_QUALITIES),
                **paged,
            )
        else:
            (row,) = self._search_rows(q.PAGE, **paged)
        return [SearchHit(h["id"], h["name"]) for h in row["page"]], int(row["n"])

    def search_areas(self, query: PersonQuery) -> list[tuple[str, str]]:
        rows = self._search_rows(
            q.AREAS, directory_only=query.directory_only, also_id=query.also_id
        )
        return [(r["key"], r["area"]) for r in rows]
