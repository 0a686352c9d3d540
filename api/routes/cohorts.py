"""``/cohorts``: the programme's yearly cohorts and their members (programme team)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.auth import TeamRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from services import people
from services.schemas import CohortDetailOut, CohortOut, Paged

router = APIRouter(prefix="/cohorts", tags=["cohorts"])

CohortId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("", response_model=Paged[CohortOut], responses=responses(401, 403, 422, 429))
def list_cohorts(store: StoreDep, viewer: TeamRole, page: PageDep) -> Paged[CohortOut]:
    """Every cohort, by id."""
    return people.cohorts(store, viewer, page)


@router.get(
    "/{cohort_id}", response_model=CohortDetailOut, responses=responses(401, 403, 404, 422, 429)
)
def get_cohort(store: StoreDep, viewer: TeamRole, cohort_id: CohortId) -> CohortDetailOut:
    """One cohort and its members with their roles."""
    return people.cohort(store, viewer, cohort_id)
