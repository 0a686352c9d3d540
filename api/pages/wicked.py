"""Wicked issues: the list, and one issue's history across cohorts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import StoreDep
from api.pages.render import (
    not_found,
    render,
    signed_in,
    to_sign_in,
)
from api.routes.wicked_issues import lineage_out
from graph import lineage as baton
from graph.errors import NotFound
from services import consent

router = APIRouter(include_in_schema=False)


@router.get("/issues")
def issues(request: Request, store: StoreDep) -> Response:
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    found = consent.summaries_seen(store, who.viewer, baton.issue_summaries(store))
    return render(request, "issues.html", who, issues=found)


@router.get("/issues/{issue_id}")
def issue(request: Request, store: StoreDep, issue_id: str) -> Response:
    """A wicked issue's lineage: its projects in order, their people and handovers."""
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    try:
        found = consent.lineage_seen(store, who.viewer, baton.lineage(store, issue_id))
    except NotFound:
        return not_found(request, who, "No such wicked issue.")
    return render(request, "issue.html", who, lineage=lineage_out(who.viewer, found))
