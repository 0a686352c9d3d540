"""Get: read a bundle's container into the same raw rows, whatever the container.

Reading is dumb on purpose: it finds the tables, numbers the rows as the user
sees them, trims text and keys cells by normalised header. It never parses a
date or resolves a name (that is ``ingest.validate``), so the three containers
cannot disagree about meaning, only about layout. Problems are collected, never
raised: a report with every problem beats a traceback with the first.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

from ingest.spec import TABLES, normalise_header

__all__ = [
    "CellValue",
    "Issue",
    "Location",
    "RawBundle",
    "ReadLimits",
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


class _Refused(Exception):
    """A bundle past a limit, or a container that cannot be read on: one issue says why."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.reason)
        self.issue = issue


@dataclass
class _Budget:
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


def read_bundle(path: Path, *, limits: ReadLimits = LIMITS) -> RawBundle:
    """Read an ``.xlsx`` workbook, a ``.json`` file or a folder (or ``.zip``) of ``TABLE.csv``
    files.

    A bundle past one of ``limits`` (or one whose container breaks in a way that stops
    reading) comes back with that error and no tables: nothing else is worth checking.
    """
    path = Path(path)
    bundle = RawBundle(source=path, file_name=path.name)
    budget = _Budget(limits)
    try:
        _read_container(path, bundle, budget)
    except _Refused as refused:
        bundle.errors.append(refused.issue)
        bundle.tables.clear()
        bundle.headers.clear()
        bundle.places.clear()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        bundle.errors.append(Issue(Location(path.name), None, None, f"cannot be read ({reason})"))
        bundle.tables.clear()
    return bundle


def _read_container(path: Path, bundle: RawBundle, budget: _Budget) -> None:
    if path.is_dir():
        _read_csv_folder(path, bundle, budget)
    elif not path.exists():
        bundle.errors.append(Issue(Location(path.name), None, None, "no such file or folder"))
    elif path.suffix.casefold() == ".xlsx":
        _read_xlsx(path, bundle, budget)
    elif path.suffix.casefold() == ".json":
        _read_json(path, bundle, budget)
    elif path.suffix.casefold() == ".zip":
        _read_csv_zip(path, bundle, budget)
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


# -- shared row handling -------------------------------------------------------


class _TableReader:
    """Turns a header and data rows of one table into ``RawRow``s, noting problems."""

    def __init__(self, bundle: RawBundle, table: str, place: Location, budget: _Budget) -> None:
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
                raise _Refused(
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
            raise _Refused(
                Issue(location, None, None, f"more than {limits.max_rows} rows, the limit")
            )
        cells: dict[str, CellValue] = {}
        for index, (value, problem) in enumerate(values):
            if index >= limits.max_columns:
                raise _Refused(
                    Issue(
                        location, None, None, f"more than {limits.max_columns} columns, the limit"
                    )
                )
            cleaned = _clean(value)
            if cleaned is None:
                continue
            name = self.columns[index] if index < len(self.columns) else None
            self._spend(location, name, cleaned)
            if problem is None and isinstance(cleaned, str) and cleaned.startswith("="):
                problem = _FORMULA
            if problem is None and isinstance(cleaned, str) and "\x00" in cleaned:
                problem = _NUL
            if problem is not None:
                self.bundle.errors.append(Issue(location, name, cleaned, problem))
                if len(self.bundle.errors) > limits.max_errors:
                    raise _Refused(
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
            raise _Refused(
                Issue(location, None, None, f"more than {limits.max_cells} cells, the limit")
            )
        if isinstance(value, str):
            if len(value) > limits.max_cell_chars:
                raise _Refused(
                    Issue(
                        location,
                        column,
                        None,
                        f"the cell is longer than {limits.max_cell_chars} characters, the limit",
                    )
                )
            budget.text += len(value)
            if budget.text > limits.max_text_chars:
                raise _Refused(
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
#
# A workbook is a zip of XML parts. Nothing here inflates a part whole: each is
# streamed through a counter (its own size, the total, its compression ratio) into
# expat, which hands text over in pieces, so one huge cell is refused at its limit
# without ever being held. A DTD (entity expansion) is refused outright.

_CHUNK = 64 * 1024
_RATIO_FLOOR = 1024 * 1024
"""Parts smaller than this may compress as well as they like (a blank sheet does)."""
_MAX_CENTRAL_DIRECTORY = 4 * 1024 * 1024
_MAX_RUN = 1024 * 1024
"""Bytes between two ``>``: far more than a cell's 32,767 characters take, far less than a
tag with a huge attribute (which expat would hold whole) would."""
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def _local(name: str) -> str:
    """An element or attribute name without its namespace (expat gives ``uri local``)."""
    return name.rpartition(" ")[2]


def _attrs(attributes: Mapping[str, str]) -> dict[str, str]:
    return {_local(k): v for k, v in attributes.items()}


def _zip_directory(path: Path) -> tuple[int, int] | None:
    """Entries and central-directory bytes the zip declares, read from its end record
    before ``zipfile`` builds anything from them; ``None`` if there is no end record."""
    with path.open("rb") as f:
        f.seek(0, io.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - (22 + 65535)))
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        entries = int.from_bytes(tail[at + 10 : at + 12], "little")
        directory = int.from_bytes(tail[at + 12 : at + 16], "little")
        if (entries == 0xFFFF or directory == 0xFFFFFFFF) and tail[at - 20 : at - 16] == (
            b"PK\x06\x07"
        ):
            f.seek(int.from_bytes(tail[at - 12 : at - 4], "little"))
            record = f.read(56)
            if record[:4] == b"PK\x06\x06":
                entries = int.from_bytes(record[32:40], "little")
                directory = int.from_bytes(record[40:48], "little")
        return entries, directory


class _Workbook:
    """One workbook's zip, read part by part within the limits."""

    def __init__(
        self, archive: zipfile.ZipFile, file_name: str, budget: _Budget, what: str = "workbook"
    ) -> None:
        self.archive = archive
        self.file_name = file_name
        self.budget = budget
        self.limits = budget.limits
        self.what = what

    def refuse(self, reason: str, sheet: str | None = None) -> _Refused:
        return _Refused(Issue(Location(self.file_name, sheet), None, None, reason))

    def unreadable(self, reason: str) -> _Refused:
        return self.refuse(f"not a readable .xlsx workbook ({reason})")

    def chunks(self, part: str, sheet: str | None = None, markup: bool = True) -> Iterator[bytes]:
        """A part's bytes as they inflate, refused the moment one limit is passed (and, for
        ``markup``, the moment a megabyte passes without a ``>``)."""
        try:
            info = self.archive.getinfo(part)
        except KeyError:
            raise self.unreadable(f"it has no part {part!r}") from None
        limits = self.limits
        if info.file_size > limits.max_part_bytes:
            raise self.refuse(
                f"{part} unpacks to {info.file_size} bytes, over the limit of"
                f" {limits.max_part_bytes} for one part",
                sheet,
            )
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise self.refuse(
                f"{part} is compressed more than {limits.max_ratio} to 1: a zip bomb?", sheet
            )
        size = 0
        run = 0  # bytes since the last ">": expat holds a whole tag (attributes) at once
        with self.archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                first = chunk.find(b">")
                if markup and run + (len(chunk) if first < 0 else first) > _MAX_RUN:
                    raise self.refuse(
                        f"{part} has a tag or text of more than {_MAX_RUN} bytes: no workbook"
                        " part has",
                        sheet,
                    )
                run = run + len(chunk) if first < 0 else len(chunk) - 1 - chunk.rfind(b">")
                size += len(chunk)
                self.budget.inflated += len(chunk)
                if size > limits.max_part_bytes:
                    raise self.refuse(
                        f"{part} unpacks to more than {limits.max_part_bytes} bytes,"
                        " the limit for one part",
                        sheet,
                    )
                if self.budget.inflated > limits.max_total_bytes:
                    raise self.refuse(
                        f"the {self.what} unpacks to more than {limits.max_total_bytes} bytes",
                        sheet,
                    )
                if size > _RATIO_FLOOR and size > limits.max_ratio * max(info.compress_size, 1):
                    raise self.refuse(
                        f"{part} is compressed more than {limits.max_ratio} to 1: a zip bomb?",
                        sheet,
                    )
                yield chunk

    def parse(
        self,
        part: str,
        start: Callable[[str, dict[str, str]], None],
        end: Callable[[str], None] | None = None,
        text: Callable[[str], None] | None = None,
        sheet: str | None = None,
    ) -> None:
        """Stream one part through expat; handlers get local names and attributes."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.buffer_size = _CHUNK

        def no_dtd(*_: object) -> None:
            raise self.unreadable(f"{part} declares a DTD, which a workbook never needs")

        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        parser.StartElementHandler = lambda name, attributes: start(
            _local(name), _attrs(attributes)
        )
        if end is not None:
            parser.EndElementHandler = lambda name: end(_local(name))
        if text is not None:
            parser.CharacterDataHandler = text
        try:
            for chunk in self.chunks(part, sheet):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise self.refuse(
                f"not a readable .xlsx workbook: {part} is not well-formed XML"
                f" ({expat.errors.messages[exc.code]} at line {exc.lineno},"
                f" column {exc.offset})",
                sheet,
            ) from None

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """``Id -> (type, part path)`` of a part's ``.rels``, targets resolved."""
        folder, _, name = part.rpartition("/")
        rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        found: dict[str, tuple[str, str]] = {}
        if rels not in self.archive.NameToInfo:
            return found

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                joined = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), _normpath(joined))

        self.parse(rels, start)
        return found


def _normpath(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _open_zip(path: Path, limits: ReadLimits, what: str) -> zipfile.ZipFile:
    """The zip, once its end record shows it holds no more entries than the limit."""
    declared = _zip_directory(path)
    if declared is not None:
        entries, directory = declared
        if entries > limits.max_entries or directory > _MAX_CENTRAL_DIRECTORY:
            raise _Refused(
                Issue(
                    Location(path.name),
                    None,
                    None,
                    f"the {what} holds {entries} parts, over the limit of {limits.max_entries}",
                )
            )
    archive = zipfile.ZipFile(path)
    if len(archive.infolist()) > limits.max_entries:
        archive.close()
        raise _Refused(
            Issue(
                Location(path.name),
                None,
                None,
                f"the {what} holds more than {limits.max_entries} parts",
            )
        )
    return archive


_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    zlib.error,
)


def _read_xlsx(path: Path, bundle: RawBundle, budget: _Budget) -> None:
    with path.open("rb") as f:
        bundle.sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    try:
        with _open_zip(path, budget.limits, "workbook") as archive:
            _read_workbook(_Workbook(archive, path.name, budget), bundle)
    except _ZIP_ERRORS as exc:
        bundle.errors.append(
            Issue(Location(path.name), None, None, f"not a readable .xlsx workbook ({exc})")
        )


_OFFICE_DOCUMENT = "/officeDocument"
_WORKSHEET = "/worksheet"
_SHARED_STRINGS = "/sharedStrings"
_STYLES = "/styles"


def _read_workbook(book: _Workbook, bundle: RawBundle) -> None:
    main = next(
        (p for kind, p in book.relationships("").values() if kind.endswith(_OFFICE_DOCUMENT)),
        "xl/workbook.xml",
    )
    sheets: list[tuple[str, str]] = []
    settings = {"date1904": False}

    def workbook_start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "sheet":
            sheets.append((attrs.get("name", ""), attrs.get("id", "")))
        elif tag == "workbookPr":
            settings["date1904"] = attrs.get("date1904", "").casefold() in ("1", "true")

    book.parse(main, workbook_start)
    if len(sheets) > book.limits.max_entries:
        raise book.refuse(f"the workbook has more than {book.limits.max_entries} sheets")
    related = book.relationships(main)
    parts = {rid: p for rid, (kind, p) in related.items() if kind.endswith(_WORKSHEET)}
    wanted: list[tuple[str, str, str]] = []
    for title, rid in sheets:
        if rid not in parts:
            continue  # a chart sheet, not a table
        table = _table_for(title, Location(book.file_name, title, 1), bundle)
        if table is not None:
            wanted.append((title, table, parts[rid]))
    if not wanted:
        return
    strings_part = next((p for k, p in related.values() if k.endswith(_SHARED_STRINGS)), None)
    styles_part = next((p for k, p in related.values() if k.endswith(_STYLES)), None)
    shared = _shared_strings(book, strings_part) if strings_part else []
    dates, durations = _date_styles(book, styles_part) if styles_part else (set(), set())
    epoch = CALENDAR_MAC_1904 if settings["date1904"] else WINDOWS_EPOCH
    for title, table, part in wanted:
        reader = _TableReader(bundle, table, Location(book.file_name, table, 1), book.budget)
        sheet = _Sheet(book, reader, title, shared, dates, durations, epoch)
        book.parse(part, sheet.start, sheet.end, sheet.text, sheet=table)
        if table not in bundle.places:  # an empty sheet: no header, no rows
            reader.header(())


def _shared_strings(book: _Workbook, part: str) -> list[str]:
    """The shared-string table, each string and the whole within the limits."""
    limits = book.limits
    strings: list[str] = []
    pieces: list[str] = []
    state = {"length": 0, "total": 0, "skip": 0, "capture": False}
    where = "the shared strings"

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "si":
            pieces.clear()
            state["length"] = 0
        elif tag == "rPh":
            state["skip"] += 1
        elif tag == "t" and not state["skip"]:
            state["capture"] = True

    def end(tag: str) -> None:
        if tag == "t":
            state["capture"] = False
        elif tag == "rPh":
            state["skip"] -= 1
        elif tag == "si":
            strings.append("".join(pieces).replace("x005F_", ""))
            if len(strings) > limits.max_shared_strings:
                raise book.refuse(
                    f"{where} hold more than {limits.max_shared_strings} strings, the limit"
                )

    def text(data: str) -> None:
        if not state["capture"]:
            return
        state["length"] += len(data)
        state["total"] += len(data)
        if state["length"] > limits.max_cell_chars:
            raise book.refuse(
                f"{where}: string {len(strings) + 1} is longer than {limits.max_cell_chars}"
                " characters, the limit for one cell"
            )
        if state["total"] > limits.max_shared_chars:
            raise book.refuse(
                f"{where} hold more than {limits.max_shared_chars} characters, the limit"
            )
        pieces.append(data)

    book.parse(part, start, end, text)
    return strings


def _date_styles(book: _Workbook, part: str) -> tuple[set[int], set[int]]:
    """Which cell styles (``s``) show a date, and which a duration (as openpyxl reads them)."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"xfs": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt":
            code = attrs.get("numFmtId", "")
            if code.isdigit():
                custom[int(code)] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            depth["xfs"] += 1
        elif tag == "xf" and depth["xfs"]:
            code = attrs.get("numFmtId", "0")
            formats.append(int(code) if code.isdigit() else 0)

    def end(tag: str) -> None:
        if tag == "cellXfs":
            depth["xfs"] -= 1

    book.parse(part, start, end)
    dates: set[int] = set()
    durations: set[int] = set()
    for index, number in enumerate(formats):
        code = custom.get(number) or builtin_format_code(number)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index


def _cast_number(text: str) -> int | float:
    return float(text) if any(c in text for c in ".eE") else int(text)


class _Sheet:
    """expat handlers for one worksheet: rows go to the table reader as they end."""

    def __init__(
        self,
        book: _Workbook,
        reader: _TableReader,
        title: str,
        shared: list[str],
        dates: set[int],
        durations: set[int],
        epoch: datetime,
    ) -> None:
        self.book = book
        self.reader = reader
        self.table = reader.table
        self.title = title
        self.shared = shared
        self.dates = dates
        self.durations = durations
        self.epoch = epoch
        self.limits = book.limits
        self.row_number = 0
        self.delivered = 0
        self.cells: dict[int, tuple[object, str | None]] = {}
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.value: list[str] = []
        self.formula: list[str] | None = None
        self.inline: list[str] | None = None
        self.capture: list[str] | None = None
        self.length = 0
        self.skip = 0
        self.in_cell = False

    def refuse(self, reason: str, column: str | None = None) -> _Refused:
        where = Location(self.book.file_name, self.table, self.row_number)
        return _Refused(Issue(where, column, None, reason))

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "row":
            given = attrs.get("r")
            if given is not None and not given.isdigit():
                raise self.refuse(f"not a readable .xlsx workbook (row number {given[:20]!r})")
            self.row_number = int(given) if given else self.row_number + 1
            self.cells = {}
            self.column = 0
        elif tag == "c":
            ref = attrs.get("r")
            if ref:
                found = _CELL_REF.fullmatch(ref)
                if found is None:
                    raise self.refuse(f"not a readable .xlsx workbook (cell {ref[:20]!r})")
                self.column = _column_index(found.group(1))
            else:
                self.column += 1
            if self.column > self.limits.max_columns:
                raise self.refuse(
                    f"a cell in column {self.column}: over the limit of"
                    f" {self.limits.max_columns} columns"
                )
            self.kind = attrs.get("t", "n")
            style = attrs.get("s", "0")
            self.style = int(style) if style.isdigit() else 0
            self.value, self.formula, self.inline = [], None, None
            self.capture, self.length, self.skip, self.in_cell = None, 0, 0, True
        elif not self.in_cell:
            return
        elif tag == "v":
            self.capture = self.value
        elif tag == "f":
            self.formula = []
            self.capture = self.formula
        elif tag == "is":
            self.inline = []
        elif tag == "rPh":
            self.skip += 1
        elif tag == "t" and self.inline is not None and not self.skip:
            self.capture = self.inline

    def text(self, data: str) -> None:
        if self.capture is None:
            return
        self.length += len(data)
        if self.length > self.limits.max_cell_chars:
            raise self.refuse(
                f"the cell is longer than {self.limits.max_cell_chars} characters, the limit",
                get_column_letter(self.column),
            )
        self.capture.append(data)

    def end(self, tag: str) -> None:
        if tag in ("v", "f", "t"):
            self.capture = None
        elif tag == "rPh":
            self.skip -= 1
        elif tag == "c":
            self.in_cell = False
            self.capture = None
            cell = self.cell()
            if cell[0] is not None:
                self.cells[self.column] = cell
        elif tag == "row":
            self.deliver()

    def cell(self) -> tuple[object, str | None]:
        """The cell's value as openpyxl would read it, and what is wrong with it."""
        if self.formula is not None:
            return "=" + "".join(self.formula), _FORMULA
        kind = self.kind
        if kind == "inlineStr":
            return ("".join(self.inline) if self.inline is not None else None), None
        text = "".join(self.value) or None
        if text is None:
            return None, None
        try:
            if kind == "n":
                number = _cast_number(text)
                if self.style in self.dates:
                    try:
                        return from_excel(number, self.epoch, self.style in self.durations), None
                    except (OverflowError, ValueError):
                        return "#VALUE!", _EXCEL_ERROR
                return number, None
            if kind == "s":
                return self.shared[int(text)], None
            if kind == "b":
                return bool(int(text)), None
            if kind == "e":
                return text, _EXCEL_ERROR
            if kind == "d":
                return from_ISO8601(text), None  # type: ignore[no-untyped-call]
        except (ValueError, IndexError, OverflowError):
            return text, f"the workbook stores a value its cell type ({kind!r}) cannot hold"
        return text, None

    def deliver(self) -> None:
        number = self.row_number
        if number <= self.delivered:
            return  # a row given twice or out of order: openpyxl skips it too
        if self.delivered == 0 and number > 1:
            self.reader.header(())
        self.delivered = number
        width = max(self.cells, default=0)
        values = [self.cells.get(i, (None, None)) for i in range(1, width + 1)]
        if number == 1:
            self.reader.header(v for v, _ in values)
        elif values:
            self.reader.row(number, values)
        self.cells = {}


# -- CSV folder ------------------------------------------------------------------
#
# Each file is streamed twice from disk, never held: once to hash it and find the
# first byte that is not UTF-8, once through ``csv`` line by line (a line is read at
# most to its limit, so a file that is one endless line costs no more than that).


def _csv_files(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.casefold() == ".csv"),
        key=lambda p: p.name,
    )


def _hash_and_check_utf8(path: Path, digest: Any) -> int | None:
    """Feed the file to ``digest``; the position of its first byte that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    bad: int | None = None
    offset = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            if bad is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad = offset + exc.start
            offset += len(chunk)
    if bad is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            bad = offset - len(exc.object) + exc.start
    return bad


def _csv_lines(text: io.TextIOBase, place: Location, limits: ReadLimits) -> Iterator[str]:
    longest = 8 * limits.max_cell_chars
    while line := text.readline(longest):
        if len(line) >= longest and not line.endswith(("\n", "\r")):
            raise _Refused(
                Issue(place, None, None, f"a line is longer than {longest} characters, the limit")
            )
        yield line


def _read_csv_folder(folder: Path, bundle: RawBundle, budget: _Budget) -> None:
    limits = budget.limits
    digest = hashlib.sha256()
    files = _csv_files(folder)
    if not files:
        bundle.errors.append(
            Issue(Location(folder.name), None, None, "the folder holds no .csv files")
        )
    if len(files) > limits.max_entries:
        raise _Refused(
            Issue(
                Location(folder.name),
                None,
                None,
                f"the folder holds more than {limits.max_entries} CSV files, the limit",
            )
        )
    sizes = {path: path.stat().st_size for path in files}
    for path, size in sizes.items():
        if size > limits.max_part_bytes:
            raise _Refused(
                Issue(
                    Location(path.name),
                    None,
                    None,
                    f"is {size} bytes, over the limit of {limits.max_part_bytes} for one file",
                )
            )
    if sum(sizes.values()) > limits.max_total_bytes:
        raise _Refused(
            Issue(
                Location(folder.name),
                None,
                None,
                f"the CSV files add up to more than {limits.max_total_bytes} bytes, the limit",
            )
        )
    for path, size in sizes.items():
        digest.update(path.name.encode() + b"\0" + str(size).encode() + b"\0")
        bad = _hash_and_check_utf8(path, digest)
        place = Location(path.name, path.stem, 1)
        table = _table_for(path.stem, place, bundle)
        if table is None:
            continue
        if bad is not None:
            bundle.errors.append(
                Issue(
                    Location(path.name, table),
                    None,
                    None,
                    f"is not UTF-8 text (undecodable byte at position {bad}):"
                    " save it as 'CSV UTF-8'",
                )
            )
            continue
        with path.open("rb") as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as text:
            _read_csv_table(text, path.name, table, bundle, budget)
    bundle.sha256 = digest.hexdigest()


def _read_csv_table(
    text: io.TextIOBase, file_name: str, table: str, bundle: RawBundle, budget: _Budget
) -> None:
    place = Location(file_name, table, 1)
    reader = _TableReader(bundle, table, place, budget)
    try:
        rows = csv.reader(_csv_lines(text, place, budget.limits))
        for number, cells in enumerate(rows, start=1):
            if number == 1:
                reader.header(cells)
                continue
            reader.row(number, ((c, None) for c in cells))
    except csv.Error as exc:
        reason = f"is not valid CSV ({exc})"
        if "field larger than field limit" in str(exc):
            reason = f"a cell is longer than {csv.field_size_limit()} characters, the limit"
        bundle.errors.append(Issue(Location(file_name, table), None, None, reason))
    except UnicodeDecodeError:
        bundle.errors.append(
            Issue(
                Location(file_name, table),
                None,
                None,
                "is not UTF-8 text: save it as 'CSV UTF-8'",
            )
        )
    if table not in bundle.places:
        reader.header(())


class _Stream(io.RawIOBase):
    """A file over a generator of byte chunks (a zip part streamed through its limits)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            self.pending = next(self.chunks, b"")
            if not self.pending:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def _read_csv_zip(path: Path, bundle: RawBundle, budget: _Budget) -> None:
    """A ``.zip`` of ``TABLE.csv`` files, flat (folders, ``__MACOSX`` and dot files are
    passed over), each streamed out of the zip within the limits, never unpacked whole."""
    with path.open("rb") as f:
        bundle.sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    try:
        with _open_zip(path, budget.limits, "zip") as archive:
            members: dict[str, zipfile.ZipInfo] = {}
            for info in archive.infolist():
                member = PurePosixPath(info.filename.replace("\\", "/"))
                if info.is_dir() or "__MACOSX" in member.parts or member.name.startswith("."):
                    continue
                if not member.name.casefold().endswith(".csv"):
                    continue
                if member.name in members:
                    bundle.errors.append(
                        Issue(
                            Location(path.name),
                            None,
                            member.name,
                            "appears twice in the zip",
                        )
                    )
                    return
                members[member.name] = info
            if not members:
                bundle.errors.append(
                    Issue(Location(path.name), None, None, "the zip holds no .csv files")
                )
            unpacking = _Workbook(archive, path.name, budget, "zip")
            for name in sorted(members):
                table = _table_for(PurePosixPath(name).stem, Location(name, name, 1), bundle)
                if table is None:
                    continue
                chunks = unpacking.chunks(members[name].filename, table, markup=False)
                with io.TextIOWrapper(
                    io.BufferedReader(_Stream(chunks)), "utf-8-sig", newline=""
                ) as text:
                    _read_csv_table(text, name, table, bundle, budget)
    except _ZIP_ERRORS as exc:
        bundle.errors.append(Issue(Location(path.name), None, None, f"not a readable zip ({exc})"))


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


def _read_json(path: Path, bundle: RawBundle, budget: _Budget) -> None:
    limits = budget.limits
    size = path.stat().st_size
    if size > limits.max_part_bytes:
        raise _Refused(
            Issue(
                Location(path.name),
                None,
                None,
                f"is {size} bytes, over the limit of {limits.max_part_bytes}",
            )
        )
    data = path.read_bytes()
    bundle.sha256 = hashlib.sha256(data).hexdigest()
    # Every value but the first follows a comma or opens a list or an object: an upper
    # bound on what parsing would build, counted before anything is built.
    values = data.count(b",") + data.count(b"[") + data.count(b"{")
    if values > limits.max_json_values:
        raise _Refused(
            Issue(
                Location(path.name),
                None,
                None,
                f"holds more than {limits.max_json_values} values, the limit",
            )
        )
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
        if len(items) > limits.max_rows:
            raise _Refused(
                Issue(place, None, None, f"more than {limits.max_rows} items, the limit")
            )
        _read_json_items(items, place, table, bundle, budget)


def _read_json_items(
    items: list[object], place: Location, table: str, bundle: RawBundle, budget: _Budget
) -> None:
    headers: dict[str, None] = {}
    objects: list[dict[str, object] | None] = []
    for item in items:
        if isinstance(item, dict):
            normalised = {normalise_header(str(k)): v for k, v in item.items()}
            headers.update(dict.fromkeys(normalised))
            if len(headers) > budget.limits.max_columns:
                raise _Refused(
                    Issue(
                        place,
                        None,
                        None,
                        f"more than {budget.limits.max_columns} different keys, the limit",
                    )
                )
            objects.append(normalised)
        else:
            objects.append(None)
    reader = _TableReader(bundle, table, place, budget)
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
