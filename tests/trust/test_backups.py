"""Backups: ``alumni-graph export`` / ``import`` round-trip a store exactly, move it
between SQLite and Neo4j with the same metrics, and refuse a damaged file or a
store that is not empty, writing nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.keys import issue_key
from cli.main import app
from graph import measure
from graph.backup import export_store, import_store, read_store
from graph.errors import Conflict, Invalid
from graph.model import IngestRun, KeyRole, Person
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore

from ..conftest import Demo
from ..contract.sample import programme
from .figures import record

RUN_1 = IngestRun(
    id="run-1", file_name="a.xlsx", sha256="1" * 64, started_at=datetime(2024, 1, 1, tzinfo=UTC)
)


def _fill(store: GraphStore) -> None:
    """Every kind a backup holds: records, two runs with journals, keys, an erasure."""
    batch = programme()
    store.apply(batch, RUN_1)
    moved = batch.people[0].model_copy(update={"job_title": "Director of Everything"})
    store.apply(
        type(batch)(people=[moved]),
        RUN_1.model_copy(update={"id": "run-2", "started_at": datetime(2024, 2, 1, tzinfo=UTC)}),
    )
    issue_key(store, KeyRole.ALUMNI, "ann")
    issue_key(store, KeyRole.ADMIN)
    store.erase_person("eve", actor="admin-key")


def _everything(store: GraphStore) -> dict[str, object]:
    """The dump plus what it leaves out: runs, every journal, key hashes, erasures."""
    backup = read_store(store)
    return {
        "dump": store.dump(),
        "runs": [r.model_dump(mode="json") for r in store.runs()],
        "journal": [vars(e) for e in backup.journal],
        "keys": [k.model_dump(mode="json") for k in store.keys()],
        "erasures": [e.model_dump(mode="json") for e in store.erasures()],
    }


def _sqlite(tmp_path: Path, name: str) -> SqliteStore:
    return SqliteStore(f"sqlite:///{tmp_path / name}")


def test_export_then_import_restores_the_store_exactly(store: GraphStore, tmp_path: Path) -> None:
    _fill(store)
    before = _everything(store)
    assert before["journal"] and before["erasures"] and before["keys"]  # the file has them all
    path = tmp_path / "backup.jsonl"
    counts = export_store(store, path)
    assert counts["person"] == 5 and counts["ingest_run"] == 2 and counts["erasure"] == 1
    import_store(store, path, replace=True)
    assert _everything(store) == before
    # The restored history still works: the latest run rolls back as before the backup.
    store.rollback("run-2")
    assert store.get(Person, "ann").job_title != "Director of Everything"


def test_restoring_an_older_backup_keeps_people_erased_since(
    store: GraphStore, tmp_path: Path
) -> None:
    _fill(store)
    path = tmp_path / "before-erasure.jsonl"
    export_store(store, path)
    store.erase_person("ann", actor="admin-key")  # after the backup was taken
    expected = _everything(store)
    import_store(store, path, replace=True)
    assert _everything(store) == expected  # Ann is not back, in any record, key or journal
    assert not store.find(Person, {"id": "ann"}).count


def test_import_refuses_a_store_that_is_not_empty(store: GraphStore, tmp_path: Path) -> None:
    _fill(store)
    path = tmp_path / "backup.jsonl"
    export_store(store, path)
    before = _everything(store)
    with pytest.raises(Conflict, match="not empty"):
        import_store(store, path)
    assert _everything(store) == before


OLD_BACKUP = Path(__file__).with_name("data") / "backup-v1-before-store-protocol.jsonl"
"""``_fill`` on SQLite, written by ``alumni-graph export`` as it was before backups went
through the store protocol (8a9d1ea, when ``graph.backup`` read each store's tables)."""


def test_a_backup_written_before_the_store_protocol_imports_line_for_line(
    store: GraphStore, tmp_path: Path
) -> None:
    import_store(store, OLD_BACKUP)
    again = tmp_path / "again.jsonl"
    export_store(store, again)
    old, new = (p.read_text(encoding="utf-8").splitlines() for p in (OLD_BACKUP, again))
    # Every record line, in order, and the trailer (the records' count and SHA-256).
    assert new[1:] == old[1:]
    # header, 36 graph records, 2 runs, 37 journal entries, 2 key hashes, 1 erasure, trailer
    assert len(old) == 1 + 36 + 2 + 37 + 2 + 1 + 1
    header = json.loads(new[0])
    assert {k: header[k] for k in ("format", "version", "counts")} == {
        k: json.loads(old[0])[k] for k in ("format", "version", "counts")
    }
    assert store.erasures()[0].person_id == "eve" and not store.find(Person, {"id": "eve"}).count


def _damaged(path: Path, how: str) -> Path:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if how == "truncated":
        text = "".join(lines)[: len("".join(lines)) // 2]
    elif how == "last-line-lost":
        text = "".join(lines[:-1])
    elif how == "record-dropped":
        text = "".join(lines[:3] + lines[4:])
    elif how == "value-altered":
        text = "".join(lines).replace('"Ann', '"Anne', 1)
    elif how == "counts-altered":
        header = json.loads(lines[0])
        header["counts"]["person"] += 1
        text = json.dumps(header) + "\n" + "".join(lines[1:])
    else:
        raise AssertionError(how)
    out = path.with_name(f"{how}.jsonl")
    out.write_text(text, encoding="utf-8")
    return out


DAMAGE = ("truncated", "last-line-lost", "record-dropped", "value-altered", "counts-altered")


@pytest.mark.parametrize("how", DAMAGE)
def test_import_refuses_a_damaged_file_writing_nothing(
    store: GraphStore, tmp_path: Path, how: str
) -> None:
    source = _sqlite(tmp_path, "source.db")
    _fill(source)
    path = tmp_path / "backup.jsonl"
    export_store(source, path)
    source.close()
    empty = _everything(store)
    with pytest.raises(Invalid) as refused:
        import_store(store, _damaged(path, how))
    assert f"{how}.jsonl" in str(refused.value)
    assert _everything(store) == empty
    record("backup_damaged_files_refused", 1)


@pytest.fixture(scope="module")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory, demo_programme: Demo) -> Path:
    """A SQLite file holding the demo programme, loaded once for the module (a copy of
    the session's load)."""
    return demo_programme.sqlite_copy(tmp_path_factory.mktemp("demo") / "demo.db")


def _metrics(store: GraphStore) -> str:
    report = measure.network_report(store, as_of=date(2022, 6, 30))
    return json.dumps(report, sort_keys=True, default=str)


def test_demo_moves_sqlite_to_neo4j_and_back_with_identical_metrics(
    both_stores: list[GraphStore], demo_sqlite: Path, tmp_path: Path
) -> None:
    _, neo4j = both_stores
    source = SqliteStore(f"sqlite:///{demo_sqlite}")
    expected, metrics = _everything(source), _metrics(source)
    export_store(source, tmp_path / "from-sqlite.jsonl")
    source.close()
    import_store(neo4j, tmp_path / "from-sqlite.jsonl")
    assert _everything(neo4j) == expected
    assert _metrics(neo4j) == metrics
    export_store(neo4j, tmp_path / "from-neo4j.jsonl")
    back = _sqlite(tmp_path, "back.db")
    import_store(back, tmp_path / "from-neo4j.jsonl")
    assert _everything(back) == expected
    assert _metrics(back) == metrics
    back.close()
    record(
        "backup_records_moved",
        2
        * sum(
            json.loads((tmp_path / "from-sqlite.jsonl").read_text().splitlines()[0])[
                "counts"
            ].values()
        ),
    )


def test_cli_export_and_import_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    source = SqliteStore(url)
    _fill(source)
    expected = _everything(source)
    source.close()
    runner = CliRunner()
    path = tmp_path / "a.jsonl"
    exported = runner.invoke(app, ["export", "-o", str(path), "--store", url])
    assert exported.exit_code == 0, exported.output
    target = f"sqlite:///{tmp_path / 'b.db'}"
    imported = runner.invoke(app, ["import", str(path), "--store", target])
    assert imported.exit_code == 0, imported.output
    # Through the real entry point: a refusal is one line and a non-zero status.
    command = Path(sys.executable).with_name("alumni-graph")
    again = subprocess.run(
        [command, "import", str(path), "--store", target], capture_output=True, text=True
    )
    assert again.returncode == 1, again.stderr
    assert "not empty" in again.stderr and "Traceback" not in again.stderr
    restored = SqliteStore(target)
    assert _everything(restored) == expected
    restored.close()
