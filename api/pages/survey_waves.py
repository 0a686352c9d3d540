"""The programme team's survey waves page, ``/survey-waves``: every wave and its
response rate, a form to open one (its links shown once, with a CSV to copy into a
mail merge), and, per open wave, forms to reissue a member's link and to close it.
The same use cases serve ``/surveys`` and ``alumni-graph survey`` (``services.surveys``)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import StoreDep
from api.pages.render import Csrf, SignedIn, render, signed_in, team_form, team_only, to_sign_in
from graph.errors import AlumniGraphError, Conflict, Invalid, NotFound, Problem
from graph.model import Wave
from graph.surveys import Indicator
from services import surveys
from services.tables import neutralise

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=200)]
Indicators = Annotated[str, Form(max_length=10_000)]


def _page(
    request: Request, store: StoreDep, who: SignedIn, *, status: int = 200, **context: object
) -> HTMLResponse:
    waves = surveys.list_waves(store, who.viewer)
    return render(
        request, "survey_waves.html", who, status=status, listed=waves, waves=list(Wave), **context
    )


@router.get("/survey-waves")
def waves_page(request: Request, store: StoreDep) -> Response:
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    return team_only(request, who) or _page(request, store, who)


def _indicators(text: str) -> list[Indicator]:
    """``id: wording`` lines; ``Invalid`` naming each bad line."""
    found: list[Indicator] = []
    problems = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, _, wording = line.partition(":")
        try:
            found.append(Indicator(id=key.strip(), wording=wording.strip()))
        except ValidationError:
            problems.append(f"indicator line {n}: write it as 'id: wording' (id in a-z, 0-9, -, _)")
    if problems:
        raise Invalid([Problem("indicators", "line", None, p) for p in problems])
    return found


def _refused(
    request: Request, store: StoreDep, who: SignedIn, error: AlumniGraphError
) -> HTMLResponse:
    status = 404 if isinstance(error, NotFound) else 409 if isinstance(error, Conflict) else 422
    reasons = [str(p) for p in error.problems] if isinstance(error, Invalid) else [str(error)]
    return _page(request, store, who, status=status, refused=reasons)


@router.post("/survey-waves/open")
def open_wave(
    request: Request,
    store: StoreDep,
    token: Csrf,
    cohort_id: Text,
    wave: Annotated[Wave, Form()],
    closes_on: Annotated[date, Form()],
    indicators: Indicators = "",
) -> Response:
    who = team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    try:
        opened = surveys.open_wave(
            store, who.viewer, cohort_id, wave, closes_on, _indicators(indicators)
        )
    except AlumniGraphError as exc:
        return _refused(request, store, who, exc)
    base = str(request.base_url).rstrip("/")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", "name", "link"])
    writer.writerows(  # a name a spreadsheet would run ("@SUM(...)") opens as text
        [neutralise(link.email), neutralise(link.name), base + link.link] for link in opened.links
    )
    return _page(request, store, who, opened=opened, base=base, links_csv=out.getvalue())


@router.post("/survey-waves/{cohort_id}/{wave}/reissue")
def reissue(
    request: Request, store: StoreDep, token: Csrf, cohort_id: str, wave: Wave, email: Text
) -> Response:
    who = team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    try:
        link = surveys.reissue_link(store, who.viewer, cohort_id, wave, email)
    except AlumniGraphError as exc:
        return _refused(request, store, who, exc)
    base = str(request.base_url).rstrip("/")
    return _page(request, store, who, reissued=link, base=base)


@router.post("/survey-waves/{cohort_id}/{wave}/close")
def close(request: Request, store: StoreDep, token: Csrf, cohort_id: str, wave: Wave) -> Response:
    who = team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    try:
        closed = surveys.close_wave(store, who.viewer, cohort_id, wave)
    except AlumniGraphError as exc:
        return _refused(request, store, who, exc)
    return _page(request, store, who, closed=closed)
