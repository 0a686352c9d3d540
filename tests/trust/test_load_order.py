"""Facts in time order, loads in any order (``cohort-bundle.md``, "Order-independent").

Three small bundles drawn by hand, on the sample of tests/ingest/conftest.py:

- ``2019``: the sample (c2019), no ``as_of``: dated by its latest date, the
  handover of 2020-12-01. Ann consents to directory and contact; Cat works at
  Essex Police from 2018-01-15; Bob has no job title.
- ``2021``: c2021, dated by its latest date, the survey's 2021-05-20. Ann
  withdraws directory and contact consent; Cat has moved to ECC from
  2020-06-01; Bob is now "Director"; Eve joins; the 2019 project pr-da is
  restated as handed over, with its outcomes (no sponsor given).
- ``2023``: c2023, dated by its latest date, its start 2023-05-01. Cat has
  moved to the ICB from 2023-01-01 (her title "Chief Analyst"); Bob restates his ICB spell with its
  2019 start and no title; Ann is not in it.

Worked out by hand, whatever the order: Ann's directory and contact consent are
withdrawn (2021 is later than 2020-12-01); Bob is "Director"; pr-da stays with
c2019 (the first cohort to state it), sponsored by Dan, handed over; Cat's history is
Essex Police 2018-01-15..2020-05-31, ECC 2020-06-01..2022-12-31, ICB
2023-01-01..open; every person has exactly one open employment.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import issue_key
from graph.model import (
    Cohort,
    Employment,
    KeyRole,
    Organisation,
    Person,
    Project,
    ProjectStatus,
    Sector,
)
from graph.store import GraphStore
from ingest.demo import write_demo
from ingest.pipeline import IngestReport, load_bundle
from ingest.write import write_bundle

from ..api.conftest import SETTINGS, api_for
from ..ingest.conftest import Tables, pid, sample_tables, survey_row
from .figures import record

Content = dict[str, list[dict[str, object]]]


def bundle_2021() -> Tables:
    return {
        "cohort": [
            {
                "cohort_id": "c2021",
                "name": "Leading Greater Essex 2021",
                "start_date": "2021-05-01",
            }
        ],
        "organisations": sample_tables()["organisations"],
        "people": [
            {
                "email": "ann@example.org",
                "name": "Ann Example",
                "organisation": "ECC",
                "employed_from": "2019-05-01",
                "consent_directory": "no",
                "consent_contact": "no",
            },
            {
                "email": "bob@example.org",
                "name": "Bob Example",
                "organisation": "Mid and South Essex ICB",
                "employed_from": "2019-05-01",
                "job_title": "Director",
            },
            {
                "email": "cat@example.org",
                "name": "Cat Example",
                "organisation": "Essex County Council",
                "employed_from": "2020-06-01",
            },
            {"email": "eve@example.org", "name": "Eve Example", "organisation": "Essex Police"},
        ],
        "members": [
            {"email": "ann@example.org", "role": "alumni_supporter"},
            {"email": "eve@example.org", "role": "participant"},
        ],
        "wicked_issues": sample_tables()["wicked_issues"],
        "projects": [
            {
                "project_id": "pr-da",
                "title": "Domestic abuse pathways",
                "issue_id": "domestic-abuse",
                "start_date": "2019-06-01",
                "status": "handed_over",
                "outcomes": "Pathways agreed with the refuges",
            }
        ],
        "survey": [survey_row("eve", "ann", "advice", "baseline", "2021-05-20")],
    }


def bundle_2023() -> Tables:
    return {
        "cohort": [
            {
                "cohort_id": "c2023",
                "name": "Leading Greater Essex 2023",
                "start_date": "2023-05-01",
            }
        ],
        "organisations": sample_tables()["organisations"],
        "people": [
            {
                "email": "cat@example.org",
                "name": "Cat Example",
                "organisation": "Mid and South Essex ICB",
                "employed_from": "2023-01-01",
                "job_title": "Chief Analyst",
            },
            {
                "email": "bob@example.org",
                "name": "Bob Example",
                "organisation": "Mid and South Essex ICB",
                "employed_from": "2019-05-01",
            },
        ],
        "members": [{"email": "cat@example.org", "role": "mentor"}],
    }


BUNDLES = {"2019": sample_tables, "2021": bundle_2021, "2023": bundle_2023}


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    return {name: write_bundle(make(), tmp_path / f"{name}.xlsx") for name, make in BUNDLES.items()}


@pytest.fixture
def api(store: GraphStore) -> Iterator[TestClient]:
    """The API on ``store``; the app's own store is put back before it shuts down, so
    the app closes that one, not the (session-wide Neo4j) store under test."""
    with TestClient(create_app(store_url="sqlite:///:memory:", settings=SETTINGS)) as client:
        assert isinstance(client.app, FastAPI)
        own = client.app.state.store
        try:
            yield api_for(client, store)
        finally:
            client.app.state.store = own


def loaded(report: IngestReport) -> IngestReport:
    assert report.errors == [], [str(e) for e in report.errors]
    return report


def content(store: GraphStore) -> Content:
    """What the graph says, without which run said it."""
    return {
        kind: [{k: v for k, v in r.items() if k != "run_id"} for r in records]
        for kind, records in store.dump().items()
    }


def history(store: GraphStore, name: str) -> list[tuple[str, date, date | None]]:
    spells = store.find(Employment, {"person_id": pid(name)}).data
    return sorted((e.organisation_id, e.start, e.end) for e in spells)


def consents(store: GraphStore, name: str) -> tuple[bool, bool, bool]:
    p = store.get(Person, pid(name))
    return (p.consent_directory, p.consent_contact, p.consent_analytics)


CAT_HISTORY = [
    ("essex-county-council", date(2020, 6, 1), date(2022, 12, 31)),
    ("essex-police", date(2018, 1, 15), date(2020, 5, 31)),
    ("mid-and-south-essex-icb", date(2023, 1, 1), None),
]


def assert_worked_out_by_hand(store: GraphStore) -> None:
    project = store.get(Project, "pr-da")
    assert (project.cohort_id, project.sponsor_id, project.status, project.outcomes) == (
        "c2019",
        pid("dan"),
        ProjectStatus.HANDED_OVER,
        "Pathways agreed with the refuges",
    )
    assert consents(store, "ann") == (False, False, True)
    assert store.get(Person, pid("bob")).job_title == "Director"
    assert history(store, "cat") == CAT_HISTORY
    assert history(store, "bob") == [("mid-and-south-essex-icb", date(2019, 5, 1), None)]
    for name in ("ann", "bob", "cat", "dan", "eve"):
        open_spells = [s for s in history(store, name) if s[2] is None]
        assert len(open_spells) == 1, name


def test_load_bundles_in_every_order_gives_one_graph(
    store: GraphStore, paths: dict[str, Path]
) -> None:
    graphs: dict[tuple[str, ...], Content] = {}
    for order in itertools.permutations(paths):
        _empty(store)
        for name in order:
            loaded(load_bundle(paths[name], store))
        assert_worked_out_by_hand(store)
        graphs[order] = content(store)
        for name in order:  # a second load of any bundle, whatever came between
            again = loaded(load_bundle(paths[name], store))
            assert (again.total("created"), again.total("updated")) == (0, 0), (order, name)
        assert content(store) == graphs[order]
    first = next(iter(graphs.values()))
    assert all(graph == first for graph in graphs.values())
    record("orders_tried", len(graphs))


def _empty(store: GraphStore) -> None:
    """Roll back every applied run, latest first: the store as it started."""
    for run in reversed(store.runs()):
        if run.status == "applied":
            store.rollback(run.id)
    assert all(not records for records in store.dump().values())


def test_reload_older_bundle_after_newer_changes_nothing(
    store: GraphStore, paths: dict[str, Path]
) -> None:
    loaded(load_bundle(paths["2019"], store))
    loaded(load_bundle(paths["2021"], store))
    before = content(store)
    again = loaded(load_bundle(paths["2019"], store))
    assert (again.total("created"), again.total("updated")) == (0, 0)
    assert content(store) == before
    assert consents(store, "ann") == (False, False, True)
    assert history(store, "cat") == [
        ("essex-county-council", date(2020, 6, 1), None),
        ("essex-police", date(2018, 1, 15), date(2020, 5, 31)),
    ]


def test_older_move_loaded_last_closes_the_spell_before_the_newer(
    store: GraphStore, paths: dict[str, Path]
) -> None:
    loaded(load_bundle(paths["2023"], store))
    loaded(load_bundle(paths["2021"], store))
    loaded(load_bundle(paths["2019"], store))
    assert history(store, "cat") == CAT_HISTORY


def test_service_consent_survives_an_older_bundle(
    store: GraphStore, paths: dict[str, Path], api: TestClient
) -> None:
    loaded(load_bundle(paths["2019"], store))
    secret, _ = issue_key(store, KeyRole.ALUMNI, pid("ann"))
    headers = {"Authorization": f"Bearer {secret}"}
    answer = api.patch(
        "/me/consent",
        json={"consent_contact": False, "consent_analytics": False},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    today = datetime.now(UTC).date().isoformat()
    body = answer.json()
    stamps = body.pop("stated_on")
    assert body == {
        "consent_directory": True,
        "consent_contact": False,
        "consent_analytics": False,
    }
    assert stamps["consent_directory"] == "2020-12-01"  # the bundle's as_of
    assert stamps["consent_contact"] == stamps["consent_analytics"]
    assert stamps["consent_contact"].startswith(today + "T")
    # the 2019 bundle (2020-12-01) gave contact consent and left analytics to its
    # default: neither comes back, loaded again or after the 2021 bundle
    loaded(load_bundle(paths["2019"], store))
    loaded(load_bundle(paths["2021"], store))
    loaded(load_bundle(paths["2019"], store))
    assert consents(store, "ann") == (False, False, False)
    assert api.get("/me", headers=headers).status_code == 200


def test_rolling_back_a_load_keeps_consent_withdrawn_after_it(
    store: GraphStore, paths: dict[str, Path], api: TestClient
) -> None:
    """Undoing the 2021 load gives Ann's 2019 directory and contact consent back (the
    load withdrew them), but not the analytics consent she withdrew after it."""
    loaded(load_bundle(paths["2019"], store))
    second = loaded(load_bundle(paths["2021"], store))
    secret, _ = issue_key(store, KeyRole.ALUMNI, pid("ann"))
    headers = {"Authorization": f"Bearer {secret}"}
    answer = api.patch("/me/consent", json={"consent_analytics": False}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert second.run_id is not None
    store.rollback(second.run_id)
    assert consents(store, "ann") == (True, True, False)


def test_patch_consent_refuses_a_team_key_and_unknown_fields(
    store: GraphStore, api: TestClient
) -> None:
    team, _ = issue_key(store, KeyRole.PROGRAMME)
    headers = {"Authorization": f"Bearer {team}"}
    refused = api.patch("/me/consent", json={"consent_contact": False}, headers=headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    unknown = api.patch("/me/consent", json={"consent_email": False}, headers=headers)
    assert unknown.status_code == 422


def test_consent_changed_during_a_bundles_day_outlasts_it_but_not_a_later_one(
    store: GraphStore, paths: dict[str, Path]
) -> None:
    """A bundle's day counts from its first moment; a change the day before yields."""
    from graph.facts import set_consent  # new with this rule: imported here, not above

    loaded(load_bundle(paths["2019"], store))  # as_of 2020-12-01: contact yes
    set_consent(
        store, pid("ann"), {"consent_contact": False}, datetime(2020, 11, 30, 12, tzinfo=UTC)
    )
    assert consents(store, "ann") == (True, True, True)  # older than the stored fact
    set_consent(store, pid("ann"), {"consent_contact": False}, datetime(2020, 12, 1, 9, tzinfo=UTC))
    assert consents(store, "ann") == (True, False, True)
    again = loaded(load_bundle(paths["2019"], store))
    assert (again.total("created"), again.total("updated")) == (0, 0)
    assert consents(store, "ann") == (True, False, True)
    loaded(load_bundle(paths["2021"], store))  # 2021-05-20: withdraws directory too
    assert consents(store, "ann") == (False, False, True)


def test_explicit_as_of_dates_the_facts_whatever_the_other_dates(
    store: GraphStore, paths: dict[str, Path], tmp_path: Path
) -> None:
    """A c2021 restatement dated 2022-01-01 by its as_of (its own latest date is the
    cohort start, 2021-05-01): it gives Ann's directory consent back over the 2021
    bundle (2021-05-20), in either order."""
    restated = bundle_2021()
    restated["cohort"][0]["as_of"] = "2022-01-01"
    restated["people"] = [
        {
            "email": "ann@example.org",
            "name": "Ann Example",
            "organisation": "ECC",
            "employed_from": "2019-05-01",
            "consent_directory": "yes",
        }
    ]
    for name in ("members", "survey"):
        del restated[name]
    late = write_bundle(restated, tmp_path / "as-of.json")
    loaded(load_bundle(paths["2019"], store))
    loaded(load_bundle(late, store))
    loaded(load_bundle(paths["2021"], store))
    one_way = content(store)
    assert consents(store, "ann") == (True, False, True)
    _empty(store)
    for path in (paths["2021"], late, paths["2019"]):
        loaded(load_bundle(path, store))
    assert content(store) == one_way
    record("orders_tried", 2)


def test_as_of_after_today_is_refused_with_its_place(store: GraphStore, tmp_path: Path) -> None:
    future = bundle_2021()
    future["cohort"][0]["as_of"] = "2999-01-01"
    report = load_bundle(write_bundle(future, tmp_path / "future.xlsx"), store)
    assert [(e.location.sheet, e.location.row, e.column) for e in report.errors] == [
        ("cohort", 2, "as_of")
    ]
    assert all(not records for records in store.dump().values())


def test_bundle_of_a_cohort_not_yet_started_is_dated_today_not_ahead(
    store: GraphStore, paths: dict[str, Path], tmp_path: Path
) -> None:
    """Every date of this bundle is ahead: its facts are dated today, so a consent
    withdrawn through the service a moment ago still stands."""
    from graph.facts import set_consent  # new with this rule: imported here, not above

    loaded(load_bundle(paths["2019"], store))
    set_consent(store, pid("ann"), {"consent_contact": False}, datetime.now(UTC))
    start = (datetime.now(UTC) + timedelta(days=100)).date().isoformat()
    ahead: Tables = {
        "cohort": [{"cohort_id": "c-next", "name": "Next cohort", "start_date": start}],
        "organisations": sample_tables()["organisations"],
        "people": [
            {
                "email": "ann@example.org",
                "name": "Ann Example",
                "organisation": "ECC",
                "consent_contact": "yes",
            }
        ],
        "members": [{"email": "ann@example.org", "role": "mentor"}],
    }
    loaded(load_bundle(write_bundle(ahead, tmp_path / "ahead.xlsx"), store))
    ann = store.get(Person, pid("ann"))
    assert ann.consent_contact is False
    assert ann.stated_on["name"] == datetime.now(UTC).date().isoformat()


DEMO_ORDERS = ((0, 1, 2, 3, 4, 5), (0, 1, 3, 5, 4, 2))
"""The demo's bundles as ``make demo`` loads them, and another order that names no
project or person before the bundle bringing it (a later cohort's handover names an
earlier cohort's project; a follow-up wave names its own cohort's people)."""


def test_demo_bundles_in_another_order_give_one_graph_and_reload_to_nothing(
    store: GraphStore, tmp_path: Path
) -> None:
    bundles = write_demo(tmp_path / "demo")
    graphs = []
    for order in DEMO_ORDERS:
        _empty(store)
        for i in order:
            loaded(load_bundle(bundles[i], store))
        graphs.append(content(store))
    record("orders_tried", len(DEMO_ORDERS))
    assert graphs[0] == graphs[1]
    for path in bundles:  # after everything: a second load of each changes nothing
        again = loaded(load_bundle(path, store))
        assert (again.total("created"), again.total("updated")) == (0, 0), path.name


def _cohort_restated(as_of: str, name: str, start: str, sector: str, area: str) -> Tables:
    """The 2019 sample with its cohort's name and start, and ECC's sector and area, as
    a bundle dated ``as_of`` states them."""
    tables = sample_tables()
    tables["cohort"][0] |= {"as_of": as_of, "name": name, "start_date": start}
    tables["organisations"][0] |= {"sector": sector, "area": area}
    return tables


def test_cohort_and_organisation_facts_are_the_latest_stated_whatever_the_order(
    store: GraphStore, tmp_path: Path
) -> None:
    """A corrected bundle (dated 2021-06-01) and the first one (2020-04-30) of one
    cohort, loaded in both orders and then each again: the cohort's name and start and
    ECC's sector and area are the corrected bundle's (worked by hand: the later as_of
    wins), the graph is the same, and every second load changes nothing."""
    paths = {
        "first": write_bundle(
            _cohort_restated("2020-04-30", "Old name", "2019-05-01", "health", "Tendring"),
            tmp_path / "first.xlsx",
        ),
        "corrected": write_bundle(
            _cohort_restated(
                "2021-06-01", "New name", "2019-06-04", "local_government", "Chelmsford"
            ),
            tmp_path / "corrected.xlsx",
        ),
    }
    graphs: list[Content] = []
    for order in (("first", "corrected"), ("corrected", "first")):
        _empty(store)
        for name in order:
            loaded(load_bundle(paths[name], store))
        cohort = store.get(Cohort, "c2019")
        assert (cohort.name, cohort.start_date) == ("New name", date(2019, 6, 4)), order
        ecc = store.get(Organisation, "essex-county-council")
        assert (ecc.sector, ecc.area) == (Sector.LOCAL_GOVERNMENT, "Chelmsford"), order
        for name in (*order, *order):
            again = loaded(load_bundle(paths[name], store))
            assert (again.total("created"), again.total("updated")) == (0, 0), (order, name)
        graphs.append(content(store))
    assert graphs[0] == graphs[1]
    record("orders_tried", len(graphs))
