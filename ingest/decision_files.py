"""Read the files two decisions take: a mentor pool (``spec/matching.md``), its rules,
and an applicant list (``spec/selection.md``).

Each is one table: a CSV file, a sheet of an ``.xlsx`` workbook (``mentors``,
``applicants``) or a JSON list of objects. Rows are numbered as bundles number them
(the header is row 1; JSON items from 1). Every malformed row is reported, not just the
first, as ``graph.errors.Invalid`` whose problems name the file, sheet, row, column,
value and reason; an organisation that matches nothing suggests the closest known ones.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.errors import Invalid, Problem
from graph.model import Organisation, Sector, normalise_email, slug
from ingest.cells import closest

__all__ = [
    "Applicant",
    "MAX_FILE_BYTES",
    "PoolEntry",
    "RulesFile",
    "read_applicants",
    "read_pool",
    "read_rules",
    "read_rows",
    "rows_of_items",
    "rules_of",
]

MAX_FILE_BYTES = 8 * 1024 * 1024
"""A pool or applicant list is a few hundred rows; anything past this is refused."""
MAX_ROWS = 10_000

_EMAIL = re.compile(r"[^@\s;,]+@[^@\s;,]+")


@dataclass(frozen=True)
class Row:
    """One non-blank row: where it is (``record``, as problems name it) and its cells."""

    record: str
    cells: Mapping[str, str]


@dataclass(frozen=True)
class OrgChoice:
    """An organisation a row names: a known one (``known``) or a new one with its sector."""

    id: str
    name: str
    sector: Sector
    known: bool


@dataclass(frozen=True)
class PoolEntry:
    record: str
    email: str
    capacity: int
    name: str | None = None
    organisation: OrgChoice | None = None
    interests: tuple[str, ...] = ()


@dataclass(frozen=True)
class Applicant:
    record: str
    email: str
    name: str
    organisation: OrgChoice
    area: str | None
    sponsor_email: str | None
    score: float


@dataclass(frozen=True)
class RulesFile:
    locked: tuple[tuple[str, str], ...] = ()
    forbidden: tuple[tuple[str, str], ...] = ()
    mentees_per_participant: int = 1


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(text: str) -> str:
    return text.strip().casefold()


def _from_table(name: str, where: str, unit: str, table: Iterable[Sequence[object]]) -> list[Row]:
    rows: list[Row] = []
    iterator = iter(table)
    header = [_header(_text(h)) for h in next(iterator, [])]
    for number, values in enumerate(iterator, start=2):
        cells = {
            header[i]: _text(v)
            for i, v in enumerate(values)
            if i < len(header) and header[i] and _text(v)
        }
        if cells:
            rows.append(Row(f"{where} {unit} {number}", cells))
        if len(rows) > MAX_ROWS:
            raise Invalid([Problem(where, "", name, f"more than {MAX_ROWS} rows, the limit")])
    return rows


def read_rows(path: Path, sheet: str) -> list[Row]:
    """The rows of a CSV file, of the workbook sheet ``sheet``, or of a JSON list."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise Invalid([Problem(name, "", str(path), "no such file")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise Invalid([Problem(name, "", "", f"larger than {MAX_FILE_BYTES} bytes, the limit")])
    suffix = path.suffix.casefold()
    if suffix == ".xlsx":
        return _xlsx_rows(path, sheet)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid([Problem(name, "", "", "is not UTF-8 text: save it as UTF-8")]) from None
    if suffix == ".json":
        return _json_rows(name, text)
    if suffix == ".csv":
        return _from_table(name, name, "row", csv.reader(io.StringIO(text)))
    raise Invalid([Problem(name, "", suffix, "must be a .csv, .xlsx or .json file")])


def _xlsx_rows(path: Path, sheet: str) -> list[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise Invalid(
            [Problem(path.name, "", "", f"cannot be read as a workbook ({exc})")]
        ) from exc
    try:
        names = {_header(n): n for n in book.sheetnames}
        if sheet not in names:
            raise Invalid(
                [
                    Problem(
                        path.name, "sheet", ", ".join(book.sheetnames), f"needs a sheet {sheet!r}"
                    )
                ]
            )
        where = f"{path.name}, sheet {names[sheet]},"
        return _from_table(sheet, where, "row", book[names[sheet]].iter_rows(values_only=True))
    finally:
        book.close()


def _json_rows(name: str, text: str) -> list[Row]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid(
            [Problem(name, "", "", f"is not JSON ({exc.msg}, line {exc.lineno})")]
        ) from None
    return rows_of_items(name, items)


def rows_of_items(name: str, items: object) -> list[Row]:
    """The rows of a JSON list of objects (a file's, or a request's), items numbered from 1."""
    if not isinstance(items, list):
        raise Invalid([Problem(name, "", type(items).__name__, "must be a JSON list of objects")])
    if len(items) > MAX_ROWS:
        raise Invalid([Problem(name, "", len(items), f"more than {MAX_ROWS} items, the limit")])
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, item in enumerate(items, start=1):
        record = f"{name} item {number}"
        if not isinstance(item, dict):
            problems.append(Problem(record, "", _text(item), "must be an object"))
            continue
        cells = {_header(str(k)): _text(v) for k, v in item.items() if _text(v)}
        if cells:
            rows.append(Row(record, cells))
    if problems:
        raise Invalid(problems)
    return rows


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Checker:
    """Reads cells of rows, collecting every problem."""

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self.problems: list[Problem] = []
        self.by_spelling: dict[str, Organisation] = {}
        self.display: dict[str, str] = {}
        for org in organisations:
            for spelling in (org.name, *org.aliases):
                self.by_spelling.setdefault(_norm(spelling), org)
                self.display.setdefault(_norm(spelling), org.name)

    def error(self, row: Row, column: str, value: object, reason: str) -> None:
        self.problems.append(Problem(row.record, column, value, reason))

    def required(self, row: Row, column: str) -> str | None:
        value = row.cells.get(column)
        if not value:
            self.error(row, column, "", "is required")
            return None
        return value

    def email(self, row: Row, column: str, *, required: bool = True) -> str | None:
        value = self.required(row, column) if required else row.cells.get(column)
        if not value:
            return None
        email = normalise_email(value)
        if not _EMAIL.fullmatch(email):
            self.error(row, column, value, "is not an email address")
            return None
        return email

    def whole(self, row: Row, column: str, *, least: int) -> int | None:
        value = self.required(row, column)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not number.is_integer() or number < least:
            self.error(row, column, value, f"must be a whole number ≥ {least}")
            return None
        return int(number)

    def sector(self, row: Row, column: str) -> Sector | None:
        value = self.required(row, column)
        if value is None:
            return None
        word = re.sub(r"[\s-]+", "_", value.strip().casefold())
        if word not in {s.value for s in Sector}:
            self.error(row, column, value, "must be one of: " + ", ".join(s.value for s in Sector))
            return None
        return Sector(word)

    def organisation(self, row: Row) -> OrgChoice | None:
        """A known organisation by name or alias; else a new one, which needs ``sector``."""
        name = self.required(row, "organisation")
        if name is None:
            return None
        known = self.by_spelling.get(_norm(name))
        if known is not None:
            return OrgChoice(known.id, known.name, known.sector, True)
        if not row.cells.get("sector"):
            hint = closest(name, self.display)
            reason = "is not a known organisation: give its sector to add it as a new one"
            if hint:
                reason += f" (did you mean: {', '.join(hint)}?)"
            self.error(row, "organisation", name, reason)
            return None
        sector = self.sector(row, "sector")
        if not slug(name):
            self.error(row, "organisation", name, "needs at least one letter or digit")
            return None
        return None if sector is None else OrgChoice(slug(name), name.strip(), sector, False)

    def once(self, row: Row, email: str, seen: dict[str, str]) -> bool:
        if email in seen:
            self.error(row, "email", email, f"appears twice (also {seen[email]})")
            return False
        seen[email] = row.record
        return True

    def done(self) -> None:
        if self.problems:
            raise Invalid(self.problems)


def _items(text: str | None) -> tuple[str, ...]:
    return tuple(i.strip() for i in (text or "").split(";") if i.strip())


def emails_in(rows: Iterable[Row]) -> set[str]:
    """The (normalised) emails a table's rows give, to look their people up in one read."""
    return {normalise_email(r.cells["email"]) for r in rows if r.cells.get("email")}


def read_pool(
    source: Path | Sequence[Row],
    known_people: Mapping[str, str],
    organisations: Iterable[Organisation],
) -> list[PoolEntry]:
    """The mentor pool: ``email*``, ``capacity*`` (whole number ≥ 1) and, for a mentor
    not in ``known_people`` (email -> id), ``name*``, ``organisation*`` (known, or new with
    ``sector*``), ``interests`` (a ``;`` list). ``source``: a file, or rows already read."""
    rows = read_rows(source, "mentors") if isinstance(source, Path) else list(source)
    check = _Checker(organisations)
    if not rows:
        check.problems.append(Problem("mentors", "", "", "holds no mentors"))
    entries: list[PoolEntry] = []
    seen: dict[str, str] = {}
    for row in rows:
        email = check.email(row, "email")
        capacity = check.whole(row, "capacity", least=1)
        if email is None or not check.once(row, email, seen):
            continue
        if email in known_people:
            if capacity is not None:
                entries.append(PoolEntry(row.record, email, capacity))
            continue
        name = check.required(row, "name")
        organisation = check.organisation(row)
        if capacity is None or name is None or organisation is None:
            continue
        interests = _items(row.cells.get("interests"))
        entries.append(PoolEntry(row.record, email, capacity, name, organisation, interests))
    check.done()
    return entries


def read_applicants(
    source: Path | Sequence[Row], organisations: Iterable[Organisation]
) -> list[Applicant]:
    """The applicants: ``email*``, ``name*``, ``organisation*`` (known, or new with
    ``sector*``), ``area``, ``sponsor_email``, ``score`` (0 to 10; empty means 0).
    ``source``: a file, or rows already read."""
    rows = read_rows(source, "applicants") if isinstance(source, Path) else list(source)
    check = _Checker(organisations)
    if not rows:
        check.problems.append(Problem("applicants", "", "", "holds no applicants"))
    found: list[Applicant] = []
    seen: dict[str, str] = {}
    for row in rows:
        email = check.email(row, "email")
        name = check.required(row, "name")
        organisation = check.organisation(row)
        sponsor = check.email(row, "sponsor_email", required=False)
        score = 0.0
        if row.cells.get("score"):
            try:
                score = float(row.cells["score"])
            except ValueError:
                score = float("nan")
            if not 0 <= score <= 10:
                check.error(row, "score", row.cells["score"], "must be a number from 0 to 10")
        if email is None or not check.once(row, email, seen):
            continue
        if name is None or organisation is None:
            continue
        area = " ".join(row.cells["area"].split()) if row.cells.get("area") else None
        found.append(Applicant(row.record, email, name, organisation, area, sponsor, score))
    check.done()
    return found


def _pairs(
    name: str, key: str, value: object, problems: list[Problem]
) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        problems.append(
            Problem(name, key, _text(value), "must be a list of [mentor, mentee] pairs")
        )
        return ()
    pairs: list[tuple[str, str]] = []
    for number, item in enumerate(value, start=1):
        if isinstance(item, dict):
            item = [item.get("mentor"), item.get("mentee")]
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(x, str) and _EMAIL.fullmatch(normalise_email(x)) for x in item)
        ):
            problems.append(
                Problem(f"{name} {key} item {number}", key, _text(item),
                        "must be [mentor email, mentee email]")
            )  # fmt: skip
            continue
        pairs.append((normalise_email(item[0]), normalise_email(item[1])))
    return tuple(pairs)


def read_rules(path: Path) -> RulesFile:
    """A JSON object: ``locked`` and ``forbidden`` (lists of [mentor email, mentee email]
    or of ``{"mentor", "mentee"}``), ``mentees_per_participant`` (default 1)."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise Invalid([Problem(name, "", str(path), "no such file")])
    if path.suffix.casefold() != ".json" or path.stat().st_size > MAX_FILE_BYTES:
        raise Invalid([Problem(name, "", path.suffix, "must be a .json file of rules")])
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Invalid([Problem(name, "", "", f"is not JSON ({exc})")]) from None
    return rules_of(name, data)


def rules_of(name: str, data: object) -> RulesFile:
    """Rules from a JSON object (a file's, or a request's)."""
    if not isinstance(data, dict):
        raise Invalid([Problem(name, "", type(data).__name__, "must be a JSON object")])
    problems: list[Problem] = []
    unknown = sorted(set(data) - {"locked", "forbidden", "mentees_per_participant"})
    for key in unknown:
        problems.append(
            Problem(name, key, "", "unknown rule: use locked, forbidden, mentees_per_participant")
        )
    locked = _pairs(name, "locked", data.get("locked", []), problems)
    forbidden = _pairs(name, "forbidden", data.get("forbidden", []), problems)
    per = data.get("mentees_per_participant", 1)
    if isinstance(per, bool) or not isinstance(per, int) or per < 1:
        problems.append(
            Problem(name, "mentees_per_participant", _text(per), "must be a whole number ≥ 1")
        )
        per = 1
    if problems:
        raise Invalid(problems)
    return RulesFile(locked, forbidden, per)
