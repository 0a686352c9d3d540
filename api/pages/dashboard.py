"""The programme team's dashboard: the network's figures on a date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import AnswersDep, StoreDep
from api.pages.render import attachment, render, signed_in_team
from graph import measure
from graph.model import Cohort
from graph.store import Page
from services.dashboard import dashboard_download
from services.schemas import GrowthOut, MetricSuiteOut

router = APIRouter(include_in_schema=False)

# -- the programme team -----------------------------------------------------------------------


@router.get("/dashboard")
def dashboard(
    request: Request,
    store: StoreDep,
    answers: AnswersDep,
    as_of: Annotated[date | None, Query()] = None,
) -> Response:
    """The network's metrics on a day, and each cohort's growth from baseline to end."""
    who = signed_in_team(request, store)
    if isinstance(who, Response):
        return who
    day = as_of or date.today()
    # the same questions as GET /metrics/network and /metrics/growth: the same answers kept
    suite = MetricSuiteOut.model_validate(
        measure.network_report(store, as_of=day, people=False, memo=answers)
    )
    cohorts = sorted(store.find(Cohort, page=Page(limit=500)).data, key=lambda c: c.start_date)
    growth = {
        c.id: GrowthOut.model_validate(measure.growth_report(store, c.id, memo=answers))
        for c in cohorts
    }
    return render(
        request,
        "dashboard.html",
        who,
        day=day,
        suite=suite,
        cohorts=cohorts,
        growth=growth,
        map_url="/visualisations/network.html?" + urlencode({"as_of": day.isoformat()}),
        on=urlencode({"as_of": day.isoformat()}),
    )


@router.get("/dashboard/{table}.{fmt}")
def dashboard_table(
    request: Request,
    store: StoreDep,
    answers: AnswersDep,
    table: Literal["network", "organisations", "sectors", "cohorts"],
    fmt: Literal["csv", "xlsx"],
    as_of: Annotated[date | None, Query()] = None,
) -> Response:
    """One of the dashboard's tables as a download (CSV or Excel, formula-safe)."""
    who = signed_in_team(request, store)
    if isinstance(who, Response):
        return who
    found = dashboard_download(store, who.viewer, table, fmt, as_of or date.today(), answers)
    return attachment(found)
