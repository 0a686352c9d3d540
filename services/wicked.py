"""Wicked issues, one function per use case: the list, an issue, its lineage, who can
help, the handover pack, and recording a handover.

Reads are for any viewer: whoever picks up a wicked issue needs its lineage,
alumni included. People in the answers go through ``services.consent`` as
everywhere else, and free text (descriptions, outcomes, handover notes) is
returned with the names of people the viewer may not see withheld. Recording
a handover is for the programme team, through the store's own gate, so a
bundle, the API and the pages keep one set of rules.

The API (``api.routes.wicked_issues``), the pages (``api.pages.wicked``) and the
command line (``cli.wicked``) are thin adapters over these functions.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from graph import delivery
from graph import lineage as baton
from graph import supporters as helping
from graph.model import AMBITIONS, Cohort, Handover, IngestRun, KeyRole, Person, slug
from graph.notes import read_notes
from graph.profiles import Profile
from graph.store import GraphStore, Page
from services import consent
from services.consent import Viewer
from services.schemas import CohortRef, Paged, PersonOut, ProjectRef
from services.schemas_wicked import (
    AmbitionRef,
    HandoverIn,
    HandoverOut,
    HandoverRecordedOut,
    IssuePageOut,
    IssueProjectOut,
    LineageOut,
    LineageStepOut,
    SupporterOut,
    SupportReasonOut,
    WickedIssueDetailOut,
    WickedIssueOut,
)
from visualisations.handover_model import (
    HandoverPack,
    PackHandover,
    PackPerson,
    PackProject,
    PackSupporter,
    day,
    project_dates,
)
from visualisations.handover_pack import CONTENT_SECURITY_POLICY, to_html, to_markdown

__all__ = [
    "PackDocument",
    "PackFormat",
    "build_pack",
    "console_team",
    "day",
    "issue_detail",
    "issue_page",
    "lineage_for",
    "list_issues",
    "pack_for",
    "pack_reader",
    "project_dates",
    "record_handover",
    "supporters_for",
]

PackFormat = Literal["markdown", "html"]
_MEDIA: dict[PackFormat, str] = {"markdown": "text/markdown", "html": "text/html"}
_SUFFIX: dict[PackFormat, str] = {"markdown": "md", "html": "html"}
_AMBITION_TITLES = {a.id: a.title for a in AMBITIONS}
_EVERY = Page(limit=100_000)


# -- the viewers of the command line ---------------------------------------------------------


def console_team() -> Viewer:
    """The console's reader: the programme team, as with a programme key."""
    return Viewer(role=KeyRole.PROGRAMME, key_id="cli")


def pack_reader() -> Viewer:
    """A pack written to a file gets passed on: it is written for a new project team, as
    alumni without a person of their own see it, whoever writes it."""
    return Viewer(role=KeyRole.ALUMNI, key_id="cli-pack")


# -- to public models ---------------------------------------------------------------------


def _cohort_ref(cohort_id: str, cohorts: dict[str, Cohort]) -> CohortRef:
    cohort = cohorts.get(cohort_id)
    return CohortRef(id=cohort_id, name=cohort.name if cohort else cohort_id)


def _issue_out(summary: delivery.IssueSummary) -> WickedIssueOut:
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
    notes = read_notes(h.notes)
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


def _lineage_out(viewer: Viewer, found: baton.Lineage) -> LineageOut:
    """The lineage as the caller may see it: hidden people are left out of every list."""
    summary = delivery.summary_of(found)
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


def _ranked_supporters(
    store: GraphStore, viewer: Viewer, found: baton.Lineage
) -> list[SupporterOut]:
    """Who can help, ranked (``graph.supporters``), as the viewer may see them: the one
    ranking the API, the issue page and the pack all show."""
    ranked = helping.supporters(
        store, found, viewer, exclude=[viewer.person_id] if viewer.person_id else []
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


# -- reads ------------------------------------------------------------------------------------


def list_issues(
    store: GraphStore, viewer: Viewer, page: Page, *, orphaned_since: date | None = None
) -> Paged[WickedIssueOut]:
    """Every wicked issue by id (one page of them), or only those with no project active
    on ``orphaned_since`` or after it."""
    found = delivery.issue_summaries(store, orphaned_since=orphaned_since)
    shown = consent.summaries_seen(store, viewer, found[page.offset : page.offset + page.limit])
    return Paged[WickedIssueOut](data=[_issue_out(s) for s in shown], count=len(found))


def issue_detail(store: GraphStore, viewer: Viewer, issue_id: str) -> WickedIssueDetailOut:
    """The issue and every project on it, oldest first. Raises ``NotFound``."""
    found = _read_lineage(store, viewer, issue_id)
    return WickedIssueDetailOut(
        **_issue_out(delivery.summary_of(found)).model_dump(),
        projects=[_project_out(s, found.cohorts) for s in found.steps],
    )


def lineage_for(store: GraphStore, viewer: Viewer, issue_id: str) -> LineageOut:
    """Every project on the issue in order (cohort, then start): its lead, sponsor, team
    and outcomes, each handover with its note, and who is working on it now, as the
    viewer may see them. Raises ``NotFound``."""
    return _lineage_out(viewer, _read_lineage(store, viewer, issue_id))


def supporters_for(
    store: GraphStore, viewer: Viewer, issue_id: str, page: Page
) -> Paged[SupporterOut]:
    """Who can help the team picking the issue up, ranked, each with its reasons (one
    page of them): only people the viewer may see and contact. Raises ``NotFound``."""
    shown = _ranked_supporters(store, viewer, _read_lineage(store, viewer, issue_id))
    return Paged[SupporterOut](data=shown[page.offset : page.offset + page.limit], count=len(shown))


def issue_page(store: GraphStore, viewer: Viewer, issue_id: str, supporters: Page) -> IssuePageOut:
    """What the issue page shows: the lineage, one page of who can help (the ranking the
    pack and ``supporters_for`` give) and, for the programme team (who record
    handovers), the cohorts a handover may go to. Raises ``NotFound``."""
    found = _read_lineage(store, viewer, issue_id)
    ranked = _ranked_supporters(store, viewer, found)
    cohorts: list[CohortRef] = []
    if consent.is_team(viewer):
        known = store.find(Cohort, page=_EVERY).data
        cohorts = [CohortRef(id=c.id, name=c.name) for c in sorted(known, key=_cohort_order)]
    return IssuePageOut(
        lineage=_lineage_out(viewer, found),
        supporters=Paged[SupporterOut](
            data=ranked[supporters.offset : supporters.offset + supporters.limit],
            count=len(ranked),
        ),
        cohorts=cohorts,
    )


def _cohort_order(c: Cohort) -> tuple[date, str]:
    return (c.start_date, c.id)


# -- the pack ---------------------------------------------------------------------------------


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
    shown = _lineage_out(viewer, found)
    helpers = _ranked_supporters(store, viewer, found)
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
                active_until=s.project.active_until,
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


@dataclass(frozen=True)
class PackDocument:
    """A rendered pack: its text, media type, file name and the headers to serve it with."""

    text: str
    format: PackFormat
    file_name: str

    @property
    def media_type(self) -> str:
        return f"{_MEDIA[self.format]}; charset=utf-8"

    @property
    def content_security_policy(self) -> str | None:
        """The HTML page's policy (it fetches nothing); None for Markdown."""
        return CONTENT_SECURITY_POLICY if self.format == "html" else None


def pack_for(
    store: GraphStore,
    viewer: Viewer,
    issue_id: str,
    format: PackFormat,
    *,
    today: date | None = None,
) -> PackDocument:
    """The handover pack as Markdown or as one self-contained HTML page, holding only
    what ``viewer`` may see (``today``: its date, by default today in UTC). Raises
    ``NotFound``."""
    pack = build_pack(store, viewer, issue_id, today or datetime.now(UTC).date())
    text = to_html(pack) if format == "html" else to_markdown(pack)
    return PackDocument(text, format, f"handover-pack-{slug(pack.issue_id)}.{_SUFFIX[format]}")


# -- recording a handover ---------------------------------------------------------------------


def record_handover(
    store: GraphStore, viewer: Viewer, issue_id: str, body: HandoverIn, *, source: str
) -> HandoverRecordedOut:
    """Record a handover on the issue (programme team): the same rules as a bundle's
    ``handovers`` row (the giving project worked on the issue; the date is not before it
    started), refused with ``Invalid`` naming the field and nothing written. Recorded as
    its own run (``source``, e.g. the request, names it in the run's file name), which a
    rollback can undo. Raises ``Forbidden`` for alumni and ``NotFound`` for an unknown
    issue."""
    consent.ensure_team(viewer)
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
        file_name=f"{source} (key {viewer.key_id})",
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
    found = _read_lineage(store, viewer, issue_id)
    recorded = next(h for h in found.handovers if h.key == handover.key)
    return HandoverRecordedOut(
        result=result, run_id=run.id, handover=_handover_out(recorded, found)
    )
