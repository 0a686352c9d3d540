"""graph.derived: the co-membership ties of a group, worked out by hand."""

from __future__ import annotations

from datetime import date

from graph.derived import (
    Group,
    derived_ends,
    derived_ends_touching,
    derived_ties,
    groups_from_rows,
    ties_by_key,
)
from graph.model import Tie, TieKind

C = Group(TieKind.COHORT_PEER, "c1", date(2019, 5, 1), ("a", "b", "c"), "run-1")
P = Group(TieKind.PROJECT, "p1", date(2019, 6, 1), ("b", "d"), "run-2")


def test_groups_from_rows_collects_members_once_and_skips_no_sponsor() -> None:
    rows = [
        ("project", "p1", "2019-06-01", "run-2", "d"),
        ("cohort_peer", "c1", date(2019, 5, 1), "run-1", "b"),
        ("project", "p1", "2019-06-01", "run-2", None),
        ("cohort_peer", "c1", date(2019, 5, 1), "run-1", "a"),
        ("cohort_peer", "c1", date(2019, 5, 1), "run-1", "c"),
        ("cohort_peer", "c1", date(2019, 5, 1), "run-1", "a"),
        ("project", "p1", "2019-06-01", "run-2", "b"),
    ]
    assert groups_from_rows(rows) == [C, P]


def test_derived_ties_filter_by_kind_touching_and_among() -> None:
    def ends(ties: list[Tie]) -> set[tuple[str, str, str]]:
        return {(t.tie_kind.value, t.source_id, t.target_id) for t in ties}

    everything = {("cohort_peer", "a", "b"), ("cohort_peer", "a", "c"), ("cohort_peer", "b", "c")}
    assert ends(derived_ties([C, P])) == everything | {("project", "b", "d")}
    assert ends(derived_ties([C, P], [TieKind.PROJECT])) == {("project", "b", "d")}
    assert ends(derived_ties([C, P], touching=["c"])) == {
        ("cohort_peer", "a", "c"),
        ("cohort_peer", "b", "c"),
    }
    assert ends(derived_ties([C, P], among=["a", "c", "d"])) == {("cohort_peer", "a", "c")}
    [tie] = derived_ties([P])
    assert (tie.key, tie.start, tie.context, tie.run_id) == (
        "project|p1|b|d",
        date(2019, 6, 1),
        "p1",
        "run-2",
    )


def test_derived_ends_only_of_groups_started_by_the_day() -> None:
    kinds = [TieKind.COHORT_PEER, TieKind.PROJECT]
    assert set(derived_ends([C, P], kinds, date(2019, 5, 31))) == {
        ("a", "b", TieKind.COHORT_PEER),
        ("a", "c", TieKind.COHORT_PEER),
        ("b", "c", TieKind.COHORT_PEER),
    }
    assert len(list(derived_ends([C, P], kinds, date(2019, 6, 1)))) == 4


def test_derived_ends_touching_lists_each_pair_with_a_near_end_once() -> None:
    four = Group(TieKind.COHORT_PEER, "c4", date(2019, 5, 1), ("a", "b", "c", "d"))
    kinds = [TieKind.COHORT_PEER, TieKind.PROJECT]
    # by hand: of the six pairs of a..d, all but b-d have a or c at one end
    found = list(derived_ends_touching([four, P], kinds, ["c", "a", "x"]))
    assert sorted(found) == [
        ("a", "b", TieKind.COHORT_PEER),
        ("a", "c", TieKind.COHORT_PEER),
        ("a", "d", TieKind.COHORT_PEER),
        ("b", "c", TieKind.COHORT_PEER),
        ("c", "d", TieKind.COHORT_PEER),
    ]
    assert list(derived_ends_touching([four, P], [TieKind.PROJECT], ["d"])) == [
        ("b", "d", TieKind.PROJECT)
    ]


def test_ties_by_key_finds_derived_keys_only() -> None:
    found = ties_by_key(
        ["cohort_peer|c1|a|c", "project|p1|b|d", "advice|c1|a|b|baseline", "project|p1|a|b"],
        lambda people: [C, P],
    )
    assert sorted(found) == ["cohort_peer|c1|a|c", "project|p1|b|d"]
