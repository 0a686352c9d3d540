"""``alumni-graph people``, ``organisations`` and ``cohorts`` on the sample programme
(tests/contract/sample.py), as the programme team sees it: everyone, emails only
with consent. Worked by hand: Essex Police employs cat (moved from ECC), dan and fay
now; ECC (alias "ECC") employs ann now.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app, exit_code_for
from graph.errors import Invalid
from graph.sqlite_store import SqliteStore

from ..contract.sample import programme


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    store = SqliteStore(url)
    store.apply(programme())
    store.close()
    return url


def run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--store", url], env={"COLUMNS": "80"})
    return result.exit_code, result.output


def ids(output: str) -> list[str]:
    return [p["id"] for p in json.loads(output)["data"]]


def test_people_finds_the_force_by_its_name_and_lists_them_by_name(url: str) -> None:
    code, output = run(url, "people", "police", "--format", "json")
    assert (code, ids(output)) == (0, ["cat", "dan", "fay"])


def test_people_takes_an_organisation_by_alias_and_a_cohort_by_name(url: str) -> None:
    code, output = run(url, "people", "--organisation", "ecc", "--format", "json")
    assert (code, ids(output)) == (0, ["ann"])
    code, output = run(url, "people", "--cohort", "leading greater essex 2021", "--format", "json")
    assert (code, ids(output)) == (0, ["eve", "fay"])


def test_people_with_an_unknown_organisation_suggests_the_closest_names(url: str) -> None:
    result = CliRunner().invoke(app, ["people", "--organisation", "Esex Polise", "--store", url])
    assert isinstance(result.exception, Invalid)  # cli.main.main: exit status 2, one line
    assert exit_code_for(result.exception) == 2
    message = str(result.exception)
    assert "--organisation" in message and "did you mean 'Essex Police'" in message


def test_people_table_fits_80_columns_with_every_id_whole(url: str) -> None:
    code, output = run(url, "people", "example", "--page", "1")
    assert code == 0
    assert max(len(line) for line in output.splitlines()) <= 80
    for person in ("ann", "bob", "cat", "dan", "eve", "fay"):
        assert any(f"│ {person} " in line for line in output.splitlines()), person
    assert "6 people, page 1 of 1" in output


def test_organisations_and_cohorts_list_the_ids_people_takes(url: str) -> None:
    code, output = run(url, "organisations", "--format", "json")
    assert (code, ids(output)) == (0, ["ecc", "essex-police", "mse-icb"])
    code, output = run(url, "cohorts")
    assert code == 0 and "c2019" in output and "c2021" in output
