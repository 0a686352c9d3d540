"""The contract every store keeps: same tests, same expected answers, both stores.

Expected values are worked out by hand from tests/contract/sample.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import networkx as nx
import pytest

from graph.errors import Conflict, Invalid, NotFound
from graph.model import (
    ApiKey,
    Employment,
    IngestRun,
    KeyRole,
    Organisation,
    Person,
    Project,
    Sector,
    Tie,
    TieKind,
    Wave,
)
from graph.store import Batch, GraphStore, Page, PersonQuery

from .sample import programme


def run(run_id: str) -> IngestRun:
    return IngestRun(
        id=run_id,
        file_name=f"{run_id}.xlsx",
        sha256="0" * 64,
        started_at=datetime(2024, 1, int(run_id[-1]), tzinfo=UTC),
    )


def edges(graph: nx.Graph) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(*sorted((u, v)), d["kinds"]) for u, v, d in graph.edges(data=True)}  # type: ignore[misc]


def names(people: list[Person]) -> list[str]:
    return [p.name.split()[0] for p in people]


def graph_counts(store: GraphStore) -> dict[str, int]:
    return {k: v for k, v in store.counts().items() if k not in {"ambition"}}


# -- writing -----------------------------------------------------------------


def test_apply_batch_twice_changes_nothing(store: GraphStore) -> None:
    first = store.apply(programme(), run("run-1"))
    before = store.dump()
    second = store.apply(programme(), run("run-2"))
    assert (first.created, first.updated) == (6 + 3 + 2 + 1 + 6 + 7 + 1 + 3 + 1 + 9, 0)
    assert (second.created, second.updated) == (0, 0)
    assert second.counts["person"].unchanged == 6
    assert store.dump() == before


def test_apply_batch_with_invalid_second_half_writes_nothing(store: GraphStore) -> None:
    batch = programme()
    batch.ties.append(
        Tie(
            source_id="ann",
            target_id="zed",
            tie_kind=TieKind.ADVICE,
            start=date(2020, 1, 1),
            wave=Wave.END,
        )
    )
    with pytest.raises(Invalid):
        store.apply(batch, run("run-1"))
    assert all(count == 0 for count in graph_counts(store).values())
    assert store.runs() == []


@pytest.mark.parametrize(
    ("mutate", "record", "field"),
    [
        (
            lambda b: b.employments.append(
                Employment(person_id="ann", organisation_id="nowhere", start=date(2019, 1, 1))
            ),
            "employment ann|nowhere|2019-01-01",
            "organisation_id",
        ),
        (
            lambda b: b.ties.append(
                Tie(
                    source_id="zed",
                    target_id="ann",
                    tie_kind=TieKind.MENTORING,
                    start=date(2020, 1, 1),
                )
            ),
            "tie mentoring||zed|ann|2020-01-01",
            "source_id",
        ),
        (
            lambda b: b.ties.append(
                Tie(
                    source_id="dan",
                    target_id="ann",
                    tie_kind=TieKind.MENTORING,
                    start=date(2020, 1, 1),
                    end=date(2019, 1, 1),
                )
            ),
            "tie mentoring||dan|ann|2020-01-01",
            "end",
        ),
        (
            lambda b: b.projects.append(
                Project(
                    id="late",
                    title="x",
                    cohort_id="c2019",
                    start_date=date(2020, 1, 1),
                    due_date=date(2019, 1, 1),
                )
            ),
            "project late",
            "due_date",
        ),
    ],
    ids=["unknown-organisation", "tie-to-missing-person", "tie-ends-first", "due-before-start"],
)
def test_apply_bad_record_raises_domain_error_naming_record_and_field(
    store: GraphStore, mutate: object, record: str, field: str
) -> None:
    batch = programme()
    mutate(batch)  # type: ignore[operator]
    with pytest.raises(Invalid) as caught:
        store.apply(batch)
    assert [(p.record, p.field) for p in caught.value.problems] == [(record, field)]
    assert graph_counts(store)["person"] == 0


def test_apply_collects_every_problem_not_just_the_first(store: GraphStore) -> None:
    batch = programme()
    batch.employments.append(
        Employment(person_id="ghost", organisation_id="nowhere", start=date(2019, 1, 1))
    )
    with pytest.raises(Invalid) as caught:
        store.apply(batch)
    assert {p.field for p in caught.value.problems} == {"person_id", "organisation_id"}


def test_apply_new_employer_closes_old_employment_and_keeps_history(store: GraphStore) -> None:
    store.apply(programme(), run("run-1"))
    move = Batch(
        employments=[
            Employment(person_id="ann", organisation_id="essex-police", start=date(2022, 1, 1))
        ]
    )
    report = store.apply(move, run("run-2"))
    assert (report.counts["employment"].created, report.counts["employment"].updated) == (1, 1)
    history = store.find(Employment, {"person_id": "ann"}).data
    assert [(e.organisation_id, e.start, e.end) for e in history] == [
        ("ecc", date(2019, 5, 1), date(2021, 12, 31)),
        ("essex-police", date(2022, 1, 1), None),
    ]
    assert store.snapshot(date(2022, 2, 1)).nodes["ann"]["organisation"] == "Essex Police"
    assert store.snapshot(date(2021, 2, 1)).nodes["ann"]["organisation"] == "Essex County Council"


def test_apply_same_employer_again_is_not_a_job_move(store: GraphStore) -> None:
    store.apply(programme())
    again = Batch(
        employments=[Employment(person_id="ann", organisation_id="ecc", start=date(2021, 5, 1))]
    )
    report = store.apply(again)
    # The spec's history is every stated (organisation, from) pair: the restated pair
    # is remembered on the one spell (so that an older move loaded later still splits
    # it the same way), which is an update, but no new spell.
    assert (report.created, report.updated) == (0, 1)
    [spell] = store.find(Employment, {"person_id": "ann"}).data
    assert (spell.start, spell.end, spell.restated) == (date(2019, 5, 1), None, (date(2021, 5, 1),))
    assert (store.apply(again).created, store.apply(again).updated) == (0, 0)


def test_apply_stamps_records_with_the_run_that_last_asserted_them(store: GraphStore) -> None:
    store.apply(programme(), run("run-1"))
    renamed = replace(
        Batch(),
        people=[store.get(Person, "bob").model_copy(update={"job_title": "Director"})],
    )
    store.apply(renamed, run("run-2"))
    assert store.get(Person, "ann").run_id == "run-1"
    assert store.get(Person, "bob").run_id == "run-2"
    assert [(r.id, r.counts["person"]["updated"]) for r in store.runs()] == [
        ("run-1", 0),
        ("run-2", 1),
    ]


def test_plan_reports_changes_and_writes_nothing(store: GraphStore) -> None:
    report = store.plan(programme())
    assert report.counts["person"].created == 6
    assert graph_counts(store)["person"] == 0


# -- rollback ----------------------------------------------------------------


def test_rollback_latest_run_restores_previous_content_exactly(store: GraphStore) -> None:
    store.apply(programme(), run("run-1"))
    before = store.dump()
    later = Batch(
        organisations=[Organisation(id="uoe", name="University of Essex", sector=Sector.EDUCATION)],
        people=[store.get(Person, "bob").model_copy(update={"job_title": "Director"})],
        employments=[Employment(person_id="ann", organisation_id="uoe", start=date(2022, 1, 1))],
    )
    store.apply(later, run("run-2"))
    assert store.dump() != before
    store.rollback("run-2")
    assert store.dump() == before
    assert [r.status for r in store.runs()] == ["applied", "rolled_back"]


def test_rollback_of_earlier_run_is_refused_while_a_later_one_stands(store: GraphStore) -> None:
    store.apply(programme(), run("run-1"))
    store.apply(
        Batch(people=[store.get(Person, "bob").model_copy(update={"name": "Rob"})]), run("run-2")
    )
    with pytest.raises(Conflict):
        store.rollback("run-1")
    with pytest.raises(NotFound):
        store.rollback("run-9")


def test_rollback_first_run_empties_the_store(store: GraphStore) -> None:
    store.apply(programme(), run("run-1"))
    store.rollback("run-1")
    assert all(v == 0 for k, v in graph_counts(store).items() if k != "ingest_run")


# -- reading -----------------------------------------------------------------


def test_get_returns_the_record_written(store: GraphStore) -> None:
    batch = programme()
    store.apply(batch)
    assert store.get(Person, "ann") == batch.people[0]
    assert store.person_by_email("  ANN@example.org ") == batch.people[0]
    with pytest.raises(NotFound):
        store.get(Person, "nobody")


def test_find_filters_by_field_and_paginates(store: GraphStore) -> None:
    store.apply(programme())
    page = store.find(Employment, {"organisation_id": "essex-police"}, Page(limit=2, offset=1))
    assert page.count == 3
    assert [e.person_id for e in page.data] == ["dan", "fay"]
    assert store.find(Employment, {"end": None}).count == 6
    with pytest.raises(Invalid):
        store.find(Employment, {"no_such_field": "x"})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (PersonQuery(text="loneliness"), ["Ann", "Fay"]),
        (PersonQuery(text="HEAD data"), ["Bob"]),
        (PersonQuery(organisation_id="essex-police"), ["Cat", "Dan", "Fay"]),
        (PersonQuery(sector=Sector.HEALTH), ["Bob", "Eve"]),
        (PersonQuery(cohort_id="c2021"), ["Eve", "Fay"]),
        (PersonQuery(issue_id="domestic-abuse"), ["Ann", "Bob", "Cat", "Dan"]),
        (PersonQuery(area=" tendring"), ["Ann", "Bob"]),
        (PersonQuery(ids=["fay", "ann", "zed"]), ["Ann", "Fay"]),
        (PersonQuery(cohort_id="c2019", sector=Sector.POLICE), ["Cat", "Dan"]),
        (PersonQuery(text="nobody-matches"), []),
    ],
)
def test_search_people_applies_every_filter(
    store: GraphStore, query: PersonQuery, expected: list[str]
) -> None:
    store.apply(programme())
    result = store.search_people(query)
    assert (names(result.data), result.count) == (expected, len(expected))


def test_search_people_paginates_in_name_order(store: GraphStore) -> None:
    store.apply(programme())
    result = store.search_people(PersonQuery(), Page(limit=2, offset=1))
    assert (names(result.data), result.count) == (["Bob", "Cat"], 6)


def test_ties_of_returns_ties_in_either_direction(store: GraphStore) -> None:
    store.apply(programme())
    ties = store.ties_of(["dan"])
    assert {(t.source_id, t.target_id, t.tie_kind) for t in ties} == {
        ("cat", "dan", TieKind.ADVICE),
        ("dan", "fay", TieKind.MENTORING),
    }
    assert store.ties_of(["dan"], kinds=[TieKind.MENTORING])[0].target_id == "fay"


def test_counts_count_every_kind(store: GraphStore) -> None:
    store.apply(programme(), run("run-1"))
    assert store.counts() == {
        "organisation": 3, "person": 6, "cohort": 2, "wicked_issue": 1, "membership": 6,
        "employment": 7, "project": 1, "project_member": 3, "handover": 1, "tie": 9,
        "assessment": 0, "area": 0, "ambition": 7, "ingest_run": 1, "erasure": 0, "api_key": 0,
    }  # fmt: skip


# -- snapshots (expected values worked out in sample.py's table) --------------


def test_snapshot_as_of_date_keeps_active_ties_of_default_kinds(store: GraphStore) -> None:
    store.apply(programme())
    graph = store.snapshot(date(2020, 1, 1))
    assert set(graph.nodes) == {"ann", "bob", "cat", "dan"}
    assert edges(graph) == {
        ("ann", "bob", ("advice", "project")),
        ("ann", "cat", ("project",)),
        ("bob", "cat", ("knew_before", "project")),
    }
    assert {n: (d["organisation"], d["sector"]) for n, d in graph.nodes(data=True)} == {
        "ann": ("Essex County Council", "local_government"),
        "bob": ("Mid and South Essex ICB", "health"),
        "cat": ("Essex County Council", "local_government"),
        "dan": ("Essex Police", "police"),
    }


def test_snapshot_later_adds_started_cohort_and_drops_refusers(store: GraphStore) -> None:
    store.apply(programme())
    graph = store.snapshot(date(2021, 7, 1))
    assert set(graph.nodes) == {"ann", "bob", "cat", "dan", "fay"}  # eve refused analytics
    assert graph.nodes["cat"]["organisation"] == "Essex Police"  # moved 2020-06-01
    assert {tuple(sorted(e)) for e in graph.edges} == {
        ("ann", "bob"), ("ann", "cat"), ("bob", "cat"), ("cat", "dan"), ("dan", "fay"),
    }  # fmt: skip


def test_snapshot_ends_ties_on_their_end_date(store: GraphStore) -> None:
    store.apply(programme())
    assert store.snapshot(date(2022, 5, 31)).has_edge("dan", "fay")
    assert not store.snapshot(date(2022, 6, 1)).has_edge("dan", "fay")


def test_snapshot_with_chosen_kinds_uses_only_those(store: GraphStore) -> None:
    store.apply(programme())
    graph = store.snapshot(date(2021, 7, 1), kinds=[TieKind.WANT_TO_MEET, TieKind.COHORT_PEER])
    assert edges(graph) == {("ann", "fay", ("want_to_meet",))}


def test_wave_snapshot_uses_that_waves_answers_and_ties_active_then(store: GraphStore) -> None:
    store.apply(programme())
    end = store.wave_snapshot("c2019", Wave.END)
    assert end.graph["as_of"] == date(2020, 4, 20)
    assert edges(end) == {
        ("ann", "bob", ("project",)),
        ("ann", "cat", ("collaboration", "project")),
        ("bob", "cat", ("project",)),
        ("cat", "dan", ("advice",)),
    }
    baseline = store.wave_snapshot("c2019", Wave.BASELINE)
    assert edges(baseline) == {("ann", "bob", ("advice",)), ("bob", "cat", ("knew_before",))}
    with pytest.raises(NotFound):
        store.wave_snapshot("c2019", Wave.FOLLOW_UP)


# -- erasure -------------------------------------------------------------------


def _values(obj: object) -> set[str]:
    if isinstance(obj, dict):
        return set().union(*(_values(v) for v in obj.values())) if obj else set()
    if isinstance(obj, list | tuple):
        return set().union(*(_values(v) for v in obj)) if obj else set()
    return {str(obj)}


def test_erase_person_removes_every_trace_but_the_audit(store: GraphStore) -> None:
    store.apply(programme(), run("run-1"))
    erasure = store.erase_person("cat", actor="admin-key-1")
    dump = store.dump()
    values = set().union(*(_values(records) for records in dump.values()))
    assert not {"cat", "cat@example.org", "Cat Example"} & values
    assert store.counts()["tie"] == 9 - 5
    assert store.erasures() == [erasure]
    assert set(erasure.model_dump()) == {"run_id", "person_id", "erased_at", "actor"}
    assert store.search_people(PersonQuery(text="cat")).count == 0
    assert "cat" not in store.snapshot(date(2021, 7, 1))


def test_erase_sponsor_clears_the_projects_sponsor(store: GraphStore) -> None:
    store.apply(programme())
    store.erase_person("dan", actor="admin")
    assert store.get(Project, "pr-da").sponsor_id is None
    with pytest.raises(NotFound):
        store.erase_person("dan", actor="admin")


# -- the two stores agree --------------------------------------------------------


def test_both_stores_hold_the_same_content_and_snapshots(both_stores: list[GraphStore]) -> None:
    for each in both_stores:
        each.apply(programme(), run("run-1"))
    sqlite, neo4j = both_stores
    assert sqlite.dump() == neo4j.dump()
    for day in (date(2019, 6, 1), date(2020, 7, 1), date(2021, 7, 1)):
        a, b = sqlite.snapshot(day), neo4j.snapshot(day)
        assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
        assert edges(a) == edges(b)


# -- API keys --------------------------------------------------------------------


def _key(key_id: str, person_id: str | None = None) -> ApiKey:
    role = KeyRole.ALUMNI if person_id else KeyRole.ADMIN
    return ApiKey(id=key_id, secret_sha256=key_id * 8, role=role, person_id=person_id,
                  created_at=datetime(2024, 1, 1, tzinfo=UTC))  # fmt: skip


def test_keys_are_found_by_hash_and_revoked(store: GraphStore) -> None:
    store.apply(programme())
    store.save_key(_key("k1", "ann"))
    store.save_key(_key("k2"))
    assert store.key_by_hash("k1" * 8).person_id == "ann"
    revoked = store.revoke_key("k2", datetime(2024, 2, 1, tzinfo=UTC))
    assert store.key_by_hash("k2" * 8) == revoked
    assert revoked.revoked_at == datetime(2024, 2, 1, tzinfo=UTC)
    assert [k.id for k in store.keys()] == ["k1", "k2"]
    with pytest.raises(NotFound):
        store.key_by_hash("nope")
    with pytest.raises(NotFound):
        store.revoke_key("k9", datetime(2024, 2, 1, tzinfo=UTC))


def test_erase_person_removes_their_keys(store: GraphStore) -> None:
    store.apply(programme())
    store.save_key(_key("k1", "ann"))
    store.erase_person("ann", actor="k2")
    assert store.keys() == []
