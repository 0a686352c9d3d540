"""Cohort-peer and project ties computed from memberships when read.

``cohort-bundle.md`` ("What the graph derives") lets a store keep the
co-membership ties as what they are, a function of memberships: a ``cohort_peer``
tie between every two members of a cohort from its start, a ``project`` tie
between every two members of a project (sponsor included) from its start. A
cohort or project whose ties a load asked the store to derive is *marked* (a
``Group`` key, ``"cohort_peer|c2019"``); the store then keeps no tie rows for it
and every read adds the ties this module derives from the group's current
members. Groups nobody marked (hand-made batches, stores written before this)
keep their tie rows as they are; marking a group deletes its rows, journaled, so
an old store moves over as each cohort is loaded again.

Pure functions: the stores read the rows (one per group member) their own way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from graph.model import Tie, TieKind

__all__ = [
    "DERIVED_KINDS",
    "Group",
    "GroupRow",
    "derived_ends",
    "derived_ends_touching",
    "add_derived_ends",
    "derived_ties",
    "group_key",
    "ties_by_key",
    "groups_from_rows",
]

DERIVED_KINDS: tuple[TieKind, ...] = (TieKind.COHORT_PEER, TieKind.PROJECT)
"""The kinds a store may compute from memberships (in this order)."""

GroupRow = tuple[str, str, date | str, str | None, str | None]
"""(tie kind, context, start, run id, member id): one member of one group, as read."""


def group_key(kind: TieKind | str, context: str) -> str:
    """``"cohort_peer|c2019"``: the key prefix every tie of the group shares."""
    return f"{TieKind(kind).value}|{context}"


@dataclass(frozen=True)
class Group:
    """One cohort (``cohort_peer``) or project (``project``) whose ties are derived."""

    kind: TieKind
    context: str
    start: date
    members: tuple[str, ...]
    """Sorted, each once (a sponsor who is also a member is one member)."""
    run_id: str | None = None

    @property
    def key(self) -> str:
        return group_key(self.kind, self.context)

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Every unordered pair once, smaller id first (as undirected ties are kept)."""
        return combinations(self.members, 2)

    def tie(self, a: str, b: str) -> Tie:
        return Tie(
            source_id=a,
            target_id=b,
            tie_kind=self.kind,
            start=self.start,
            context=self.context,
            run_id=self.run_id,
        )

    def ties(self) -> list[Tie]:
        return [self.tie(a, b) for a, b in self.pairs()]


def groups_from_rows(rows: Iterable[GroupRow]) -> list[Group]:
    """Groups from one row per member (``None`` members, e.g. no sponsor, skipped)."""
    found: dict[tuple[str, str], tuple[date, str | None, set[str]]] = {}
    for kind, context, start, run_id, member in rows:
        day = start if isinstance(start, date) else date.fromisoformat(str(start)[:10])
        _, _, members = found.setdefault((kind, context), (day, run_id, set()))
        if member is not None:
            members.add(member)
    return [
        Group(TieKind(kind), context, start, tuple(sorted(members)), run_id)
        for (kind, context), (start, run_id, members) in sorted(found.items())
    ]


def derived_ties(
    groups: Iterable[Group],
    kinds: Collection[TieKind] | None = None,
    *,
    touching: Collection[str] | None = None,
    among: Collection[str] | None = None,
) -> list[Tie]:
    """The groups' ties of these kinds (all when ``None``); with ``touching``, those
    with an end among these people; with ``among``, those with both ends among them."""
    near = None if touching is None else set(touching)
    inside = None if among is None else set(among)
    out: list[Tie] = []
    for group in groups:
        if kinds is not None and group.kind not in kinds:
            continue
        if inside is not None:
            members = [m for m in group.members if m in inside]
            out += [group.tie(a, b) for a, b in combinations(members, 2)]
        elif near is not None:
            out += [group.tie(a, b) for a, b in group.pairs() if a in near or b in near]
        else:
            out += group.ties()
    return out


def derived_ends(
    groups: Iterable[Group], kinds: Collection[TieKind], as_of: date | None = None
) -> Iterator[tuple[str, str, TieKind]]:
    """(source, target, kind) of every derived tie of these kinds, active on ``as_of``
    when given (derived ties have no end: active from the group's start)."""
    for group in groups:
        if group.kind not in kinds or (as_of is not None and group.start > as_of):
            continue
        for a, b in group.pairs():
            yield a, b, group.kind


def derived_ends_touching(
    groups: Iterable[Group], kinds: Collection[TieKind], touching: Collection[str]
) -> Iterator[tuple[str, str, TieKind]]:
    """(source, target, kind) of every derived tie of these kinds with an end among
    ``touching``, once each: a member's pairs, not every pair of the group, so that a
    few people of a large group cost their own ties only."""
    near = set(touching)
    for group in groups:
        if group.kind not in kinds:
            continue
        members = group.members
        mine = [i for i, m in enumerate(members) if m in near]
        for i in mine:
            a = members[i]
            for j, b in enumerate(members):
                # a pair of two near members is given once, by its smaller place
                if j != i and (j > i or b not in near):
                    yield (a, b, group.kind) if i < j else (b, a, group.kind)


def add_derived_ends(
    found: dict[TieKind, tuple[list[str], list[str]]],
    groups_of: Callable[[list[TieKind], Collection[str]], list[Group]],
    kinds: Collection[TieKind],
    ids: Collection[str],
) -> None:
    """Add to ``found`` (sources and targets by kind) the derived ties of ``kinds`` with
    an end among ``ids``, from the groups ``groups_of(kinds, ids)`` reads: the derived
    part of both stores' ``tie_ends_of``."""
    chosen = [k for k in DERIVED_KINDS if k in kinds]
    groups = groups_of(chosen, ids) if chosen else []
    for source, target, kind in derived_ends_touching(groups, kinds, ids):
        sources, targets = found.setdefault(kind, ([], []))
        sources.append(source)
        targets.append(target)


def ties_by_key(
    keys: Collection[str], groups_of: Callable[[Collection[str]], list[Group]]
) -> dict[str, Tie]:
    """The derived ties with these keys (``get``/``get_many`` of ``Tie``): a derived
    key is ``kind|context|source|target``; ``groups_of`` reads the groups of people."""
    wanted = {k for k in keys if k.split("|", 1)[0] in {d.value for d in DERIVED_KINDS}}
    people = {k.split("|")[2] for k in wanted if k.count("|") == 3}
    if not people:
        return {}
    ties = derived_ties(groups_of(people), touching=people)
    return {t.key: t for t in ties if t.key in wanted}
