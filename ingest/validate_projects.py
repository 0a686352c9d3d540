"""Per-table rules: wicked issues, projects, project members and handovers, and the
references to issues and projects that other rows make."""

from __future__ import annotations

from graph.facts import dated, merge_project
from graph.model import (
    AMBITIONS,
    PROJECT_FACTS,
    Handover,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectStatus,
    WickedIssue,
)
from ingest.cells import closest, norm
from ingest.spec import ambition_for
from ingest.validator import Row, Validator

__all__ = [
    "known_issue",
    "known_project",
    "read_handovers",
    "read_issues",
    "read_project_members",
    "read_projects",
]


def read_issues(check: Validator) -> None:
    stored = check.stored.get(WickedIssue, {})
    check.issue_ids = set(stored)
    seen: dict[tuple[object, ...], int] = {}
    ambitions_known: dict[str, str] = {}
    for a in AMBITIONS:
        ambitions_known[norm(a.id.value)] = a.id.value
        ambitions_known[norm(a.title)] = a.id.value
    for row in check.rows("wicked_issues"):
        issue_id = row.text("issue_id")
        title = row.text("title")
        description = row.text("description")
        ambitions = []
        for item in row.items("ambitions") or ():
            key = ambition_for(item)
            if key is None:
                row.error(
                    "ambitions",
                    item,
                    "is not one of the seven Essex Vision ambitions",
                    closest(item, ambitions_known),
                )
            elif key not in ambitions:
                ambitions.append(key)
        if issue_id is not None:
            check.issue_ids.add(issue_id)
        if issue_id is None or check.duplicate(row, (issue_id,), seen) or not row.ok:
            continue
        given = {
            "id": issue_id,
            "title": title,
            "description": description,
            "ambitions": tuple(ambitions) if row.given("ambitions") else None,
        }
        issue = check.build(WickedIssue, row, given, issue_id)
        if issue is not None:
            check.add(issue, row, check.batch.issues)


def known_issue(check: Validator, row: Row, column: str) -> str | None:
    issue_id = row.text(column)
    if issue_id is not None and issue_id not in check.issue_ids:
        known = {i: i for i in check.issue_ids}
        row.error(
            column,
            issue_id,
            "is not a wicked issue of this bundle nor of the graph",
            closest(issue_id, known),
        )
    return issue_id


def read_projects(check: Validator) -> None:
    for key, record in check.stored.get(Project, {}).items():
        assert isinstance(record, Project)
        check.projects[key] = record
    seen: dict[tuple[object, ...], int] = {}
    in_bundle: set[str] = set()
    for row in check.rows("projects"):
        project_id = row.text("project_id")
        title = row.text("title")
        issue_id = known_issue(check, row, "issue_id")
        sponsor_id = row.person("sponsor_email")
        start, due = row.date("start_date"), row.date("due_date")
        status = row.choice("status", ProjectStatus)
        outcomes = row.text("outcomes")
        if start and due and due < start:
            row.error("due_date", row.raw.cells.get("due_date"), f"is before start_date {start}")
        if project_id is not None:
            in_bundle.add(project_id)
        if project_id is None or check.duplicate(row, (project_id,), seen) or not row.ok:
            continue
        if check.cohort is None:
            continue
        stored = check.existing(Project, project_id)
        given = {
            "id": project_id,
            "title": title,
            # A project restated by a later cohort's bundle stays with its own cohort:
            # the earliest stated (``graph.facts.merge_project``).
            "cohort_id": check.cohort.id,
            "issue_id": issue_id,
            "sponsor_id": sponsor_id,
            "start_date": start,
            "due_date": due,
            "status": status,
            "outcomes": outcomes,
        }
        project = check.build(Project, row, given, project_id)
        if project is not None and check.as_of is not None:
            stated = [f for f in PROJECT_FACTS if given.get(f) is not None]
            project = merge_project(stored, dated(project, stated, check.as_of))
        if project is not None:
            check.add(project, row, check.batch.projects)
            check.projects[project.id] = project
    check.project_ids = in_bundle | set(check.projects)


def known_project(check: Validator, row: Row, column: str) -> str | None:
    project_id = row.text(column)
    if project_id is not None and project_id not in check.project_ids:
        known = {p: p for p in check.project_ids}
        row.error(
            column,
            project_id,
            "is not a project of this bundle nor of the graph",
            closest(project_id, known),
        )
    return project_id


def read_project_members(check: Validator) -> None:
    seen: dict[tuple[object, ...], int] = {}
    for row in check.rows("project_members"):
        project_id = known_project(check, row, "project_id")
        person_id = row.person("email")
        role = row.choice("role", ProjectRole)
        if check.duplicate(row, (project_id, person_id), seen) or not row.ok:
            continue
        if project_id is None or person_id is None:
            continue
        given = {"project_id": project_id, "person_id": person_id, "role": role}
        member = check.build(ProjectMember, row, given, f"{project_id}|{person_id}")
        if member is not None:
            check.add(member, row, check.batch.project_members)


def read_handovers(check: Validator) -> None:
    seen: dict[tuple[object, ...], int] = {}
    for row in check.rows("handovers"):
        issue_id = known_issue(check, row, "issue_id")
        from_id = known_project(check, row, "from_project_id")
        to_cohort = row.text("to_cohort_id")
        to_project = row.text("to_project_id")
        when = row.date("date")
        giver = check.projects.get(from_id) if from_id else None
        if giver is not None and issue_id is not None and giver.issue_id != issue_id:
            row.error(
                "from_project_id",
                from_id,
                f"did not work on {issue_id!r}"
                + (f" (it worked on {giver.issue_id!r})" if giver.issue_id else ""),
            )
        if giver is not None and when is not None and when < giver.start_date:
            row.error(
                "date",
                row.raw.cells.get("date"),
                f"is before the project started ({giver.start_date})",
            )
        if check.duplicate(row, (issue_id, from_id, to_cohort), seen) or not row.ok:
            continue
        if issue_id is None or from_id is None or to_cohort is None or when is None:
            continue
        handover = Handover(
            issue_id=issue_id,
            from_project_id=from_id,
            to_cohort_id=to_cohort,
            to_project_id=to_project,
            date=when,
            notes=row.text("notes"),
        )
        check.add(handover, row, check.batch.handovers)
