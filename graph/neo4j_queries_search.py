"""The Cypher of the Neo4j store's people search index (``graph.neo4j_store_search``).

A person's search document is a ``(:SearchDoc {id})`` node apart from their ``Person``
node (so that no write or rollback deleting a person meets a relationship it does not
know): ``search_name``, ``search_directory`` (consent), ``search_area`` and
``search_area_key``, ``search_weighted`` (the texts by weight, folded by
``graph.search``) and one list per facet (the filters). Its *postings*: one
``(:SearchWord {search_word})`` node per word of every document (the index's
vocabulary: a few hundred words at 10,000 people, since names, employers, topics,
cohorts and issues repeat) under a TEXT index (Neo4j 5's ``text-2.0`` provider indexes
trigrams, so ``CONTAINS`` is an index seek, not a scan of every term), linked to the
documents holding the word by ``[:POSTED {word, rank, name, pid, directory}]``: ``rank``
the negative of the highest weight of the fields holding it, and the document's name,
person id and consent, so that a range index on (word, rank, name, pid) holds each
word's people best first (``TOP``).

A query word is found in a person's field exactly when it is a substring of one of the
field's words (a query word has no spaces): whole when it equals one, at a start when
one begins with it. So a one-word query's score is read from the postings: the best
``quality x weight`` over the person's postings of the vocabulary words holding it,
the same product the texts give. Several words are found through the postings of the
word with fewest, the others checked and the score computed on those people's texts.
"""

from __future__ import annotations

from typing import LiteralString

__all__ = [
    "AREAS",
    "DROP",
    "DROP_UNHELD_WORDS",
    "DROP_UNLISTED",
    "EMPTY",
    "ERASE",
    "HELD",
    "INDEXED_PEOPLE",
    "MARK",
    "NEW_DOCS",
    "NEW_WORDS",
    "ONE_WORD",
    "POSTED_COUNT",
    "PAGE",
    "POST",
    "SCHEMA",
    "SET_MARK",
    "TOP",
    "UNPOST",
    "VOCABULARY",
    "WORDS",
    "WORDS_QUERY",
    "WRITE",
]

SCHEMA: tuple[LiteralString, ...] = (
    "DROP INDEX person_search IF EXISTS",  # the Lucene full-text index this replaced
    "CREATE CONSTRAINT search_doc_id IF NOT EXISTS FOR (x:SearchDoc) REQUIRE x.id IS UNIQUE",
    "CREATE CONSTRAINT search_word_unique IF NOT EXISTS"
    " FOR (w:SearchWord) REQUIRE w.search_word IS UNIQUE",
    # Neo4j 5.26 builds a TEXT index with its trigram provider (text-2.0) by itself, and
    # naming the provider drew a deprecation warning on every process's first search.
    "CREATE TEXT INDEX search_word_text IF NOT EXISTS FOR (w:SearchWord) ON (w.search_word)",
    "CREATE INDEX search_posting_order IF NOT EXISTS"
    " FOR ()-[r:POSTED]-() ON (r.word, r.rank, r.name, r.pid)",
    "CREATE CONSTRAINT search_index_id IF NOT EXISTS FOR (n:SearchIndex) REQUIRE n.id IS UNIQUE",
    "CALL db.awaitIndexes(300)",
)
"""Made on the first search, not at start-up (a store that is never searched has none)."""

_INDEX: LiteralString = "{id: 'people-postings'}"
"""The mark's node; an index written before postings (marked on ``{id: 'people'}``)
has no mark here, so the first search writes it whole."""

MARK: LiteralString = "OPTIONAL MATCH (s:SearchIndex " + _INDEX + ") RETURN s.mark AS mark"

SET_MARK: LiteralString = "MERGE (s:SearchIndex " + _INDEX + ") SET s.mark = $mark"

DROP: LiteralString = "UNWIND $ids AS id MATCH (x:SearchDoc {id: id}) DETACH DELETE x"
"""These people's documents gone, with their postings (then ``DROP_UNHELD_WORDS``)."""

DROP_UNLISTED: LiteralString = (
    "MATCH (x:SearchDoc) WHERE NOT EXISTS { MATCH (:Person {id: x.id}) } DETACH DELETE x"
)
"""After a rebuild: the documents of people no longer in the store (a rolled-back run's)."""

WRITE: LiteralString = (
    "UNWIND $rows AS row MERGE (x:SearchDoc {id: row.id})"
    " SET x.search_name = row.name, x.search_directory = row.directory,"
    " x.search_area = row.area, x.search_area_key = row.area_key,"
    " x.search_weighted = row.weighted, x.search_organisation = row.organisation,"
    " x.search_sector = row.sector, x.search_cohort = row.cohort, x.search_issue = row.issue,"
    " x.search_project = row.project"
)

WORDS: LiteralString = "UNWIND $words AS word MERGE (:SearchWord {search_word: word})"

EMPTY: LiteralString = "OPTIONAL MATCH (x:SearchDoc) WITH x LIMIT 1 RETURN x IS NULL AS empty"
"""Whether the index holds no document (a wiped or new store): a whole rebuild then
creates, with nothing to read or compare first (``NEW_WORDS``, ``NEW_DOCS``)."""

NEW_WORDS: LiteralString = "UNWIND $words AS word CREATE (:SearchWord {search_word: word})"
"""Into an empty index: the vocabulary of every document, each word once."""

NEW_DOCS: LiteralString = (
    "UNWIND $rows AS row CREATE (x:SearchDoc {id: row.id})"
    " SET x.search_name = row.name, x.search_directory = row.directory,"
    " x.search_area = row.area, x.search_area_key = row.area_key,"
    " x.search_weighted = row.weighted, x.search_organisation = row.organisation,"
    " x.search_sector = row.sector, x.search_cohort = row.cohort, x.search_issue = row.issue,"
    " x.search_project = row.project"
    " WITH x, row UNWIND row.postings AS p MATCH (w:SearchWord {search_word: p.word})"
    " CREATE (w)-[:POSTED {word: p.word, rank: -p.weight, name: row.name, pid: row.id,"
    " directory: row.directory}]->(x)"
)
"""Into an empty index, after ``NEW_WORDS``: documents and their postings in one
statement (what ``WRITE``, ``WORDS`` and ``POST`` write, without their ``MERGE``)."""

POST: LiteralString = (
    "UNWIND $rows AS row MATCH (x:SearchDoc {id: row.id})"
    " UNWIND row.postings AS p MATCH (w:SearchWord {search_word: p.word})"
    " CREATE (w)-[:POSTED {word: p.word, rank: -p.weight, name: row.name, pid: row.id,"
    " directory: row.directory}]->(x)"
)
"""After ``WORDS`` (the vocabulary first, so this is one seek per posting)."""

HELD: LiteralString = (
    "UNWIND $ids AS id MATCH (x:SearchDoc {id: id})"
    " RETURN id, [x.search_name, x.search_directory, x.search_area, x.search_area_key,"
    " x.search_weighted, x.search_organisation, x.search_sector, x.search_cohort,"
    " x.search_issue, x.search_project] AS fields,"
    " [(x)<-[r:POSTED]-(w:SearchWord) | [w.search_word, r.rank, r.name, r.directory]]"
    " AS postings"
)
"""These people's documents and postings as the index holds them (a rebuild writes only
what differs: after a rollback or an import, few documents; ``WRITE`` sets these
``fields`` in this order)."""

UNPOST: LiteralString = (
    "UNWIND $rows AS row MATCH (:SearchDoc {id: row.id})<-[r:POSTED]-(w:SearchWord)"
    " WHERE w.search_word IN row.words DELETE r"
)

DROP_UNHELD_WORDS: LiteralString = "MATCH (w:SearchWord) WHERE NOT (w)-[:POSTED]->() DELETE w"
"""After every index write: the words no one holds any more (a vocabulary of a few
thousand words, each a degree read)."""

ERASE: LiteralString = (
    "MATCH (x:SearchDoc {id: $id}) CALL (x) { MATCH (x)<-[:POSTED]-(w:SearchWord)"
    " WHERE COUNT { (w)-[:POSTED]->() } = 1 DETACH DELETE w } DETACH DELETE x"
)
"""Inside an erasure: the person's document, its postings and every word only they
held, so nothing of them is left in the documents, the vocabulary or its index."""

INDEXED_PEOPLE: LiteralString = (
    "UNWIND $facets AS f MATCH (x:SearchDoc)"
    " WHERE (f.facet = 'organisation' AND f.value IN x.search_organisation)"
    " OR (f.facet = 'sector' AND f.value IN x.search_sector)"
    " OR (f.facet = 'cohort' AND f.value IN x.search_cohort)"
    " OR (f.facet = 'issue' AND f.value IN x.search_issue)"
    " OR (f.facet = 'project' AND f.value IN x.search_project)"
    " RETURN DISTINCT x.id AS id"
)

VOCABULARY: LiteralString = (
    "UNWIND $words AS word CALL (word) {"
    " MATCH (w:SearchWord) WHERE w.search_word CONTAINS word"
    " RETURN collect(w.search_word) AS found, sum(COUNT { (w)-[:POSTED]->() }) AS postings }"
    " RETURN word, found, postings"
)
"""For each query word, the vocabulary's words holding it (a TEXT index seek) and how
many postings they have (degrees, read from the nodes)."""

_FILTERS: LiteralString = (
    " ($organisation_id IS NULL OR $organisation_id IN x.search_organisation)"
    " AND ($sector IS NULL OR $sector IN x.search_sector)"
    " AND ($cohort_id IS NULL OR $cohort_id IN x.search_cohort)"
    " AND ($issue_id IS NULL OR $issue_id IN x.search_issue)"
    " AND ($area IS NULL OR x.search_area_key = $area)"
    " AND ($ids IS NULL OR x.id IN $ids)"
    " AND (NOT $directory_only OR x.search_directory = true OR x.id = $also_id)"
)
"""Every filter of a ``PersonQuery``, consent included (alumni: directory-consenting
people and themself), on the indexed node ``x``."""

_PHRASE: LiteralString = (
    "CASE WHEN $phrase = '' THEN 0.0"
    " ELSE reduce(best = 0.0, i IN range(0, size($weights) - 1) |"
    " CASE WHEN x.search_weighted[i] CONTAINS $phrase AND $weights[i] > best"
    " THEN $weights[i] ELSE best END) END"
)
"""The highest weight whose text holds the whole phrase (several words only)."""

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
    " + reduce(best = 0.0, i IN range(0, size($weights) - 1) |"
    " CASE WHEN x.search_weighted[i] CONTAINS $phrase AND $weights[i] > best"
    " THEN $weights[i] ELSE best END)"
)
"""``graph.search``'s score from the texts (``GraphStore.search_index``), the weights and
qualities ``graph.store``'s constants passed as parameters; summed in the words' order."""

_CANDIDATES: LiteralString = (
    "MATCH (w:SearchWord)-[r:POSTED]->(x:SearchDoc) WHERE w.search_word IN $driver AND" + _FILTERS
)

_PAGED: LiteralString = (
    " ORDER BY score DESC, x.search_name, x.id"
    " WITH collect({id: x.id, name: x.search_name}) AS found"
    " RETURN size(found) AS n, found[$offset..$offset + $limit] AS page"
)

ONE_WORD: LiteralString = (
    _CANDIDATES + " WITH x, max(-r.rank * $quality[w.search_word]) AS score" + _PAGED
)
"""One word: the people holding it are its vocabulary words' postings (``$driver``), its
score for each the best ``weight x quality`` of theirs (``$quality``: by vocabulary word)."""

_CONSENT: LiteralString = "(NOT $directory_only OR r.directory = true OR r.pid = $also_id)"

TOP: LiteralString = (
    "UNWIND $tokens AS token CALL (token) {"
    " MATCH ()-[r:POSTED]->() WHERE r.word = token AND r.rank IS NOT NULL"
    " AND r.name IS NOT NULL AND r.pid IS NOT NULL AND " + _CONSENT + ""
    " WITH r ORDER BY r.word, r.rank, r.name, r.pid LIMIT $k"
    " RETURN collect([r.rank, r.name, r.pid]) AS top }"
    " RETURN token, top"
)
"""One word, no filter but consent: each vocabulary word's first ``$k`` postings in
score order (read in index order, stopped at ``$k``); the store merges them."""

POSTED_COUNT: LiteralString = (
    "UNWIND $tokens AS token MATCH (:SearchWord {search_word: token})-[r:POSTED]->()"
    " WHERE " + _CONSENT + " RETURN count(DISTINCT r.pid) AS n"
)
"""How many people hold any of these vocabulary words (their postings' ids, no document
read)."""

WORDS_QUERY: LiteralString = (
    _CANDIDATES + " WITH DISTINCT x"
    " WHERE all(word IN $others WHERE any(text IN x.search_weighted WHERE text CONTAINS word))"
    " WITH x, " + _SCORE + " AS score" + _PAGED
)
"""Several words: the people holding the word with fewest postings (``$driver``: its
vocabulary words) who hold the others too (in their texts), scored from their texts,
with the phrase bonus (``$phrase``: the words, joined by a space)."""

PAGE: LiteralString = (
    "MATCH (x:SearchDoc) WHERE" + _FILTERS + " WITH x ORDER BY x.search_name, x.id"
    " WITH collect({id: x.id, name: x.search_name}) AS found"
    " RETURN size(found) AS n, found[$offset..$offset + $limit] AS page"
)

AREAS: LiteralString = (
    "MATCH (x:SearchDoc) WHERE x.search_area <> ''"
    " AND (NOT $directory_only OR x.search_directory = true OR x.id = $also_id)"
    " RETURN x.search_area_key AS key, x.search_area AS area ORDER BY x.search_name, x.id"
)
