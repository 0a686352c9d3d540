"""The search index's vocabulary (its words, each a posting list), on both stores: the
words an erased person alone held leave it inside the erasure, before any search, while
the words others share stay; and a word is looked up through an index, not by reading
every document.

Records, worked by hand: "Xanthe Quillfeather" (job "Glassblower", interest
"kelpfarming") and "Yorick Quillfeather" (job "Glassblower"), both in the directory.
Xanthe alone holds "xanthe" and "kelpfarming"; both hold "quillfeather" and
"glassblower".
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from graph.model import Person
from graph.search import catch_up, search
from graph.store import Batch, GraphStore, Page, PersonQuery

XANTHE = Person(
    id="xan",
    email="xan@example.org",
    name="Xanthe Quillfeather",
    job_title="Glassblower",
    interests=("kelpfarming",),
    consent_directory=True,
)
YORICK = Person(
    id="yor",
    email="yor@example.org",
    name="Yorick Quillfeather",
    job_title="Glassblower",
    consent_directory=True,
)


@pytest.fixture
def indexed(store: GraphStore) -> GraphStore:
    store.apply(Batch(people=[XANTHE, YORICK]))
    catch_up(store)
    return store


def _holding(store: GraphStore, part: str) -> set[str]:
    """The vocabulary's words holding ``part``, asked as each store's index is asked."""
    conn: sqlite3.Connection | None = getattr(store, "_conn", None)
    if conn is not None:
        rows = conn.execute("SELECT token FROM search_token WHERE instr(token, ?) > 0", (part,))
        return {r[0] for r in rows}
    driver: Any = store._driver  # type: ignore[attr-defined]
    records, _, _ = driver.execute_query(
        "MATCH (w:SearchWord) WHERE w.search_word CONTAINS $part RETURN w.search_word AS w",
        part=part,
    )
    return {r["w"] for r in records}


def _found(store: GraphStore, text: str) -> list[str]:
    return [p.person.id for p in search(store, PersonQuery(text=text), Page(limit=10)).data]


def test_an_erasure_takes_the_words_only_that_person_held_before_any_search(
    indexed: GraphStore,
) -> None:
    assert _holding(indexed, "xanth") == {"xanthe"}
    assert _holding(indexed, "kelp") == {"kelpfarming"}
    indexed.erase_person("xan", actor="test")
    # asked of the index itself (no search ran since: nothing was caught up)
    for part in ("xanthe", "xan", "kelpfarming", "kelp", "farming", "elp"):
        assert _holding(indexed, part) == set(), part
    assert _holding(indexed, "quill") == {"quillfeather"}  # Yorick holds it still
    assert _holding(indexed, "glass") == {"glassblower"}
    assert _found(indexed, "quillfeather") == ["yor"]
    assert _found(indexed, "kelpfarming") == []


def test_a_write_drops_a_renamed_persons_old_words_and_adds_the_new(
    indexed: GraphStore,
) -> None:
    indexed.apply(Batch(people=[XANTHE.model_copy(update={"name": "Xanthe Brightwater"})]))
    assert _found(indexed, "brightwater") == ["xan"]  # the search caught the index up
    assert _holding(indexed, "bright") == {"brightwater"}
    assert _holding(indexed, "quill") == {"quillfeather"}  # Yorick's still
    assert _found(indexed, "quillfeather") == ["yor"]


FRESH_PLAN = "CYPHER replan=force EXPLAIN "
"""The plan Cypher makes for the data now, not one it cached earlier: the test server
keeps plans for the run (tests/neo4j-test.conf), made on whatever an earlier test left."""


def _plan(store: GraphStore, words: list[str]) -> str:
    """The operators (Neo4j) or plan lines (SQLite) of how the store finds a word's
    people."""
    conn: sqlite3.Connection | None = getattr(store, "_conn", None)
    if conn is not None:
        rows = conn.execute(
            "EXPLAIN QUERY PLAN SELECT p.rank, p.name, p.person_id FROM search_posting p"
            " WHERE p.token = ? ORDER BY p.rank, p.name, p.person_id",
            (1,),
        )
        return "\n".join(str(r[-1]) for r in rows)
    from graph import neo4j_queries_search as q

    driver: Any = store._driver  # type: ignore[attr-defined]
    lines: list[str] = []

    def walk(plan: Any) -> None:
        lines.append(f"{plan['operatorType']} {plan['args'].get('Details', '')}")
        for child in plan.get("children", []):
            walk(child)

    for statement in (q.VOCABULARY, q.ONE_WORD):
        _, summary, _ = driver.execute_query(FRESH_PLAN + statement, words=words)
        walk(summary.plan)
    return "\n".join(lines)


def test_a_word_is_found_through_an_index_not_a_scan_of_every_document(
    indexed: GraphStore,
) -> None:
    plan = _plan(indexed, ["quill"])
    if getattr(indexed, "_conn", None) is not None:
        assert "USING PRIMARY KEY" in plan and "SCAN" not in plan
    else:
        # the vocabulary through its TEXT index (trigrams: CONTAINS is a seek); a word's
        # documents by expanding its postings from a unique-index seek
        assert "NodeIndexContainsScan" in plan and "TEXT INDEX" in plan
        assert "NodeUniqueIndexSeek" in plan
        assert "LabelScan" not in plan and "AllNodesScan" not in plan
        # the trigram provider, chosen by Neo4j itself (the schema no longer names it)
        driver: Any = indexed._driver  # type: ignore[attr-defined]
        (row,), _, _ = driver.execute_query(
            "SHOW INDEXES YIELD name, indexProvider WHERE name = 'search_word_text'"
            " RETURN indexProvider"
        )
        assert row["indexProvider"] == "text-2.0"


def test_several_words_start_from_one_words_postings_not_every_match(
    indexed: GraphStore,
) -> None:
    """Two words: the people holding the rarer are read from its postings (then checked
    for the other), never the text index's whole match set."""
    conn: sqlite3.Connection | None = getattr(indexed, "_conn", None)
    if conn is not None:
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            assert _found(indexed, "kelpfarming quillfeather") == ["xan"]
        finally:
            conn.set_trace_callback(None)
        assert statements and not any("person_fts" in s for s in statements)
        assert any("FROM search_posting p WHERE p.token IN" in s for s in statements)
        return
    from graph import neo4j_queries_search as q

    driver: Any = indexed._driver  # type: ignore[attr-defined]
    _, summary, _ = driver.execute_query(FRESH_PLAN + q.WORDS_QUERY)
    operators: list[str] = []

    def walk(plan: Any) -> None:
        operators.append(plan["operatorType"])
        for child in plan.get("children", []):
            walk(child)

    walk(summary.plan)
    assert any(o.startswith("NodeUniqueIndexSeek") for o in operators)
    assert not any("LabelScan" in o or "AllNodesScan" in o for o in operators)
    assert _found(indexed, "kelpfarming quillfeather") == ["xan"]


def test_a_renamed_person_moves_in_name_order_among_equal_scores(indexed: GraphStore) -> None:
    # both hold "glassblower" as a whole job-title word (equal scores): name order
    assert _found(indexed, "glassblower") == ["xan", "yor"]  # Xanthe < Yorick
    indexed.apply(Batch(people=[XANTHE.model_copy(update={"name": "Zelda Quillfeather"})]))
    assert _found(indexed, "glassblower") == ["yor", "xan"]  # Yorick < Zelda
    indexed.apply(Batch(people=[YORICK.model_copy(update={"consent_directory": False})]))
    alumni = PersonQuery(text="glassblower", directory_only=True, also_id="xan")
    assert [p.person.id for p in search(indexed, alumni, Page(limit=10)).data] == ["xan"]
    assert search(indexed, alumni, Page(limit=10)).count == 1
