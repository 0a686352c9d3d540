"""Bad input on the command line reads as the option, its value and what is wrong, in
words (issue 18, item 6): never a record name, a field path ("snapshot, cohort/wave"),
a Python ``None`` or pydantic's "Input should be".

Through ``cli.main.main``, as the installed command runs, on the hand-drawn sample
programme (tests/contract/sample.py; cohorts c2019 and c2021, organisation
essex-police "Essex Police").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from demo import path as demo_file
from graph.sqlite_store import SqliteStore

from ..contract.sample import programme
from .test_cli_fits import run, run_main


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    store = SqliteStore(url)
    store.apply(programme())
    store.close()
    return url


JARGON = ("snapshot", "None", "Input should", "Value error", "problem(s)", "quotas,", "body.")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["metrics", "--as-of", "2024-02-30"], "--as-of '2024-02-30': expected a date YYYY-MM-DD"),
        (
            ["metrics", "--cohort", "c2021"],
            "--wave: give it with --cohort: one of baseline, end, follow_up",
        ),
        (["metrics", "--wave", "end"], "--cohort: give it with --wave: a cohort's id"),
        (
            ["metrics", "--cohort", "c2021", "--wave", "end", "--as-of", "2021-01-01"],
            "--as-of '2021-01-01': give a date, or --cohort and --wave, not both",
        ),
        (
            ["metrics", "timeline", "--from", "2021-01-01", "--to", "2020-01-01"],
            "--to '2020-01-01': is before from 2021-01-01",
        ),
        (
            ["people", "--organisation", "Essex Polce"],
            "--organisation 'Essex Polce': no organisation has this id or name; did you mean"
            " 'Essex Police'?",
        ),
        (
            ["keys", "create", "--role", "alumni", "--person", "nobody@nowhere"],
            "no person with email 'nobody@nowhere'",
        ),
        (
            ["selection", "plan", "APPLICANTS", "--places", "2", "--sector-min", "police"],
            "--sector-min 'police': write SECTOR=K, K a whole number ≥ 0",
        ),
    ],
    ids=[
        "bad-date",
        "cohort-without-wave",
        "wave-without-cohort",
        "date-and-wave",
        "timeline-backwards",
        "unknown-organisation",
        "unknown-email",
        "bad-quota",
    ],
)
def test_bad_input_reads_as_the_option_its_value_and_why(
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    said: str,
) -> None:
    args = [str(demo_file("applicants.csv")) if a == "APPLICANTS" else a for a in args]
    code, err = run_main(monkeypatch, capsys, *args, "--store", url)
    assert code in (2, 3)
    assert " ".join(err.split()) == f"error: {said}"
    assert not [j for j in JARGON if j in err]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            [
                "metrics",
                "timeline",
                "--from",
                "2020-01-01",
                "--to",
                "2021-01-01",
                "--every",
                "fortnight",
            ],
            "Invalid value for '--every': 'fortnight' is not one of 'month', 'quarter'",
        ),
        (
            ["metrics", "programme", "--every", "week"],
            "Invalid value for '--every': 'week' is not one of 'quarter', 'year'",
        ),
    ],
    ids=["timeline", "programme"],
)
def test_a_bad_every_names_the_values_it_takes(url: str, args: list[str], said: str) -> None:
    code, output, _ = run(url, *args, columns=200)
    assert code == 2
    assert said in " ".join(output.split())
    assert not [j for j in JARGON if j in output]
