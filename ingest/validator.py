"""The state one validation keeps, and typed access to a row's cells.

A ``Validator`` holds the bundle being checked, what the store already holds for it
(read in bulk, one ``get_many`` per kind, before any row is checked) and what has
been built so far; the per-table rules (``validate_people``, ``validate_projects``,
``validate_ties``) read and add through it. A ``Row`` turns each bad cell into an
error placed on its file, sheet, row and column.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar, cast

from pydantic import ValidationError

from graph.model import (
    Cohort,
    Organisation,
    Person,
    Project,
    Record,
    WickedIssue,
    normalise_email,
    person_id_for,
)
from graph.store import Batch, GraphStore
from ingest.cells import (
    EMAIL,
    closest,
    parse_choice,
    parse_date,
    parse_list,
    parse_yes_no,
    text_of,
)
from ingest.facts import without_erased
from ingest.raw import CellValue, Issue, Location, RawBundle, RawRow
from ingest.spec import TABLES, ColumnType, Table
from ingest.stored import stored_organisations

__all__ = ["Row", "Validator"]

R = TypeVar("R", bound=Record)
E = TypeVar("E", bound=StrEnum)


class Row:
    """Typed access to one row's cells; every bad cell becomes an error and marks the row."""

    def __init__(self, check: Validator, table: Table, raw: RawRow) -> None:
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
        result, problem = self.check.parse_once(parse, value)
        if problem is not None:
            self.error(column, value, problem)
        return result

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
        memo = self.check.choices
        key = (self.table.name, column, type(value), value)
        hit = memo.get(key)
        if hit is None:
            allowed = self.table.column(column).choices
            try:
                hit = memo[key] = (parse_choice(value, choices, allowed), None)
            except ValueError as exc:
                known = {c: c for c in allowed}
                hit = memo[key] = (None, (str(exc), closest(text_of(value), known, 1)))
        parsed, problem = hit
        if problem is not None:
            self.error(column, value, *problem)
        return cast("E | None", parsed)

    def email(self, column: str) -> str | None:
        value = self._cell(column)
        if value is None:
            return None
        email, problem = self.check.parse_once(_email, value)
        if problem is not None:
            self.error(column, value, problem)
        return cast("str | None", email)

    def person(self, column: str) -> str | None:
        """The id of the person an email column names, who must be known."""
        email = self.email(column)
        if email is None:
            return None
        person_id = self.check.known_person(email)
        if person_id is None:
            self.error(column, email, "is not in people, nor already in the graph")
        return person_id


class Validator:
    """One bundle's validation: its rows, what the store holds for them, what is built."""

    def __init__(self, raw: RawBundle, store: GraphStore, salt: str) -> None:
        self.raw = raw
        self.store = store
        self.salt = salt
        self._person_ids: dict[str, str] = {}
        self._parsed: dict[tuple[object, ...], tuple[Any, str | None]] = {}
        """(parser, cell type, cell) -> (value, problem): a column repeats few values
        (waves, relationships, dates, emails), each parsed once per bundle."""
        self.choices: dict[tuple[object, ...], tuple[Any, tuple[str, tuple[str, ...]] | None]] = {}
        """(table, column, cell type, cell) -> (choice, (problem, suggestions)), as above."""
        """Email -> person id: a keyed hash, computed once per email (rows repeat them)."""
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
        """What the store held, before any rule ran, of every record the bundle names."""
        self._asked: dict[type[Record], set[str]] = {}
        self._complete: set[type[Record]] = set()
        """Kinds read whole (organisations): a key not held is not in the store."""
        self._looked_up: dict[type[Record], dict[str, Record]] = {}
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
    def parse_once(
        self, parse: Callable[[CellValue], Any], value: CellValue
    ) -> tuple[Any, str | None]:
        """``parse(value)`` and what was wrong with it (``None``), once per distinct cell."""
        key = (parse, type(value), value)
        hit = self._parsed.get(key)
        if hit is None:
            try:
                hit = self._parsed[key] = (parse(value), None)
            except ValueError as exc:
                hit = self._parsed[key] = (None, str(exc))
        return hit

    def rows(self, table: str) -> list[Row]:
        spec = TABLES[table]
        return [Row(self, spec, raw) for raw in self.raw.rows(table)]

    def existing(self, model: type[R], key: str) -> R | None:
        found = self.stored.get(model, {}).get(key)
        return found if isinstance(found, model) else None

    def prefetch(self, model: type[Record], keys: Iterable[str]) -> None:
        wanted = {k for k in keys if k}
        self.stored[model] = dict(self.store.get_many(model, wanted)) if wanted else {}
        self._asked[model] = wanted

    def lookup(self, model: type[Record], keys: Collection[str]) -> dict[str, Record]:
        """The stored records of ``keys`` (a ``graph.integrity.Lookup``), answered from what
        ``prefetch_stored`` read; the store is asked, in one ``get_many``, only for keys of
        this kind not asked before, so the batch's checks cost no second read per kind."""
        known = self._looked_up.setdefault(model, dict(self.stored.get(model, {})))
        asked = self._asked.setdefault(model, set())
        fresh = {k for k in keys if k and k not in asked}
        if fresh and model not in self._complete:
            known.update(self.store.get_many(model, fresh))
        asked |= fresh
        return {k: known[k] for k in keys if k in known}

    def person_id(self, email: str) -> str:
        found = self._person_ids.get(email)
        if found is None:
            found = self._person_ids[email] = person_id_for(email, self.salt)
        return found

    def known_person(self, email: str) -> str | None:
        person_id = self.person_id(email)
        if email in self.bundle_emails or person_id in self.stored.get(Person, {}):
            return person_id
        return None

    def add(self, record: R, row: Row, records: list[R]) -> R:
        records.append(record)
        self.origins.setdefault(f"{record.kind} {record.key}", row.location)
        return record

    def build(self, model: type[R], row: Row, given: dict[str, Any], key: str) -> R | None:
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
        self, row: Row, key: tuple[object, ...], seen: dict[tuple[object, ...], int]
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
        wanted: dict[str, set[str]] = {"email": emails, "issue": set(), "project": set()}
        for name in TABLES:
            naming = _naming_columns(name)
            for raw in self.raw.rows(name):
                cells = raw.cells
                for column, what in naming:
                    value = cells.get(column)
                    if value is None:
                        continue
                    text = text_of(value)
                    wanted[what].add(normalise_email(text) if what == "email" else text)
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
        self.stored[Organisation] = dict(stored_organisations(self.store))
        self._complete.add(Organisation)


def _email(value: CellValue) -> str:
    """An email cell, normalised; ``ValueError`` if it is not an address."""
    email = normalise_email(text_of(value))
    if not EMAIL.fullmatch(email):
        raise ValueError("is not an email address")
    return email


@functools.cache
def _naming_columns(table: str) -> tuple[tuple[str, str], ...]:
    """A table's columns that name stored records, each with what it names (``email``,
    ``issue`` or ``project``): worked out once, not per row."""
    named: list[tuple[str, str]] = []
    for column in TABLES[table].columns:
        if column.type is ColumnType.EMAIL:
            named.append((column.name, "email"))
        elif column.name == "issue_id":
            named.append((column.name, "issue"))
        elif column.name in {"project_id", "from_project_id"}:
            named.append((column.name, "project"))
    return tuple(named)
