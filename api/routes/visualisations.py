"""``/visualisations``: the network drawn as an interactive map (HTML, loads nothing).

The programme team draws any map: as of a date or at a cohort's survey wave,
filtered by cohort, organisation or sector, organisations collapsed, or a
cohort's waves side by side. Alumni draw their own ego map only. Who appears is
decided by ``services.consent`` (the same rules as every other route); the map is
drawn by ``services.maps``, the one door the pages and the CLI use too.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.auth import AnyRole
from api.deps import StoreDep
from api.problems import responses
from graph import measure
from graph.model import Sector, Wave
from services import maps
from services.schemas import Day

router = APIRouter(prefix="/visualisations", tags=["visualisations"])

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'"
)
Id = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get(
    "/network.html",
    response_class=Response,
    responses={
        200: {
            "description": "The map: a self-contained HTML page (vis-network inlined).",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **responses(401, 403, 404, 422, 429),
    },
    summary="The network as an interactive map",
)
def network_html(
    store: StoreDep,
    viewer: AnyRole,
    as_of: Annotated[Day | None, Query(description="Default today.")] = None,
    cohort: Annotated[Id, Query(description="With `wave`: a cohort's survey wave.")] = None,
    wave: Wave | None = None,
    person: Annotated[Id, Query(description="Draw this person's ego map.")] = None,
    radius: Annotated[int, Query(ge=1, le=2, description="Ego map: 1 or 2 steps.")] = 1,
    cohort_filter: Annotated[Id, Query(description="Only members of this cohort.")] = None,
    organisation: Annotated[Id, Query(description="Only people at this organisation.")] = None,
    sector: Annotated[Sector | None, Query(description="Only people in this sector.")] = None,
    ties: Annotated[
        str | None, Query(max_length=200, description="Comma-separated tie kinds.")
    ] = None,
    collapse: Annotated[
        Literal["organisations"] | None, Query(description="One node per organisation.")
    ] = None,
    compare: Annotated[
        Literal["waves"] | None,
        Query(description="With `cohort` (no `wave`): the cohort's waves side by side."),
    ] = None,
) -> Response:
    """Colour is sector, shape is role, size is betweenness, line style is the kind of
    tie. Alumni may draw only their own ego map (`person` = their own id)."""
    request = maps.MapRequest(
        as_of=as_of,
        cohort_id=cohort,
        wave=wave,
        kinds=measure.parse_kinds(ties),
        person_id=person,
        radius=radius,
        cohort_filter=cohort_filter,
        organisation=organisation,
        sector=sector,
        collapse=collapse,
    )
    drawn = maps.draw_map(store, viewer, request, compare_waves=compare == "waves")
    return Response(
        drawn.html,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
    )
