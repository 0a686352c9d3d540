"""Measurements through a store, checked against the sample drawn by hand in
tests/contract/sample.py."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app, main
from graph import measure
from graph.errors import Invalid, NotFound
from graph.model import Cohort, Employment, Membership, Role, Tie, TieKind, Wave
from graph.sqlite_store import SqliteStore
from graph.store import Batch, GraphStore

from ..contract.sample import person, programme


def test_growth_report_counts_new_lost_and_retained_ties(store: GraphStore) -> None:
    store.apply(programme())
    report = measure.growth_report(store, "c2019")
    step = report["baseline_to_end"]
    assert step is not None
    # baseline: ann-bob, bob-cat; end: ann-bob, ann-cat, bob-cat, cat-dan
    assert (step["new_ties"], step["lost_ties"], step["retention"]) == (2, 0, 1.0)
    # baseline both ties cross organisations; at the end ann-cat is inside ECC
    assert step["before"]["cross_org_share"] == 1.0
    assert step["after"]["cross_org_share"] == 0.75
    assert report["end_to_follow_up"] is None  # no follow-up wave yet


def test_growth_report_of_unknown_cohort_is_not_found(store: GraphStore) -> None:
    with pytest.raises(NotFound):
        measure.growth_report(store, "c1999")


def test_timeline_report_measures_each_quarter(store: GraphStore) -> None:
    store.apply(programme())
    points = measure.timeline_report(store, date(2019, 4, 1), date(2021, 7, 1), "quarter")
    by_day = {p["date"]: (p["people"], p["ties"]) for p in points}
    assert by_day["2019-04-01"] == (0, 0)  # no cohort had started
    assert by_day["2019-07-01"] == (4, 3)
    assert by_day["2021-07-01"] == (5, 5)
    assert len(points) == 10


def test_network_report_is_identical_on_both_stores(both_stores: list[GraphStore]) -> None:
    for each in both_stores:
        each.apply(programme())
    reports = [
        json.dumps(measure.network_report(s, as_of=date(2021, 7, 1)), sort_keys=True)
        for s in both_stores
    ]
    assert reports[0] == reports[1]
    waves = [
        json.dumps(measure.network_report(s, cohort_id="c2019", wave=Wave.END), sort_keys=True)
        for s in both_stores
    ]
    assert waves[0] == waves[1]


def test_parse_kinds_refuses_an_unknown_kind_by_name() -> None:
    assert measure.parse_kinds("advice, project") == (TieKind.ADVICE, TieKind.PROJECT)
    with pytest.raises(Invalid, match="friendship"):
        measure.parse_kinds("advice,friendship")


def test_snapshot_for_refuses_wave_without_cohort(store: GraphStore) -> None:
    with pytest.raises(Invalid):
        measure.snapshot_for(store, wave=Wave.END)


@pytest.fixture
def sample_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    store = SqliteStore(url)
    store.apply(programme())
    store.close()
    return url


def test_metrics_command_prints_the_spec_keys_as_json(sample_db: str) -> None:
    result = CliRunner().invoke(
        app, ["metrics", "--as-of", "2020-01-01", "--format", "json", "--store", sample_db]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert {"network", "organisations", "sectors", "mixing", "people"} <= set(report)
    assert report["network"]["ties"] == 3
    assert set(report["people"]) == {"ann", "bob", "cat", "dan"}
    assert report["sectors"]["health"]["size"] == 1


def test_metrics_command_writes_csv_with_a_row_per_number(sample_db: str) -> None:
    result = CliRunner().invoke(
        app, ["metrics", "--as-of", "2020-01-01", "--format", "csv", "--store", sample_db]
    )
    lines = result.output.splitlines()
    assert lines[0] == "scope,name,metric,value"
    assert "network,,people,4" in lines


def test_metrics_growth_and_timeline_commands_run_on_the_sample(sample_db: str) -> None:
    runner = CliRunner()
    growth = runner.invoke(
        app, ["metrics", "growth", "--cohort", "c2019", "--format", "json", "--store", sample_db]
    )
    assert json.loads(growth.output)["baseline_to_end"]["new_ties"] == 2
    timeline = runner.invoke(
        app,
        ["metrics", "timeline", "--from", "2019-07-01", "--to", "2019-12-31", "--every",
         "month", "--format", "csv", "--store", sample_db],
    )  # fmt: skip
    assert timeline.exit_code == 0, timeline.output
    assert len(timeline.output.splitlines()) == 1 + 7


# -- tie kinds a metric may count ------------------------------------------------------------


def test_parse_kinds_refuses_want_to_meet_by_name() -> None:
    with pytest.raises(Invalid, match="want_to_meet is an intention") as raised:
        measure.parse_kinds("advice,want_to_meet,friendship")
    assert [(p.field, p.value) for p in raised.value.problems] == [
        ("kinds", "want_to_meet"),
        ("kinds", "friendship"),
    ]
    assert TieKind.WANT_TO_MEET not in measure.METRIC_KINDS
    assert set(measure.METRIC_KINDS) | {TieKind.WANT_TO_MEET} == set(TieKind)


def test_measure_functions_refuse_want_to_meet(store: GraphStore) -> None:
    store.apply(programme())
    kinds = (TieKind.ADVICE, TieKind.WANT_TO_MEET)
    calls = [
        lambda: measure.network_report(store, as_of=date(2020, 5, 1), kinds=kinds),
        lambda: measure.snapshot_for(store, cohort_id="c2019", wave=Wave.END, kinds=kinds),
        lambda: measure.growth_report(store, "c2019", kinds),
        lambda: measure.timeline_report(
            store, date(2019, 5, 1), date(2020, 5, 1), "quarter", kinds
        ),
        lambda: measure.person_network(store, "ann", kinds),
    ]
    for call in calls:
        with pytest.raises(Invalid, match="want_to_meet"):
            call()


@pytest.mark.parametrize(
    "args",
    [
        ["metrics", "--as-of", "2020-05-01"],
        ["metrics", "growth", "--cohort", "c2019"],
        ["metrics", "timeline", "--from", "2019-05-01", "--to", "2020-05-01"],
        ["report", "--cohort", "c2019", "--output", "REPORT"],
        ["visualise", "--output", "MAP"],
    ],
)
def test_cli_refuses_want_to_meet_as_a_kind_with_a_message(
    sample_db: str,
    tmp_path: Path,
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = {"REPORT": str(tmp_path / "r.html"), "MAP": str(tmp_path / "m.html")}
    argv = [out.get(a, a) for a in args]
    monkeypatch.setattr(
        "sys.argv", ["alumni-graph", *argv, "--ties", "want_to_meet", "--store", sample_db]
    )
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "want_to_meet" in err and "never feeds the metrics" in err
    assert not any(Path(p).exists() for p in out.values())  # nothing written


# -- dates far ahead -------------------------------------------------------------------------


def test_dates_between_reaches_the_last_day_a_date_holds() -> None:
    month = measure.dates_between(date(9999, 10, 20), date(9999, 12, 31), "month")
    assert month == [date(9999, 10, 20), date(9999, 11, 1), date(9999, 12, 1), date(9999, 12, 31)]
    quarter = measure.dates_between(date(9999, 8, 15), date(9999, 12, 31), "quarter")
    assert quarter == [date(9999, 8, 15), date(9999, 10, 1), date(9999, 12, 31)]
    assert measure.dates_between(date.max, date.max, "quarter") == [date.max]


def test_metrics_timeline_command_answers_for_year_9999(sample_db: str) -> None:
    result = CliRunner().invoke(
        app,
        ["metrics", "timeline", "--from", "9999-11-15", "--to", "9999-12-31", "--every",
         "month", "--format", "json", "--store", sample_db],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    points = json.loads(result.output)
    # c2019 (ann bob cat dan) and c2021 (fay; eve refuses analytics) have long started;
    # ab ac bc (projects) and cd (advice) remain; dan's mentoring of fay ended in 2022
    assert [(p["date"], p["people"], p["ties"]) for p in points] == [
        ("9999-11-15", 5, 4),
        ("9999-12-01", 5, 4),
        ("9999-12-31", 5, 4),
    ]


# -- change over the people present in both --------------------------------------------------


def test_growth_report_cohort_joining_between_waves_moves_no_figure(store: GraphStore) -> None:
    store.apply(programme())
    alone = measure.growth_report(store, "c2019")["baseline_to_end"]
    # cohort c2019b starts 2019-09-01, between c2019's baseline (2019-05-10) and end
    # (2020-04-20): gus (NHS) mentors ann, hal (POL) mentors gus, from 2019-10-01
    store.apply(
        Batch(
            people=[person("gus"), person("hal")],
            cohorts=[Cohort(id="c2019b", name="Joiners", start_date=date(2019, 9, 1))],
            memberships=[
                Membership(person_id=p, cohort_id="c2019b", role=Role.PARTICIPANT)
                for p in ("gus", "hal")
            ],
            employments=[
                Employment(person_id="gus", organisation_id="mse-icb", start=date(2019, 9, 1)),
                Employment(person_id="hal", organisation_id="essex-police", start=date(2019, 9, 1)),
            ],
            ties=[
                Tie(source_id=a, target_id=b, tie_kind=TieKind.MENTORING, start=date(2019, 10, 1))
                for a, b in (("gus", "ann"), ("hal", "gus"))
            ],
        )
    )
    end = measure.network_report(store, cohort_id="c2019", wave=Wave.END)["network"]
    assert (end["people"], end["ties"]) == (6, 6)  # the joiners are in the end snapshot
    step = measure.growth_report(store, "c2019")["baseline_to_end"]
    assert step is not None and alone is not None
    assert {**step, "people_joined": 0} == alone  # only the count of joiners moved
    assert (step["people_in_both"], step["people_joined"], step["people_left"]) == (4, 2, 0)
    before, after, delta = step["before"], step["after"], step["delta"]
    # over ann bob cat dan. Baseline: ab, bc (both across: cat at ECC, bob NHS); dan isolated
    assert (before["people"], before["ties"], before["isolates"], before["components"]) == (
        4, 2, 1, 2
    )  # fmt: skip
    assert before["cross_org_share"] == 1.0
    # end: ab ac bc (projects), cd (advice); ac within ECC, the other three across
    assert (after["people"], after["ties"], after["isolates"], after["components"]) == (4, 4, 0, 1)
    assert after["cross_org_share"] == 0.75
    assert (delta["people"], delta["ties"], delta["isolates"], delta["components"]) == (
        0,
        2,
        -1,
        -1,
    )
    assert delta["density"] == pytest.approx(4 * 2 / 12 - 2 * 2 / 12)
    assert delta["cross_org_share"] == pytest.approx(-0.25)


def test_snapshot_for_a_map_is_the_same_snapshot_without_areas(store: GraphStore) -> None:
    store.apply(programme())
    day = date(2021, 7, 1)
    full = measure.snapshot_for(store, as_of=day)
    bare = measure.snapshot_for(store, as_of=day, areas=False)
    assert bare.number_of_nodes() > 0 and bare.number_of_edges() > 0
    assert all("area" in data for _, data in full.nodes(data=True))
    assert not any("area" in data for _, data in bare.nodes(data=True))
    assert list(bare.edges(data=True)) == list(full.edges(data=True))
    for v, data in bare.nodes(data=True):
        assert data == {k: x for k, x in full.nodes[v].items() if k != "area"}
