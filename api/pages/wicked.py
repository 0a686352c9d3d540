"""Wicked issues: the list, one issue's history across cohorts with who can help, and
recording a handover (programme team)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api.deps import StoreDep
from api.pages.render import (
    Csrf,
    SignedIn,
    closest,
    not_found,
    render,
    signed_in,
    team_form,
    to_sign_in,
)
from graph.errors import Invalid, NotFound
from graph.store import Page
from services import wicked
from services.schemas_wicked import HandoverIn, HandoverRecordedOut

router = APIRouter(include_in_schema=False)

_EVERY_ISSUE = Page(limit=100_000)
"""The list page shows every issue on one page, as it always has."""
HELPERS_PER_PAGE = 10
"""Who can help, ten at a time, best placed first."""

Field = Annotated[str, Form(max_length=200)]
Notes = Annotated[str, Form(max_length=20_000)]


@router.get("/issues")
def issues(request: Request, store: StoreDep) -> Response:
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    found = wicked.list_issues(store, who.viewer, _EVERY_ISSUE)
    return render(request, "issues.html", who, issues=found.data)


def _issue(
    request: Request,
    store: StoreDep,
    who: SignedIn,
    issue_id: str,
    *,
    offset: int = 0,
    status: int = 200,
    **context: Any,
) -> Response:
    try:
        shown = wicked.issue_page(
            store, who.viewer, issue_id, Page(limit=HELPERS_PER_PAGE, offset=offset)
        )
    except NotFound as missing:
        return not_found(request, who, "No such wicked issue.", _closest(store, who, missing))
    return render(
        request,
        "issue.html",
        who,
        status=status,
        lineage=shown.lineage,
        supporters=shown.supporters,
        cohorts=shown.cohorts,
        offset=offset,
        per_page=HELPERS_PER_PAGE,
        day=wicked.day,
        project_dates=wicked.project_dates,
        **context,
    )


@router.get("/issues/{issue_id}")
def issue(
    request: Request,
    store: StoreDep,
    issue_id: str,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """A wicked issue's lineage: its projects in order, their people and handovers, and
    who can help, ranked with their reasons."""
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    return _issue(request, store, who, issue_id, offset=offset)


def _problems(error: ValidationError) -> list[dict[str, str]]:
    """The form's errors as the API words them (field, value, what is wrong)."""
    from api.problems import reason_in_words

    return [
        {
            "where": "the form",
            "column": ".".join(str(p) for p in e["loc"]),
            "value": "" if e.get("input") is None else str(e["input"])[:200],
            "reason": reason_in_words(e),
        }
        for e in error.errors()
    ]


@router.post("/issues/{issue_id}/handovers")
def record_handover(
    request: Request,
    store: StoreDep,
    issue_id: str,
    from_project_id: Field = "",
    to_cohort_id: Field = "",
    to_project_id: Field = "",
    date: Field = "",
    notes: Notes = "",
    token: Csrf = "",
) -> Response:
    """Record a handover from the issue page: the programme team's form, with the rules
    and errors of ``POST /wicked-issues/{id}/handovers`` (one service function)."""
    who = team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    filled = {
        "from_project_id": from_project_id.strip(),
        "to_cohort_id": to_cohort_id.strip(),
        "to_project_id": to_project_id.strip() or None,
        "date": date.strip(),
        "notes": notes.strip() or None,
    }
    problems: list[dict[str, str]]
    try:
        body = HandoverIn.model_validate(filled)
        recorded: HandoverRecordedOut = wicked.record_handover(
            store, who.viewer, issue_id, body, source=f"page /issues/{issue_id}"
        )
    except ValidationError as exc:
        problems = _problems(exc)
    except Invalid as exc:
        problems = [
            {"where": "the form", "column": p.field, "value": str(p.value), "reason": p.reason}
            for p in exc.problems
        ]
    except NotFound as missing:
        return not_found(request, who, "No such wicked issue.", _closest(store, who, missing))
    else:
        status = 201 if recorded.result == "created" else 200
        return _issue(request, store, who, issue_id, status=status, recorded=recorded)
    return _issue(request, store, who, issue_id, status=422, refused=problems, form=filled)


def _closest(store: StoreDep, who: SignedIn, missing: NotFound) -> list[tuple[str, str]]:
    return closest(store, who, missing, lambda key: f"/issues/{key}")
