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

The rules live by topic: cell parsers in ``ingest.cells``, the validation's state in
``ingest.validator``, per-table rules in ``validate_people``, ``validate_projects`` and
``validate_ties``. This module runs them in order and returns the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graph.errors import Problem
from graph.integrity import check_batch
from graph.settings import get_settings
from graph.store import Batch, GraphStore
from ingest.cells import parse_choice, parse_date, parse_list, parse_yes_no, text_of
from ingest.free_text import free_text_warnings
from ingest.raw import Issue, Location, RawBundle
from ingest.validate_areas import read_areas
from ingest.validate_assessments import read_assessments
from ingest.validate_people import read_cohort, read_members, read_organisations, read_people
from ingest.validate_projects import (
    read_handovers,
    read_issues,
    read_project_members,
    read_projects,
)
from ingest.validate_ties import derive_ties, read_mentoring, read_survey
from ingest.validator import Validator

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
    check = Validator(raw, store, salt)
    check.drop_erased()
    check.check_columns()
    check.prefetch_stored()
    for rule in _TABLE_RULES:
        rule(check)
    if not check.errors:
        derive_ties(check)
    if not check.errors:
        problems = check_batch(check.batch, check.lookup)
        fallback = Location(check.raw.file_name)
        check.errors += issues_from_problems(problems, check.origins, fallback)
    check.warnings += free_text_warnings(
        check.raw, check.batch, check.store, check.salt, lookup=check.lookup
    )
    return Validated(
        batch=check.batch,
        errors=check.errors,
        warnings=check.warnings,
        origins=check.origins,
        cohort_id=check.cohort.id if check.cohort else None,
    )


_TABLE_RULES = (
    read_cohort,
    read_organisations,
    read_people,
    read_members,
    read_issues,
    read_projects,
    read_project_members,
    read_handovers,
    read_mentoring,
    read_survey,
    read_assessments,
    read_areas,
)
"""In this order: each table's rows may name what the tables before it built."""
