"""``/mentoring``: match mentors to a cohort's participants (programme team; spec/matching.md)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import TeamRole
from api.deps import StoreDep
from api.problems import responses
from services import mentoring
from services.schemas_decisions import AcceptedOut, MatchIn, MatchOut

router = APIRouter(prefix="/mentoring", tags=["mentoring"])


@router.post(
    "/match",
    response_model=MatchOut,
    responses=responses(401, 403, 404, 413, 422, 429),
    summary="Match mentors to a cohort",
)
def match(store: StoreDep, viewer: TeamRole, body: MatchIn) -> MatchOut:
    """The exact match of `spec/matching.md`: the most pairs, then the greatest total score;
    each pair with its score's parts and what it opens; unmatched participants with the
    reason. `pool` holds the pool file's rows (`email`, `capacity`, and for mentors outside
    the graph `name`, `organisation`, `sector`, `interests`); a bad row is named by item."""
    return mentoring.match_for(store, viewer, body.cohort_id, body.pool, body.rules)


@router.post(
    "/match/accept",
    response_model=AcceptedOut,
    responses=responses(401, 403, 404, 409, 413, 422, 429),
    summary="Accept a match",
)
def accept(store: StoreDep, viewer: TeamRole, body: MatchIn) -> AcceptedOut:
    """Work the match out again and write its mentoring ties (and the pool's new mentors)
    as one ingest run; `POST /ingest/runs/{run_id}/rollback` undoes it."""
    return mentoring.accept_match(store, viewer, body.cohort_id, body.pool, body.rules)
