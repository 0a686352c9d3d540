"""Two things a bundle knows before any row is read: its date, and whom it may not name.

- ``bundle_as_of``: the cohort table's ``as_of`` (``cohort-bundle.md``), or by
  default the latest date in the bundle that is not after the day it is loaded.
  Every fact the bundle states about a person carries it (``graph.facts``).
- ``without_erased``: an erased person stays erased. Every row naming one (by
  email; ids are keyed hashes of emails) is left out with a warning giving its
  file, sheet and row, never the person; a project they sponsored keeps its
  row without its sponsor, as ``erase_person`` leaves it. Free text naming them
  says ``[erased]`` instead, as erasure left it in the store.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date

from graph.model import Handover, Project, Record, WickedIssue, normalise_email
from graph.redact import ERASED, FREE_TEXT_FIELDS, Matcher, Named, emails_in
from ingest.read import CellValue, Issue, RawBundle, RawRow
from ingest.spec import TABLES, ColumnType

__all__ = ["bundle_as_of", "without_erased"]

SPONSOR_COLUMN = ("projects", "sponsor_email")

_TABLE_OF: dict[type[Record], str] = {
    WickedIssue: "wicked_issues",
    Project: "projects",
    Handover: "handovers",
}
ERASABLE_TEXT: dict[str, tuple[str, ...]] = {
    _TABLE_OF[model]: fields for model, fields in FREE_TEXT_FIELDS.items()
}
"""The bundle's free-text cells, by table: the fields erasure scrubs in the store
(``graph.redact.FREE_TEXT_FIELDS``; a bundle's columns are named as the fields)."""

ERASED_IN_TEXT = "names an erased person: the mention is stored as [erased]"


def bundle_as_of(raw: RawBundle, today: date, parse: Callable[[CellValue], date]) -> date:
    """The latest date any cell of the bundle holds that is not after ``today``.

    Cells that are not dates are left to the validator to report. When no date
    is on or before ``today`` (a cohort announced ahead of its start), ``today``
    itself: a fact is never dated in the future, where it would outrank a
    consent withdrawn in the meantime. (Such a bundle loaded again on a later
    day restates its facts as of that day.)
    """
    found: list[date] = []
    for name, table in TABLES.items():
        columns = [c.name for c in table.columns if c.type is ColumnType.DATE]
        for row in raw.rows(name):
            for column in columns:
                value = row.cells.get(column)
                if value is None or column == "as_of":
                    continue
                try:
                    found.append(parse(value))
                except ValueError:
                    continue
    return max((d for d in found if d <= today), default=today)


def without_erased(
    raw: RawBundle, erased: Collection[str], person_id: Callable[[str], str]
) -> tuple[RawBundle, list[Issue]]:
    """``raw`` without a row that names an erased person, its free text without their
    name or email, and a warning per row left out and per cell changed.

    Their name is known from the bundle's own people rows (an old bundle loaded again
    after the erasure), their email wherever the text holds one; a text that names an
    erased person by name alone, in a bundle without their row, cannot be recognised:
    the store keeps nothing that would recognise it.
    """
    if not erased:
        return raw, []
    warnings: list[Issue] = []
    tables: dict[str, list[RawRow]] = {}
    for name, rows in raw.tables.items():
        table = TABLES.get(name)
        if table is None:
            tables[name] = rows
            continue
        emails = [c.name for c in table.columns if c.type is ColumnType.EMAIL]
        kept: list[RawRow] = []
        for row in rows:
            naming = [c for c in emails if _names(row, c, erased, person_id)]
            if not naming:
                kept.append(row)
            elif (name, naming[0]) == SPONSOR_COLUMN and len(naming) == 1:
                cells = {k: v for k, v in row.cells.items() if k != naming[0]}
                kept.append(RawRow(row.location, cells))
                warnings.append(
                    Issue(
                        row.location,
                        naming[0],
                        None,
                        "names an erased person: the project is kept without a sponsor",
                    )
                )
            else:
                warnings.append(
                    Issue(
                        row.location,
                        naming[0],
                        None,
                        "names an erased person: row skipped, nothing about them is stored",
                    )
                )
        tables[name] = kept
    named = _erased_people(raw, erased, person_id)
    known = Matcher(named)
    for name, columns in ERASABLE_TEXT.items():
        if name in tables:
            tables[name] = [
                _without_mentions(row, columns, (named, known), erased, person_id, warnings)
                for row in tables[name]
            ]
    return replace(raw, tables=tables), warnings


def _erased_people(
    raw: RawBundle, erased: Collection[str], person_id: Callable[[str], str]
) -> list[Named]:
    """The erased people the bundle's people rows describe, by name and email."""
    found: list[Named] = []
    for row in raw.rows("people"):
        email, name = row.cells.get("email"), row.cells.get("name")
        if email is None:
            continue
        key = person_id(normalise_email(str(email)))
        if key in erased:
            found.append(Named(key, str(name or ""), normalise_email(str(email))))
    return found


def _without_mentions(
    row: RawRow,
    columns: tuple[str, ...],
    people: tuple[list[Named], Matcher],
    erased: Collection[str],
    person_id: Callable[[str], str],
    warnings: list[Issue],
) -> RawRow:
    """``row`` with every mention of an erased person in these columns as ``[erased]``:
    the ``people`` the bundle names (and their matcher, made once) by name or email, and
    any email in the text that is an erased person's."""
    named, known = people
    cells = dict(row.cells)
    for column in columns:
        text = cells.get(column)
        if not isinstance(text, str) or not text:
            continue
        by_email = [
            Named(key, "", email)
            for email in emails_in(text)
            if (key := person_id(normalise_email(email))) in erased
        ]
        matcher = Matcher([*named, *by_email]) if by_email else known
        if not matcher:
            continue
        after = matcher.redact(text, name_marker=ERASED, email_marker=ERASED)
        if after != text:
            cells[column] = after
            warnings.append(Issue(row.location, column, None, ERASED_IN_TEXT))
    return row if cells == row.cells else RawRow(row.location, cells)


def _names(
    row: RawRow, column: str, erased: Collection[str], person_id: Callable[[str], str]
) -> bool:
    value = row.cells.get(column)
    if value is None:
        return False
    return person_id(normalise_email(str(value))) in erased
