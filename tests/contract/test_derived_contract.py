"""Cohort-peer and project ties derived from memberships when read, on every store.

A batch that names its groups (``Batch.derived``) leaves no tie rows for them, and
every read answers as if the ties were stored: worked out by hand from the sample
(``sample.py``): c2019 has ann, bob, cat, dan (6 pairs, from 2019-05-01); c2021 has
eve, fay (1 pair, from 2021-05-01); pr-da has ann, bob, cat and its sponsor dan
(6 pairs, from 2019-06-01). With the mentoring tie and 5 survey ties: 19 ties.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from graph.model import (
    Cohort,
    Employment,
    IngestRun,
    Membership,
    Person,
    ProjectMember,
    Role,
    Tie,
    TieKind,
)
from graph.sqlite_store import SqliteStore
from graph.sqlite_store_tx import SqliteTx
from graph.store import Batch, GraphStore

from .sample import programme
from .transactions import in_tx

PEERS_2019 = {("ann", "bob"), ("ann", "cat"), ("ann", "dan"), ("bob", "cat")}
PEERS_2019 |= {("bob", "dan"), ("cat", "dan")}
PROJECT = PEERS_2019  # ann, bob, cat and their sponsor dan: the same four people
GROUPS = [
    (TieKind.COHORT_PEER, "c2019"),
    (TieKind.COHORT_PEER, "c2021"),
    (TieKind.PROJECT, "pr-da"),
]
GROUP_KEYS = ["cohort_peer|c2019", "cohort_peer|c2021", "project|pr-da"]


def run(run_id: str, day: int) -> IngestRun:
    return IngestRun(
        id=run_id,
        file_name=f"{run_id}.xlsx",
        sha256="0" * 64,
        started_at=datetime(2024, 1, day, tzinfo=UTC),
    )


def derived_programme() -> Batch:
    """The sample with its hand-made project rows replaced by the three groups."""
    batch = programme()
    rows = [t for t in batch.ties if t.tie_kind is not TieKind.PROJECT]
    return replace(batch, ties=rows, derived=list(GROUPS))


def stored_rows(store: GraphStore) -> list[Tie]:
    """The tie rows the store keeps for the sample's groups (not what reads answer)."""
    if isinstance(store, SqliteStore):
        with store._lock:
            return SqliteTx(store._conn).group_tie_rows(GROUP_KEYS)
    return store._read(lambda tx: tx.group_tie_rows(GROUP_KEYS))  # type: ignore[attr-defined, no-any-return]


def pairs(ties: list[Tie], kind: TieKind) -> set[tuple[str, str]]:
    return {(t.source_id, t.target_id) for t in ties if t.tie_kind is kind}


def test_apply_derived_groups_stores_no_rows_and_counts_ties_as_created(
    store: GraphStore,
) -> None:
    first = store.apply(derived_programme(), run("run-1", 1))
    assert vars(first.counts["tie"]) == {"created": 19, "updated": 0, "unchanged": 0, "deleted": 0}
    assert stored_rows(store) == []
    again = store.apply(derived_programme(), run("run-2", 2))
    assert (again.created, again.updated) == (0, 0)
    assert again.counts["tie"].unchanged == 19
    assert store.counts()["tie"] == 19
    assert len(store.dump()["tie"]) == 19


def test_counts_take_a_sponsor_in_the_team_as_one_member(store: GraphStore) -> None:
    """Worked by hand: pr-da's team is ann, bob and cat; with ann as its sponsor too the
    group is three people, 3 pairs not 6, and dan's 3 project ties go: 19 - 3 = 16.
    Each store counts where it keeps the groups, without reading them out."""
    batch = derived_programme()
    (project,) = batch.projects
    assert project.id == "pr-da" and project.sponsor_id == "dan"
    moved = project.model_copy(update={"sponsor_id": "ann"})
    store.apply(replace(batch, projects=[moved]), run("run-1", 1))
    ties = store.dump()["tie"]
    project_pairs = {(t["source_id"], t["target_id"]) for t in ties if t["tie_kind"] == "project"}
    assert project_pairs == {("ann", "bob"), ("ann", "cat"), ("bob", "cat")}
    assert store.counts()["tie"] == 16 == len(ties)


def test_reads_answer_derived_ties_with_their_group_dates(store: GraphStore) -> None:
    store.apply(derived_programme(), run("run-1", 1))
    dans = store.ties_of(["dan"], [TieKind.PROJECT, TieKind.COHORT_PEER])
    assert {(t.tie_kind, t.source_id, t.target_id, t.start, t.context) for t in dans} == {
        *((TieKind.PROJECT, p, "dan", date(2019, 6, 1), "pr-da") for p in ("ann", "bob", "cat")),
        *(
            (TieKind.COHORT_PEER, p, "dan", date(2019, 5, 1), "c2019")
            for p in ("ann", "bob", "cat")
        ),
    }
    assert [t.key for t in dans] == sorted(t.key for t in dans)
    among = store.ties_among(["ann", "bob", "eve", "fay"], [TieKind.COHORT_PEER])
    assert pairs(among, TieKind.COHORT_PEER) == {("ann", "bob"), ("eve", "fay")}
    ends = store.tie_ends([TieKind.COHORT_PEER, TieKind.PROJECT])
    assert set(zip(*ends[TieKind.PROJECT], strict=True)) == PROJECT
    assert set(zip(*ends[TieKind.COHORT_PEER], strict=True)) == PEERS_2019 | {("eve", "fay")}


def test_snapshot_counts_derived_ties_from_their_start(store: GraphStore) -> None:
    store.apply(derived_programme(), run("run-1", 1))
    kinds = [TieKind.COHORT_PEER, TieKind.PROJECT]
    before_project = store.snapshot(date(2019, 5, 15), kinds=kinds)
    assert {tuple(sorted(e)) for e in before_project.edges} == PEERS_2019
    assert {d["kinds"] for _, _, d in before_project.edges(data=True)} == {("cohort_peer",)}
    later = store.snapshot(date(2019, 7, 1), kinds=[TieKind.PROJECT])
    assert {tuple(sorted(e)) for e in later.edges} == PROJECT


def test_erase_person_takes_their_derived_ties(store: GraphStore) -> None:
    store.apply(derived_programme(), run("run-1", 1))
    store.erase_person("bob", actor="admin")
    # bob's 3 cohort peers, 3 project ties and 2 survey ties (ann->bob, bob->cat) go.
    assert store.counts()["tie"] == 19 - 8
    assert not [t for t in store.export_records().records["tie"] if "bob" in t.person_ids()]
    assert store.ties_of(["ann"], [TieKind.PROJECT]) == [
        Tie(
            source_id=a,
            target_id=b,
            tie_kind=TieKind.PROJECT,
            start=date(2019, 6, 1),
            context="pr-da",
            run_id="run-1",
        )
        for a, b in [("ann", "cat"), ("ann", "dan")]
    ]


def _gus() -> Batch:
    gus = Person(id="gus", email="gus@example.org", name="Gus Example")
    return Batch(
        people=[gus],
        employments=[Employment(person_id="gus", organisation_id="ecc", start=date(2021, 5, 1))],
        memberships=[Membership(person_id="gus", cohort_id="c2021", role=Role.PARTICIPANT)],
        derived=[(TieKind.COHORT_PEER, "c2021")],
    )


def test_rollback_of_a_new_member_removes_and_counts_their_derived_ties(
    store: GraphStore,
) -> None:
    store.apply(derived_programme(), run("run-1", 1))
    before = store.export_records().records["tie"]
    added = store.apply(_gus(), run("run-2", 2))
    assert vars(added.counts["tie"]) == {"created": 2, "updated": 0, "unchanged": 1, "deleted": 0}
    assert pairs(store.ties_of(["gus"]), TieKind.COHORT_PEER) == {("eve", "gus"), ("fay", "gus")}
    undone = store.rollback("run-2")
    assert undone.counts["tie"].deleted == 2
    assert store.export_records().records["tie"] == before


def test_cohort_start_moved_updates_derived_ties_and_rollback_restores_it(
    store: GraphStore,
) -> None:
    store.apply(derived_programme(), run("run-1", 1))
    moved = Cohort(id="c2021", name="Leading Greater Essex 2021", start_date=date(2021, 4, 1))
    report = store.apply(Batch(cohorts=[moved], derived=[GROUPS[1]]), run("run-2", 2))
    assert (report.counts["tie"].created, report.counts["tie"].updated) == (0, 1)
    [tie] = store.ties_of(["eve"], [TieKind.COHORT_PEER])
    assert (tie.start, tie.run_id) == (date(2021, 4, 1), "run-2")
    undone = store.rollback("run-2")
    assert undone.counts["tie"].updated == 1
    [tie] = store.ties_of(["eve"], [TieKind.COHORT_PEER])
    assert tie.start == date(2021, 5, 1)


def test_plan_counts_derived_ties_and_writes_nothing(store: GraphStore) -> None:
    store.apply(derived_programme(), run("run-1", 1))
    before = store.dump()
    planned = store.plan(_gus())
    assert (planned.counts["tie"].created, planned.counts["tie"].unchanged) == (2, 1)
    assert store.dump() == before


def test_groups_stored_as_rows_move_to_derived_on_the_next_load_unchanged(
    store: GraphStore,
) -> None:
    """A store written before ties were derived holds them as rows: it answers the same
    before and after the load that marks the groups, and keeps no rows after."""
    from graph.derived import Group

    old = derived_programme()
    sample = {
        "c2019": Group(
            TieKind.COHORT_PEER, "c2019", date(2019, 5, 1), ("ann", "bob", "cat", "dan")
        ),
        "c2021": Group(TieKind.COHORT_PEER, "c2021", date(2021, 5, 1), ("eve", "fay")),
        "pr-da": Group(TieKind.PROJECT, "pr-da", date(2019, 6, 1), ("ann", "bob", "cat", "dan")),
    }
    rows = [t for g in sample.values() for t in g.ties()]
    store.apply(replace(old, ties=[*old.ties, *rows], derived=[]), run("run-1", 1))
    assert len(stored_rows(store)) == 13

    def answers() -> object:
        ties = store.export_records().records["tie"]
        return sorted((t.key, t.model_dump(mode="json", exclude={"run_id"})) for t in ties)

    before = answers()
    moved = store.apply(derived_programme(), run("run-2", 2))
    assert (moved.created, moved.updated) == (0, 0)
    assert moved.counts["tie"].unchanged == 19
    assert stored_rows(store) == []
    assert answers() == before


def test_export_of_derived_ties_imports_as_derived_groups_answering_the_same(
    store: GraphStore,
) -> None:
    """A backup holds derived ties as the tie records they mean; importing it marks the
    groups again (no rows), and the hand-made rows it also holds stay rows."""
    store.apply(derived_programme(), run("run-1", 1))
    store.apply(_gus(), run("run-2", 2))
    exported = store.export_records()
    assert len(exported.records["tie"]) == 19 + 2
    store.import_records(exported, replace=True)
    assert stored_rows(store) == []
    assert store.export_records().records["tie"] == exported.records["tie"]
    undone = store.rollback("run-2")
    assert undone.counts["tie"].deleted == 2
    assert store.counts()["tie"] == 19


def test_import_keeps_rows_that_are_not_what_memberships_derive(store: GraphStore) -> None:
    """The sample's hand-made project rows leave out the sponsor: they stay rows."""
    batch = programme()
    store.apply(batch, run("run-1", 1))
    store.import_records(store.export_records(), replace=True)
    assert len(stored_rows(store)) == 3
    assert pairs(store.ties_of(["dan"], [TieKind.PROJECT]), TieKind.PROJECT) == set()


def test_get_tie_by_key_finds_a_derived_tie(store: GraphStore) -> None:
    store.apply(derived_programme(), run("run-1", 1))
    tie = store.get(Tie, "project|pr-da|bob|dan")
    assert (tie.tie_kind, tie.start, tie.run_id) == (TieKind.PROJECT, date(2019, 6, 1), "run-1")
    found = store.get_many(Tie, ["cohort_peer|c2019|ann|bob", "cohort_peer|c2019|ann|eve"])
    assert list(found) == ["cohort_peer|c2019|ann|bob"]


def test_members_of_groups_in_one_read_as_worked_by_hand(store: GraphStore) -> None:
    """What a load counts a group's size by (``ingest.validate_ties``): c2019 has ann,
    bob, cat and dan (a sponsor of the cohort is its member); pr-da's members proper are
    ann, bob and cat, its sponsor dan not among them; c2021 has eve and fay; a cohort or
    project not stored is left out."""
    store.apply(programme())
    cohorts = store.members_of(TieKind.COHORT_PEER, ["c2019", "c2021", "c1999"])
    assert cohorts == {"c2019": {"ann", "bob", "cat", "dan"}, "c2021": {"eve", "fay"}}
    projects = store.members_of(TieKind.PROJECT, ["pr-da", "pr-none"])
    assert projects == {"pr-da": {"ann", "bob", "cat"}}
    assert store.members_of(TieKind.PROJECT, []) == {}


def test_a_load_reads_each_group_and_record_once_and_counts_as_by_hand(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch only adds members, so a write reads its groups once and lays the batch
    over them (issue 15): no group's members and no record are read twice in one load.

    Counted by hand: gus joins c2021 (eve, fay: 2 ties created, eve-fay unchanged) and
    pr-da (ann, bob, cat, sponsor dan: 4 created, 6 unchanged); c2019's 6 ties and the
    6 rows (mentoring, 5 survey) are restated unchanged."""
    store.apply(derived_programme(), run("run-1", 1))
    batch = derived_programme()
    gus = _gus()
    batch = replace(
        batch,
        people=[*batch.people, *gus.people],
        employments=[*batch.employments, *gus.employments],
        memberships=[*batch.memberships, *gus.memberships],
        project_members=[
            *batch.project_members,
            ProjectMember(project_id="pr-da", person_id="gus"),
        ],
    )
    tx_type = type(in_tx(store, lambda tx: tx))
    reads: Counter[tuple[str, str]] = Counter()
    fetch, members_of = tx_type.fetch, tx_type.members_of

    def counted_fetch(tx: Any, model: Any, keys: Any) -> Any:
        reads.update((model.kind, k) for k in keys)
        return fetch(tx, model, keys)

    def counted_members(tx: Any, kind: TieKind, contexts: Any) -> Any:
        reads.update((f"members of {kind.value}", c) for c in contexts)
        return members_of(tx, kind, contexts)

    monkeypatch.setattr(tx_type, "fetch", counted_fetch)
    monkeypatch.setattr(tx_type, "members_of", counted_members)
    report = store.apply(batch, run("run-2", 2))
    monkeypatch.undo()

    assert {key for key, n in reads.items() if n > 1} == set()
    assert {c for kind, c in reads if kind.startswith("members of")} == {"c2019", "c2021", "pr-da"}
    assert vars(report.counts["tie"]) == {"created": 6, "updated": 0, "unchanged": 19, "deleted": 0}
    assert pairs(store.ties_of(["gus"]), TieKind.PROJECT) == {
        ("ann", "gus"),
        ("bob", "gus"),
        ("cat", "gus"),
        ("dan", "gus"),
    }
