"""``alumni-graph metrics programme`` on the sample (tests/contract/sample.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from graph.sqlite_store import SqliteStore

from ..contract.sample import programme

SPAN = ["--from", "2019-07-01", "--to", "2021-07-01", "--every", "year"]


@pytest.fixture
def sample_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'sample.db'}"
    store = SqliteStore(url)
    store.apply(programme())
    store.close()
    return url


def test_metrics_programme_csv_has_a_row_per_date_and_scope(sample_db: str) -> None:
    result = CliRunner().invoke(
        app, ["metrics", "programme", *SPAN, "--format", "csv", "--store", sample_db]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    # four dates of everyone, c2019 at each, c2021 from 2021-05-01 on (one date)
    assert [(r["date"], r["scope"]) for r in rows] == [
        ("2019-07-01", "programme"), ("2019-07-01", "c2019"),
        ("2020-01-01", "programme"), ("2020-01-01", "c2019"),
        ("2021-01-01", "programme"), ("2021-01-01", "c2019"),
        ("2021-07-01", "programme"), ("2021-07-01", "c2019"), ("2021-07-01", "c2021"),
    ]  # fmt: skip
    # by chance on 2021-07-01: ECC 1, NHS 1, police 3: 1 - 2 * 6/20 = 0.4
    assert float(rows[6]["ei_org_expected"]) == pytest.approx(0.4)


def test_metrics_programme_json_and_table(sample_db: str) -> None:
    runner = CliRunner()
    out = runner.invoke(
        app, ["metrics", "programme", *SPAN, "--format", "json", "--store", sample_db]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["points"][0]["ties"] == 3
    table = runner.invoke(app, ["metrics", "programme", *SPAN, "--store", sample_db])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert any("silo" in line and "excess" in line for line in lines)
    assert sum("c2019" in line for line in lines) == 4  # one row per date


def test_metrics_programme_refuses_an_unknown_step(sample_db: str) -> None:
    result = CliRunner().invoke(
        app, ["metrics", "programme", "--every", "month", "--store", sample_db]
    )
    assert result.exit_code != 0


def test_report_programme_writes_one_self_contained_page(sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / "programme.html"
    result = CliRunner().invoke(
        app, ["report", "--programme", "-o", str(out), "--store", sample_db]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<section id="definitions">' in html


def test_report_programme_with_a_cohort_is_refused(sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / "programme.html"
    result = CliRunner().invoke(
        app,
        ["report", "--programme", "--cohort", "c2019", "-o", str(out), "--store", sample_db],
    )
    assert result.exit_code != 0 and not out.exists()
