"""``GET /paths/introduction``: who can introduce me, hop by hop."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import AnyRole
from api.deps import NetworkDep, StoreDep
from api.problems import responses
from graph import contacts as network
from graph.errors import Invalid, Problem
from graph.model import Organisation
from services import consent
from services.schemas import IntroductionPathsOut, OrganisationRef

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
    start = from_ or viewer.person_id
    if start is None:
        raise Invalid([Problem("request", "query.from", "", "required for a key without a person")])
    consent.ensure_own_network(viewer, start)
    origin = consent.visible_person(store, viewer, start)
    target = consent.visible_person(store, viewer, to) if to is not None else None
    organisation = store.get(Organisation, to_organisation) if to_organisation else None
    warm_network = warm.current()
    found = network.introduction_paths(
        store,
        start,
        target_id=to,
        organisation_id=to_organisation,
        visible=viewer.sees,
        route_through=viewer.may_route_through,
        max_hops=max_hops,
        network=warm_network,
    )
    # A path shows its ends' profiles already: read them only when there is none.
    shown = {p.person.id: p for path in found for p in path.people}
    ends = [p for p in (origin, target) if p is not None and p.id not in shown]
    shown.update(network.profiles(store, ends, warm_network) if ends else {})
    return IntroductionPathsOut(
        from_person=consent.person_out(viewer, shown[origin.id]),
        to_person=consent.person_out(viewer, shown[target.id]) if target is not None else None,
        to_organisation=OrganisationRef(id=organisation.id, name=organisation.name)
        if organisation
        else None,
        paths=consent.paths_out(viewer, found),
    )
