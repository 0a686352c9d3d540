"""``alumni-graph mentors match`` and ``alumni-graph selection plan`` on a SQLite file
holding the hand-worked network of tests/decisions/network.py."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from graph.errors import Invalid
from graph.sqlite_store import SqliteStore
from tests.cli.test_startup import _run
from tests.decisions.network import POOL, load_programme
from tests.services.test_selection import APPLICANTS


@pytest.fixture
def url(tmp_path: Path) -> str:
    address = f"sqlite:///{tmp_path / 'graph.db'}"
    store = SqliteStore(address)
    try:
        load_programme(store, tmp_path)
    finally:
        store.close()
    return address


@pytest.mark.parametrize("args", [("mentors", "--help"), ("selection", "plan", "--help")])
def test_help_of_the_decisions_imports_no_heavy_module(args: tuple[str, ...]) -> None:
    answer = _run(*args)
    assert answer["exit"] == 0, answer["output"]
    assert answer["loaded"] == []


def test_mentors_match_prints_json_and_csv(url: str, tmp_path: Path) -> None:
    pool = tmp_path / "pool.json"
    pool.write_text(json.dumps(POOL))
    args = ["mentors", "match", "--cohort", "c-2019", "--pool", str(pool), "--store", url]
    as_json = CliRunner().invoke(app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["total_score"] == 11
    as_csv = CliRunner().invoke(app, [*args, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert sorted(int(r["score"]) for r in rows) == [5, 6]
    table = CliRunner().invoke(app, args)
    assert "total score 11" in table.output


def test_mentors_match_accept_writes_the_ties(url: str, tmp_path: Path) -> None:
    pool = tmp_path / "pool.json"
    pool.write_text(json.dumps(POOL))
    args = ["mentors", "match", "--cohort", "c-2019", "--pool", str(pool), "--store", url]
    accepted = CliRunner().invoke(app, [*args, "--accept"])
    assert accepted.exit_code == 0, accepted.output
    assert "accepted as run run-" in accepted.output
    again = CliRunner().invoke(app, [*args, "--format", "json"])
    assert json.loads(again.output)["total_score"] < 11


def test_selection_plan_prints_json_csv_and_refuses_bad_quotas(url: str, tmp_path: Path) -> None:
    path = tmp_path / "applicants.json"
    path.write_text(json.dumps(APPLICANTS))
    args = ["selection", "plan", str(path), "--places", "2", "--store", url]
    as_json = CliRunner().invoke(app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    answer = json.loads(as_json.output)
    assert sorted(s["email"] for s in answer["selected"]) == ["x1@x.org", "x2@x.org"]
    as_csv = CliRunner().invoke(app, [*args, "--format", "csv"])
    statuses = {r["email"]: r["status"] for r in csv.DictReader(io.StringIO(as_csv.output))}
    assert statuses == {
        "x1@x.org": "selected", "x2@x.org": "selected", "x4@x.org": "left_out",
        "x3@x.org": "ineligible", "alum3@x.org": "ineligible",
    }  # fmt: skip
    table = CliRunner().invoke(app, [*args, "--sector-min", "health=2"])
    assert table.exit_code == 0 and "x4@x.org" in table.output
    refused = CliRunner().invoke(
        app, [*args, "--sector-min", "health=2", "--sector-min", "business=1"]
    )
    assert isinstance(refused.exception, Invalid)
    assert "past the 2 places" in str(refused.exception)
