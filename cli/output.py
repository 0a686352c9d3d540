"""Shared output helpers for the commands: JSON, CSV safe against formula injection."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from graph.errors import Invalid, Problem

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_day(text: str, option: str) -> date:
    """A ``YYYY-MM-DD`` option value, or a domain error naming the option."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid([Problem("option", option, text, "expected a date YYYY-MM-DD")]) from None


def safe_cell(value: object) -> object:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 lines (CRLF), so a cell holding a lone ``\r`` is quoted, not split into a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=False, default=_default, allow_nan=False)
