"""``/organisations``: the bodies people work for (programme team)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.auth import TeamRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from services import people
from services.schemas import OrganisationDetailOut, OrganisationOut, Paged

router = APIRouter(prefix="/organisations", tags=["organisations"])

OrganisationId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("", response_model=Paged[OrganisationOut], responses=responses(401, 403, 422, 429))
def list_organisations(store: StoreDep, viewer: TeamRole, page: PageDep) -> Paged[OrganisationOut]:
    """Every organisation, by id."""
    return people.organisations(store, viewer, page)


@router.get(
    "/{organisation_id}",
    response_model=OrganisationDetailOut,
    responses=responses(401, 403, 404, 422, 429),
)
def get_organisation(
    store: StoreDep, viewer: TeamRole, organisation_id: OrganisationId
) -> OrganisationDetailOut:
    """One organisation and how many people it employs now."""
    return people.organisation(store, viewer, organisation_id)
