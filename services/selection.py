"""Plan a cohort's selection (``spec/selection.md``): one door for the API, pages and CLI.

Reads what the network already reaches (participants of every cohort, by the
organisation they worked for at its start and by their area) and who is already a
member, lets ``graph.selection`` decide, and answers with the public model.
Applicants are named by the emails their file gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from graph.errors import Invalid, Problem
from graph.model import Cohort, Membership, Organisation, Person, Role, Sector, person_id_for
from graph.selection import Candidate, Plan, Quotas, Reached, area_key, plan_selection
from graph.settings import get_settings
from graph.snapshot import organisation_on
from graph.store import GraphStore, Page
from ingest.decision_files import read_applicants, read_rows, rows_of_items
from services.consent import Viewer
from services.mentoring import ensure_team
from services.schemas_decisions import (
    IneligibleOut,
    LeftOutOut,
    ReachedOut,
    SelectedOut,
    SelectionOut,
    UnmetOut,
)

__all__ = ["ApplicantSource", "alumni_counts", "parse_quota", "plan_for"]

ApplicantSource = Path | Sequence[Mapping[str, Any]]
"""An applicant file, or its rows as JSON objects (a request's body)."""

_ALL = Page(limit=1_000_000)


def parse_quota(text: str, flag: str) -> tuple[str, int]:
    """``health=2`` -> ``("health", 2)``; ``Invalid`` naming the flag otherwise."""
    sector, _, count = text.partition("=")
    word = sector.strip().casefold().replace(" ", "_").replace("-", "_")
    problems = []
    if word not in {s.value for s in Sector}:
        sectors = ", ".join(s.value for s in Sector)
        problems.append(Problem("quotas", flag, text, f"write SECTOR=K, SECTOR one of {sectors}"))
    if not count.strip().isdigit():
        problems.append(Problem("quotas", flag, text, "write SECTOR=K, K a whole number ≥ 0"))
    if problems:
        raise Invalid(problems)
    return word, int(count)


def _check_sectors(given: Mapping[str, int], flag: str) -> dict[str, int]:
    known = {s.value for s in Sector}
    wrong = [
        Problem("quotas", flag, s, "not a sector: one of " + ", ".join(sorted(known)))
        for s in sorted(given)
        if s not in known
    ]
    if wrong:
        raise Invalid(wrong)
    return dict(given)


def alumni_counts(store: GraphStore) -> tuple[dict[str, int], dict[str, int]]:
    """a_o and a_r of the spec: people who were participants of any cohort while employed
    by o (their organisation at that cohort's start), and participants with area r."""
    cohorts = {c.id: c for c in store.find(Cohort, None, _ALL).data}
    participants = store.find(Membership, {"role": Role.PARTICIPANT.value}, _ALL).data
    ids = {m.person_id for m in participants}
    employments, _ = store.profile_links(ids)
    spells: dict[str, list[tuple[str, date]]] = {}
    for e in employments:
        spells.setdefault(e.person_id, []).append((e.organisation_id, e.start))
    by_org: dict[str, set[str]] = {}
    for m in participants:
        cohort = cohorts.get(m.cohort_id)
        if cohort is None:
            continue
        org = organisation_on(spells.get(m.person_id, []), cohort.start_date)
        if org is not None:
            by_org.setdefault(org, set()).add(m.person_id)
    by_area: dict[str, set[str]] = {}
    for person in store.get_many(Person, ids).values():
        key = area_key(person.area)
        if key is not None:
            by_area.setdefault(key, set()).add(person.id)
    return (
        {o: len(p) for o, p in by_org.items()},
        {r: len(p) for r, p in by_area.items()},
    )


def _reached_out(r: Reached) -> ReachedOut:
    return ReachedOut(
        selected=list(r.ids),
        objective=r.objective,
        network_value=r.network_value,
        merit=r.merit,
        organisations=list(r.organisations),
        sectors=list(r.sectors),
        areas=list(r.areas),
    )


def _out(plan: Plan) -> SelectionOut:
    return SelectionOut(
        selected=[
            SelectedOut(email=s.id, value=s.value, merit=s.merit, adds=list(s.adds))
            for s in plan.selected
        ],
        left_out=[
            LeftOutOut(email=g.id, adds_objective=g.objective, value=g.value, merit=g.merit)
            for g in plan.left_out
        ],
        objective=plan.reached.objective,
        network_value=plan.reached.network_value,
        merit=plan.reached.merit,
        organisations=list(plan.reached.organisations),
        sectors=list(plan.reached.sectors),
        areas=list(plan.reached.areas),
        by_score=_reached_out(plan.by_score),
        ineligible=[IneligibleOut(email=e, reason=r) for e, r in plan.ineligible],
        quotas_unmet=[
            UnmetOut(quota=u.quota, short_by=u.short_by, reason=u.reason) for u in plan.unmet
        ],
    )


def plan_for(
    store: GraphStore,
    viewer: Viewer,
    applicants: ApplicantSource,
    *,
    places: int,
    sector_min: Mapping[str, int] | None = None,
    sector_max: Mapping[str, int] | None = None,
    organisation_max: int | None = None,
    merit_weight: float = 1.0,
) -> SelectionOut:
    """The selection of ``spec/selection.md`` for these applicants and places."""
    ensure_team(viewer)
    quotas = Quotas(
        _check_sectors(sector_min or {}, "sector_min"),
        _check_sectors(sector_max or {}, "sector_max"),
        organisation_max,
    )
    rows = (
        read_rows(applicants, "applicants")
        if isinstance(applicants, Path)
        else rows_of_items("applicants", list(applicants))
    )
    found = read_applicants(rows, store.find(Organisation, None, _ALL).data)
    salt = get_settings().id_salt.get_secret_value()
    ids = {a.email: person_id_for(a.email, salt) for a in found}
    _, memberships = store.profile_links(set(ids.values()))
    member_of: dict[str, str] = {}
    for m in sorted(memberships, key=lambda m: m.cohort_id):
        member_of.setdefault(m.person_id, m.cohort_id)
    by_org, by_area = alumni_counts(store)
    candidates = [
        Candidate(
            id=a.email,
            organisation_id=a.organisation.id,
            organisation=a.organisation.name,
            sector=a.organisation.sector.value,
            area=a.area,
            score=a.score,
            sponsored=a.sponsor_email is not None,
            member_of=member_of.get(ids[a.email]),
        )
        for a in found
    ]
    plan = plan_selection(
        candidates,
        places=places,
        alumni_by_org=by_org,
        alumni_by_area=by_area,
        quotas=quotas,
        merit_weight=merit_weight,
    )
    return _out(plan)
