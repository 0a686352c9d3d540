"""The Cypher of the Neo4j store's people search index (``graph.neo4j_store_search``).

A person's search document lives on their ``Person`` node as ``search_*``
properties: ``search_body`` (every field, folded by ``graph.search``) under a
full-text index with the ``whitespace`` analyzer (the text is folded already, so
its terms are its words as they are compared), ``search_weighted`` (the texts by
weight, for ranking), ``search_area_key`` and one list per facet. An upsert of the
person sets the node anew and so drops them; the next search writes them again
(``graph.search``).
"""

from __future__ import annotations

from typing import LiteralString

__all__ = [
    "AREAS",
    "DROP",
    "FULLTEXT",
    "INDEXED_PEOPLE",
    "MARK",
    "PAGE",
    "QUERY",
    "SCHEMA",
    "SET_MARK",
    "WRITE",
]

FULLTEXT: LiteralString = "person_search"

SCHEMA: tuple[LiteralString, ...] = (
    "CREATE FULLTEXT INDEX person_search IF NOT EXISTS FOR (n:Person) ON EACH [n.search_body]"
    " OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    "CREATE CONSTRAINT search_index_id IF NOT EXISTS FOR (n:SearchIndex) REQUIRE n.id IS UNIQUE",
    "CALL db.awaitIndexes(300)",
)
"""Made on the first search, not at start-up (a store that is never searched has none)."""

MARK: LiteralString = "OPTIONAL MATCH (s:SearchIndex {id: 'people'}) RETURN s.mark AS mark"

SET_MARK: LiteralString = "MERGE (s:SearchIndex {id: 'people'}) SET s.mark = $mark"

_REMOVE: LiteralString = (
    " REMOVE x.search_body, x.search_weighted, x.search_area_key, x.search_organisation,"
    " x.search_sector, x.search_cohort, x.search_issue, x.search_project"
)

DROP: LiteralString = "UNWIND $ids AS id MATCH (x:Person {id: id})" + _REMOVE

WRITE: LiteralString = (
    "UNWIND $rows AS row MATCH (x:Person {id: row.id})"
    " SET x.search_body = row.body, x.search_weighted = row.weighted,"
    " x.search_area_key = row.area_key, x.search_organisation = row.organisation,"
    " x.search_sector = row.sector, x.search_cohort = row.cohort, x.search_issue = row.issue,"
    " x.search_project = row.project"
)

INDEXED_PEOPLE: LiteralString = (
    "UNWIND $facets AS f MATCH (x:Person)"
    " WHERE (f.facet = 'organisation' AND f.value IN x.search_organisation)"
    " OR (f.facet = 'sector' AND f.value IN x.search_sector)"
    " OR (f.facet = 'cohort' AND f.value IN x.search_cohort)"
    " OR (f.facet = 'issue' AND f.value IN x.search_issue)"
    " OR (f.facet = 'project' AND f.value IN x.search_project)"
    " RETURN DISTINCT x.id AS id"
)

_FILTERS: LiteralString = (
    " ($organisation_id IS NULL OR $organisation_id IN x.search_organisation)"
    " AND ($sector IS NULL OR $sector IN x.search_sector)"
    " AND ($cohort_id IS NULL OR $cohort_id IN x.search_cohort)"
    " AND ($issue_id IS NULL OR $issue_id IN x.search_issue)"
    " AND ($area IS NULL OR x.search_area_key = $area)"
    " AND ($ids IS NULL OR x.id IN $ids)"
    " AND (NOT $directory_only OR x.consent_directory = true OR x.id = $also_id)"
)
"""Every filter of a ``PersonQuery``, consent included (alumni: directory-consenting
people and themself), on the indexed node ``x``."""

_QUALITY: LiteralString = (
    "CASE WHEN text CONTAINS (' ' + word + ' ') THEN $qualities[0]"
    " WHEN text CONTAINS (' ' + word) THEN $qualities[1]"
    " WHEN text CONTAINS word THEN $qualities[2] ELSE 0.0 END"
)

_SCORE: LiteralString = (
    "reduce(total = 0.0, word IN $words | total"
    " + reduce(best = 0.0, i IN range(0, size($weights) - 1) |"
    " CASE WHEN $weights[i] * (" + _QUALITY.replace("text", "x.search_weighted[i]") + ") > best"
    " THEN $weights[i] * (" + _QUALITY.replace("text", "x.search_weighted[i]") + ")"
    " ELSE best END))"
    " + CASE WHEN size($words) < 2 THEN 0.0"
    " ELSE reduce(best = 0.0, i IN range(0, size($weights) - 1) |"
    " CASE WHEN x.search_weighted[i] CONTAINS $phrase AND $weights[i] > best"
    " THEN $weights[i] ELSE best END) END"
)
"""``graph.search``'s score (``GraphStore.search_index``), the weights and qualities
``graph.store``'s constants passed as parameters; summed in the words' order."""

QUERY: LiteralString = (
    "CALL db.index.fulltext.queryNodes('person_search', $lucene) YIELD node AS x"
    " WITH x WHERE x.search_weighted IS NOT NULL"
    " AND all(word IN $words WHERE x.search_body CONTAINS word) AND" + _FILTERS + ""
    " WITH x, " + _SCORE + " AS score ORDER BY score DESC, x.name, x.id"
    " WITH collect({id: x.id, name: x.name}) AS found"
    " RETURN size(found) AS n, found[$offset..$offset + $limit] AS page"
)
"""``$lucene`` requires a wildcard term per (longest) word, letters and digits only;
``CONTAINS`` then checks every word exactly."""

PAGE: LiteralString = (
    "MATCH (x:Person) WHERE x.search_weighted IS NOT NULL AND" + _FILTERS + ""
    " WITH x ORDER BY x.name, x.id"
    " WITH collect({id: x.id, name: x.name}) AS found"
    " RETURN size(found) AS n, found[$offset..$offset + $limit] AS page"
)

AREAS: LiteralString = (
    "MATCH (x:Person) WHERE x.search_weighted IS NOT NULL AND x.area IS NOT NULL"
    " AND x.area <> '' AND (NOT $directory_only OR x.consent_directory = true OR x.id = $also_id)"
    " RETURN x.search_area_key AS key, x.area AS area ORDER BY x.name, x.id"
)
