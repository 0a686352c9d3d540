"""``/wicked-issues``: what happened to an issue before, who can help now, the handover pack.

Reads are for any key: whoever picks up a wicked issue needs its lineage,
alumni included. People in the answers go through ``services.consent`` as
everywhere else, and handover notes are returned with the names of people
the caller may not see withheld. Recording a handover is for the programme
team, through the store's own gate, so a bundle and the API keep one set of
rules.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Response

from api.auth import AnyRole, TeamRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from graph import lineage as baton
from graph.model import AMBITIONS, Cohort, Handover, IngestRun, Person, slug
from graph.profiles import Profile
from graph.store import GraphStore
from services import consent
from services.consent import Viewer
from services.schemas import CohortRef, Day, Paged, PersonOut, ProjectRef
from services.schemas_wicked import (
    AmbitionRef,
    HandoverIn,
    HandoverOut,
    HandoverRecordedOut,
    IssueProjectOut,
    LineageOut,
    LineageStepOut,
    SupporterOut,
    SupportReasonOut,
    WickedIssueDetailOut,
    WickedIssueOut,
)
from visualisations.handover_pack import (
    CONTENT_SECURITY_POLICY,
    HandoverPack,
    PackHandover,
    PackPerson,
    PackProject,
    PackSupporter,
    to_html,
    to_markdown,
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
PackFormat = Literal["markdown", "html"]
_MEDIA: dict[PackFormat, str] = {"markdown": "text/markdown", "html": "text/html"}
_AMBITION_TITLES = {a.id: a.title for a in AMBITIONS}


# -- to public models ---------------------------------------------------------------------


def _cohort_ref(cohort_id: str, cohorts: dict[str, Cohort]) -> CohortRef:
    cohort = cohorts.get(cohort_id)
    return CohortRef(id=cohort_id, name=cohort.name if cohort else cohort_id)


def _issue_out(summary: baton.IssueSummary) -> WickedIssueOut:
    issue, projects = summary.issue, summary.projects
    cohorts = {c.id: c for c in summary.cohorts}
    return WickedIssueOut(
        id=issue.id,
        title=issue.title,
        description=issue.description,
        ambitions=[AmbitionRef(id=a, title=_AMBITION_TITLES[a]) for a in issue.ambitions],
        project_count=len(projects),
        cohorts=[_cohort_ref(c, cohorts) for c in dict.fromkeys(p.cohort_id for p in projects)],
        open_projects=[ProjectRef(id=p.id, title=p.title) for p in summary.open_projects],
        active_now=summary.active_now,
        last_active=summary.last_active,
        handovers=summary.handovers,
    )


def _project_out(step: baton.Step, cohorts: dict[str, Cohort]) -> IssueProjectOut:
    p = step.project
    return IssueProjectOut(
        id=p.id,
        title=p.title,
        cohort=_cohort_ref(p.cohort_id, cohorts),
        status=p.status,
        start_date=p.start_date,
        due_date=p.due_date,
        active_until=step.active_until,
    )


def _handover_out(h: Handover, found: baton.Lineage) -> HandoverOut:
    giver = found.step(h.from_project_id)
    receiver = found.step(h.to_project_id) if h.to_project_id else None
    notes = baton.read_notes(h.notes)
    return HandoverOut(
        issue_id=h.issue_id,
        from_project=ProjectRef(
            id=h.from_project_id, title=giver.project.title if giver else h.from_project_id
        ),
        to_cohort_id=h.to_cohort_id,
        to_cohort=_cohort_ref(h.to_cohort_id, found.cohorts)
        if h.to_cohort_id in found.cohorts
        else None,
        to_project=ProjectRef(
            id=h.to_project_id, title=receiver.project.title if receiver else h.to_project_id
        )
        if h.to_project_id
        else None,
        date=h.date,
        notes=h.notes,
        learned=list(notes.learned),
        open_questions=list(notes.open_questions),
        talk_to=list(notes.talk_to),
    )


def _people(viewer: Viewer, found: baton.Lineage, ids: tuple[str, ...]) -> list[PersonOut]:
    return consent.people_out(viewer, (found.profiles[i] for i in ids if i in found.profiles))


def _one(viewer: Viewer, profile: Profile | None) -> PersonOut | None:
    shown = consent.people_out(viewer, [profile]) if profile is not None else []
    return shown[0] if shown else None


def lineage_out(viewer: Viewer, found: baton.Lineage) -> LineageOut:
    """The lineage as the caller may see it: hidden people are left out of every list."""
    summary = baton.summary_of(found)
    return LineageOut(
        issue=_issue_out(summary),
        steps=[
            LineageStepOut(
                project=_project_out(s, found.cohorts),
                outcomes=s.project.outcomes,
                leads=_people(viewer, found, s.leads),
                members=_people(viewer, found, s.members),
                sponsor=_one(viewer, found.profiles.get(s.sponsor or "")),
                handed_over=[_handover_out(h, found) for h in s.handed_over],
                received=[_handover_out(h, found) for h in s.received],
            )
            for s in found.steps
        ],
        working_now=_people(viewer, found, found.working_now),
    )


def _supporters(store: GraphStore, viewer: Viewer, found: baton.Lineage) -> list[SupporterOut]:
    ranked = baton.supporters(
        store,
        found,
        visible=viewer.sees,
        route_through=viewer.may_route_through,
        contact_details=viewer.sees_contact_details,
        exclude=[viewer.person_id] if viewer.person_id else [],
    )
    result = []
    for s in ranked:
        person = _one(viewer, s.profile)
        if person is None:
            continue
        result.append(
            SupporterOut(
                person=person,
                score=s.score,
                reasons=[SupportReasonOut(kind=r.kind, text=r.text) for r in s.reasons],
                via=consent.people_out(viewer, s.via),
            )
        )
    return result


def _read_lineage(store: GraphStore, viewer: Viewer, issue_id: str) -> baton.Lineage:
    return consent.lineage_seen(store, viewer, baton.lineage(store, issue_id))


# -- the pack -----------------------------------------------------------------------------


def _pack_person(p: PersonOut) -> PackPerson:
    return PackPerson(
        id=p.id,
        name=p.name,
        organisation=p.organisation.name if p.organisation else None,
        sector=p.sector.value if p.sector else None,
        job_title=p.job_title,
        email=p.email,
    )


def _pack_handover(h: HandoverOut) -> PackHandover:
    return PackHandover(
        date=h.date,
        from_project=h.from_project.title,
        to_cohort=h.to_cohort.name if h.to_cohort else h.to_cohort_id,
        to_project=h.to_project.title if h.to_project else None,
        to_project_id=h.to_project.id if h.to_project else None,
        notes=h.notes,
        learned=tuple(h.learned),
        open_questions=tuple(h.open_questions),
    )


def _on_map(store: GraphStore, person_ids: set[str]) -> frozenset[str]:
    """Those of ``person_ids`` the pack's map may draw: people with analytics consent."""
    people = store.get_many(Person, person_ids) if person_ids else {}
    return frozenset(pid for pid, p in people.items() if p.consent_analytics)


def build_pack(store: GraphStore, viewer: Viewer, issue_id: str, today: date) -> HandoverPack:
    """The handover pack of an issue, holding only what ``viewer`` may see.

    Built from the same public models the JSON endpoints return, so the pack
    cannot show a person, an email or a name in a note that they would not.
    """
    found = _read_lineage(store, viewer, issue_id)
    shown = lineage_out(viewer, found)
    helpers = _supporters(store, viewer, found)
    return HandoverPack(
        issue_id=shown.issue.id,
        title=shown.issue.title,
        description=shown.issue.description,
        ambitions=tuple(a.title for a in shown.issue.ambitions),
        generated_on=today,
        projects=tuple(
            PackProject(
                id=s.project.id,
                title=s.project.title,
                cohort=s.project.cohort.name,
                status=s.project.status.value,
                start_date=s.project.start_date,
                due_date=s.project.due_date,
                outcomes=s.outcomes,
                leads=tuple(_pack_person(p) for p in s.leads),
                members=tuple(_pack_person(p) for p in s.members),
                sponsor=_pack_person(s.sponsor) if s.sponsor else None,
                handed_over=tuple(_pack_handover(h) for h in s.handed_over),
                received=tuple(_pack_handover(h) for h in s.received),
            )
            for s in shown.steps
        ),
        working_now=tuple(_pack_person(p) for p in shown.working_now),
        supporters=tuple(
            PackSupporter(
                person=_pack_person(s.person),
                reasons=tuple(r.text for r in s.reasons),
                via=tuple(_pack_person(v) for v in s.via),
            )
            for s in helpers
        ),
        last_active=shown.issue.last_active,
        on_map=_on_map(store, set(found.profiles) | {s.person.id for s in helpers}),
    )


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
    found = baton.issue_summaries(store, orphaned_since=orphaned_since)
    shown = consent.summaries_seen(store, viewer, found[page.offset : page.offset + page.limit])
    return Paged[WickedIssueOut](data=[_issue_out(s) for s in shown], count=len(found))


@router.get(
    "/{issue_id}",
    response_model=WickedIssueDetailOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="One wicked issue and its projects",
)
def get_issue(store: StoreDep, viewer: AnyRole, issue_id: IssueId) -> WickedIssueDetailOut:
    """The issue and every project on it, oldest first; people are in its lineage."""
    found = _read_lineage(store, viewer, issue_id)
    return WickedIssueDetailOut(
        **_issue_out(baton.summary_of(found)).model_dump(),
        projects=[_project_out(s, found.cohorts) for s in found.steps],
    )


@router.get(
    "/{issue_id}/lineage",
    response_model=LineageOut,
    responses=responses(401, 403, 404, 422, 429),
    summary="The whole chain: projects, people, outcomes and handovers",
)
def get_lineage(store: StoreDep, viewer: AnyRole, issue_id: IssueId) -> LineageOut:
    """Every project on the issue in order (cohort, then start): its lead, sponsor, team and
    outcomes, each handover with its note, and who is working on it now."""
    return lineage_out(viewer, _read_lineage(store, viewer, issue_id))


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
    shown = _supporters(store, viewer, _read_lineage(store, viewer, issue_id))
    return Paged[SupporterOut](data=shown[page.offset : page.offset + page.limit], count=len(shown))


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
    pack = build_pack(store, viewer, issue_id, datetime.now(UTC).date())
    text = to_html(pack) if chosen == "html" else to_markdown(pack)
    suffix = "html" if chosen == "html" else "md"
    headers = {
        "Vary": "Accept",
        "Content-Disposition": f'inline; filename="handover-pack-{slug(pack.issue_id)}.{suffix}"',
    }
    if chosen == "html":
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return Response(text, media_type=f"{_MEDIA[chosen]}; charset=utf-8", headers=headers)


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
    handover = Handover(
        issue_id=body.issue_id or issue_id,
        from_project_id=body.from_project_id,
        to_cohort_id=body.to_cohort_id,
        to_project_id=body.to_project_id,
        date=body.date,
        notes=body.notes,
    )
    started = datetime.now(UTC)
    content = json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()
    run = IngestRun(
        id=f"run-{started:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}",
        file_name=f"POST /wicked-issues/{issue_id}/handovers (key {viewer.key_id})",
        sha256=hashlib.sha256(content).hexdigest(),
        started_at=started,
    )
    report = baton.record_handover(store, handover, run, issue_id=issue_id)
    counts = report.counts.get(Handover.kind)
    result: Literal["created", "updated", "unchanged"] = "unchanged"
    if counts and counts.created:
        result = "created"
    elif counts and counts.updated:
        result = "updated"
    if result != "created":
        response.status_code = 200
    found = _read_lineage(store, viewer, issue_id)
    recorded = next(h for h in found.handovers if h.key == handover.key)
    return HandoverRecordedOut(
        result=result, run_id=run.id, handover=_handover_out(recorded, found)
    )
