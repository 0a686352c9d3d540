"""A store's whole content, read with ``export_records`` and written with
``import_records``: what backups and moves between kinds of store stand on.

The content is the sample programme loaded in two runs (so there is a journal with
before-images to roll back to), two API keys (one of a person) and an erasure; every
kind a ``StoreContent`` holds is non-empty, so a kind a store forgets shows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from graph.errors import Invalid
from graph.model import (
    ApiKey,
    Area,
    AreaKind,
    Assessment,
    IngestRun,
    KeyRole,
    Person,
    Rater,
    Wave,
)
from graph.store import CONTENT_KINDS, GraphStore, StoreContent

from .sample import programme

RUN_1 = IngestRun(
    id="run-1", file_name="a.xlsx", sha256="1" * 64, started_at=datetime(2024, 1, 1, tzinfo=UTC)
)
RUN_2 = RUN_1.model_copy(update={"id": "run-2", "started_at": datetime(2024, 2, 1, tzinfo=UTC)})
KEYS = (
    ApiKey(
        id="k-ann",
        secret_sha256="a" * 64,
        role=KeyRole.ALUMNI,
        person_id="ann",
        created_at=datetime(2024, 3, 1, tzinfo=UTC),
    ),
    ApiKey(
        id="k-admin",
        secret_sha256="b" * 64,
        role=KeyRole.ADMIN,
        created_at=datetime(2024, 3, 2, tzinfo=UTC),
        revoked_at=datetime(2024, 3, 3, tzinfo=UTC),
    ),
)


def _fill(store: GraphStore) -> None:
    batch = programme()
    batch.assessments.append(
        Assessment(
            person_id="ann",
            cohort_id="c2021",
            wave=Wave.BASELINE,
            indicator="trust",
            rater=Rater.PEER,
            score=3.5,
            ratings=2,
            response_date=date(2021, 5, 20),
        )
    )
    batch.areas.append(Area(id="Tendring", urban_rural=AreaKind.RURAL, deprivation_decile=1))
    store.apply(batch, RUN_1)
    moved = batch.people[0].model_copy(update={"job_title": "Director of Everything"})
    store.apply(type(batch)(people=[moved]), RUN_2)
    for key in KEYS:
        store.save_key(key)
    store.erase_person("eve", actor="admin-key")


def _plain(content: StoreContent) -> dict[str, object]:
    """The content as JSON values, kind by kind in order, to compare and print."""
    return {
        "records": [
            (kind, [r.model_dump(mode="json") for r in content.records[kind]])
            for kind in content.records
        ],
        "journal": [vars(e) for e in content.journal],
    }


def test_export_records_holds_every_kind_in_order(store: GraphStore) -> None:
    _fill(store)
    content = store.export_records()
    assert tuple(content.records) == CONTENT_KINDS
    assert all(content.records[kind] for kind in CONTENT_KINDS)
    for kind in CONTENT_KINDS:
        keys = [r.key for r in content.records[kind]]
        assert keys == (keys if kind == "ingest_run" else sorted(keys)), kind
    assert [r.key for r in content.records["ingest_run"]] == ["run-1", "run-2"]
    assert [r.key for r in content.records["api_key"]] == ["k-admin", "k-ann"]
    assert [r.key for r in content.records["erasure"]] == [e.key for e in store.erasures()]
    assert [e.person_id for e in store.erasures()] == ["eve"]
    # Run by run, each by seq; the second run overwrote one person, ann.
    assert [(e.run_id, e.seq) for e in content.journal] == sorted(
        (e.run_id, e.seq) for e in content.journal
    )
    assert [(e.kind, e.key) for e in content.journal if e.run_id == "run-2"] == [("person", "ann")]
    assert not any("eve" in e.people for e in content.journal)


@pytest.mark.parametrize("direction", ["sqlite-to-neo4j", "neo4j-to-sqlite"])
def test_export_imported_into_the_other_kind_of_store_gives_the_same_export(
    both_stores: list[GraphStore], direction: str
) -> None:
    sqlite, neo4j = both_stores
    source, target = (sqlite, neo4j) if direction == "sqlite-to-neo4j" else (neo4j, sqlite)
    _fill(source)
    exported = source.export_records()
    target.import_records(exported)
    assert _plain(target.export_records()) == _plain(exported)
    assert target.dump() == source.dump()
    # The history came too: the latest run rolls back on the target as on the source.
    target.rollback("run-2")
    assert target.get(Person, "ann").job_title != "Director of Everything"


def test_import_records_with_replace_puts_back_exactly_what_was_exported(
    store: GraphStore,
) -> None:
    _fill(store)
    exported = store.export_records()
    store.rollback("run-2")
    store.erase_person("bob", actor="admin-key")
    version = store.version()
    store.import_records(exported, replace=True)
    assert store.version() != version
    assert _plain(store.export_records()) == _plain(exported)
    assert store.key_by_hash("a" * 64).id == "k-ann"


def test_import_records_that_break_a_reference_writes_nothing(store: GraphStore) -> None:
    _fill(store)
    before = _plain(store.export_records())
    broken = store.export_records()
    orphan = broken.records["membership"][-1].model_copy(update={"person_id": "nobody"})
    broken.records["membership"].append(orphan)  # last, so the rest is written first
    with pytest.raises(Invalid):
        store.import_records(broken, replace=True)
    assert _plain(store.export_records()) == before
