"""Recommendations: people worth meeting that a person does not know yet, with reasons.

Pure functions over the ``GraphStore`` protocol; consent comes in as one
``Visibility``, and every reason is told in words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from graph.connections import WARM_KINDS, Contexts, Ties, other_end, survey_text
from graph.model import Project, ProjectMember, Tie, TieKind, WickedIssue
from graph.profiles import (
    PeopleOnDemand,
    Profile,
    get_many,
    other_organisation,
    other_sector,
    profiles,
)
from graph.store import GraphStore, Page, PersonQuery
from graph.viewer import Visibility

__all__ = ["Reason", "Recommendation", "recommendations"]

_SCAN = Page(limit=100_000)
"""Reads here need every matching record, not a page of them."""


@dataclass(frozen=True)
class Reason:
    """Why someone is worth meeting, in words, with its kind for machines."""

    kind: Literal["want_to_meet", "near", "shared_interest", "shared_issue", "other_sector"]
    text: str


@dataclass(frozen=True)
class Recommendation:
    profile: Profile
    score: float
    reasons: tuple[Reason, ...]
    via: tuple[Profile, ...]
    """People the subject knows who know them (for ``near``), strongest first."""


_REASON_SCORE = {
    "want_to_meet": 4.0,
    "near": 1.0,
    "shared_interest": 2.0,
    "shared_issue": 2.0,
    "other_sector": 1.0,
}


def recommendations(
    store: GraphStore,
    person_id: str,
    *,
    viewer: Visibility,
) -> list[Recommendation]:
    """People worth meeting that the subject does not know yet, ranked, each with reasons.

    Candidates: anyone named in a ``want_to_meet`` answer by or about the
    subject; people two warm hops away (through intermediaries the ``viewer`` may
    route through) in another organisation or sector; people in another
    organisation sharing an interest, or a wicked issue through a project.
    People already tied to the subject by a warm tie are left out.
    """
    people = PeopleOnDemand(store)
    subject = people.require(person_id)
    own = store.ties_of([subject.id])
    ties = Ties()
    ties.add(own)
    direct = {other_end(t, subject.id) for t in own if t.tie_kind is not TieKind.WANT_TO_MEET}
    wanted: dict[str, list[Tie]] = defaultdict(list)
    for t in own:
        if t.tie_kind is TieKind.WANT_TO_MEET:
            wanted[other_end(t, subject.id)].append(t)
    people.load(direct)
    bridges = sorted(
        d
        for d in direct
        if (p := people.cache[d]) is not None and viewer.sees(p) and viewer.may_route_through(p)
    )
    near: dict[str, list[str]] = defaultdict(list)
    for t in store.ties_of(bridges, WARM_KINDS):
        for bridge, far in ((t.source_id, t.target_id), (t.target_id, t.source_id)):
            if bridge in bridges and far != subject.id and far not in direct:
                if bridge not in near[far]:
                    near[far].append(bridge)
    interests = {i.casefold(): i for i in subject.interests}
    sharing: dict[str, list[str]] = defaultdict(list)
    for key, interest in interests.items():
        for p in store.search_people(PersonQuery(text=interest), _SCAN).data:
            people.cache.setdefault(p.id, p)
            if key in {x.casefold() for x in p.interests}:
                sharing[p.id].append(interest)
    issues = _issues_of(store, subject.id)
    on_issue: dict[str, list[str]] = defaultdict(list)
    for issue in issues.values():
        for p in store.search_people(PersonQuery(issue_id=issue.id), _SCAN).data:
            people.cache.setdefault(p.id, p)
            on_issue[p.id].append(issue.title)
    candidates = (set(wanted) | set(near) | set(sharing) | set(on_issue)) - direct - {subject.id}
    people.load(candidates)
    shown = sorted(c for c in candidates if (p := people.cache[c]) is not None and viewer.sees(p))
    everyone = dict.fromkeys([subject.id, *shown, *bridges])
    found = profiles(store, [people.require(i) for i in everyone])
    me = found[subject.id]
    contexts = Contexts.of(store, own)
    bridge_strength = {b: ties.hop(subject.id, b, contexts).strength for b in bridges}
    result: list[Recommendation] = []
    for c in shown:
        them = found[c]
        other_org, another_sector = other_organisation(me, them), other_sector(me, them)
        reasons: list[Reason] = []
        for t in sorted(wanted.get(c, []), key=lambda t: t.key):
            where = survey_text(t, contexts.cohorts)
            reasons.append(
                Reason(
                    "want_to_meet",
                    f"you named them as someone you want to meet in {where}"
                    if t.source_id == subject.id
                    else f"they named you as someone they want to meet in {where}",
                )
            )
        via: tuple[Profile, ...] = ()
        if c in near and (other_org or another_sector):
            ordered = sorted(near[c], key=lambda b: (-bridge_strength[b], found[b].person.name, b))
            via = tuple(found[b] for b in ordered)
            known = "someone you know" if len(via) == 1 else f"{len(via)} people you know"
            where = "another organisation" if other_org else "another sector"
            reasons.append(Reason("near", f"two steps away, through {known}, in {where}"))
        if other_org and c in sharing:
            reasons.append(
                Reason("shared_interest", "shares your interest in " + ", ".join(sharing[c]))
            )
        if other_org and c in on_issue:
            reasons.append(
                Reason(
                    "shared_issue",
                    "works on the same wicked issue: " + ", ".join(sorted(set(on_issue[c]))),
                )
            )
        if not reasons:
            continue
        if another_sector and them.sector is not None:
            reasons.append(Reason("other_sector", f"works in another sector: {them.sector.value}"))
        score = sum(_REASON_SCORE[r.kind] * (min(len(via), 3) if r.kind == "near" else 1)
                    for r in reasons)  # fmt: skip
        result.append(Recommendation(them, score, tuple(reasons), via))
    result.sort(key=lambda r: (-r.score, r.profile.person.name, r.profile.person.id))
    return result


def _issues_of(store: GraphStore, person_id: str) -> dict[str, WickedIssue]:
    """Wicked issues the person worked on, as project member or sponsor."""
    project_ids = {
        m.project_id for m in store.find(ProjectMember, {"person_id": person_id}, _SCAN).data
    }
    projects = list(get_many(store, Project, project_ids).values())
    projects += store.find(Project, {"sponsor_id": person_id}, _SCAN).data
    return get_many(store, WickedIssue, {p.issue_id for p in projects if p.issue_id})
