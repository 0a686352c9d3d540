"""The rollback journal, read back as the write algorithm wrote it, on every store.

Neo4j keeps a run's journal as chunk nodes of parallel lists (``JournalChunk``);
these tests cut the chunks small, so that a run spans several of them and an
erasure can empty one, and check that what comes back is exactly what was
written, entry for entry, and that erasing a person drops only their entries.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from graph.model import IngestRun
from graph.store import GraphStore
from graph.writes import JournalEntry
from tests.contract.sample import programme


def _run(run_id: str) -> IngestRun:
    return IngestRun(
        id=run_id,
        file_name=f"{run_id}.xlsx",
        sha256="0" * 64,
        started_at=datetime(2024, 1, int(run_id[-1]), tzinfo=UTC),
    )


def _journal(store: GraphStore, run_id: str) -> list[JournalEntry]:
    """The run's journal through the store's own ``RecordTx``, in one read."""
    from graph.sqlite_store import SqliteStore
    from graph.sqlite_store_tx import SqliteTx

    if isinstance(store, SqliteStore):
        conn: sqlite3.Connection = store._conn  # type: ignore[attr-defined]
        conn.execute("BEGIN")
        try:
            return SqliteTx(conn).journal(run_id)
        finally:
            conn.execute("ROLLBACK")
    return store._read(lambda tx: tx.journal(run_id))  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def small_chunks(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> GraphStore:
    """Four journal entries per Neo4j chunk, so the sample's run spans several chunks."""
    if store.url.startswith("neo4j"):
        import graph.neo4j_store_tx

        monkeypatch.setattr(graph.neo4j_store_tx, "JOURNAL_CHUNK", 4)
    return store


def test_journal_lists_every_record_the_run_created_in_write_order(
    small_chunks: GraphStore,
) -> None:
    batch = programme()
    small_chunks.apply(batch, _run("run-1"))
    journal = _journal(small_chunks, "run-1")
    expected = {(model.kind, r.key) for model, records in batch.by_kind() for r in records}
    assert [e.seq for e in journal] == list(range(len(expected)))
    assert {(e.kind, e.key) for e in journal} == expected
    assert all(e.previous is None and e.run_id == "run-1" for e in journal)
    by_key = {(e.kind, e.key): e.people for e in journal}
    tie = next(t for t in batch.ties if {t.source_id, t.target_id} == {"ann", "bob"})
    assert by_key[("tie", tie.key)] == ("ann", "bob")
    assert by_key[("organisation", batch.organisations[0].key)] == ()


def test_journal_keeps_what_an_update_overwrote(small_chunks: GraphStore) -> None:
    small_chunks.apply(programme(), _run("run-1"))
    changed = programme()
    ann = next(p for p in changed.people if p.id == "ann")
    changed.people[changed.people.index(ann)] = ann.model_copy(update={"name": "Ann Changed"})
    small_chunks.apply(changed, _run("run-2"))
    (entry,) = _journal(small_chunks, "run-2")
    assert (entry.kind, entry.key, entry.people) == ("person", "ann", ("ann",))
    assert entry.previous is not None and entry.previous["name"] == ann.name
    assert entry.previous["run_id"] == "run-1"


def test_erasure_drops_exactly_the_journal_entries_naming_the_person(
    small_chunks: GraphStore,
) -> None:
    small_chunks.apply(programme(), _run("run-1"))
    before = _journal(small_chunks, "run-1")
    small_chunks.erase_person("cat", actor="admin")
    after = _journal(small_chunks, "run-1")
    assert after == [e for e in before if "cat" not in e.people]
    assert len(after) < len(before)


def test_rollback_after_an_erasure_still_removes_everything_else_the_run_created(
    small_chunks: GraphStore,
) -> None:
    small_chunks.apply(programme(), _run("run-1"))
    small_chunks.erase_person("cat", actor="admin")
    small_chunks.rollback("run-1")
    counts = small_chunks.counts()
    left = {k: v for k, v in counts.items() if k not in {"ambition", "ingest_run", "erasure"}}
    assert left == dict.fromkeys(left, 0)
    assert _journal(small_chunks, "run-1") == []
