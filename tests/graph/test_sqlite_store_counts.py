"""``alumni-graph status`` counts an existing SQLite file in SQL alone: the same
numbers as the records themselves, and any file it cannot read that way is opened in
full (created, brought up to date, or refused in words)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import stores
from graph.errors import StoreUnavailable
from graph.model import AMBITIONS, WRITE_ORDER
from graph.sqlite_store import SqliteStore
from graph.sqlite_store_counts import COUNTED_TABLES, counts_of_existing

from ..conftest import Demo
from ..contract.test_derived_contract import derived_programme


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[str]:
    """A closed SQLite file holding the contract suite's sample programme, its cohort
    and project ties derived when read."""
    url = f"sqlite:///{tmp_path / 'sample.db'}"
    store = SqliteStore(url)
    store.apply(derived_programme())
    store.close()
    yield url


def _records_of(url: str) -> dict[str, int]:
    """Records per kind as the store reads them as models (derived ties made in Python
    by ``graph.derived``), not as the counting SQL sees the tables."""
    store = SqliteStore(url)
    try:
        return {kind: len(records) for kind, records in store.dump().items()}
    finally:
        store.close()


def test_counted_tables_are_the_write_order_then_the_bookkeeping() -> None:
    kinds = [model.kind for model in WRITE_ORDER]
    assert list(COUNTED_TABLES) == [*kinds, "ambition", "ingest_run", "erasure", "api_key"]


def test_counts_in_sql_equal_the_records_of_the_sample(loaded: str) -> None:
    records = _records_of(loaded)
    found = counts_of_existing(loaded.removeprefix("sqlite:///"))
    assert found is not None
    assert {k: found[k] for k in records} == records
    assert records["tie"] == 19  # worked by hand in tests/contract/test_derived_contract.py


def test_counts_in_sql_equal_the_records_of_the_demo_programme(
    demo_programme: Demo, tmp_path: Path
) -> None:
    """The demo's projects have sponsors inside and outside their teams: each member of
    a group is counted once, however many ways they belong to it."""
    url = f"sqlite:///{demo_programme.sqlite_copy(tmp_path / 'demo.db')}"
    records = _records_of(url)
    found = stores.record_counts(url)
    assert {k: found[k] for k in records} == records
    assert found["ambition"] == len(AMBITIONS)


def test_a_project_sponsor_in_the_team_is_one_member_not_two(loaded: str) -> None:
    """Worked by hand from the sample: pr-da's team is ann, bob and cat; with dan as its
    sponsor that is four people and 6 pairs, with ann as its sponsor three and 3."""
    path = loaded.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    # Keep only the project's group (and its sample's 6 stored ties), so the pairs
    # counted beyond those are the project's own.
    conn.execute("DELETE FROM derived_group WHERE tie_kind != 'project'")
    conn.commit()
    for sponsor, pairs in (("dan", 6), ("ann", 3)):
        conn.execute("UPDATE project SET sponsor_id = ? WHERE key = 'pr-da'", (sponsor,))
        conn.commit()
        found = counts_of_existing(path)
        assert found is not None
        assert found["tie"] == 6 + pairs
    conn.close()


def test_an_existing_file_is_counted_without_opening_the_store(
    loaded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _records_of(loaded)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the store was opened")

    monkeypatch.setattr(stores, "open_store", refuse)
    found = stores.record_counts(loaded)
    assert {k: found[k] for k in expected} == expected


def test_a_new_file_is_created_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "new" / "g.db"
    assert counts_of_existing(str(path)) is None
    found = stores.record_counts(f"sqlite:///{path}")
    assert path.is_file()
    assert found["ambition"] == len(AMBITIONS)
    assert found["person"] == 0


def test_a_file_missing_tables_is_brought_up_to_date_first(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE kept (x)")
    conn.commit()
    conn.close()
    assert counts_of_existing(str(path)) is None
    assert stores.record_counts(f"sqlite:///{path}")["ambition"] == len(AMBITIONS)
    assert counts_of_existing(str(path)) is not None  # its tables are there now


def test_a_file_that_is_not_a_database_is_refused_in_words_and_left_as_it_was(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the pages of a database\n" * 100)
    before = path.read_bytes()
    assert counts_of_existing(str(path)) is None
    with pytest.raises(StoreUnavailable, match="notes.db: file is not a database"):
        stores.record_counts(f"sqlite:///{path}")
    assert path.read_bytes() == before


_HOLDING_A_WRITE = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO area (key, data) VALUES ('half-written', '{}')")
print("holding", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


def test_counts_read_beside_another_process_writing_see_only_what_it_committed(
    loaded: str,
) -> None:
    """A load under way in another process (its write transaction open, not committed)
    neither blocks the count nor shows in it: the store's write-ahead log gives the
    reader the last commit."""
    path = loaded.removeprefix("sqlite:///")
    before = counts_of_existing(path)
    assert before is not None
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDING_A_WRITE, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as writer:
        assert writer.stdin is not None and writer.stdout is not None
        assert writer.stdout.readline() == "holding\n"
        during = counts_of_existing(path)
        writer.stdin.write("\n")
        writer.stdin.flush()
        assert writer.wait(timeout=30) == 0
    assert during == before
    after = counts_of_existing(path)
    assert after is not None and after["area"] == before["area"] + 1
