"""``find_all`` reads every match, however many pages it takes (page size shrunk here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import Organisation, Sector
from graph.sqlite_store import SqliteStore
from graph.store import Batch
from ingest import stored
from ingest.stored import find_all


@pytest.mark.parametrize("page", [1, 2, 5, 20_000])
def test_find_all_reads_every_record_across_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'f.db'}")
    try:
        orgs = [Organisation(id=f"o{i}", name=f"Org {i}", sector=Sector.HEALTH) for i in range(5)]
        store.apply(Batch(organisations=orgs))
        monkeypatch.setattr(stored, "FIND_ALL_PAGE", page)
        assert sorted(o.id for o in find_all(store, Organisation)) == [f"o{i}" for i in range(5)]
        assert [o.id for o in find_all(store, Organisation, {"name": "Org 3"})] == ["o3"]
    finally:
        store.close()
