"""``alumni-graph survey``: open prints one link a member (text, JSON or CSV), status
counts answers, reissue replaces a link, close loads the answers as a run that
``ingest rollback`` undoes; bad indicators and unknown cohorts exit non-zero."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from graph.errors import NotFound
from graph.model import TieKind, Wave
from graph.sqlite_store import SqliteStore
from services.schemas_surveys import AnswerIn, SurveyAnswersIn
from services.survey_form import save_answers
from tests.surveys.programme import (
    COHORT,
    RUNNABLE_NAME,
    load_programme,
    member_email,
    name_runnable,
)

CLOSES = (date.today() + timedelta(days=10)).isoformat()


def _store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    store = SqliteStore(url)
    load_programme(store, tmp_path, size=6)
    store.close()
    return url


def test_survey_open_prints_a_link_per_member_and_close_loads_a_run(tmp_path: Path) -> None:
    url = _store(tmp_path)
    runner = CliRunner()
    indicators = tmp_path / "indicators.csv"
    indicators.write_text("id,wording\ntrust,Builds trust\nsystems,Sees the system\n")
    opened = runner.invoke(
        app,
        ["survey", "open", "--cohort", COHORT, "--wave", "end", "--closes", CLOSES,
         "--indicators", str(indicators), "--store", url, "--base-url", "https://ag.example/"],
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    lines = [line.split("\t") for line in opened.output.splitlines()]
    assert [email for email, _ in lines] == [member_email(i) for i in range(6)]
    assert all(link.startswith("https://ag.example/s/") for _, link in lines)
    token = dict(lines)[member_email(1)].rsplit("/", 1)[1]

    store = SqliteStore(url)
    try:
        assert [i.id for i in store.surveys.wave(COHORT, Wave.END).indicators] == [
            "trust",
            "systems",
        ]
        save_answers(
            store,
            token,
            SurveyAnswersIn(answers=[AnswerIn(relationship=TieKind.ADVICE, email=member_email(2))]),
        )
    finally:
        store.close()

    status = runner.invoke(
        app, ["survey", "status", "--cohort", COHORT, "--wave", "end", "--store", url]
    )
    assert status.exit_code == 0, status.output
    assert "answered 1 / 6 (17%)" in status.output
    assert "participant: 1 / 2 (50%)" in status.output  # members 0, 1 are participants

    reissued = runner.invoke(
        app,
        ["survey", "reissue", member_email(1), "--cohort", COHORT, "--wave", "end", "--store", url],
    )
    assert reissued.exit_code == 0, reissued.output
    assert reissued.output.startswith(f"{member_email(1)}\thttp://127.0.0.1:8000/s/")

    closed = runner.invoke(
        app, ["survey", "close", "--cohort", COHORT, "--wave", "end", "--store", url]
    )
    assert closed.exit_code == 0, closed.output
    run_id = closed.output.split("loaded as run ")[1].split(" ")[0]
    store = SqliteStore(url)
    try:
        assert store.runs()[-1].id == run_id
        ann = store.person_by_email(member_email(1)).id
        assert len(store.ties_of([ann], [TieKind.ADVICE])) == 1
    finally:
        store.close()
    undone = runner.invoke(app, ["ingest", "rollback", run_id, "--store", url])
    assert undone.exit_code == 0, undone.output
    growth = runner.invoke(app, ["survey", "development", "--cohort", COHORT, "--store", url])
    assert growth.exit_code == 0, growth.output
    assert "nobody has been rated at two waves yet" in growth.output  # one wave so far


def test_survey_open_as_json_and_csv_for_a_mail_merge(tmp_path: Path) -> None:
    url = _store(tmp_path)
    runner = CliRunner()
    as_json = runner.invoke(
        app,
        [
            "survey",
            "open",
            "--cohort",
            COHORT,
            "--wave",
            "baseline",
            "--closes",
            CLOSES,
            "--format",
            "json",
            "--store",
            url,
        ],
    )
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.output)
    assert [(r["email"], r["roles"]) for r in rows][-2:] == [
        (member_email(4), "sponsor"),
        (member_email(5), "sponsor"),
    ]
    as_csv = runner.invoke(
        app,
        [
            "survey",
            "open",
            "--cohort",
            COHORT,
            "--wave",
            "end",
            "--closes",
            CLOSES,
            "--format",
            "csv",
            "--store",
            url,
        ],
    )
    assert as_csv.exit_code == 0, as_csv.output
    table = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [r["email"] for r in table] == [member_email(i) for i in range(6)]
    assert {r["link"].split("/s/")[1] for r in table}.isdisjoint(
        r["link"].split("/s/")[1] for r in rows
    )


def test_survey_open_csv_opens_a_runnable_name_as_text(tmp_path: Path) -> None:
    url = _store(tmp_path)
    store = SqliteStore(url)
    name_runnable(store, member_email(1))
    store.close()
    args = ["survey", "open", "--cohort", COHORT, "--wave", "end", "--closes", CLOSES]
    as_csv = CliRunner().invoke(app, [*args, "--format", "csv", "--store", url])
    assert as_csv.exit_code == 0, as_csv.output
    table = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert table[1]["name"] == "'" + RUNNABLE_NAME
    assert [r["name"] for r in table if r["name"].startswith("Member")] == [
        f"Member {i:02d}" for i in (0, 2, 3, 4, 5)
    ]


def test_survey_open_refuses_bad_indicators_and_unknown_cohorts(tmp_path: Path) -> None:
    url = _store(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,wording\nNot An Id,Builds trust\n")
    runner = CliRunner()
    refused = runner.invoke(
        app,
        [
            "survey",
            "open",
            "--cohort",
            COHORT,
            "--wave",
            "end",
            "--closes",
            CLOSES,
            "--indicators",
            str(bad),
            "--store",
            url,
        ],
    )
    assert refused.exit_code != 0
    assert isinstance(refused.exception, Exception) and "indicators row 0" in str(refused.exception)
    unknown = runner.invoke(
        app,
        ["survey", "open", "--cohort", "nope", "--wave", "end", "--closes", CLOSES, "--store", url],
    )
    assert isinstance(unknown.exception, NotFound)
    store = SqliteStore(url)
    try:
        assert store.surveys.waves() == []
    finally:
        store.close()
