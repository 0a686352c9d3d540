"""``/projects``: cohort projects on wicked issues, their sponsors and members (programme team)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.auth import TeamRole
from api.deps import PageDep, StoreDep
from api.problems import responses
from graph.model import ProjectStatus
from services import people
from services.schemas import Day, Paged, ProjectDetailOut, ProjectOut

router = APIRouter(prefix="/projects", tags=["projects"])

ProjectId = Annotated[str, Path(min_length=1, max_length=200)]
Filter = Annotated[str | None, Query(min_length=1, max_length=200)]


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
    return people.projects(
        store,
        viewer,
        page,
        cohort_id=cohort,
        issue_id=issue,
        status=status,
        overdue=overdue,
        sponsored=sponsored,
        as_of=as_of,
    )


@router.get(
    "/{project_id}", response_model=ProjectDetailOut, responses=responses(401, 403, 404, 422, 429)
)
def get_project(store: StoreDep, viewer: TeamRole, project_id: ProjectId) -> ProjectDetailOut:
    """One project, its sponsor and its members with their roles."""
    return people.project(store, viewer, project_id)
