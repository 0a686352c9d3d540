"""The Neo4j store's wipe (every test on the shared server starts from one): the sample
programme wiped leaves the seven ambitions and nothing else, whether the wipe fits in one
write (a small store) or runs its bounded batches one write each (limits made smaller
than the sample, so the batched path runs on it); and either way the log of writes says
that anything changed."""

from __future__ import annotations

from typing import Any

import pytest

from graph import neo4j_store_wipe
from graph.model import AMBITIONS, Ambition
from graph.store import GraphStore

from ..contract.sample import programme


def _nodes_and_relationships(store: GraphStore) -> tuple[dict[str, int], int]:
    driver: Any = store._driver  # type: ignore[attr-defined]
    labels, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:StoreVersion RETURN labels(n)[0] AS label, count(*) AS n"
    )
    (row,), _, _ = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n")
    return {r["label"]: r["n"] for r in labels}, row["n"]


@pytest.mark.parametrize("limit", [None, 2], ids=["one-write", "batched"])
def test_wipe_leaves_the_ambitions_alone_in_one_write_or_in_batches(
    neo4j_session_store: GraphStore, monkeypatch: pytest.MonkeyPatch, limit: int | None
) -> None:
    store = neo4j_session_store
    store.wipe()  # type: ignore[attr-defined]
    store.apply(programme())
    before, mark = store.version(), store.changes_since(None).mark
    nodes, relationships = _nodes_and_relationships(store)
    assert sum(nodes.values()) > 2 * 7 and relationships > 2  # the batches will be full
    if limit is not None:
        batches = tuple((query, limit) for query, _ in neo4j_store_wipe.WIPE_BATCHES)
        monkeypatch.setattr(neo4j_store_wipe, "WIPE_BATCHES", batches)
    store.wipe()  # type: ignore[attr-defined]
    assert _nodes_and_relationships(store) == ({"Ambition": len(AMBITIONS)}, 0)
    assert store.get_many(Ambition, [a.id for a in AMBITIONS]) == {a.id: a for a in AMBITIONS}
    assert store.version() != before
    # every record went: a cache catching up by the changes must read the store whole
    assert store.changes_since(mark).entries is None
