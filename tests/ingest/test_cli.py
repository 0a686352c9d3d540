"""The command line: ``ingest PATH`` and ``ingest runs`` in one group, exit codes, JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.ingest import REFUSED, app, template
from graph.errors import Conflict, NotFound
from graph.sqlite_store import SqliteStore

from .conftest import TOTAL_RECORDS, Tables

Write = Callable[[Tables, str], Path]


def root_app() -> typer.Typer:
    """The wiring ``cli.main`` needs: the group under ``ingest``, ``template`` at the top."""
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """alumni-graph"""

    root.add_typer(app, name="ingest")
    root.command("template")(template)
    return root


@pytest.fixture
def cli() -> Callable[..., object]:
    runner = CliRunner()
    root = root_app()

    def invoke(*args: str) -> object:
        return runner.invoke(root, list(args), env={"COLUMNS": "120"})

    return invoke


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run_ids(url: str) -> list[str]:
    store = SqliteStore(url)
    try:
        return [r.id for r in store.runs()]
    finally:
        store.close()


def test_cli_ingest_path_loads_and_exits_zero(
    cli: Callable[..., typer.testing.Result], url: str, tables: Tables, write: Write
) -> None:
    result = cli("ingest", str(write(tables, "bundle.xlsx")), "--store", url)
    assert result.exit_code == 0, result.output
    assert "loaded as run" in result.output
    assert f"{TOTAL_RECORDS} created" in result.output
    assert "warning:" in result.output and "survey row 6" in result.output
    assert len(run_ids(url)) == 1


def test_cli_ingest_options_before_path_still_route_to_load(
    cli: Callable[..., typer.testing.Result], url: str, tables: Tables, write: Write
) -> None:
    result = cli(
        "ingest", "--dry-run", "--store", url, "--format", "json", str(write(tables, "b.json"))
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["dry_run"] is True
    assert document["totals"]["created"] == TOTAL_RECORDS
    assert run_ids(url) == []


def test_cli_ingest_with_errors_exits_two_with_json_only(
    cli: Callable[..., typer.testing.Result], url: str, tables: Tables, write: Write
) -> None:
    tables["members"][0]["role"] = "boss"
    result = cli("ingest", str(write(tables, "bundle.xlsx")), "--store", url, "--format", "json")
    assert result.exit_code == REFUSED == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert [(e["sheet"], e["row"], e["column"]) for e in document["errors"]] == [
        ("members", 2, "role")
    ]
    assert run_ids(url) == []


def test_cli_ingest_with_errors_prints_errors_table(
    cli: Callable[..., typer.testing.Result], url: str, tables: Tables, write: Write
) -> None:
    tables["people"][0]["organisation"] = "Essex Polic"
    result = cli("ingest", str(write(tables, "bundle.xlsx")), "--store", url)
    assert result.exit_code == 2
    assert "1 error(s): nothing was written" in result.output
    assert "Essex Police" in result.output  # the suggestion


def test_cli_ingest_twice_reports_nothing_changed(
    cli: Callable[..., typer.testing.Result], url: str, tables: Tables, write: Write
) -> None:
    path = str(write(tables, "bundle"))
    cli("ingest", path, "--store", url)
    result = cli("ingest", path, "--store", url, "--format", "json")
    document = json.loads(result.output)
    assert (document["totals"]["created"], document["totals"]["updated"]) == (0, 0)


def test_cli_ingest_runs_lists_runs(
    cli: Callable[..., typer.testing.Result], url: str, tables: Tables, write: Write
) -> None:
    path = write(tables, "bundle.json")
    cli("ingest", str(path), "--store", url)
    result = cli("ingest", "runs", "--store", url)
    assert result.exit_code == 0, result.output
    [run_id] = run_ids(url)
    assert run_id in result.output
    assert "bundle.json" in result.output and "applied" in result.output
    listed = json.loads(cli("ingest", "runs", "--store", url, "--format", "json").output)
    assert [(r["id"], r["status"]) for r in listed] == [(run_id, "applied")]


def test_cli_ingest_rollback_latest_run(
    cli: Callable[..., typer.testing.Result], url: str, tables: Tables, write: Write
) -> None:
    cli("ingest", str(write(tables, "bundle.json")), "--store", url)
    [run_id] = run_ids(url)
    result = cli("ingest", "rollback", run_id, "--store", url)
    assert result.exit_code == 0, result.output
    assert f"rolled back {run_id}: {TOTAL_RECORDS} removed" in result.output
    store = SqliteStore(url)
    assert store.runs()[0].status == "rolled_back"
    assert store.counts()["person"] == 0
    store.close()


@pytest.mark.parametrize(("run_id", "error"), [("run-nope", NotFound), ("latest", Conflict)])
def test_cli_ingest_rollback_refused_raises_domain_error(
    cli: Callable[..., typer.testing.Result],
    url: str,
    tables: Tables,
    write: Write,
    run_id: str,
    error: type[Exception],
) -> None:
    """``cli.main.main`` turns these into one line and exit status 3 or 1."""
    cli("ingest", str(write(tables, "bundle.json")), "--store", url)
    if run_id == "latest":
        [run_id] = run_ids(url)
        cli("ingest", "rollback", run_id, "--store", url)
    result = cli("ingest", "rollback", run_id, "--store", url)
    assert isinstance(result.exception, error)


def test_cli_ingest_without_arguments_shows_help(cli: Callable[..., typer.testing.Result]) -> None:
    result = cli("ingest")
    assert "runs" in result.output and "rollback" in result.output


def test_cli_template_writes_workbook(
    cli: Callable[..., typer.testing.Result], tmp_path: Path
) -> None:
    result = cli("template", str(tmp_path / "t.xlsx"))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(tmp_path / "t.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "README"
    workbook.close()


def test_cli_template_refuses_other_suffix(
    cli: Callable[..., typer.testing.Result], tmp_path: Path
) -> None:
    result = cli("template", str(tmp_path / "t.csv"))
    assert result.exit_code == 2
    assert not (tmp_path / "t.csv").exists()
