"""``/reports``: a cohort's programme report, one self-contained HTML page (programme team).

Built by ``services.report`` (the one door the CLI uses too): the numbers come from
``graph.measure`` (the same as ``/metrics``); who may be named, and how free text
reads, is ``services.consent``'s.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.auth import TeamRole
from api.deps import AnswersDep, StoreDep
from api.problems import responses
from api.questions import BoardAsked
from graph import measure
from services.programme import programme_report as programme_report_of
from services.report import cohort_report as build

router = APIRouter(prefix="/reports", tags=["reports"])

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'"
)


@router.get(
    "/cohort/{cohort_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The report: a self-contained HTML page (plots inlined as SVG).",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **responses(401, 403, 404, 422, 429),
    },
    summary="A cohort's programme report",
)
def cohort_report(
    store: StoreDep,
    viewer: TeamRole,
    cohort_id: Annotated[str, Path(min_length=1, max_length=200)],
    ties: Annotated[
        str | None, Query(max_length=200, description="Comma-separated tie kinds.")
    ] = None,
) -> Response:
    """The cohort's growth from baseline to end to follow-up, per sector, its brokers,
    its isolated participants, its projects and handovers, and each metric's definition."""
    found = build(store, viewer, cohort_id, kinds=measure.parse_kinds(ties))
    return Response(
        found.html,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Content-Disposition": f'inline; filename="{found.filename}"',
        },
    )


@router.get(
    "/programme",
    response_class=Response,
    responses={
        200: {
            "description": "The report: a self-contained HTML page (plots inlined as SVG), "
            "printable on A4.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **responses(401, 403, 422, 429),
    },
    summary="The programme report: every cohort and everyone over time",
)
def programme_report(
    store: StoreDep,
    viewer: TeamRole,
    answers: AnswersDep,
    asked: BoardAsked,
) -> Response:
    """The programme view for a board: the figures over time with the cohort starts
    marked, each cohort on the last date, organisations and areas, the numbers, and what
    each means; every figure captioned, with the one snapshot definition behind it."""
    html = programme_report_of(store, viewer, asked, memo=answers)
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Content-Disposition": 'inline; filename="programme-report.html"',
        },
    )
