"""Per-table rules: the cohort, organisations (and names of them), people and members."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.facts import dated, merge_cohort, merge_organisation
from graph.model import (
    COHORT_FACTS,
    ORGANISATION_FACTS,
    PERSON_FACTS,
    Cohort,
    Employment,
    Membership,
    Organisation,
    Person,
    Role,
    Sector,
    slug,
)
from ingest.cells import closest, norm, parse_date
from ingest.facts import bundle_as_of
from ingest.raw import Issue
from ingest.validator import Row, Validator

__all__ = ["organisation", "read_cohort", "read_members", "read_organisations", "read_people"]


def read_cohort(check: Validator) -> None:
    rows = check.rows("cohort")
    if not rows:
        check.errors.append(
            Issue(check.raw.place("cohort"), None, None, "the bundle needs exactly one cohort row")
        )
        return
    for extra in rows[1:]:
        extra.error(None, None, "the bundle needs exactly one cohort row: this is another")
    row = rows[0]
    cohort_id, name = row.text("cohort_id"), row.text("name")
    start, end = row.date("start_date"), row.date("end_date")
    if start and end and end < start:
        row.error("end_date", row.raw.cells.get("end_date"), f"is before start_date {start}")
    as_of = row.date("as_of")
    today = date.today()
    if as_of is not None and as_of > today:
        row.error("as_of", row.raw.cells.get("as_of"), f"is after today ({today})")
    check.as_of = as_of or bundle_as_of(check.raw, today, parse_date)
    if not row.ok or cohort_id is None:
        return
    given = {"id": cohort_id, "name": name, "start_date": start, "end_date": end}
    cohort = check.build(Cohort, row, given, cohort_id)
    if cohort is not None:
        stated = [f for f in COHORT_FACTS if given.get(f) is not None]
        # What this bundle states (its start is its rows' default "from"), whatever a
        # later-dated bundle already said; the store keeps the later (graph.facts).
        check.cohort = dated(cohort, stated, check.as_of)
        kept = merge_cohort(check.existing(Cohort, cohort_id), check.cohort)
        check.add(kept, row, check.batch.cohorts)


def read_organisations(check: Validator) -> None:
    stored = check.stored.get(Organisation, {})
    owner: dict[str, str] = {}
    for known in stored.values():
        assert isinstance(known, Organisation)
        for spelling in (known.name, *known.aliases):
            owner.setdefault(norm(spelling), known.id)
            check.org_display.setdefault(norm(spelling), known.name)
    seen: dict[tuple[object, ...], int] = {}
    mine: dict[str, str] = {}
    for row in check.rows("organisations"):
        name = row.text("name")
        sector = row.choice("sector", Sector)
        aliases = row.items("aliases")
        org_type, area = row.text("org_type"), row.text("area")
        if name is not None and not slug(name):
            row.error("name", name, "needs at least one letter or digit")
        if name is None or not slug(name) or check.duplicate(row, (slug(name),), seen):
            continue
        org_id = slug(name)
        for column, spelling in [("name", name), *(("aliases", a) for a in aliases or ())]:
            holder = mine.get(norm(spelling)) or owner.get(norm(spelling))
            if holder is not None and holder != org_id:
                row.error(column, spelling, f"already names another organisation ({holder})")
        given = {
            "id": org_id,
            "name": name,
            "sector": sector,
            "org_type": org_type,
            "aliases": aliases,
            "area": area,
        }
        if not row.ok:
            # Rows naming it are not wrong: the error is here, reported once.
            check.org_broken |= {norm(name), *(norm(a) for a in aliases or ())}
            continue
        org = check.build(Organisation, row, given, org_id)
        if org is None:
            continue
        if check.as_of is not None:
            stated = [f for f in ORGANISATION_FACTS if given.get(f) is not None]
            org = merge_organisation(
                check.existing(Organisation, org_id), dated(org, stated, check.as_of)
            )
        check.add(org, row, check.batch.organisations)
        for spelling in (org.name, *org.aliases):
            mine[norm(spelling)] = org.id
            check.org_display[norm(spelling)] = org.name
    check.org_by_name = {**owner, **mine}


def organisation(check: Validator, row: Row, column: str) -> str | None:
    name = row.text(column)
    if name is None:
        return None
    found = check.org_by_name.get(norm(name))
    if found is None and norm(name) in check.org_broken:
        row.ok = False
    elif found is None:
        row.error(
            column,
            name,
            "is not an organisation of this bundle nor of the graph",
            closest(name, check.org_display),
        )
    return found


def read_people(check: Validator) -> None:
    seen: dict[tuple[object, ...], int] = {}
    for row in check.rows("people"):
        email = row.email("email")
        name = row.text("name")
        org_id = organisation(check, row, "organisation")
        employed_from = row.date("employed_from")
        given: dict[str, Any] = {
            "email": email,
            "name": name,
            "job_title": row.text("job_title"),
            "interests": row.items("interests"),
            "skills": row.items("skills"),
            "area": row.text("area"),
            "consent_directory": row.yes_no("consent_directory"),
            "consent_contact": row.yes_no("consent_contact"),
            "consent_analytics": row.yes_no("consent_analytics"),
        }
        if email is None or check.duplicate(row, (email,), seen) or not row.ok:
            continue
        person_id = check.person_id(email)
        person = check.build(Person, row, {"id": person_id, **given}, person_id)
        if person is None:
            continue
        if check.as_of is not None:
            stated = [f for f in PERSON_FACTS if given.get(f) is not None]
            person = dated(person, stated, check.as_of)
        check.add(person, row, check.batch.people)
        start = employed_from or (check.cohort.start_date if check.cohort else None)
        if org_id is None or start is None:
            continue
        job_title = given["job_title"]
        employment = Employment(
            person_id=person.id,
            organisation_id=org_id,
            start=start,
            job_title=job_title,
            as_of=check.as_of if job_title is not None else None,
        )
        check.add(employment, row, check.batch.employments)


def read_members(check: Validator) -> None:
    seen: dict[tuple[object, ...], int] = {}
    for row in check.rows("members"):
        person_id = row.person("email")
        role = row.choice("role", Role)
        if check.duplicate(row, (person_id, role), seen) or not row.ok:
            continue
        if check.cohort is None or person_id is None or role is None:
            continue
        membership = Membership(person_id=person_id, cohort_id=check.cohort.id, role=role)
        check.add(membership, row, check.batch.memberships)
