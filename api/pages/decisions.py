"""The programme team's two decisions: match mentors to a cohort, plan a cohort's selection.

Each page is a form (CSRF, programme or admin keys) over one services function; a file
comes from the upload or, when the demo's files are installed, from the demo.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

import demo
from api.deps import StoreDep
from api.limits import upload_name
from api.pages.render import (
    Csrf,
    SignedIn,
    render,
    signed_in_team,
    team_form,
)
from graph.errors import AlumniGraphError, Invalid, NotFound, Problem
from graph.model import Cohort
from graph.store import GraphStore, Page
from services import mentoring, selection

router = APIRouter(include_in_schema=False)

DEMO_POOL = "mentor-pool.csv"
DEMO_APPLICANTS = "applicants.csv"

Text = Annotated[str, Form(max_length=2000)]
Upload = Annotated[UploadFile | None, File()]


def _demo_file(name: str) -> Path | None:
    found = demo.path(name)
    return found if found.is_file() else None


def _cohorts(store: GraphStore) -> list[Cohort]:
    found = store.find(Cohort, None, Page(limit=10_000)).data
    return sorted(found, key=lambda c: (c.start_date, c.id), reverse=True)


@contextmanager
def _file(upload: UploadFile | None, demo_name: str, use_demo: bool) -> Iterator[Path]:
    """The uploaded file (copied to a private folder under its own name, so that problems
    name it as the user does), or the demo's."""
    if use_demo or upload is None or not upload.filename:
        found = _demo_file(demo_name)
        if found is None:
            raise Invalid([Problem("form", "file", "", "choose a file")])
        yield found
        return
    name = upload_name(upload.filename) or "upload"
    with tempfile.TemporaryDirectory(prefix="alumni-graph-decision-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:  # the app's body limit bounds it; the reader checks it
            shutil.copyfileobj(upload.file, out, length=64 * 1024)
        yield path


def _problems(exc: AlumniGraphError) -> list[dict[str, object]]:
    if isinstance(exc, Invalid):
        return [
            {"where": p.record, "column": p.field, "value": p.value, "reason": p.reason}
            for p in exc.problems
        ]
    return [{"where": "", "column": "", "value": "", "reason": str(exc)}]


# -- mentors ------------------------------------------------------------------------


def _mentors_page(request: Request, store: StoreDep, who: SignedIn, **context: object) -> Response:
    status = 422 if context.get("refused") else 200
    return render(
        request,
        "mentors.html",
        who,
        status=status,
        cohorts=_cohorts(store),
        demo_pool=_demo_file(DEMO_POOL) is not None,
        **context,
    )


@router.get("/mentors")
def mentors_form(request: Request, store: StoreDep) -> Response:
    who = signed_in_team(request, store)
    if isinstance(who, Response):
        return who
    return _mentors_page(request, store, who)


@router.post("/mentors")
def mentors_match(
    request: Request,
    store: StoreDep,
    cohort_id: Text,
    token: Csrf = "",
    pool: Upload = None,
    rules: Upload = None,
    use_demo: Text = "",
    accept: Text = "",
) -> Response:
    """Work the match out (or, with ``accept``, write it as one ingest run)."""
    who = team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    chosen = {"cohort_id": cohort_id, "use_demo": bool(use_demo)}
    try:
        with (
            _file(pool, DEMO_POOL, bool(use_demo)) as pool_path,
            _rules_file(rules) as rules_path,
        ):
            if accept:
                accepted = mentoring.accept_match(
                    store, who.viewer, cohort_id, pool_path, rules_path
                )
                return _mentors_page(
                    request, store, who, found=accepted.match, run_id=accepted.run_id, **chosen
                )
            found = mentoring.match_for(store, who.viewer, cohort_id, pool_path, rules_path)
    except (Invalid, NotFound) as exc:
        return _mentors_page(request, store, who, refused=_problems(exc), **chosen)
    return _mentors_page(request, store, who, found=found, **chosen)


@contextmanager
def _rules_file(upload: UploadFile | None) -> Iterator[Path | None]:
    if upload is None or not upload.filename:
        yield None
        return
    with _file(upload, "", False) as path:
        yield path


# -- selection ----------------------------------------------------------------------


def _quotas(text: str, flag: str) -> dict[str, int]:
    pairs = [selection.parse_quota(p, flag) for p in text.replace(";", ",").split(",") if p.strip()]
    return dict(pairs)


def _selection_page(request: Request, who: SignedIn, **context: object) -> Response:
    status = 422 if context.get("refused") else 200
    return render(
        request,
        "selection.html",
        who,
        status=status,
        demo_applicants=_demo_file(DEMO_APPLICANTS) is not None,
        **context,
    )


@router.get("/selection")
def selection_form(request: Request, store: StoreDep) -> Response:
    who = signed_in_team(request, store)
    if isinstance(who, Response):
        return who
    return _selection_page(request, who, chosen={"places": 10, "merit_weight": "1"})


@router.post("/selection")
def selection_plan(
    request: Request,
    store: StoreDep,
    places: Annotated[int, Form(ge=1, le=10_000)],
    token: Csrf = "",
    applicants: Upload = None,
    use_demo: Text = "",
    sector_min: Text = "",
    sector_max: Text = "",
    organisation_max: Annotated[int | None, Form(ge=1)] = None,
    merit_weight: Annotated[float, Form(ge=0, le=1000)] = 1.0,
) -> Response:
    who = team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    chosen = {
        "places": places,
        "use_demo": bool(use_demo),
        "sector_min": sector_min,
        "sector_max": sector_max,
        "organisation_max": organisation_max,
        "merit_weight": merit_weight,
    }
    try:
        with _file(applicants, DEMO_APPLICANTS, bool(use_demo)) as path:
            plan = selection.plan_for(
                store,
                who.viewer,
                path,
                places=places,
                sector_min=_quotas(sector_min, "sector_min"),
                sector_max=_quotas(sector_max, "sector_max"),
                organisation_max=organisation_max,
                merit_weight=merit_weight,
            )
    except Invalid as exc:
        return _selection_page(request, who, refused=_problems(exc), chosen=chosen)
    return _selection_page(request, who, plan=plan, chosen=chosen)
