"""One table's header and rows, from any container, into ``RawRow``s within the limits.

Every container's reader hands a table over the same way (a header, then data rows
with what the container says is wrong with each cell), so trimming, header
normalisation, the cell limits and formula/NUL checks happen once, here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from ingest.raw import Budget, CellValue, Issue, Location, RawBundle, RawRow, Refused
from ingest.spec import TABLES, normalise_header

__all__ = ["EXCEL_ERROR", "FORMULA", "TableReader", "table_for"]

FORMULA = "formulas are not read (nor run): type the value itself"
EXCEL_ERROR = "the cell holds an Excel error, not a value"
_NUL = "the cell holds a NUL character (a UTF-16 file read as UTF-8?): save it as UTF-8"

_IGNORED_TABLES = frozenset({"readme"})
"""Sheets (and CSV files, JSON keys) a bundle may carry for people, not for the graph."""


class TableReader:
    """Turns a header and data rows of one table into ``RawRow``s, noting problems."""

    def __init__(self, bundle: RawBundle, table: str, place: Location, budget: Budget) -> None:
        self.bundle = bundle
        self.table = table
        self.place = place
        self.budget = budget
        self.rows = 0
        self.columns: list[str | None] = []
        self._named: set[int] = set()
        self._blank_header_warned = False

    def header(self, cells: Iterable[object]) -> None:
        seen: set[str] = set()
        known = TABLES[self.table].column_names
        for index, raw in enumerate(cells):
            if index >= self.budget.limits.max_columns:
                limit = self.budget.limits.max_columns
                raise Refused(
                    Issue(self.place, None, None, f"more than {limit} columns, the limit")
                )
            text = _text(raw)
            name = normalise_header(text) if text else ""
            if not name:
                self.columns.append(None)
                continue
            self._named.add(index)
            if name in seen:
                self.bundle.errors.append(
                    Issue(self.place, name, None, "the same column appears twice in the header")
                )
                self.columns.append(None)
                continue
            seen.add(name)
            if name not in known:
                self.bundle.warnings.append(
                    Issue(self.place, text, None, "unknown column, ignored")
                )
                self.columns.append(None)
                continue
            self.columns.append(name)
        self.bundle.headers[self.table] = tuple(c for c in self.columns if c)
        self.bundle.places[self.table] = self.place
        self.bundle.tables.setdefault(self.table, [])

    def row(
        self, number: int, values: Iterable[tuple[object, str | None]], unit: str = "row"
    ) -> None:
        """One data row; each value comes with what the container says is wrong with it."""
        location = Location(self.place.file, self.table, number, unit)
        limits = self.budget.limits
        self.rows += 1
        if self.rows > limits.max_rows:
            raise Refused(
                Issue(location, None, None, f"more than {limits.max_rows} rows, the limit")
            )
        cells: dict[str, CellValue] = {}
        budget, columns = self.budget, self.columns
        named = len(columns)
        for index, (value, problem) in enumerate(values):
            if index >= limits.max_columns:
                raise Refused(
                    Issue(
                        location, None, None, f"more than {limits.max_columns} columns, the limit"
                    )
                )
            cleaned = _clean(value)
            if cleaned is None:
                continue
            name = columns[index] if index < named else None
            if (
                type(cleaned) is str
                and budget.cells < limits.max_cells
                and len(cleaned) <= limits.max_cell_chars
                and budget.text + len(cleaned) <= limits.max_text_chars
            ):
                # Within every limit (most cells): ``_spend``'s sums without its checks.
                budget.cells += 1
                budget.text += len(cleaned)
            else:
                self._spend(location, name, cleaned)
            if problem is None and isinstance(cleaned, str) and cleaned.startswith("="):
                problem = FORMULA
            if problem is None and isinstance(cleaned, str) and "\x00" in cleaned:
                problem = _NUL
            if problem is not None:
                self.bundle.errors.append(Issue(location, name, cleaned, problem))
                if len(self.bundle.errors) > limits.max_errors:
                    raise Refused(
                        Issue(
                            location,
                            None,
                            None,
                            f"more than {limits.max_errors} errors: reading stopped here",
                        )
                    )
            elif name is not None:
                cells[name] = cleaned
            elif index not in self._named:
                self._warn_headerless(location)
        if cells:
            self.bundle.tables[self.table].append(RawRow(location, cells))

    def _spend(self, location: Location, column: str | None, value: CellValue) -> None:
        budget, limits = self.budget, self.budget.limits
        budget.cells += 1
        if budget.cells > limits.max_cells:
            raise Refused(
                Issue(location, None, None, f"more than {limits.max_cells} cells, the limit")
            )
        if isinstance(value, str):
            if len(value) > limits.max_cell_chars:
                raise Refused(
                    Issue(
                        location,
                        column,
                        None,
                        f"the cell is longer than {limits.max_cell_chars} characters, the limit",
                    )
                )
            budget.text += len(value)
            if budget.text > limits.max_text_chars:
                raise Refused(
                    Issue(
                        location,
                        None,
                        None,
                        f"more than {limits.max_text_chars} characters of text, the limit",
                    )
                )

    def _warn_headerless(self, location: Location) -> None:
        if not self._blank_header_warned:
            self._blank_header_warned = True
            self.bundle.warnings.append(
                Issue(location, None, None, "values in a column without a header, ignored")
            )


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _clean(value: object) -> CellValue | None:
    """Trim text, drop empties, keep numbers, yes/no and dates as the container gave them."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool | int | float | date | datetime):
        return value
    return str(value).strip() or None


def table_for(name: str, place: Location, bundle: RawBundle) -> str | None:
    """The table a sheet, file or key stands for; warn about unknown ones."""
    table = normalise_header(name)
    if table in _IGNORED_TABLES:
        return None
    if table not in TABLES:
        bundle.warnings.append(Issue(place, None, None, f"unknown table {name.strip()!r}, ignored"))
        return None
    if table in bundle.places:
        bundle.errors.append(
            Issue(
                place,
                None,
                None,
                f"table {table!r} is given twice (also in {bundle.places[table].describe()})",
            )
        )
        return None
    return table
