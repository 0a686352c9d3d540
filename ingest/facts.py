"""Two things a bundle knows before any row is read: its date, and whom it may not name.

- ``bundle_as_of``: the cohort table's ``as_of`` (``cohort-bundle.md``), or by
  default the latest date in the bundle that is not after the day it is loaded.
  Every fact the bundle states about a person carries it (``graph.facts``).
- ``without_erased``: an erased person stays erased. Every row naming one (by
  email; ids are keyed hashes of emails) is left out with a warning giving its
  file, sheet and row, never the person; a project they sponsored keeps its
  row without its sponsor, as ``erase_person`` leaves it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date

from graph.model import normalise_email
from ingest.read import CellValue, Issue, RawBundle, RawRow
from ingest.spec import TABLES, ColumnType

__all__ = ["bundle_as_of", "without_erased"]

SPONSOR_COLUMN = ("projects", "sponsor_email")


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
    """``raw`` without a row that names an erased person, and a warning per row left out."""
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
    return replace(raw, tables=tables), warnings


def _names(
    row: RawRow, column: str, erased: Collection[str], person_id: Callable[[str], str]
) -> bool:
    value = row.cells.get(column)
    if value is None:
        return False
    return person_id(normalise_email(str(value))) in erased
