"""``/organisations``: the bodies people work for (programme team)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.auth import TeamRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from graph.model import Organisation
from graph.store import Page, PersonQuery
from services.schemas import OrganisationDetailOut, OrganisationOut, Paged

router = APIRouter(prefix="/organisations", tags=["organisations"])

OrganisationId = Annotated[str, Path(min_length=1, max_length=200)]


def _out(o: Organisation) -> OrganisationOut:
    return OrganisationOut.model_validate(o, from_attributes=True)


@router.get("", response_model=Paged[OrganisationOut], responses=responses(401, 403, 422, 429))
def list_organisations(store: StoreDep, viewer: TeamRole, page: PageDep) -> Paged[OrganisationOut]:
    """Every organisation, by id."""
    found = store.find(Organisation, page=page)
    return Paged[OrganisationOut](data=[_out(o) for o in found.data], count=found.count)


@router.get(
    "/{organisation_id}",
    response_model=OrganisationDetailOut,
    responses=responses(401, 403, 404, 422, 429),
)
def get_organisation(
    store: StoreDep, viewer: TeamRole, organisation_id: OrganisationId
) -> OrganisationDetailOut:
    """One organisation and how many people it employs now."""
    o = store.get(Organisation, organisation_id)
    now = store.search_people(PersonQuery(organisation_id=o.id), Page(limit=1)).count
    return OrganisationDetailOut(**_out(o).model_dump(), people_now=now)
