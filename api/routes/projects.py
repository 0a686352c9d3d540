"""``/projects``: cohort projects on wicked issues, their sponsors and members (programme team)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.auth import TeamRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from graph import delivery as tracking
from graph.contacts import profiles
from graph.model import Cohort, Person, Project, ProjectMember, ProjectStatus, WickedIssue
from graph.store import GraphStore, Page
from services import consent
from services.schemas import (
    CohortRef,
    Day,
    IssueRef,
    Paged,
    ProjectDetailOut,
    ProjectMemberOut,
    ProjectOut,
)

router = APIRouter(prefix="/projects", tags=["projects"])

ProjectId = Annotated[str, Path(min_length=1, max_length=200)]
Filter = Annotated[str | None, Query(min_length=1, max_length=200)]
_SCAN = Page(limit=100_000)


def _outs(store: GraphStore, projects: list[Project]) -> list[ProjectOut]:
    cohorts = store.get_many(Cohort, {p.cohort_id for p in projects})
    issues = store.get_many(WickedIssue, {p.issue_id for p in projects if p.issue_id})
    return [
        ProjectOut(
            id=p.id,
            title=p.title,
            cohort=CohortRef(
                id=p.cohort_id, name=c.name if (c := cohorts.get(p.cohort_id)) else ""
            ),
            issue=IssueRef(id=i.id, title=i.title)
            if p.issue_id and (i := issues.get(p.issue_id))
            else None,
            status=p.status,
            start_date=p.start_date,
            due_date=p.due_date,
            outcomes=p.outcomes,
        )
        for p in projects
    ]


@router.get("", response_model=Paged[ProjectOut], responses=responses(401, 403, 422, 429))
def list_projects(
    store: StoreDep,
    viewer: TeamRole,
    page: PageDep,
    cohort: Filter = None,
    issue: Filter = None,
    status: ProjectStatus | None = None,
    overdue: Annotated[
        bool | None,
        Query(
            description="`true`: only projects past their due date and still active;"
            " `false`: only the others."
        ),
    ] = None,
    sponsored: Annotated[
        bool | None,
        Query(description="`false`: only projects without a sponsor; `true`: only with one."),
    ] = None,
    as_of: Annotated[
        Day | None, Query(description="The day `overdue` is judged on (default today).")
    ] = None,
) -> Paged[ProjectOut]:
    """Projects by id, filtered by cohort, wicked issue, status; delivery tracking with
    ``overdue`` and ``sponsored`` (every given filter must hold)."""
    where = {
        k: v
        for k, v in {
            "cohort_id": cohort,
            "issue_id": issue,
            "status": status.value if status else None,
        }.items()
        if v is not None
    }
    if overdue is None and sponsored is None:
        found = store.find(Project, where, page)
        return Paged[ProjectOut](data=_outs(store, found.data), count=found.count)
    projects = store.find(Project, where, _SCAN).data
    if overdue is not None:
        late = {p.id for p in tracking.overdue_projects(projects, as_of or date.today())}
        projects = [p for p in projects if (p.id in late) is overdue]
    if sponsored is not None:
        orphans = {p.id for p in tracking.unsponsored_projects(projects)}
        projects = [p for p in projects if (p.id not in orphans) is sponsored]
    shown = projects[page.offset : page.offset + page.limit]
    return Paged[ProjectOut](data=_outs(store, shown), count=len(projects))


@router.get(
    "/{project_id}", response_model=ProjectDetailOut, responses=responses(401, 403, 404, 422, 429)
)
def get_project(store: StoreDep, viewer: TeamRole, project_id: ProjectId) -> ProjectDetailOut:
    """One project, its sponsor and its members with their roles."""
    project = store.get(Project, project_id)
    members = store.find(ProjectMember, {"project_id": project.id}, Page(limit=100_000)).data
    ids = {m.person_id for m in members} | ({project.sponsor_id} if project.sponsor_id else set())
    people = store.get_many(Person, ids)
    found = profiles(store, sorted(people.values(), key=lambda p: (p.name, p.id)))
    sponsor = found.get(project.sponsor_id or "")
    return ProjectDetailOut(
        **_outs(store, [project])[0].model_dump(),
        sponsor=consent.person_out(viewer, sponsor)
        if sponsor and viewer.sees(sponsor.person)
        else None,
        members=[
            ProjectMemberOut(person=consent.person_out(viewer, found[m.person_id]), role=m.role)
            for m in sorted(members, key=lambda m: (m.role.value, people[m.person_id].name))
            if m.person_id in found and viewer.sees(found[m.person_id].person)
        ],
    )
