"""People: search, one person, their contacts and recommendations, their data rights."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from api import rights
from api.auth import AdminRole, AnyRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from graph.model import Sector
from graph.store import PersonQuery
from services import people
from services.schemas import ContactOut, ExportOut, Paged, PersonOut, RecommendationOut
from services.schemas_people import SearchFiltersOut

router = APIRouter(prefix="/people", tags=["people"])

PersonId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="A person's opaque id.",
        openapi_examples={"person": {"value": "p-3f9a1c2b7d4e8a60"}},
    ),
]
Filter = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get(
    "",
    response_model=Paged[PersonOut],
    responses=responses(401, 403, 422, 429),
    summary="Search people",
)
def search_people(
    store: StoreDep,
    viewer: AnyRole,
    page: PageDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words to find in name, employer (or its aliases), sector, area,"
            " job title, interests, skills, cohorts and wicked issues; case and accents"
            " ignored; every word must be found; best matches first.",
            openapi_examples={"interest": {"value": "loneliness"}},
        ),
    ] = None,
    organisation: Annotated[
        str | None, Query(max_length=200, description="Current employer's id.")
    ] = None,
    sector: Sector | None = None,
    cohort: Filter = None,
    issue: Annotated[
        str | None, Query(max_length=200, description="A wicked issue's id (via projects).")
    ] = None,
    area: Filter = None,
) -> Paged[PersonOut]:
    """People matching the words and every filter given, best match first (by name without
    words); alumni see consenting people only."""
    query = PersonQuery(
        text=q,
        organisation_id=organisation,
        sector=sector,
        cohort_id=cohort,
        issue_id=issue,
        area=area,
    )
    return people.search(store, viewer, query, page)


@router.get(
    "/filters",
    response_model=SearchFiltersOut,
    responses=responses(401, 429),
    summary="What a search for people can be narrowed by",
)
def search_filters(store: StoreDep, viewer: AnyRole) -> SearchFiltersOut:
    """The ids and names ``GET /people`` filters take, for every key (alumni too: no
    organisation, cohort or issue names anyone): organisations, sectors, the areas of the
    people the caller sees, cohorts and wicked issues, as the find page lists them."""
    return people.search_filters(store, viewer)


@router.get(
    "/{person_id}",
    response_model=PersonOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="One person",
)
def get_person(store: StoreDep, viewer: AnyRole, person_id: PersonId) -> PersonOut:
    """A person by id; 404 both when there is none and when the caller may not see them."""
    return people.person(store, viewer, person_id)


@router.get(
    "/{person_id}/contacts",
    response_model=Paged[ContactOut],
    responses=responses(401, 403, 404, 422, 429),
    summary="A person's contacts, ranked, each with how they are connected",
)
def get_contacts(
    store: StoreDep,
    viewer: AnyRole,
    person_id: PersonId,
    page: PageDep,
    scope: Annotated[
        Literal["other-organisations", "all"],
        Query(description="`other-organisations`: only people whose employer differs."),
    ] = "all",
    max_hops: Annotated[
        int, Query(ge=1, le=2, description="1: people they know; 2: people those know.")
    ] = 1,
) -> Paged[ContactOut]:
    """Direct contacts first, warmest first; alumni may ask about their own network only."""
    return people.contacts_of(store, viewer, person_id, scope=scope, max_hops=max_hops, page=page)


@router.get(
    "/{person_id}/recommendations",
    response_model=Paged[RecommendationOut],
    responses=responses(401, 403, 404, 422, 429),
    summary="People worth meeting, each with its reasons",
)
def get_recommendations(
    store: StoreDep, viewer: AnyRole, person_id: PersonId, page: PageDep
) -> Paged[RecommendationOut]:
    """Near in the network but elsewhere, sharing interests or issues, or named in a
    want-to-meet answer; people already known are left out."""
    return people.recommendations_for(store, viewer, person_id, page)


@router.get(
    "/{person_id}/export",
    response_model=ExportOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="Subject access: everything held about a person",
)
def export_person(store: StoreDep, viewer: AnyRole, person_id: PersonId) -> ExportOut:
    """For the person themself or an admin (UK GDPR, right of access)."""
    return rights.export(store, viewer, person_id)


@router.delete(
    "/{person_id}",
    status_code=204,
    response_class=Response,
    responses=responses(401, 403, 404, 422, 429),
    summary="Erase a person and every tie (admin)",
)
def erase_person(store: StoreDep, viewer: AdminRole, person_id: PersonId) -> Response:
    """Later searches and metrics count them nowhere; the audit keeps id, time and key id."""
    rights.erase(store, viewer, person_id)
    return Response(status_code=204)
