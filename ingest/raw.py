"""What reading a bundle gives: raw rows keyed by header, where each is, and the problems.

``ingest.read`` fills these, whatever the container; ``ingest.validate`` and the rest
of the pipeline read them. The limits a bundle may not pass are here too, with the
budget a reading spends against them, since every container's reader shares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

__all__ = [
    "LIMITS",
    "Budget",
    "CellValue",
    "Issue",
    "Location",
    "RawBundle",
    "RawRow",
    "ReadLimits",
    "Refused",
]

CellValue = str | int | float | bool | date | datetime
"""What a cell may hold once read: text, a number, a yes/no, or a real date."""

_SHOWN = 500
"""Characters of a value an issue keeps: a report quotes a cell, it does not copy it."""


@dataclass(frozen=True)
class ReadLimits:
    """What one bundle may hold, whatever its container; past any of them the bundle is
    refused with one error saying which, and nothing else is read or checked.

    Sizes are checked as the bytes stream (a part is never inflated whole first), so
    reading a hostile file costs at most about these limits, never what it claims.
    """

    max_total_bytes: int = 256 * 1024 * 1024
    """All the parts read from a workbook, unpacked (CSV: all the files)."""
    max_part_bytes: int = 64 * 1024 * 1024
    """One part of a workbook, unpacked; one CSV file; the JSON file."""
    max_entries: int = 1_000
    """Parts in a workbook's zip; CSV files in a folder."""
    max_ratio: int = 200
    """How much better than 1 to this a part over 1 MiB may compress (zip bombs)."""
    max_rows: int = 50_000
    """Data rows (JSON items) in one table."""
    max_columns: int = 200
    max_cell_chars: int = 32_767
    """Characters in one cell (Excel's own limit)."""
    max_cells: int = 1_000_000
    """Non-empty cells in the whole bundle."""
    max_text_chars: int = 32 * 1024 * 1024
    """Characters of text in the whole bundle, counting each cell (shared strings too)."""
    max_shared_strings: int = 500_000
    max_shared_chars: int = 16 * 1024 * 1024
    """Characters of a workbook's shared-string table."""
    max_errors: int = 10_000
    """Problems found while reading, before reading stops."""
    max_json_values: int = 1_000_000
    """Values (objects, lists, items) a JSON file may hold."""


LIMITS = ReadLimits()


class Refused(Exception):
    """A bundle past a limit, or a container that cannot be read on: one issue says why."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.reason)
        self.issue = issue


@dataclass
class Budget:
    """What the bundle read so far has used of its limits."""

    limits: ReadLimits
    inflated: int = 0
    cells: int = 0
    text: int = 0


@dataclass(frozen=True)
class Location:
    """Where something is, in the user's terms: the file, the sheet and the row they see.

    Spreadsheet and CSV rows are numbered as a spreadsheet numbers them (the
    header is row 1); JSON items are numbered from 1 within their table.
    """

    file: str
    sheet: str | None = None
    row: int | None = None
    unit: str = "row"

    def describe(self) -> str:
        parts = [self.sheet or self.file]
        if self.row is not None:
            parts.append(f"{self.unit} {self.row}")
        return " ".join(parts)


@dataclass(frozen=True)
class Issue:
    """One error or warning about one cell, row, table or file.

    Warnings are stored with the ingest run, so their ``value`` stays empty and
    their text names rows, never people.
    """

    location: Location
    column: str | None
    value: object
    reason: str
    suggestions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.value, str) and len(self.value) > _SHOWN:
            object.__setattr__(self, "value", self.value[:_SHOWN] + "…")

    def __str__(self) -> str:
        where = self.location.describe()
        if self.column:
            where += f", column {self.column}"
        value = "" if self.value is None else f" {self.value!r}"
        hint = f" (did you mean: {', '.join(self.suggestions)}?)" if self.suggestions else ""
        return f"{where}:{value} {self.reason}{hint}"

    def to_dict(self) -> dict[str, object]:
        value = self.value
        if isinstance(value, date | datetime):
            value = value.isoformat()
        return {
            "file": self.location.file,
            "sheet": self.location.sheet,
            "row": self.location.row,
            "unit": self.location.unit,
            "column": self.column,
            "value": value,
            "reason": self.reason,
            "suggestions": list(self.suggestions),
        }


@dataclass(frozen=True)
class RawRow:
    """One non-blank row: where it is and its non-empty cells by normalised header."""

    location: Location
    cells: Mapping[str, CellValue]


@dataclass
class RawBundle:
    """Every table found in a container, with what went wrong finding them."""

    source: Path
    file_name: str
    sha256: str = ""
    tables: dict[str, list[RawRow]] = field(default_factory=dict)
    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Known columns each table's header carried (normalised)."""
    places: dict[str, Location] = field(default_factory=dict)
    """Where each table was found (its header row), for table-level problems."""
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    def rows(self, table: str) -> list[RawRow]:
        return self.tables.get(table, [])

    def place(self, table: str) -> Location:
        return self.places.get(table, Location(self.file_name, table))
