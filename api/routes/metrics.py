"""``/metrics``: is the network less siloed, is it growing? (programme team)

Every number comes from ``graph.measure``, the one bridge from the store to the
analytics, so the API, the CLI and the reports cannot disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.auth import TeamRole
from api.deps import AnswersDep, StoreDep
from api.problems import responses
from api.questions import ProgrammeAsked, Ties
from graph import measure
from graph.errors import Invalid, Problem
from graph.model import Wave
from services import dashboard as dashboard_service
from services import outcomes as outcomes_service
from services import programme as programme_service
from services import programme_groups
from services.schemas import Day, GrowthOut, MetricSuiteOut, PersonReportOut, TimelinePointOut
from services.schemas_programme import GroupsOut, OutcomesOut, ProgrammeOut
from services.tables import Download

router = APIRouter(prefix="/metrics", tags=["metrics"])

MAX_TIMELINE_POINTS = 200
"""A timeline is one snapshot per point: more than this is a mistake, not a question."""


Id = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get(
    "/network",
    response_model=MetricSuiteOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="Every metric of one snapshot",
)
def network(
    store: StoreDep,
    viewer: TeamRole,
    answers: AnswersDep,
    as_of: Annotated[Day | None, Query(description="Default today.")] = None,
    cohort: Annotated[Id, Query(description="With `wave`: a cohort's survey wave.")] = None,
    wave: Wave | None = None,
    ties: Ties = None,
    people: Annotated[
        bool, Query(description="Also compute every person's metrics (slower).")
    ] = False,
) -> MetricSuiteOut:
    """The network as of a date, or at a cohort's survey wave (``spec/metrics.md``).
    Kept until the next write: asking again is free."""
    suite = measure.network_report(
        store,
        as_of=as_of,
        cohort_id=cohort,
        wave=wave,
        kinds=measure.parse_kinds(ties),
        people=people,
        memo=answers,
    )
    return MetricSuiteOut.model_validate(suite)


@router.get(
    "/growth",
    response_model=GrowthOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="A cohort's growth, wave to wave",
)
def growth(
    store: StoreDep,
    viewer: TeamRole,
    answers: AnswersDep,
    cohort: Annotated[str, Query(min_length=1, max_length=200)],
    ties: Ties = None,
) -> GrowthOut:
    """New and lost ties, retention and every metric's change: baseline to end to follow-up."""
    found = measure.growth_report(store, cohort, measure.parse_kinds(ties), answers)
    return GrowthOut.model_validate(found)


@router.get(
    "/timeline",
    response_model=list[TimelinePointOut],
    responses=responses(401, 403, 422, 429),
    summary="The network over time",
)
def timeline(
    store: StoreDep,
    viewer: TeamRole,
    start: Annotated[Day, Query(alias="from")],
    end: Annotated[Day, Query(alias="to")],
    every: Literal["month", "quarter"] = "quarter",
    ties: Ties = None,
) -> list[TimelinePointOut]:
    """Whole-network metrics at every month or quarter between two dates (at most 200)."""
    points = len(measure.dates_between(start, end, every))
    if points > MAX_TIMELINE_POINTS:
        raise Invalid(
            [Problem("timeline", "from/to", f"{start}/{end}",
                     f"{points} points; ask for at most {MAX_TIMELINE_POINTS}")]
        )  # fmt: skip
    found = measure.timeline_report(store, start, end, every, measure.parse_kinds(ties))
    return [TimelinePointOut.model_validate(p) for p in found]


@router.get(
    "/people/{person_id}",
    response_model=PersonReportOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="One person's network, wave by wave",
)
def person(
    store: StoreDep,
    viewer: TeamRole,
    person_id: Annotated[str, Path(min_length=1, max_length=200)],
    ties: Ties = None,
) -> PersonReportOut:
    """Their degree, reach and brokerage at each wave of their cohorts, and the changes.
    404 for someone not in the analytics (absent, or without analytics consent)."""
    return PersonReportOut.model_validate(
        measure.person_network(store, person_id, measure.parse_kinds(ties))
    )


@router.get(
    "/programme",
    response_model=ProgrammeOut,
    responses=responses(401, 403, 422, 429),
    summary="The programme at a glance: every cohort, and everyone, over time",
)
def programme(
    store: StoreDep, viewer: TeamRole, answers: AnswersDep, asked: ProgrammeAsked
) -> ProgrammeOut:
    """Cross-organisation and cross-sector share, E-I and its excess over chance, mean
    organisations within two steps, the largest component and the silo index, for the
    whole network and for each cohort's members, at every quarter or year (at most 120
    dates). Kept until the next write: asking again is free."""
    return programme_service.programme_view(store, viewer, asked, memo=answers)


TableFormat = Annotated[Literal["csv", "xlsx"], Path(description="`csv` or `xlsx`.")]
_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The table (formula-safe: text starting with = + - @ gets a leading ').",
        "content": {
            "text/csv": {},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
        },
    }
}


def _attachment(found: Download) -> Response:
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.file_name}"'},
    )


@router.get(
    "/programme/table.{fmt}",
    response_class=Response,
    responses={**responses(401, 403, 422, 429), **_DOWNLOAD},
    summary="The programme view's table, as CSV or Excel",
)
def programme_table(
    store: StoreDep,
    viewer: TeamRole,
    answers: AnswersDep,
    fmt: TableFormat,
    asked: ProgrammeAsked,
) -> Response:
    """The rows of ``GET /metrics/programme`` as a download."""
    found = programme_service.programme_download(store, viewer, fmt, asked, memo=answers)
    return _attachment(found)


@router.get(
    "/dashboard/{table}.{fmt}",
    response_class=Response,
    responses={**responses(401, 403, 404, 422, 429), **_DOWNLOAD},
    summary="One of the dashboard's tables, as CSV or Excel",
)
def dashboard_table(
    store: StoreDep,
    viewer: TeamRole,
    answers: AnswersDep,
    table: Annotated[
        Literal["network", "organisations", "sectors", "cohorts"],
        Path(
            description="Which table: the network's figures, by organisation, by sector, "
            "or each cohort's baseline-to-end growth."
        ),
    ],  # fmt: skip
    fmt: TableFormat,
    as_of: Annotated[Day | None, Query(description="Default today.")] = None,
) -> Response:
    """The dashboard's tables on a day, the numbers of ``/metrics/network`` and
    ``/metrics/growth``."""
    day = as_of or date.today()
    return _attachment(
        dashboard_service.dashboard_download(store, viewer, table, fmt, day, answers)
    )


@router.get(
    "/groups",
    response_model=GroupsOut,
    responses=responses(401, 403, 422, 429),
    summary="Each organisation and area over time; the areas under-reached",
)
def groups(
    store: StoreDep, viewer: TeamRole, answers: AnswersDep, asked: ProgrammeAsked
) -> GroupsOut:
    """Each organisation's and area's alumni, E-I index and mean cross-organisation
    degree at every quarter or year (the programme view's dates), first date against
    last, and which areas are under-reached."""
    return programme_groups.groups_over_time(store, viewer, asked, memo=answers)


@router.get(
    "/groups/{table}.{fmt}",
    response_class=Response,
    responses={**responses(401, 403, 422, 429), **_DOWNLOAD},
    summary="Organisations, areas, or both over time, as CSV or Excel",
)
def groups_table(
    store: StoreDep,
    viewer: TeamRole,
    answers: AnswersDep,
    table: Literal["organisations", "areas", "over-time"],
    fmt: TableFormat,
    asked: ProgrammeAsked,
) -> Response:
    """The summaries (first date against last) or every date's figures, as a download."""
    return _attachment(
        programme_groups.groups_download(store, viewer, table, fmt, asked, memo=answers)
    )


@router.get(
    "/outcomes",
    response_model=OutcomesOut,
    responses=responses(401, 403, 422, 429),
    summary="Each cohort's outcomes at three levels, short and long term",
)
def outcomes(
    store: StoreDep,
    viewer: TeamRole,
    answers: AnswersDep,
    as_of: Annotated[Day | None, Query(description="The long term; default today.")] = None,
    ties: Ties = None,
) -> OutcomesOut:
    """For each cohort, at its end and on ``as_of``: the individual level (assessments,
    when recorded), the organisational level (its own network's figures) and its
    projects (sponsored, due within 18 months, delivered, handed over, overdue)."""
    return outcomes_service.outcomes(
        store, viewer, as_of=as_of, kinds=measure.parse_kinds(ties), memo=answers
    )
