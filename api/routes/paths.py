"""``GET /paths/introduction``: who can introduce me, hop by hop."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import AnyRole
from api.deps import NetworkDep, StoreDep
from api.problems import responses
from services import people
from services.schemas import IntroductionPathsOut

router = APIRouter(prefix="/paths", tags=["paths"])

Id = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get(
    "/introduction",
    response_model=IntroductionPathsOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="Warm introduction paths to a person or an organisation",
)
def introduction(
    store: StoreDep,
    viewer: AnyRole,
    warm: NetworkDep,
    from_: Annotated[
        str | None,
        Query(
            alias="from",
            min_length=1,
            max_length=200,
            description="Where the path starts; default (and, for alumni, only) the caller.",
        ),
    ] = None,
    to: Annotated[
        str | None, Query(min_length=1, max_length=200, description="A person to reach.")
    ] = None,
    to_organisation: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Or anyone employed there now."),
    ] = None,
    max_hops: Annotated[int, Query(ge=1, le=5, description="Longest path considered.")] = 4,
) -> IntroductionPathsOut:
    """Up to 3 shortest paths over warm ties; every intermediary consented to the
    directory, every hop names the project, cohort, survey answer or mentoring behind it.
    An empty list when there is no such path."""
    return people.introduction(
        store,
        warm,
        viewer,
        start=from_,
        to=to,
        to_organisation=to_organisation,
        max_hops=max_hops,
    )
