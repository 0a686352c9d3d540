"""The programme view (issue 17): every cohort, and everyone, over time, as plots and
as a table."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import AnswersDep, StoreDep
from api.pages.render import attachment, render, signed_in_team
from api.questions import ProgrammeAsked
from services.programme import programme_download, programme_page
from services.programme_groups import groups_download, groups_page
from services.schemas_programme import PROGRAMME_COLUMNS

router = APIRouter(include_in_schema=False)


@router.get("/programme")
def programme(
    request: Request,
    store: StoreDep,
    answers: AnswersDep,
    asked: ProgrammeAsked,
) -> Response:
    """The programme's figures over time, a line per cohort, cohort starts marked."""
    who = signed_in_team(request, store)
    if isinstance(who, Response):
        return who
    page = programme_page(store, who.viewer, asked, memo=answers)
    names = {c.id: c.name for c in page.view.cohorts}
    return render(
        request,
        "programme.html",
        who,
        view=page.view,
        figures=page.figures,
        columns=PROGRAMME_COLUMNS,
        names=names,
        query=request.url.query,
    )


@router.get("/programme/table.{fmt}")
def programme_table(
    request: Request,
    store: StoreDep,
    answers: AnswersDep,
    fmt: Literal["csv", "xlsx"],
    asked: ProgrammeAsked,
) -> Response:
    """The page's table as a download (CSV or Excel, formula-safe)."""
    who = signed_in_team(request, store)
    if isinstance(who, Response):
        return who
    found = programme_download(store, who.viewer, fmt, asked, memo=answers)
    return attachment(found)


@router.get("/programme/organisations")
def organisations_and_areas(
    request: Request,
    store: StoreDep,
    answers: AnswersDep,
    asked: ProgrammeAsked,
    sort: Annotated[str, Query(max_length=40)] = "people_last",
    order: Literal["asc", "desc"] = "desc",
) -> Response:
    """Each organisation and area, first date against last, sortable; under-reached areas."""
    who = signed_in_team(request, store)
    if isinstance(who, Response):
        return who
    page = groups_page(store, who.viewer, asked, sort=sort, order=order, memo=answers)
    span = {
        "from": page.view.start.isoformat(),
        "to": page.view.end.isoformat(),
        "every": asked.every,
    }
    return render(
        request,
        "programme_groups.html",
        who,
        page=page,
        sort=sort,
        order=order,
        span=urlencode(span),
    )


@router.get("/programme/organisations/{table}.{fmt}")
def organisations_and_areas_table(
    request: Request,
    store: StoreDep,
    answers: AnswersDep,
    table: Literal["organisations", "areas", "over-time"],
    fmt: Literal["csv", "xlsx"],
    asked: ProgrammeAsked,
) -> Response:
    """A summary table, or every date's figures, as a download (formula-safe)."""
    who = signed_in_team(request, store)
    if isinstance(who, Response):
        return who
    found = groups_download(store, who.viewer, table, fmt, asked, memo=answers)
    return attachment(found)
