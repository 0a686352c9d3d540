"""``--reuse`` skips a load only when the store holds exactly the programme's bundles."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate import generate_bundles
from benchmarks.ingest import SALT, bundle_paths, holds_programme
from graph.stores import open_store
from ingest.pipeline import load_bundle


def test_a_store_holds_a_programme_only_once_every_bundle_is_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "bundles"
    generate_bundles(people=100, seed=7, folder=str(folder))
    paths = bundle_paths(folder)
    assert len(paths) == 2  # cohorts of 50
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    try:
        assert not holds_programme(url, str(folder))  # empty
        load_bundle(paths[0], store, salt=SALT)
        assert not holds_programme(url, str(folder))  # half
        load_bundle(paths[1], store, salt=SALT)
        assert holds_programme(url, str(folder))
        paths[1].write_bytes(paths[1].read_bytes() + b"\n")  # the bundle changed since
        assert not holds_programme(url, str(folder))
    finally:
        store.close()
