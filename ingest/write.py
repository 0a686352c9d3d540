"""Write a cohort bundle: the tables of ``cohort-bundle.md`` into any of its three containers.

The demo and the tests produce bundles with this, so that what they
hand the service is exactly what a programme team would: an Excel workbook, a
folder of CSV files or a JSON file, in the spec's column order.

Cells are written the way the spec reads them: booleans as ``yes``/``no``,
lists joined with ``"; "``, dates as real Excel dates (xlsx) or ISO text
(CSV, JSON), ``None``, empty text and empty lists as an empty cell (``null`` in
JSON).

Formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return may run as a formula when a CSV or workbook is opened in a
spreadsheet. Prefixing an apostrophe would change the value the bundle reader
sees, so nothing is ever altered; instead:

- ``=``: refused in every container, because ``ingest.read`` refuses such a
  cell as a formula: a bundle we write must be one we can load;
- ``+ - @``, tab, CR in a workbook: stored as a string cell with Excel's
  *quote prefix* style, so Excel shows it as text, never evaluates it, and
  the value reads back unchanged;
- the same in JSON: written as is (no spreadsheet opens JSON);
- the same in CSV: refused, because CSV cannot mark a cell as text without
  altering it.

Refusals are :class:`graph.errors.Invalid` naming table, row, column and value,
raised before anything is written.

Output is deterministic: the same tables give byte-identical files in every
container (the workbook's timestamps are pinned), so loading a rewritten
bundle again is recognisably the same bundle.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.xml.functions import tostring

from graph.errors import Invalid, Problem
from ingest.spec import TABLES

__all__ = ["COLUMNS", "FORMULA_PREFIXES", "write_bundle"]

COLUMNS: dict[str, tuple[str, ...]] = {name: t.column_names for name, t in TABLES.items()}
"""Every table of the spec with its columns, in the spec's order (the order written)."""

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a text cell as a formula (OWASP's list)."""

LIST_SEPARATOR = "; "
_PINNED_TIME = datetime(2000, 1, 1)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CORE_PROPERTIES = "docProps/core.xml"

Cell = str | int | float | date | None
"""A value after conversion: text, number, date (never datetime) or empty."""


def write_bundle(tables: Mapping[str, Sequence[Mapping[str, object]]], path: Path) -> Path:
    """Write ``tables`` to ``path``: ``.xlsx`` workbook, ``.json`` file, else a CSV folder.

    Tables are written in the spec's order and only if given; every table's
    header lists all its spec columns. Every problem (unknown table or
    column, unsupported value, a CSV cell that would run as a formula) is
    collected first and raised together as :class:`Invalid`; then nothing is
    written. Returns ``path``.
    """
    suffix = path.suffix.lower()
    container = "xlsx" if suffix == ".xlsx" else "json" if suffix == ".json" else "csv"
    rows = _convert(tables, container)
    if container == "xlsx":
        _write_xlsx(rows, path)
    elif container == "json":
        _write_json(rows, path)
    else:
        _write_csv(rows, path)
    return path


def _convert(
    tables: Mapping[str, Sequence[Mapping[str, object]]], container: str
) -> dict[str, list[list[Cell]]]:
    """Tables as rows of cells in spec order, or :class:`Invalid` with every problem."""
    problems: list[Problem] = []
    for name in tables:
        if name not in COLUMNS:
            problems.append(Problem(name, "table", name, f"not a table of the spec: {_known()}"))
    if "cohort" in tables and len(tables["cohort"]) != 1:
        problems.append(
            Problem("cohort", "rows", len(tables["cohort"]), "the cohort table has exactly one row")
        )
    converted: dict[str, list[list[Cell]]] = {}
    for name, columns in COLUMNS.items():
        if name not in tables:
            continue
        converted[name] = []
        for number, row in enumerate(tables[name], start=1):
            record = f"{name} row {number}"
            for column in row:
                if column not in columns:
                    problems.append(Problem(record, column, row[column], f"not a column of {name}"))
            cells: list[Cell] = []
            for column in columns:
                cell, reason = _cell(row.get(column), container)
                if reason:
                    problems.append(Problem(record, column, row.get(column), reason))
                cells.append(cell)
            converted[name].append(cells)
    if problems:
        raise Invalid(problems)
    return converted


def _known() -> str:
    return ", ".join(COLUMNS)


def _cell(value: object, container: str) -> tuple[Cell, str | None]:
    """One value as a cell for ``container``, with the reason it cannot be written, if any."""
    text: str
    if value is None:
        return None, None
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, datetime):
        return None, "a datetime; the spec's cells hold dates, pass a date"
    elif isinstance(value, date):
        return (value if container == "xlsx" else value.isoformat()), None
    elif isinstance(value, int | float):
        return value, None
    elif isinstance(value, str):
        text = value
    elif isinstance(value, list | tuple):
        items: list[object] = list(value)
        if not all(isinstance(item, str) for item in items):
            return None, "a list cell holds text items only"
        if any(";" in str(item) for item in items):
            return None, "a list item contains ';', which separates items"
        text = LIST_SEPARATOR.join(str(item) for item in items)
    else:
        return None, f"cannot write a {type(value).__name__} to a cell"
    if not text:
        return None, None
    if text.startswith("="):
        return None, "text starting with '=' is read as a formula and refused; reword it"
    if container == "csv" and text.startswith(FORMULA_PREFIXES):
        return None, (
            f"text starting with {text[:1]!r} would run as a formula when the CSV is opened "
            "in a spreadsheet; reword it or write the bundle as .xlsx or .json"
        )
    if container == "xlsx" and ILLEGAL_CHARACTERS_RE.search(text):
        return None, "contains a control character that an Excel workbook cannot hold"
    return text, None


def _write_xlsx(rows: Mapping[str, list[list[Cell]]], path: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    workbook.properties.created = _PINNED_TIME
    workbook.properties.modified = _PINNED_TIME
    for name, table in rows.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(COLUMNS[name]))
        for r, cells in enumerate(table, start=2):
            for c, value in enumerate(cells, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the first character
                    if value.startswith(FORMULA_PREFIXES):
                        cell.quotePrefix = True
    buffer = io.BytesIO()
    workbook.save(buffer)  # stamps the save time into the properties: pin it again
    workbook.properties.modified = _PINNED_TIME
    core = tostring(workbook.properties.to_tree())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_pinned(buffer.getvalue(), {_CORE_PROPERTIES: core}))


def _pinned(data: bytes, replacements: Mapping[str, bytes]) -> bytes:
    """The same archive with every entry's time set to the zip epoch, for byte-identical output."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            pinned = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            content = replacements.get(info.filename) or source.read(info.filename)
            target.writestr(pinned, content)
    return out.getvalue()


def _write_json(rows: Mapping[str, list[list[Cell]]], path: Path) -> None:
    document: dict[str, object] = {}
    for name, table in rows.items():
        objects = [dict(zip(COLUMNS[name], cells, strict=True)) for cells in table]
        document[name] = objects[0] if name == "cohort" else objects
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    path.write_bytes(text.encode("utf-8"))


def _write_csv(rows: Mapping[str, list[list[Cell]]], folder: Path) -> None:
    """One ``TABLE.csv`` per table, UTF-8 with a BOM so that Excel shows accents right.

    Spec-table files of a previous write that this one does not carry are
    removed, so the folder always reads as exactly these tables; other files
    are left alone.
    """
    if folder.exists() and not folder.is_dir():
        raise Invalid(
            [Problem("bundle", "path", str(folder), "a file is in the way of the CSV folder")]
        )
    folder.mkdir(parents=True, exist_ok=True)
    for name in COLUMNS:
        if name not in rows:
            (folder / f"{name}.csv").unlink(missing_ok=True)
    for name, table in rows.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS[name])
        for cells in table:
            writer.writerow(["" if value is None else value for value in cells])
        (folder / f"{name}.csv").write_bytes(buffer.getvalue().encode("utf-8-sig"))
