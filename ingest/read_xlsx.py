"""The streaming ``.xlsx`` reader: a workbook's sheets into raw rows, as openpyxl reads them.

A workbook is a zip of XML parts, each streamed (``ingest.read_zip``) into expat,
which hands text over in pieces, so one huge cell is refused at its limit without
ever being held. A DTD (entity expansion) is refused outright.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from xml.parsers import expat

from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

from ingest.raw import Budget, Issue, Location, RawBundle, Refused
from ingest.read_table import EXCEL_ERROR, FORMULA, TableReader, table_for
from ingest.read_zip import CHUNK, ZIP_ERRORS, ZipParts, open_zip

__all__ = ["read_xlsx"]

_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def _local(name: str) -> str:
    """An element or attribute name without its namespace (expat gives ``uri local``)."""
    return name.rpartition(" ")[2]


def _attrs(attributes: Mapping[str, str]) -> dict[str, str]:
    return {_local(k): v for k, v in attributes.items()}


class _Workbook(ZipParts):
    """One workbook's zip, its XML parts parsed as they stream."""

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
        parser.buffer_size = CHUNK

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


def read_xlsx(path: Path, bundle: RawBundle, budget: Budget) -> None:
    with path.open("rb") as f:
        bundle.sha256 = hashlib.file_digest(f, "sha256").hexdigest()
    try:
        with open_zip(path, budget.limits, "workbook") as archive:
            _read_workbook(_Workbook(archive, path.name, budget), bundle)
    except ZIP_ERRORS as exc:
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
        table = table_for(title, Location(book.file_name, title, 1), bundle)
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
        reader = TableReader(bundle, table, Location(book.file_name, table, 1), book.budget)
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
        reader: TableReader,
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

    def refuse(self, reason: str, column: str | None = None) -> Refused:
        where = Location(self.book.file_name, self.table, self.row_number)
        return Refused(Issue(where, column, None, reason))

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
            return "=" + "".join(self.formula), FORMULA
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
                        return "#VALUE!", EXCEL_ERROR
                return number, None
            if kind == "s":
                return self.shared[int(text)], None
            if kind == "b":
                return bool(int(text)), None
            if kind == "e":
                return text, EXCEL_ERROR
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
