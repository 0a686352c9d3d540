"""``/wicked-issues``: what happened to an issue before, who can help now, the handover pack.

Reads are for any key: whoever picks up a wicked issue needs its lineage,
alumni included. Recording a handover is for the programme team. Each route
parses its input and calls one function of ``services.wicked``, where consent
is applied and the pack is built.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from api.auth import AnyRole, TeamRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from services import wicked
from services.schemas import Day, Paged
from services.schemas_wicked import (
    HandoverIn,
    HandoverRecordedOut,
    LineageOut,
    SupporterOut,
    WickedIssueDetailOut,
    WickedIssueOut,
)

router = APIRouter(prefix="/wicked-issues", tags=["wicked-issues"])

IssueId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        description="A wicked issue's id.",
        openapi_examples={"issue": {"value": "rural-isolation"}},
    ),
]
PackFormat = wicked.PackFormat


def _accepted(accept: str | None) -> PackFormat | None:
    """The first pack format the ``Accept`` header prefers (by q, then by order), if any."""
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept or "").split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().casefold() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, index, media.casefold()))
    for _, _, media in sorted(ranked):
        if media in ("text/html", "application/xhtml+xml"):
            return "html"
        if media in ("text/markdown", "text/x-markdown", "text/plain", "text/*", "*/*"):
            return "markdown"
    return None


# -- routes ---------------------------------------------------------------------------------


@router.get(
    "",
    response_model=Paged[WickedIssueOut],
    responses=responses(401, 403, 422, 429),
    summary="Wicked issues, or those nobody has worked on since a date",
)
def list_issues(
    store: StoreDep,
    viewer: AnyRole,
    page: PageDep,
    orphaned_since: Annotated[
        Day | None,
        Query(
            description="Only issues with no project active on this date or after it"
            " (a proposed project is not active yet).",
            openapi_examples={"since": {"value": "2022-06-01"}},
        ),
    ] = None,
) -> Paged[WickedIssueOut]:
    """Every wicked issue by id, with who has worked on it and whether anyone does now."""
    return wicked.list_issues(store, viewer, page, orphaned_since=orphaned_since)


@router.get(
    "/{issue_id}",
    response_model=WickedIssueDetailOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="One wicked issue and its projects",
)
def get_issue(store: StoreDep, viewer: AnyRole, issue_id: IssueId) -> WickedIssueDetailOut:
    """The issue and every project on it, oldest first; people are in its lineage."""
    return wicked.issue_detail(store, viewer, issue_id)


@router.get(
    "/{issue_id}/lineage",
    response_model=LineageOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="The whole chain: projects, people, outcomes and handovers",
)
def get_lineage(store: StoreDep, viewer: AnyRole, issue_id: IssueId) -> LineageOut:
    """Every project on the issue in order (cohort, then start): its lead, sponsor, team and
    outcomes, each handover with its note, and who is working on it now."""
    return wicked.lineage_for(store, viewer, issue_id)


@router.get(
    "/{issue_id}/supporters",
    response_model=Paged[SupporterOut],
    responses=responses(401, 403, 404, 422, 429),
    summary="Who can help the team picking the issue up, ranked, each with its reasons",
)
def get_supporters(
    store: StoreDep, viewer: AnyRole, issue_id: IssueId, page: PageDep
) -> Paged[SupporterOut]:
    """Alumni who worked on the issue, their sponsors, and people in organisations the
    issue's network has not reached yet; only people who can be contacted (their email
    may be shown, or they agreed to introductions)."""
    return wicked.supporters_for(store, viewer, issue_id, page)


@router.get(
    "/{issue_id}/handover-pack",
    response_class=Response,
    responses={
        200: {
            "description": "The pack: Markdown, or a self-contained HTML page.",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **responses(401, 403, 404, 422, 429),
    },
    summary="The handover pack a new project team starts from",
)
def get_handover_pack(
    store: StoreDep,
    viewer: AnyRole,
    issue_id: IssueId,
    format: Annotated[
        PackFormat | None,
        Query(description="`markdown` or `html`; default: from `Accept`, else Markdown."),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Where the issue stands, its lineage, the open questions from the handover notes,
    the outcomes so far, the people to talk to (as the caller may see them) and a map of
    the issue's network. The HTML page loads nothing from anywhere."""
    chosen: PackFormat = format or _accepted(accept) or "markdown"
    pack = wicked.pack_for(store, viewer, issue_id, chosen)
    headers = {"Vary": "Accept", "Content-Disposition": f'inline; filename="{pack.file_name}"'}
    if pack.content_security_policy:
        headers["Content-Security-Policy"] = pack.content_security_policy
    return Response(pack.text, media_type=pack.media_type, headers=headers)


@router.post(
    "/{issue_id}/handovers",
    response_model=HandoverRecordedOut,
    status_code=201,
    responses={
        200: {"model": HandoverRecordedOut, "description": "Recorded already, or updated."},
        **responses(401, 403, 404, 422, 429),
    },
    summary="Record a handover (programme team)",
)
def record_handover(
    store: StoreDep,
    viewer: TeamRole,
    issue_id: IssueId,
    body: HandoverIn,
    response: Response,
) -> HandoverRecordedOut:
    """The same rules as a bundle's ``handovers`` row (the giving project worked on the
    issue; the date is not before it started): refused with 422 naming the field, and
    nothing written. Recorded as its own run (201; 200 when it was there already), which
    ``POST /ingest/runs/{id}/rollback`` can undo."""
    recorded = wicked.record_handover(
        store, viewer, issue_id, body, source=f"POST /wicked-issues/{issue_id}/handovers"
    )
    if recorded.result != "created":
        response.status_code = 200
    return recorded
