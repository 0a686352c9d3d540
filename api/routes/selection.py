"""``/selection``: plan a cohort's selection (programme team; spec/selection.md)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import TeamRole
from api.deps import StoreDep
from api.problems import responses
from services import selection
from services.schemas_decisions import SelectionIn, SelectionOut

router = APIRouter(prefix="/selection", tags=["selection"])


@router.post(
    "/plan",
    response_model=SelectionOut,
    responses=responses(401, 403, 413, 422, 429),
    summary="Plan a cohort's selection",
)
def plan(store: StoreDep, viewer: TeamRole, body: SelectionIn) -> SelectionOut:
    """The exact selection of `spec/selection.md`: what each selected applicant adds, the
    eligible left out in order, the top-N-by-score beside it, the ineligible with reasons.
    Quotas that cannot all be met select nothing and say which fails in `quotas_unmet`;
    minima that sum past the places are a 422."""
    return selection.plan_for(
        store,
        viewer,
        body.applicants,
        places=body.places,
        sector_min=body.sector_min,
        sector_max=body.sector_max,
        organisation_max=body.organisation_max,
        merit_weight=body.merit_weight,
    )
