"""Per-table rules for ties: mentoring and survey rows, and the ties derived from
cohort and project co-membership."""

from __future__ import annotations

from graph.model import Frequency, TieKind, Wave
from graph.settings import get_settings
from ingest import derive
from ingest.raw import Issue
from ingest.validator import Validator

__all__ = ["derive_ties", "read_mentoring", "read_survey", "too_many"]


def read_mentoring(check: Validator) -> None:
    seen: dict[tuple[object, ...], int] = {}
    for row in check.rows("mentoring"):
        mentor, mentee = row.person("mentor_email"), row.person("mentee_email")
        start, end = row.date("start_date"), row.date("end_date")
        if start and end and end < start:
            row.error("end_date", row.raw.cells.get("end_date"), f"is before start_date {start}")
        if mentor is not None and mentor == mentee:
            row.error("mentee_email", row.raw.cells.get("mentee_email"), "is the mentor too")
        if check.duplicate(row, (mentor, mentee, start), seen) or not row.ok:
            continue
        if mentor is None or mentee is None or start is None:
            continue
        check.add(derive.mentoring_tie(mentor, mentee, start, end), row, check.batch.ties)


def read_survey(check: Validator) -> None:
    seen: dict[tuple[object, ...], int] = {}
    for row in check.rows("survey"):
        respondent = row.person("respondent_email")
        contact_email = row.email("contact_email")
        kind = row.choice("relationship", TieKind)
        wave = row.choice("wave", Wave)
        answered = row.date("response_date")
        frequency = row.choice("frequency", Frequency)
        if not row.ok or contact_email is None:
            continue
        contact = check.known_person(contact_email)
        if contact is None:
            check.warnings.append(
                Issue(row.location, "contact_email", None, "contact not in the graph, row skipped")
            )
            continue
        if contact == respondent:
            check.warnings.append(
                Issue(row.location, "contact_email", None, "names the respondent, row skipped")
            )
            continue
        key = (respondent, contact, kind, wave)
        if key in seen:
            check.warnings.append(
                Issue(
                    row.location,
                    None,
                    None,
                    f"repeats {row.location.unit} {seen[key]} (same pair, relationship"
                    " and wave), row skipped",
                )
            )
            continue
        seen[key] = row.location.row or 0
        if respondent is None or kind is None or wave is None or answered is None:
            continue
        if check.cohort is None:
            continue
        tie = derive.survey_tie(
            respondent, contact, kind, wave, answered, check.cohort.id, frequency
        )
        check.add(tie, row, check.batch.ties)


def derive_ties(check: Validator) -> None:
    """Cohort and project co-membership over the whole cohort or project, stored or new:
    the store derives those ties from memberships (``graph.derived``); the batch names
    the cohort and every project it touches, each within ``max_members``."""
    if check.cohort is None:
        return
    cohort = check.cohort.id
    members = {m.person_id for m in check.batch.memberships}
    members |= check.store.members_of(TieKind.COHORT_PEER, [cohort]).get(cohort, set())
    if too_many(check, "members", f"cohort {cohort!r}", len(members)):
        return
    check.batch.derived.append((TieKind.COHORT_PEER, cohort))
    touched = {p.id for p in check.batch.projects} | {
        m.project_id for m in check.batch.project_members
    }
    stored = check.store.members_of(TieKind.PROJECT, sorted(touched)) if touched else {}
    for project_id in sorted(touched):
        project = check.projects.get(project_id)
        if project is None:
            continue
        people = {m.person_id for m in check.batch.project_members if m.project_id == project_id}
        people |= stored.get(project_id, set())
        if too_many(check, "project_members", f"project {project_id!r}", len(people)):
            continue
        check.batch.derived.append((TieKind.PROJECT, project_id))


def too_many(check: Validator, table: str, group: str, count: int) -> bool:
    """A cohort or project past ``max_members`` (its ties grow with the square): an error."""
    cap = get_settings().max_members
    if count <= cap:
        return False
    check.errors.append(
        Issue(
            check.raw.place(table),
            None,
            count,
            f"{group} would have {count} members (this bundle's and those stored),"
            f" over the limit of {cap} (ALUMNI_GRAPH_MAX_MEMBERS)",
        )
    )
    return True
