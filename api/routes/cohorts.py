"""``/cohorts``: the programme's yearly cohorts and their members (programme team)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.auth import TeamRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from graph.contacts import profiles
from graph.model import Cohort, Membership, Person
from graph.store import Page
from services import consent
from services.schemas import CohortDetailOut, CohortMemberOut, CohortOut, Paged

router = APIRouter(prefix="/cohorts", tags=["cohorts"])

CohortId = Annotated[str, Path(min_length=1, max_length=200)]


def _out(c: Cohort) -> CohortOut:
    return CohortOut.model_validate(c, from_attributes=True)


@router.get("", response_model=Paged[CohortOut], responses=responses(401, 403, 422, 429))
def list_cohorts(store: StoreDep, viewer: TeamRole, page: PageDep) -> Paged[CohortOut]:
    """Every cohort, by id."""
    found = store.find(Cohort, page=page)
    return Paged[CohortOut](data=[_out(c) for c in found.data], count=found.count)


@router.get(
    "/{cohort_id}", response_model=CohortDetailOut, responses=responses(401, 403, 404, 422, 429)
)
def get_cohort(store: StoreDep, viewer: TeamRole, cohort_id: CohortId) -> CohortDetailOut:
    """One cohort and its members with their roles."""
    cohort = store.get(Cohort, cohort_id)
    memberships = store.find(Membership, {"cohort_id": cohort.id}, Page(limit=100_000)).data
    people = store.get_many(Person, {m.person_id for m in memberships})
    found = profiles(store, sorted(people.values(), key=lambda p: (p.name, p.id)))
    members = [
        CohortMemberOut(person=consent.person_out(viewer, found[m.person_id]), role=m.role)
        for m in sorted(memberships, key=lambda m: (people[m.person_id].name, m.key))
        if m.person_id in found and viewer.sees(found[m.person_id].person)
    ]
    return CohortDetailOut(**_out(cohort).model_dump(), members=members)
