"""What a Neo4j snapshot reads: the ties active on a date (stored and derived) and the
people, employments and organisations ``graph.snapshot`` builds the network from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from graph import neo4j_queries as q
from graph.derived import DERIVED_KINDS, derived_ends
from graph.model import TieKind
from graph.neo4j_store_tx import Neo4jTx, native
from graph.snapshot import SnapshotRows

__all__ = ["active_ties", "snapshot_rows"]


def active_ties(tx: Neo4jTx, as_of: date, kinds: Sequence[TieKind]) -> list[tuple[str, str, str]]:
    if not kinds:
        return []
    rows = tx.run(q.ACTIVE_TIES, kinds=[k.value for k in kinds], as_of=as_of)
    derived = [k for k in DERIVED_KINDS if k in kinds]
    groups = tx.groups(derived) if derived else []
    return [(s, t, k.value) for s, t, k in derived_ends(groups, kinds, as_of)] + [
        (r["source"], r["target"], r["kind"]) for r in rows
    ]


def snapshot_rows(
    tx: Neo4jTx, as_of: date, kinds: Sequence[TieKind], ties: list[tuple[str, str, str]]
) -> SnapshotRows:
    people = [r["id"] for r in tx.run(q.SNAPSHOT_PEOPLE, as_of=as_of)]
    employments = [
        (r["person_id"], r["organisation_id"], native(r["start"]))
        for r in tx.run(q.SNAPSHOT_EMPLOYMENTS)
    ]
    organisations = {r["id"]: (r["name"], r["sector"]) for r in tx.run(q.SNAPSHOT_ORGANISATIONS)}
    return SnapshotRows(as_of, kinds, people, employments, organisations, ties)
