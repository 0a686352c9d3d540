"""Get: read a bundle's container into the same raw rows, whatever the container.

Reading is dumb on purpose: it finds the tables, numbers the rows as the user
sees them, trims text and keys cells by normalised header. It never parses a
date or resolves a name (that is ``ingest.validate``), so the three containers
cannot disagree about meaning, only about layout. Problems are collected, never
raised: a report with every problem beats a traceback with the first.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ingest.spec import TABLES, normalise_header

__all__ = [
    "CellValue",
    "Issue",
    "Location",
    "RawBundle",
    "RawRow",
    "read_bundle",
]

CellValue = str | int | float | bool | date | datetime
"""What a cell may hold once read: text, a number, a yes/no, or a real date."""

_FORMULA = "formulas are not read (nor run): type the value itself"
_EXCEL_ERROR = "the cell holds an Excel error, not a value"
_NUL = "the cell holds a NUL character (a UTF-16 file read as UTF-8?): save it as UTF-8"

_IGNORED_TABLES = frozenset({"readme"})
"""Sheets (and CSV files, JSON keys) a bundle may carry for people, not for the graph."""


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


def read_bundle(path: Path) -> RawBundle:
    """Read an ``.xlsx`` workbook, a ``.json`` file or a folder of ``TABLE.csv`` files."""
    path = Path(path)
    bundle = RawBundle(source=path, file_name=path.name)
    if path.is_dir():
        _read_csv_folder(path, bundle)
    elif not path.exists():
        bundle.errors.append(Issue(Location(path.name), None, None, "no such file or folder"))
    elif path.suffix.casefold() == ".xlsx":
        _read_xlsx(path, bundle)
    elif path.suffix.casefold() == ".json":
        _read_json(path, bundle)
    else:
        bundle.errors.append(
            Issue(
                Location(path.name),
                None,
                None,
                "not a bundle: use an .xlsx workbook, a .json file or a folder of CSV files"
                + (
                    " (save an .xls file as .xlsx first)"
                    if path.suffix.casefold() == ".xls"
                    else ""
                ),
            )
        )
    return bundle


# -- shared row handling -------------------------------------------------------


class _TableReader:
    """Turns a header and data rows of one table into ``RawRow``s, noting problems."""

    def __init__(self, bundle: RawBundle, table: str, place: Location) -> None:
        self.bundle = bundle
        self.table = table
        self.place = place
        self.columns: list[str | None] = []
        self._named: set[int] = set()
        self._blank_header_warned = False

    def header(self, cells: Iterable[object]) -> None:
        seen: set[str] = set()
        known = TABLES[self.table].column_names
        for index, raw in enumerate(cells):
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
        cells: dict[str, CellValue] = {}
        for index, (value, problem) in enumerate(values):
            cleaned = _clean(value)
            if cleaned is None:
                continue
            name = self.columns[index] if index < len(self.columns) else None
            if problem is None and isinstance(cleaned, str) and cleaned.startswith("="):
                problem = _FORMULA
            if problem is None and isinstance(cleaned, str) and "\x00" in cleaned:
                problem = _NUL
            if problem is not None:
                self.bundle.errors.append(Issue(location, name, cleaned, problem))
            elif name is not None:
                cells[name] = cleaned
            elif index not in self._named:
                self._warn_headerless(location)
        if cells:
            self.bundle.tables[self.table].append(RawRow(location, cells))

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


def _table_for(name: str, place: Location, bundle: RawBundle) -> str | None:
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


# -- xlsx ----------------------------------------------------------------------


def _read_xlsx(path: Path, bundle: RawBundle) -> None:
    data = path.read_bytes()
    bundle.sha256 = hashlib.sha256(data).hexdigest()
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it drops (extensions, data
        # validation it cannot keep): irrelevant to reading values.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            bundle.errors.append(
                Issue(Location(path.name), None, None, f"not a readable .xlsx workbook ({exc})")
            )
            return
        try:
            for sheet in workbook.worksheets:
                _read_sheet(sheet, path.name, bundle)
        finally:
            workbook.close()


def _xlsx_problem(cell: object) -> str | None:
    """Formulas (``data_only=False`` keeps them as formulas) and error values are refused."""
    kind = getattr(cell, "data_type", None)
    return _FORMULA if kind == "f" else _EXCEL_ERROR if kind == "e" else None


def _read_sheet(sheet: Any, file_name: str, bundle: RawBundle) -> None:
    table = _table_for(sheet.title, Location(file_name, sheet.title, 1), bundle)
    if table is None:
        return
    reader = _TableReader(bundle, table, Location(file_name, table, 1))
    sheet.reset_dimensions()  # trust the cells, not a stale stored dimension
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number == 1:
            reader.header(c.value for c in cells)
        else:
            reader.row(number, ((c.value, _xlsx_problem(c)) for c in cells))
    if table not in bundle.places:  # an empty sheet: no header, no rows
        reader.header(())


# -- CSV folder ------------------------------------------------------------------


def _csv_files(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.casefold() == ".csv"),
        key=lambda p: p.name,
    )


def _read_csv_folder(folder: Path, bundle: RawBundle) -> None:
    digest = hashlib.sha256()
    files = _csv_files(folder)
    if not files:
        bundle.errors.append(
            Issue(Location(folder.name), None, None, "the folder holds no .csv files")
        )
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
        place = Location(path.name, path.stem, 1)
        table = _table_for(path.stem, place, bundle)
        if table is None:
            continue
        place = Location(path.name, table, 1)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bundle.errors.append(
                Issue(
                    Location(path.name, table),
                    None,
                    None,
                    f"is not UTF-8 text (undecodable byte at position {exc.start}):"
                    " save it as 'CSV UTF-8'",
                )
            )
            continue
        reader = _TableReader(bundle, table, place)
        try:
            for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
                if number == 1:
                    reader.header(cells)
                    continue
                reader.row(number, ((c, None) for c in cells))
        except csv.Error as exc:
            bundle.errors.append(
                Issue(Location(path.name, table), None, None, f"is not valid CSV ({exc})")
            )
        if table not in bundle.places:
            reader.header(())
    bundle.sha256 = digest.hexdigest()


# -- JSON ----------------------------------------------------------------------


def _json_cell(value: object) -> tuple[object, str | None]:
    """A JSON value as a cell; a list of scalars becomes a ``;`` list."""
    if isinstance(value, list):
        if all(isinstance(v, str | int | float | bool) for v in value):
            return "; ".join(str(v).strip() for v in value if str(v).strip()), None
        return "(a list)", "a list here may hold only text or numbers"
    if isinstance(value, dict):
        return "(an object)", "a cell cannot hold an object"
    return value, None


def _no_duplicate_keys(duplicates: list[str]) -> Any:
    """An ``object_pairs_hook`` noting keys given twice in one object (``json`` keeps the last
    silently: a table or a cell would be lost without a word)."""

    def hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        return dict(pairs)

    return hook


def _read_json(path: Path, bundle: RawBundle) -> None:
    data = path.read_bytes()
    bundle.sha256 = hashlib.sha256(data).hexdigest()
    duplicates: list[str] = []
    if b"\x00" in data:
        bundle.errors.append(
            Issue(
                Location(path.name),
                None,
                None,
                "holds NUL characters (a UTF-16 file?): save it as UTF-8",
            )
        )
        return
    try:
        document = json.loads(
            data.decode("utf-8-sig"), object_pairs_hook=_no_duplicate_keys(duplicates)
        )
    except UnicodeDecodeError as exc:
        bundle.errors.append(
            Issue(
                Location(path.name),
                None,
                None,
                f"is not UTF-8 text (undecodable byte at position {exc.start})",
            )
        )
        return
    except json.JSONDecodeError as exc:
        bundle.errors.append(
            Issue(
                Location(path.name),
                None,
                None,
                f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            )
        )
        return
    except RecursionError:
        bundle.errors.append(
            Issue(Location(path.name), None, None, "is nested too deeply to be a bundle")
        )
        return
    for key in dict.fromkeys(duplicates):
        bundle.errors.append(
            Issue(
                Location(path.name),
                key,
                None,
                "the same key appears twice in one object: the first value would be lost",
            )
        )
    if not isinstance(document, dict):
        bundle.errors.append(
            Issue(
                Location(path.name),
                None,
                None,
                'must be an object: {"cohort": {...}, "people": [...]}',
            )
        )
        return
    for key, items in document.items():
        place = Location(path.name, str(key), None, "item")
        table = _table_for(str(key), place, bundle)
        if table is None:
            continue
        place = Location(path.name, table, None, "item")
        if table == "cohort" and isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            bundle.errors.append(Issue(place, None, None, "must be a list of objects"))
            continue
        _read_json_items(items, place, table, bundle)


def _read_json_items(items: list[object], place: Location, table: str, bundle: RawBundle) -> None:
    headers: list[str] = []
    objects: list[dict[str, object] | None] = []
    for item in items:
        if isinstance(item, dict):
            normalised = {normalise_header(str(k)): v for k, v in item.items()}
            headers += [k for k in normalised if k not in headers]
            objects.append(normalised)
        else:
            objects.append(None)
    reader = _TableReader(bundle, table, place)
    reader.header(headers)
    for number, obj in enumerate(objects, start=1):
        location = Location(place.file, table, number, "item")
        if obj is None:
            bundle.errors.append(Issue(location, None, None, "each item must be an object"))
            continue
        values = [_json_cell(obj.get(name)) for name in headers]
        reader.row(number, values, unit="item")


def iter_tables(bundle: RawBundle) -> Iterator[tuple[str, list[RawRow]]]:
    """Tables in the spec's order, present ones only."""
    for name in TABLES:
        if name in bundle.tables:
            yield name, bundle.tables[name]
