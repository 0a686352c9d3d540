"""Transform: raw rows plus what the store holds -> one ``Batch``, or every error.

Pure apart from reads through the ``GraphStore`` protocol: nothing is written
here. Every row is checked and every problem collected with its file, sheet,
row and column, because a programme officer fixing a workbook wants the whole
list at once, not one error per upload.

Two readings of the spec worth knowing:

- "Empty cells mean not given": for a record the graph already holds, a cell
  left empty keeps the stored value (a later bundle that only moves someone's
  job does not reset their consents); for a new record the spec's default
  applies.
- Warnings are stored with the ingest run, so they name rows, never people.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import ValidationError
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from graph.errors import Problem
from graph.facts import dated, merge_project
from graph.integrity import check_batch
from graph.model import (
    AMBITIONS,
    PERSON_FACTS,
    PROJECT_FACTS,
    Cohort,
    Employment,
    Frequency,
    Handover,
    Membership,
    Organisation,
    Person,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectStatus,
    Record,
    Role,
    Sector,
    Tie,
    TieKind,
    Wave,
    WickedIssue,
    normalise_email,
    person_id_for,
    slug,
)
from graph.settings import get_settings
from graph.store import Batch, GraphStore, Page
from ingest import derive
from ingest.facts import bundle_as_of, without_erased
from ingest.free_text import free_text_warnings
from ingest.read import CellValue, Issue, Location, RawBundle, RawRow
from ingest.spec import (
    NO_WORDS,
    TABLES,
    YES_WORDS,
    ColumnType,
    Table,
    ambition_for,
)

__all__ = [
    "Validated",
    "issues_from_problems",
    "parse_choice",
    "parse_date",
    "parse_list",
    "parse_yes_no",
    "text_of",
    "validate_bundle",
]

R = TypeVar("R", bound=Record)
E = TypeVar("E", bound=StrEnum)


# -- cell parsers: pure, shared with the property tests ----------------------------

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_EMAIL = re.compile(r"[^@\s;,]+@[^@\s;,]+")


def text_of(value: CellValue) -> str:
    """A cell as text: numbers typed into a key column (``2019``) are still keys."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: CellValue) -> date:
    """ISO ``YYYY-MM-DD``, a real Excel date, or UK ``DD/MM/YYYY``; anything else is refused.

    >>> parse_date("2019-05-01") == parse_date("01/05/2019") == parse_date("1/5/2019")
    True
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if match := _ISO.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
        elif match := _UK.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
        else:
            raise ValueError("is not a date: write YYYY-MM-DD or DD/MM/YYYY")
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError("is not a day of the calendar") from None
    raise ValueError("is not a date: format the cell as a date, or write YYYY-MM-DD")


def parse_yes_no(value: CellValue) -> bool:
    """``yes/no/y/n/true/false/1/0`` in any case (and real booleans).

    >>> [parse_yes_no(v) for v in ("Yes", "n", "TRUE", 0, True)]
    [True, False, True, False, True]
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = text_of(value).casefold()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError("must be yes or no (y/n, true/false, 1/0)")


def parse_list(value: CellValue) -> tuple[str, ...]:
    """A ``;`` list, trimmed, empties dropped."""
    return tuple(item.strip() for item in text_of(value).split(";") if item.strip())


def _choice_word(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


@functools.cache
def _valid_choices(choices: type[StrEnum], allowed: frozenset[str] | None) -> tuple[str, ...]:
    """Asked once per column of each bundle's every row: worked out once."""
    return tuple(c.value for c in choices if allowed is None or c.value in allowed)


def parse_choice(value: CellValue, choices: type[E], allowed: Collection[str] | None = None) -> E:
    """One of an enumeration's values, any case, spaces or hyphens for underscores."""
    word = _choice_word(text_of(value))
    valid = _valid_choices(choices, None if allowed is None else frozenset(allowed))
    if word in valid:
        return choices(word)
    raise ValueError("must be one of: " + ", ".join(valid))


def _closest(text: str, known: Mapping[str, str], limit: int = 3) -> tuple[str, ...]:
    """The display names of the ``limit`` known spellings closest to ``text``.

    Word-set similarity first ("Mid Essex ICB" is all in "Mid and South Essex
    ICB"), plain similarity to break ties; punctuation counts as a space.
    """
    query = default_process(text)
    scored = sorted(
        known.items(),
        key=lambda item: (
            -fuzz.token_set_ratio(query, default_process(item[0])),
            -fuzz.ratio(query, default_process(item[0])),
            item[1],
        ),
    )
    names: list[str] = []
    for _spelling, name in scored:
        if name not in names:
            names.append(name)
    return tuple(names[:limit])


def _norm(text: str) -> str:
    """Names match case- and whitespace-insensitively."""
    return " ".join(text.split()).casefold()


# -- the result --------------------------------------------------------------------


@dataclass
class Validated:
    """A batch ready for the store, or the errors that stop it."""

    batch: Batch
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    origins: dict[str, Location] = field(default_factory=dict)
    """Where each record came from (``"kind key"`` -> row), to place store problems."""
    cohort_id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def issues_from_problems(
    problems: Iterable[Problem], origins: Mapping[str, Location], fallback: Location
) -> list[Issue]:
    """Place the store's problems (named by record) on the rows they came from."""
    return [
        Issue(origins.get(p.record, fallback), p.field, p.value, f"{p.record}: {p.reason}")
        for p in problems
    ]


def validate_bundle(raw: RawBundle, store: GraphStore, *, salt: str | None = None) -> Validated:
    """Every record and derived tie of a bundle, checked against itself and the store."""
    salt = salt if salt is not None else get_settings().id_salt.get_secret_value()
    return _Validator(raw, store, salt).run()


# -- one row's cells -----------------------------------------------------------------


class _Row:
    """Typed access to one row's cells; every bad cell becomes an error and marks the row."""

    def __init__(self, check: _Validator, table: Table, raw: RawRow) -> None:
        self.check = check
        self.table = table
        self.raw = raw
        self.ok = True

    @property
    def location(self) -> Location:
        return self.raw.location

    def given(self, column: str) -> bool:
        return column in self.raw.cells

    def error(
        self, column: str | None, value: object, reason: str, suggestions: Iterable[str] = ()
    ) -> None:
        self.ok = False
        self.check.errors.append(Issue(self.location, column, value, reason, tuple(suggestions)))

    def _cell(self, column: str) -> CellValue | None:
        value = self.raw.cells.get(column)
        if value is None and self.table.column(column).required:
            if (self.table.name, column) not in self.check.missing_columns:
                self.error(column, None, "is required")
            else:
                self.ok = False
        return value

    def _parsed(self, column: str, parse: Callable[[CellValue], Any]) -> Any:
        value = self._cell(column)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.error(column, value, str(exc))
            return None

    def text(self, column: str) -> str | None:
        value = self._cell(column)
        return None if value is None else text_of(value)

    def date(self, column: str) -> date | None:
        parsed: date | None = self._parsed(column, parse_date)
        return parsed

    def yes_no(self, column: str) -> bool | None:
        parsed: bool | None = self._parsed(column, parse_yes_no)
        return parsed

    def items(self, column: str) -> tuple[str, ...] | None:
        value = self._cell(column)
        return None if value is None else parse_list(value)

    def choice(self, column: str, choices: type[E]) -> E | None:
        value = self._cell(column)
        if value is None:
            return None
        allowed = self.table.column(column).choices
        try:
            return parse_choice(value, choices, allowed)
        except ValueError as exc:
            known = {c: c for c in allowed}
            self.error(column, value, str(exc), _closest(text_of(value), known, 1))
            return None

    def email(self, column: str) -> str | None:
        value = self._cell(column)
        if value is None:
            return None
        email = normalise_email(text_of(value))
        if not _EMAIL.fullmatch(email):
            self.error(column, value, "is not an email address")
            return None
        return email

    def person(self, column: str) -> str | None:
        """The id of the person an email column names, who must be known."""
        email = self.email(column)
        if email is None:
            return None
        person_id = self.check.known_person(email)
        if person_id is None:
            self.error(column, email, "is not in people, nor already in the graph")
        return person_id


# -- the validator -----------------------------------------------------------------


class _Validator:
    def __init__(self, raw: RawBundle, store: GraphStore, salt: str) -> None:
        self.raw = raw
        self.store = store
        self.salt = salt
        self.errors: list[Issue] = list(raw.errors)
        self.warnings: list[Issue] = list(raw.warnings)
        self.origins: dict[str, Location] = {}
        self.missing_columns: set[tuple[str, str]] = set()
        self.batch = Batch()
        self.cohort: Cohort | None = None
        self.bundle_emails: set[str] = set()
        self.as_of: date | None = None
        """The date every fact this bundle states is true on."""
        self.stored: dict[type[Record], dict[str, Record]] = {}
        self.org_by_name: dict[str, str] = {}
        """Normalised name or alias -> organisation id (bundle and store)."""
        self.org_display: dict[str, str] = {}
        """Normalised name or alias -> canonical name, for suggestions."""
        self.org_broken: set[str] = set()
        """Spellings of organisations whose own row has errors."""
        self.issue_ids: set[str] = set()
        self.projects: dict[str, Project] = {}
        self.project_ids: set[str] = set()

    # -- helpers ---------------------------------------------------------------
    def rows(self, table: str) -> list[_Row]:
        spec = TABLES[table]
        return [_Row(self, spec, raw) for raw in self.raw.rows(table)]

    def existing(self, model: type[R], key: str) -> R | None:
        found = self.stored.get(model, {}).get(key)
        return found if isinstance(found, model) else None

    def prefetch(self, model: type[Record], keys: Iterable[str]) -> None:
        wanted = {k for k in keys if k}
        self.stored[model] = dict(self.store.get_many(model, wanted)) if wanted else {}

    def person_id(self, email: str) -> str:
        return person_id_for(email, self.salt)

    def known_person(self, email: str) -> str | None:
        person_id = self.person_id(email)
        if email in self.bundle_emails or person_id in self.stored.get(Person, {}):
            return person_id
        return None

    def add(self, record: R, row: _Row, records: list[R]) -> R:
        records.append(record)
        self.origins.setdefault(f"{record.kind} {record.key}", row.location)
        return record

    def build(self, model: type[R], row: _Row, given: dict[str, Any], key: str) -> R | None:
        """A record from the row's given fields; a stored record keeps what is not given."""
        values = {k: v for k, v in given.items() if v is not None}
        stored = self.existing(model, key)
        if stored is not None:
            values = {**stored.model_dump(exclude={"run_id"}), **values}
        try:
            return model(**values)
        except ValidationError as exc:
            for problem in exc.errors():
                column = ".".join(str(p) for p in problem["loc"])
                row.error(column, problem.get("input"), problem["msg"])
            return None

    def duplicate(
        self, row: _Row, key: tuple[object, ...], seen: dict[tuple[object, ...], int]
    ) -> bool:
        """Has an earlier row of this table the same key? Then this row is an error."""
        if any(part is None for part in key):
            return False
        if key in seen:
            columns = ", ".join(row.table.key)
            unit = row.location.unit
            row.error(
                row.table.key[0],
                key[0] if len(key) == 1 else None,
                f"the same {columns} is given twice (also {unit} {seen[key]})",
            )
            return True
        seen[key] = row.location.row or 0
        return False

    # -- the run -------------------------------------------------------------------
    def run(self) -> Validated:
        self.drop_erased()
        self.check_columns()
        self.prefetch_stored()
        self.read_cohort()
        self.read_organisations()
        self.read_people()
        self.read_members()
        self.read_issues()
        self.read_projects()
        self.read_project_members()
        self.read_handovers()
        self.read_mentoring()
        self.read_survey()
        if not self.errors:
            self.derive_ties()
        if not self.errors:
            problems = check_batch(self.batch, self.store.get_many)
            fallback = Location(self.raw.file_name)
            self.errors += issues_from_problems(problems, self.origins, fallback)
        self.warnings += free_text_warnings(self.raw, self.batch, self.store, self.salt)
        return Validated(
            batch=self.batch,
            errors=self.errors,
            warnings=self.warnings,
            origins=self.origins,
            cohort_id=self.cohort.id if self.cohort else None,
        )

    def drop_erased(self) -> None:
        """Rows naming an erased person are left out, each with a warning (``ingest.facts``)."""
        erased = {e.person_id for e in self.store.erasures()}
        self.raw, dropped = without_erased(self.raw, erased, self.person_id)
        self.warnings += dropped

    def check_columns(self) -> None:
        """A required column missing from a table with rows: one error, not one per row."""
        for name, spec in TABLES.items():
            if not self.raw.rows(name):
                continue
            present = set(self.raw.headers.get(name, ()))
            for column in spec.required:
                if column not in present:
                    self.missing_columns.add((name, column))
                    self.errors.append(
                        Issue(self.raw.place(name), column, None, "required column is missing")
                    )

    def prefetch_stored(self) -> None:
        """Fetch, in one read per kind, every stored record the bundle may name."""
        emails: set[str] = set()
        wanted: dict[str, set[str]] = {"issue": set(), "project": set()}
        for name, spec in TABLES.items():
            for raw in self.raw.rows(name):
                for column in spec.columns:
                    value = raw.cells.get(column.name)
                    if value is None:
                        continue
                    if column.type is ColumnType.EMAIL:
                        emails.add(normalise_email(text_of(value)))
                    elif column.name == "issue_id":
                        wanted["issue"].add(text_of(value))
                    elif column.name in {"project_id", "from_project_id"}:
                        wanted["project"].add(text_of(value))
        self.bundle_emails = {
            normalise_email(text_of(raw.cells["email"]))
            for raw in self.raw.rows("people")
            if "email" in raw.cells
        }
        self.prefetch(Person, (self.person_id(e) for e in emails))
        self.prefetch(WickedIssue, wanted["issue"])
        self.prefetch(Project, wanted["project"])
        cohort_ids = [
            text_of(r.cells["cohort_id"]) for r in self.raw.rows("cohort") if "cohort_id" in r.cells
        ]
        self.prefetch(Cohort, cohort_ids)
        organisations = _find_all(self.store, Organisation)
        self.stored[Organisation] = {o.key: o for o in organisations}

    # -- tables --------------------------------------------------------------------
    def read_cohort(self) -> None:
        rows = self.rows("cohort")
        if not rows:
            self.errors.append(
                Issue(
                    self.raw.place("cohort"), None, None, "the bundle needs exactly one cohort row"
                )
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
        self.as_of = as_of or bundle_as_of(self.raw, today, parse_date)
        if not row.ok or cohort_id is None:
            return
        given = {"id": cohort_id, "name": name, "start_date": start, "end_date": end}
        cohort = self.build(Cohort, row, given, cohort_id)
        if cohort is not None:
            self.cohort = self.add(cohort, row, self.batch.cohorts)

    def read_organisations(self) -> None:
        stored = self.stored.get(Organisation, {})
        owner: dict[str, str] = {}
        for known in stored.values():
            assert isinstance(known, Organisation)
            for spelling in (known.name, *known.aliases):
                owner.setdefault(_norm(spelling), known.id)
                self.org_display.setdefault(_norm(spelling), known.name)
        seen: dict[tuple[object, ...], int] = {}
        mine: dict[str, str] = {}
        for row in self.rows("organisations"):
            name = row.text("name")
            sector = row.choice("sector", Sector)
            aliases = row.items("aliases")
            org_type, area = row.text("org_type"), row.text("area")
            if name is not None and not slug(name):
                row.error("name", name, "needs at least one letter or digit")
            if name is None or not slug(name) or self.duplicate(row, (slug(name),), seen):
                continue
            org_id = slug(name)
            for column, spelling in [("name", name), *(("aliases", a) for a in aliases or ())]:
                holder = mine.get(_norm(spelling)) or owner.get(_norm(spelling))
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
                self.org_broken |= {_norm(name), *(_norm(a) for a in aliases or ())}
                continue
            org = self.build(Organisation, row, given, org_id)
            if org is None:
                continue
            self.add(org, row, self.batch.organisations)
            for spelling in (org.name, *org.aliases):
                mine[_norm(spelling)] = org.id
                self.org_display[_norm(spelling)] = org.name
        self.org_by_name = {**owner, **mine}

    def organisation(self, row: _Row, column: str) -> str | None:
        name = row.text(column)
        if name is None:
            return None
        found = self.org_by_name.get(_norm(name))
        if found is None and _norm(name) in self.org_broken:
            row.ok = False
        elif found is None:
            row.error(
                column,
                name,
                "is not an organisation of this bundle nor of the graph",
                _closest(name, self.org_display),
            )
        return found

    def read_people(self) -> None:
        seen: dict[tuple[object, ...], int] = {}
        for row in self.rows("people"):
            email = row.email("email")
            name = row.text("name")
            org_id = self.organisation(row, "organisation")
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
            if email is None or self.duplicate(row, (email,), seen) or not row.ok:
                continue
            person_id = self.person_id(email)
            person = self.build(Person, row, {"id": person_id, **given}, person_id)
            if person is None:
                continue
            if self.as_of is not None:
                stated = [f for f in PERSON_FACTS if given.get(f) is not None]
                person = dated(person, stated, self.as_of)
            self.add(person, row, self.batch.people)
            start = employed_from or (self.cohort.start_date if self.cohort else None)
            if org_id is None or start is None:
                continue
            job_title = given["job_title"]
            employment = Employment(
                person_id=person.id,
                organisation_id=org_id,
                start=start,
                job_title=job_title,
                as_of=self.as_of if job_title is not None else None,
            )
            self.add(employment, row, self.batch.employments)

    def read_members(self) -> None:
        seen: dict[tuple[object, ...], int] = {}
        for row in self.rows("members"):
            person_id = row.person("email")
            role = row.choice("role", Role)
            if self.duplicate(row, (person_id, role), seen) or not row.ok:
                continue
            if self.cohort is None or person_id is None or role is None:
                continue
            membership = Membership(person_id=person_id, cohort_id=self.cohort.id, role=role)
            self.add(membership, row, self.batch.memberships)

    def read_issues(self) -> None:
        stored = self.stored.get(WickedIssue, {})
        self.issue_ids = set(stored)
        seen: dict[tuple[object, ...], int] = {}
        ambitions_known: dict[str, str] = {}
        for a in AMBITIONS:
            ambitions_known[_norm(a.id.value)] = a.id.value
            ambitions_known[_norm(a.title)] = a.id.value
        for row in self.rows("wicked_issues"):
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
                        _closest(item, ambitions_known),
                    )
                elif key not in ambitions:
                    ambitions.append(key)
            if issue_id is not None:
                self.issue_ids.add(issue_id)
            if issue_id is None or self.duplicate(row, (issue_id,), seen) or not row.ok:
                continue
            given = {
                "id": issue_id,
                "title": title,
                "description": description,
                "ambitions": tuple(ambitions) if row.given("ambitions") else None,
            }
            issue = self.build(WickedIssue, row, given, issue_id)
            if issue is not None:
                self.add(issue, row, self.batch.issues)

    def known_issue(self, row: _Row, column: str) -> str | None:
        issue_id = row.text(column)
        if issue_id is not None and issue_id not in self.issue_ids:
            known = {i: i for i in self.issue_ids}
            row.error(
                column,
                issue_id,
                "is not a wicked issue of this bundle nor of the graph",
                _closest(issue_id, known),
            )
        return issue_id

    def read_projects(self) -> None:
        for key, record in self.stored.get(Project, {}).items():
            assert isinstance(record, Project)
            self.projects[key] = record
        seen: dict[tuple[object, ...], int] = {}
        in_bundle: set[str] = set()
        for row in self.rows("projects"):
            project_id = row.text("project_id")
            title = row.text("title")
            issue_id = self.known_issue(row, "issue_id")
            sponsor_id = row.person("sponsor_email")
            start, due = row.date("start_date"), row.date("due_date")
            status = row.choice("status", ProjectStatus)
            outcomes = row.text("outcomes")
            if start and due and due < start:
                row.error(
                    "due_date", row.raw.cells.get("due_date"), f"is before start_date {start}"
                )
            if project_id is not None:
                in_bundle.add(project_id)
            if project_id is None or self.duplicate(row, (project_id,), seen) or not row.ok:
                continue
            if self.cohort is None:
                continue
            stored = self.existing(Project, project_id)
            given = {
                "id": project_id,
                "title": title,
                # A project restated by a later cohort's bundle stays with its own cohort:
                # the earliest stated (``graph.facts.merge_project``).
                "cohort_id": self.cohort.id,
                "issue_id": issue_id,
                "sponsor_id": sponsor_id,
                "start_date": start,
                "due_date": due,
                "status": status,
                "outcomes": outcomes,
            }
            project = self.build(Project, row, given, project_id)
            if project is not None and self.as_of is not None:
                stated = [f for f in PROJECT_FACTS if given.get(f) is not None]
                project = merge_project(stored, dated(project, stated, self.as_of))
            if project is not None:
                self.add(project, row, self.batch.projects)
                self.projects[project.id] = project
        self.project_ids = in_bundle | set(self.projects)

    def known_project(self, row: _Row, column: str) -> str | None:
        project_id = row.text(column)
        if project_id is not None and project_id not in self.project_ids:
            known = {p: p for p in self.project_ids}
            row.error(
                column,
                project_id,
                "is not a project of this bundle nor of the graph",
                _closest(project_id, known),
            )
        return project_id

    def read_project_members(self) -> None:
        seen: dict[tuple[object, ...], int] = {}
        for row in self.rows("project_members"):
            project_id = self.known_project(row, "project_id")
            person_id = row.person("email")
            role = row.choice("role", ProjectRole)
            if self.duplicate(row, (project_id, person_id), seen) or not row.ok:
                continue
            if project_id is None or person_id is None:
                continue
            given = {"project_id": project_id, "person_id": person_id, "role": role}
            member = self.build(ProjectMember, row, given, f"{project_id}|{person_id}")
            if member is not None:
                self.add(member, row, self.batch.project_members)

    def read_handovers(self) -> None:
        seen: dict[tuple[object, ...], int] = {}
        for row in self.rows("handovers"):
            issue_id = self.known_issue(row, "issue_id")
            from_id = self.known_project(row, "from_project_id")
            to_cohort = row.text("to_cohort_id")
            to_project = row.text("to_project_id")
            when = row.date("date")
            giver = self.projects.get(from_id) if from_id else None
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
            if self.duplicate(row, (issue_id, from_id, to_cohort), seen) or not row.ok:
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
            self.add(handover, row, self.batch.handovers)

    def read_mentoring(self) -> None:
        seen: dict[tuple[object, ...], int] = {}
        for row in self.rows("mentoring"):
            mentor, mentee = row.person("mentor_email"), row.person("mentee_email")
            start, end = row.date("start_date"), row.date("end_date")
            if start and end and end < start:
                row.error(
                    "end_date", row.raw.cells.get("end_date"), f"is before start_date {start}"
                )
            if mentor is not None and mentor == mentee:
                row.error("mentee_email", row.raw.cells.get("mentee_email"), "is the mentor too")
            if self.duplicate(row, (mentor, mentee, start), seen) or not row.ok:
                continue
            if mentor is None or mentee is None or start is None:
                continue
            self.add(derive.mentoring_tie(mentor, mentee, start, end), row, self.batch.ties)

    def read_survey(self) -> None:
        seen: dict[tuple[object, ...], int] = {}
        for row in self.rows("survey"):
            respondent = row.person("respondent_email")
            contact_email = row.email("contact_email")
            kind = row.choice("relationship", TieKind)
            wave = row.choice("wave", Wave)
            answered = row.date("response_date")
            frequency = row.choice("frequency", Frequency)
            if not row.ok or contact_email is None:
                continue
            contact = self.known_person(contact_email)
            if contact is None:
                self.warnings.append(
                    Issue(
                        row.location, "contact_email", None, "contact not in the graph, row skipped"
                    )
                )
                continue
            if contact == respondent:
                self.warnings.append(
                    Issue(row.location, "contact_email", None, "names the respondent, row skipped")
                )
                continue
            key = (respondent, contact, kind, wave)
            if key in seen:
                self.warnings.append(
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
            if self.cohort is None:
                continue
            tie = derive.survey_tie(
                respondent, contact, kind, wave, answered, self.cohort.id, frequency
            )
            self.add(tie, row, self.batch.ties)

    # -- derived ties --------------------------------------------------------------
    def derive_ties(self) -> None:
        """Cohort and project co-membership over the whole cohort or project, stored or new."""
        if self.cohort is None:
            return
        cohort_row = self.origins.get(f"cohort {self.cohort.id}", self.raw.place("cohort"))
        members = {m.person_id for m in self.batch.memberships}
        members |= {
            m.person_id for m in _find_all(self.store, Membership, {"cohort_id": self.cohort.id})
        }
        if self.too_many("members", f"cohort {self.cohort.id!r}", len(members)):
            return
        ties: list[Tie] = derive.cohort_peer_ties(self.cohort, members)
        touched = {p.id for p in self.batch.projects} | {
            m.project_id for m in self.batch.project_members
        }
        for project_id in sorted(touched):
            project = self.projects.get(project_id)
            if project is None:
                continue
            people = {m.person_id for m in self.batch.project_members if m.project_id == project_id}
            people |= {
                m.person_id
                for m in _find_all(self.store, ProjectMember, {"project_id": project_id})
            }
            if self.too_many("project_members", f"project {project_id!r}", len(people)):
                continue
            ties += derive.project_ties(project, people)
        for tie in derive.unique_ties(ties):
            place = self.origins.get(f"project {tie.context}", cohort_row)
            self.origins.setdefault(f"{tie.kind} {tie.key}", place)
            self.batch.ties.append(tie)

    def too_many(self, table: str, group: str, count: int) -> bool:
        """A cohort or project past ``max_members`` (its ties grow with the square): an error."""
        cap = get_settings().max_members
        if count <= cap:
            return False
        self.errors.append(
            Issue(
                self.raw.place(table),
                None,
                count,
                f"{group} would have {count} members (this bundle's and those stored),"
                f" over the limit of {cap} (ALUMNI_GRAPH_MAX_MEMBERS)",
            )
        )
        return True


def _find_all(
    store: GraphStore, model: type[R], where: Mapping[str, str | None] | None = None
) -> list[R]:
    """Every record matching ``where``, page by page (``find`` pages by default)."""
    found: list[R] = []
    while True:
        page = store.find(model, where, Page(limit=1000, offset=len(found)))
        found += page.data
        if not page.data or len(found) >= page.count:
            return found
