"""Get: read a bundle's container into the same raw rows, whatever the container.

Reading is dumb on purpose: it finds the tables, numbers the rows as the user
sees them, trims text and keys cells by normalised header. It never parses a
date or resolves a name (that is ``ingest.validate``), so the three containers
cannot disagree about meaning, only about layout. Problems are collected, never
raised: a report with every problem beats a traceback with the first.

The containers each have a module (``read_xlsx``, ``read_csv``, ``read_json``), sharing
the table reader (``read_table``), zip streaming (``read_zip``) and the raw rows, issues
and limits (``ingest.raw``), which this module re-exports.
"""

from __future__ import annotations

from pathlib import Path

from ingest.raw import (
    LIMITS,
    Budget,
    CellValue,
    Issue,
    Location,
    RawBundle,
    RawRow,
    ReadLimits,
    Refused,
)
from ingest.read_csv import read_csv_folder, read_csv_zip
from ingest.read_json import read_json
from ingest.read_xlsx import read_xlsx

__all__ = [
    "CellValue",
    "Issue",
    "Location",
    "RawBundle",
    "ReadLimits",
    "RawRow",
    "read_bundle",
]


def read_bundle(path: Path, *, limits: ReadLimits = LIMITS) -> RawBundle:
    """Read an ``.xlsx`` workbook, a ``.json`` file or a folder (or ``.zip``) of ``TABLE.csv``
    files.

    A bundle past one of ``limits`` (or one whose container breaks in a way that stops
    reading) comes back with that error and no tables: nothing else is worth checking.
    """
    path = Path(path)
    bundle = RawBundle(source=path, file_name=path.name)
    budget = Budget(limits)
    try:
        _read_container(path, bundle, budget)
    except Refused as refused:
        bundle.errors.append(refused.issue)
        bundle.tables.clear()
        bundle.headers.clear()
        bundle.places.clear()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        bundle.errors.append(Issue(Location(path.name), None, None, f"cannot be read ({reason})"))
        bundle.tables.clear()
    return bundle


def _read_container(path: Path, bundle: RawBundle, budget: Budget) -> None:
    if path.is_dir():
        read_csv_folder(path, bundle, budget)
    elif not path.exists():
        bundle.errors.append(Issue(Location(path.name), None, None, "no such file or folder"))
    elif path.suffix.casefold() == ".xlsx":
        read_xlsx(path, bundle, budget)
    elif path.suffix.casefold() == ".json":
        read_json(path, bundle, budget)
    elif path.suffix.casefold() == ".zip":
        read_csv_zip(path, bundle, budget)
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
