"""A whole rebuild of the Neo4j search index (``graph.neo4j_store_search``): into an
empty index it creates documents, words and postings outright; into a full one it
writes only what differs; and a rebuild that finds its documents already there (another
process began the same rebuild) falls back to merging. Each must leave exactly what the
merging path (the one every rebuild took before) leaves on an empty index.

Records, worked by hand: "Xanthe Quillfeather" (job "Glassblower", interest
"kelpfarming"), "Yorick Quillfeather" (job "Glassblower"), and "Zia Brightwater", who
is not in the directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph import neo4j_store_search as search_store
from graph.model import Person
from graph.search import catch_up, documents
from graph.store import Batch, GraphStore

from .test_search_vocabulary import XANTHE, YORICK

ZIA = Person(id="zia", email="zia@example.org", name="Zia Brightwater", consent_directory=False)


@pytest.fixture
def neo4j_store(neo4j_session_store: GraphStore) -> Iterator[GraphStore]:
    neo4j_session_store.wipe()  # type: ignore[attr-defined]
    neo4j_session_store.apply(Batch(people=[XANTHE, YORICK, ZIA]))
    yield neo4j_session_store


def _content(store: GraphStore) -> tuple[Any, ...]:
    driver: Any = store._driver  # type: ignore[attr-defined]
    docs, _, _ = driver.execute_query("MATCH (x:SearchDoc) RETURN x.id AS id, properties(x) AS p")
    posts, _, _ = driver.execute_query(
        "MATCH (w:SearchWord)-[r:POSTED]->(x:SearchDoc)"
        " RETURN w.search_word AS w, x.id AS id, properties(r) AS p"
    )
    words, _, _ = driver.execute_query("MATCH (w:SearchWord) RETURN w.search_word AS w")
    return (
        {r["id"]: r["p"] for r in docs},
        sorted((r["w"], r["id"], sorted(r["p"].items())) for r in posts),
        sorted(r["w"] for r in words),
    )


def _clear(store: GraphStore) -> None:
    driver: Any = store._driver  # type: ignore[attr-defined]
    driver.execute_query("MATCH (x:SearchDoc|SearchWord|SearchIndex) DETACH DELETE x")


def _rebuild(store: GraphStore) -> None:
    mark = store.changes_since(None).mark
    store.index_people(documents(store), drop=(), everything=True, mark=mark)


def _merged(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """The index as the merging path writes it on an empty index."""
    _clear(store)
    with monkeypatch.context() as patched:
        patched.setattr(search_store, "_created", lambda session, rows: False)
        _rebuild(store)
    return _content(store)


def test_a_rebuild_into_an_empty_index_creates_what_merging_would(
    neo4j_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _merged(neo4j_store, monkeypatch)
    assert set(expected[0]) == {"xan", "yor", "zia"}
    assert {w for w, _, _ in expected[1] if w.startswith("quill")} == {"quillfeather"}
    assert [i for w, i, _ in expected[1] if w == "glassblower"] == ["xan", "yor"]
    _clear(neo4j_store)
    catch_up(neo4j_store)  # the first search's rebuild: an empty index, created
    assert _content(neo4j_store) == expected


def test_a_rebuild_into_a_full_index_rewrites_what_changed(
    neo4j_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rebuild(neo4j_store)
    renamed = XANTHE.model_copy(update={"name": "Xanthe Brightwater", "consent_directory": False})
    neo4j_store.apply(Batch(people=[renamed]))
    _rebuild(neo4j_store)  # full index: only Xanthe's document and postings differ
    got = _content(neo4j_store)
    assert got == _merged(neo4j_store, monkeypatch)
    assert got[0]["xan"]["search_name"] == "Xanthe Brightwater"
    assert got[0]["xan"]["search_directory"] is False
    assert [i for w, i, _ in got[1] if w == "brightwater"] == ["xan", "zia"]
    assert [i for w, i, _ in got[1] if w == "quillfeather"] == ["yor"]


def test_a_rebuild_that_finds_documents_already_there_merges_instead(
    neo4j_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _merged(neo4j_store, monkeypatch)
    # as if another process filled the index between the emptiness check and the writes
    monkeypatch.setattr(search_store.q, "EMPTY", "RETURN true AS empty")
    _rebuild(neo4j_store)
    assert _content(neo4j_store) == expected
