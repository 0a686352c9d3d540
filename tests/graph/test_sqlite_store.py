"""What only the embedded store promises: its file settings and physical erasure."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph.errors import Invalid
from graph.model import IngestRun
from graph.sqlite_store import SqliteStore, path_from_url
from graph.stores import open_store

from ..contract.sample import programme


def test_open_sqlite_sets_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = SqliteStore(f"sqlite:///{tmp_path / 'g.db'}")
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 10_000
    store.close()


_CRASH = """
import os, sys
from datetime import UTC, datetime
from graph.model import IngestRun
from graph.sqlite_store import SqliteStore
from tests.contract.sample import programme
store = SqliteStore(sys.argv[1])
run = IngestRun(id="run-1", file_name="b.xlsx", sha256="0" * 64, started_at=datetime.now(UTC))
store.apply(programme(), run)
os._exit(0)  # no close, no checkpoint: the commit lives only in the write-ahead log
"""


def test_committed_write_survives_a_crash_before_any_checkpoint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    subprocess.run([sys.executable, "-c", _CRASH, url], check=True, timeout=60)
    assert (tmp_path / "g.db-wal").stat().st_size > 0
    store = SqliteStore(url)
    try:
        expected = SqliteStore("sqlite:///")
        expected.apply(programme(), _run())
        assert store.counts() == expected.counts()
        assert [r.id for r in store.runs()] == ["run-1"]
        expected.close()
    finally:
        store.close()


def _run() -> IngestRun:
    return IngestRun(id="run-1", file_name="b.xlsx", sha256="0" * 64, started_at=datetime.now(UTC))


def test_erase_person_leaves_no_bytes_of_them_in_the_files(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = SqliteStore(f"sqlite:///{db}")
    store.apply(programme(), _run())  # the run's journal holds cat's records too
    store.erase_person("cat", actor="admin")
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"cat@example.org" not in raw
    assert b"Cat Example" not in raw
    assert b"ann@example.org" in raw  # the check can see a name that is still there


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///./alumni-graph.db", "./alumni-graph.db"),
        ("sqlite:////var/lib/a.db", "/var/lib/a.db"),
        ("sqlite:///", ":memory:"),
    ],
)
def test_path_from_url_reads_relative_absolute_and_memory(url: str, path: str) -> None:
    assert path_from_url(url) == path


def test_open_store_with_unknown_scheme_names_the_setting() -> None:
    with pytest.raises(Invalid, match="store"):
        open_store("postgres://localhost/x")
