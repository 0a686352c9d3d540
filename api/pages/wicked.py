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
from graph.errors import NotFound
from graph.store import Page
from services import wicked

router = APIRouter(include_in_schema=False)

_EVERY_ISSUE = Page(limit=100_000)
"""The list page shows every issue on one page, as it always has."""


@router.get("/issues")
def issues(request: Request, store: StoreDep) -> Response:
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    found = wicked.list_issues(store, who.viewer, _EVERY_ISSUE)
    return render(request, "issues.html", who, issues=found.data)


@router.get("/issues/{issue_id}")
def issue(request: Request, store: StoreDep, issue_id: str) -> Response:
    """A wicked issue's lineage: its projects in order, their people and handovers."""
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    try:
        shown = wicked.lineage_for(store, who.viewer, issue_id)
    except NotFound:
        return not_found(request, who, "No such wicked issue.")
    return render(request, "issue.html", who, lineage=shown)
