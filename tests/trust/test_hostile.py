"""Hostile input: bodies and bundles made to exhaust memory, or to break the reader.

The real server runs in another process, on SQLite; each hostile file is built in tmp
(zip bombs are repeated bytes: a few MB on disk, up to a GiB unpacked) and uploaded
with a programme key; large bodies are sent without a key, streamed from a generator
(the test never holds them), one at a time and four at once. Every answer must be a
problem report (``application/problem+json``, never 500), and the server's peak
resident memory (``VmHWM``) must stay under its idle size plus 300 MB. The member cap
is checked on both stores; the CLI and the pages answer the same inputs with a
message or an error page, never a traceback.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
import secrets
import select
import socket
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx2
import pytest
from openpyxl import load_workbook

from api.app import create_app
from api.keys import issue_key
from api.problems import PROBLEM_JSON
from api.settings import ApiSettings
from graph.model import Cohort, KeyRole, Membership
from graph.settings import get_settings
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from ingest.pipeline import load_bundle
from ingest.read import ReadLimits, read_bundle
from ingest.write import write_bundle

from ..ingest.conftest import sample_tables
from ..ports import free_port
from .figures import note, record

CLI = str(Path(sys.executable).with_name("alumni-graph"))
BOUND_MB = 300
MIB = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
Tables = dict[str, list[dict[str, object]]]

# -- building hostile files --------------------------------------------------------------


class Bomb:
    """A zip part of ``head + unit * repeat + tail``, deflated without ever being built:
    after a full flush deflate restarts, so one compressed ``unit`` block repeats as is."""

    def __init__(self, head: bytes, unit: bytes, repeat: int, tail: bytes, level: int = 9) -> None:
        self.head, self.unit, self.repeat, self.tail = head, unit, repeat, tail
        self.level = level

    def deflated(self) -> tuple[bytes, int, int]:
        """(raw deflate, CRC-32, unpacked size)."""
        pack = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        first = pack.compress(self.head) + pack.flush(zlib.Z_FULL_FLUSH)
        block = pack.compress(self.unit) + pack.flush(zlib.Z_FULL_FLUSH)
        last = pack.compress(self.tail) + pack.flush()
        crc = zlib.crc32(self.head)
        for _ in range(self.repeat):
            crc = zlib.crc32(self.unit, crc)
        crc = zlib.crc32(self.tail, crc)
        size = len(self.head) + len(self.unit) * self.repeat + len(self.tail)
        return first + block * self.repeat + last, crc, size


def write_zip(path: Path, parts: dict[str, bytes | Bomb]) -> Path:
    """A zip written by hand (so a bomb's deflate goes in as it is), sizes declared truly."""
    local = io.BytesIO()
    central = io.BytesIO()
    for name, part in parts.items():
        if isinstance(part, Bomb):
            data, crc, size = part.deflated()
        else:
            pack = zlib.compressobj(6, zlib.DEFLATED, -15)
            data, crc, size = pack.compress(part) + pack.flush(), zlib.crc32(part), len(part)
        encoded = name.encode()
        offset = local.tell()
        local.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc,
                                len(data), size, len(encoded), 0))  # fmt: skip
        local.write(encoded + data)
        fields = (20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, *fields, offset))
        central.write(encoded)
    directory = central.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory),
                      local.tell(), 0)  # fmt: skip
    path.write_bytes(local.getvalue() + directory + end)
    return path


def _workbook_parts(tmp_path: Path) -> tuple[dict[str, bytes | Bomb], str]:
    """The sample bundle as a real workbook's parts, and the part of its people sheet."""
    base = write_bundle(sample_tables(), tmp_path / "base.xlsx")
    names = load_workbook(base, read_only=True).sheetnames
    with zipfile.ZipFile(base) as archive:
        parts: dict[str, bytes | Bomb] = {i.filename: archive.read(i) for i in archive.infolist()}
    people = f"xl/worksheets/sheet{names.index('people') + 1}.xml"
    assert people in parts
    return parts, people


SHEET_HEAD = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>email</t></is></c></row>'


def _sheet(rows: bytes) -> bytes:
    return SHEET_HEAD + HEADER_ROW + rows + SHEET_TAIL


def _inline(text: str, ref: str = "A2") -> bytes:
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>'.encode()


def _with_strings(parts: dict[str, bytes | Bomb], table: bytes | Bomb) -> None:
    """Give the workbook a shared-string table (the sample writes its text inline)."""
    parts["xl/sharedStrings.xml"] = table
    rels, types = parts["xl/_rels/workbook.xml.rels"], parts["[Content_Types].xml"]
    assert isinstance(rels, bytes) and isinstance(types, bytes)
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        b"</Relationships>",
        f'<Relationship Type="{kind}" Target="/xl/sharedStrings.xml" Id="rIdS"/>'
        "</Relationships>".encode(),
    )
    content = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    parts["[Content_Types].xml"] = types.replace(
        b"</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{content}"/></Types>'.encode(),
    )


def _strings(items: bytes, count: int) -> bytes:
    return (
        f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'.encode() + items + b"</sst>"
    )


def _xlsx(
    tmp_path: Path, name: str, change: Callable[[dict[str, bytes | Bomb], str], None]
) -> Path:
    parts, people = _workbook_parts(tmp_path)
    change(parts, people)
    return write_zip(tmp_path / f"{name}.xlsx", parts)


def _shared_strings_bomb(parts: dict[str, bytes | Bomb], people: str) -> None:
    # 1 GiB of two-letter strings: openpyxl built ~60 million of them.
    _with_strings(parts, Bomb(_strings(b"", 0)[:-6], b"<si><t>xy</t></si>" * 4096,
                                         15_000, b"</sst>"))  # fmt: skip


def _huge_cell_bomb(parts: dict[str, bytes | Bomb], people: str) -> None:
    head = SHEET_HEAD + HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    parts[people] = Bomb(head, b"A" * MIB, 1024, b"</t></is></c></row>" + SHEET_TAIL)


def _million_rows_bomb(parts: dict[str, bytes | Bomb], people: str) -> None:
    row = b'<row><c t="inlineStr"><is><t>a@b.org</t></is></c></row>'
    parts[people] = Bomb(SHEET_HEAD + HEADER_ROW, row * 1000, 1_000, SHEET_TAIL)  # 55 MB


def _rows_past_limit(parts: dict[str, bytes | Bomb], people: str) -> None:
    rows = b"".join(_inline(f"p{n}@example.org", f"A{n}") for n in range(2, 60_002))
    parts[people] = _sheet(rows)


def _long_cell(parts: dict[str, bytes | Bomb], people: str) -> None:
    parts[people] = _sheet(_inline(secrets.token_hex(20_000)))


def _long_shared_string(parts: dict[str, bytes | Bomb], people: str) -> None:
    long = f"<si><t>{secrets.token_hex(20_000)}</t></si>".encode()
    _with_strings(parts, _strings(long, 1))


def _many_shared_strings(parts: dict[str, bytes | Bomb], people: str) -> None:
    items = b"".join(f"<si><t>{n:x}</t></si>".encode() for n in range(600_000))
    _with_strings(parts, _strings(items, 600_000))


def _xml_error(parts: dict[str, bytes | Bomb], people: str) -> None:
    parts[people] = SHEET_HEAD + b"<row><c><v>1</v></row>" + SHEET_TAIL


def _entities(parts: dict[str, bytes | Bomb], people: str) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    _with_strings(
        parts,
        (
            f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY l0 "lol">{laughs}]>'
            f'<sst xmlns="{MAIN}"><si><t>&l9;</t></si></sst>'
        ).encode(),
    )


def _attribute_bomb(parts: dict[str, bytes | Bomb], people: str) -> None:
    # 20 MB in one attribute, compressing only about 4 to 1 (no ratio limit catches it):
    # expat holds a whole tag at once.
    unit = random.Random(1).randbytes(MIB).translate(bytes(b"ab"[i & 1] for i in range(256)))
    parts[people] = Bomb(SHEET_HEAD + b'<row r="2" x="', unit, 20, b'"/>' + SHEET_TAIL, 1)


def _many_parts(parts: dict[str, bytes | Bomb], people: str) -> None:
    for n in range(2_000):
        parts[f"customXml/item{n}.xml"] = b"<a/>"


def _wide(parts: dict[str, bytes | Bomb], people: str) -> None:
    parts[people] = _sheet(_inline("far right", "XFD2"))


XLSX: dict[str, tuple[Callable[[dict[str, bytes | Bomb], str], None], str]] = {
    "xlsx-shared-strings-bomb": (_shared_strings_bomb, "unpacks to 1105920103 bytes"),
    "xlsx-one-huge-cell-bomb": (_huge_cell_bomb, "unpacks to 1073742063 bytes"),
    "xlsx-million-rows-bomb": (_million_rows_bomb, "compressed more than"),
    "xlsx-rows-past-the-limit": (_rows_past_limit, "more than 50000 rows"),
    "xlsx-long-cell": (_long_cell, "longer than 32767 characters"),
    "xlsx-long-shared-string": (_long_shared_string, "longer than 32767 characters"),
    "xlsx-many-shared-strings": (_many_shared_strings, "more than 500000 strings"),
    "xlsx-xml-error": (_xml_error, "not well-formed XML"),
    "xlsx-entity-expansion": (_entities, "DTD"),
    "xlsx-attribute-bomb": (_attribute_bomb, "a tag or text of more than 1048576 bytes"),
    "xlsx-many-parts": (_many_parts, "over the limit of 1000"),
    "xlsx-wide": (_wide, "over the limit of 200 columns"),
}
"""Hostile workbooks, and what the report must say."""


def _big_cohort(members: int, cohort_id: str = "big-2030") -> Tables:
    people: list[dict[str, object]] = [
        {"email": f"m{i:04d}@example.org", "name": f"Member {i:04d}", "organisation": "ECC"}
        for i in range(members)
    ]
    return {
        "cohort": [{"cohort_id": cohort_id, "name": "Big", "start_date": "2030-05-01"}],
        "organisations": [
            {"name": "Essex County Council", "sector": "local_government", "aliases": "ECC"}
        ],  # fmt: skip
        "people": people,
        "members": [{"email": p["email"], "role": "participant"} for p in people],
    }


def _json_cohort(tmp_path: Path) -> Path:
    path = tmp_path / "cohort-1500.json"
    path.write_text(json.dumps(_big_cohort(1_500)))
    return path


def _json_values(tmp_path: Path) -> Path:
    path = tmp_path / "values.json"
    path.write_bytes(b'{"people": [' + b"1," * 3_000_000 + b"1]}")
    return path


def _csv_zip(tmp_path: Path, name: str, part: bytes | Bomb) -> Path:
    return write_zip(
        tmp_path / f"{name}.zip", {"people.csv": part, "cohort.csv": b"cohort_id\nx\n"}
    )


OTHER: dict[str, tuple[Callable[[Path], Path], str]] = {
    "json-cohort-of-1500": (_json_cohort, "over the limit of 500"),
    "json-millions-of-values": (_json_values, "more than 1000000 values"),
    "zip-csv-bomb": (
        lambda d: _csv_zip(d, "csv-bomb", Bomb(b"email\n", b"a@b.org\n" * 8192, 16_000, b"")),
        "unpacks to more than",
    ),
    "zip-csv-millions-of-rows": (
        lambda d: _csv_zip(d, "csv-rows", Bomb(b"email\n", b"a\n" * 4096, 1_000, b"")),
        "more than 50000 rows",
    ),
    "zip-csv-endless-line": (
        lambda d: _csv_zip(d, "csv-line", Bomb(b"email\n", b"a" * MIB, 10, b"\n")),
        "longer than",
    ),
}


def hostile_files(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    for name, (change, reason) in XLSX.items():
        yield name, _xlsx(tmp_path, name, change), reason
    for name, (build, reason) in OTHER.items():
        yield name, build(tmp_path), reason


# -- the reader on its own -----------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(XLSX))
def test_read_hostile_workbook_is_one_error_naming_the_limit_and_no_tables(
    tmp_path: Path, case: str
) -> None:
    change, reason = XLSX[case]
    bundle = read_bundle(_xlsx(tmp_path, case, change))
    assert bundle.tables == {}
    assert any(reason in e.reason for e in bundle.errors), [str(e) for e in bundle.errors]
    record("hostile_files_tried", 1)


def test_read_limits_name_the_sheet_row_and_column(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, "long", _long_cell)
    [error] = read_bundle(path).errors
    assert (error.location.file, error.location.sheet, error.location.row) == (
        "long.xlsx",
        "people",
        2,
    )
    assert error.column == "A"
    rows = read_bundle(_xlsx(tmp_path, "rows", _rows_past_limit), limits=ReadLimits(max_rows=10))
    [error] = rows.errors
    # the header is row 1, so the eleventh data row is spreadsheet row 12
    assert (error.location.sheet, error.location.row) == ("people", 12)


def test_read_workbook_whose_zip_lies_about_sizes_reads_no_more_than_it_declares(
    tmp_path: Path,
) -> None:
    """A part declared 100 KB that unpacks to 1 GiB: read as it streams, its one cell is
    refused at the cell limit (and never more than declared is unpacked)."""
    path = _xlsx(tmp_path, "lies", _huge_cell_bomb)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")
                    and i.file_size > 1024**3 - 1)  # fmt: skip
    lie = struct.pack("<I", 100_000)
    true = struct.pack("<I", info.file_size)
    assert data.count(true) == 2  # the local and the central header
    path.write_bytes(bytes(data).replace(true, lie))
    bundle = read_bundle(path)
    assert bundle.tables == {}
    assert [e.reason for e in bundle.errors] == [
        "the cell is longer than 32767 characters, the limit"
    ]


ZIPPED_CSV: dict[str, tuple[Callable[[Path], Path], str]] = {
    "zip-csv-bomb": (OTHER["zip-csv-bomb"][0], "over the limit of 67108864 for one part"),
    "zip-csv-millions-of-rows": (OTHER["zip-csv-millions-of-rows"][0], "compressed more than"),
    "zip-csv-endless-line": (OTHER["zip-csv-endless-line"][0], "compressed more than"),
    "zip-csv-rows-past-the-limit": (
        lambda d: _csv_zip(
            d, "rows", b"email\n" + b"".join(b"p%d@example.org\n" % n for n in range(60_000))
        ),
        "more than 50000 rows",
    ),
    "zip-csv-many-entries": (
        lambda d: write_zip(d / "many.zip", {f"x{n}.csv": b"a\n" for n in range(2_000)}),
        "over the limit of 1000",
    ),
}


@pytest.mark.parametrize("case", sorted(ZIPPED_CSV))
def test_read_hostile_zip_of_csv_is_one_error_naming_the_limit_and_no_tables(
    tmp_path: Path, case: str
) -> None:
    build, reason = ZIPPED_CSV[case]
    bundle = read_bundle(build(tmp_path))
    assert bundle.tables == {}
    assert any(reason in e.reason for e in bundle.errors), [str(e) for e in bundle.errors]
    record("hostile_files_tried", 1)


# -- the body limit, straight through ASGI ----------------------------------------------------


def _asgi_post(path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes, int]:
    """POST an endless body of 64 KiB chunks; (status, content type, bytes taken)."""
    store = SqliteStore("sqlite:///:memory:")
    app = create_app(store=store, settings=ApiSettings())
    app.state.store = store
    taken = 0
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        nonlocal taken
        taken += 64 * 1024
        return {"type": "http.request", "body": b"0" * 64 * 1024, "more_body": True}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"t"), *headers], "client": ("127.0.0.1", 1),
        "server": ("t", 80), "state": {},
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    store.close()
    start = next(m for m in sent if m["type"] == "http.response.start")
    kind = dict(start["headers"]).get(b"content-type", b"")  # type: ignore[call-overload]
    return int(start["status"]), kind, taken  # type: ignore[call-overload]


@pytest.mark.parametrize("path", ["/keys", "/wicked-issues/x/handovers", "/sign-in", "/nowhere"])
@pytest.mark.parametrize("declared", [True, False])
def test_a_large_body_without_a_key_is_refused_before_it_is_read(path: str, declared: bool) -> None:
    headers = [(b"content-type", b"application/json")]
    if declared:
        headers.append((b"content-length", str(400 * MIB).encode()))
    status, kind, taken = _asgi_post(path, headers)
    assert kind == PROBLEM_JSON.encode()
    if declared:  # not one byte read
        assert (status, taken) == (413, 0)
    else:  # cut off one chunk past 1 MiB, or answered (no route, no form token) before that
        assert status in (403, 404, 413)
        assert taken <= MIB + 64 * 1024
        assert status != 413 or taken == MIB + 64 * 1024
    record("hostile_bodies_sent", 1)


# -- members per cohort and per project, on both stores ----------------------------------------


@pytest.fixture
def cap_of_four(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ALUMNI_GRAPH_MAX_MEMBERS", "4")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_cohort_past_500_members_is_refused_naming_the_table_and_count(
    store: GraphStore, tmp_path: Path
) -> None:
    get_settings.cache_clear()
    bundle = write_bundle(_big_cohort(501), tmp_path / "big.json")
    report = load_bundle(bundle, store)
    assert not report.ok
    [error] = report.errors
    assert error.location.sheet == "members"
    assert "501 members" in error.reason and "limit of 500" in error.reason
    assert store.find(Cohort).count == 0
    record("hostile_files_tried", 1)


def test_member_cap_counts_stored_members_and_projects_too(
    store: GraphStore, tmp_path: Path, cap_of_four: None
) -> None:
    four = _big_cohort(4)
    assert load_bundle(write_bundle(four, tmp_path / "four.json"), store).ok
    fifth = _big_cohort(5)
    fifth["people"], fifth["members"] = fifth["people"][4:], fifth["members"][4:]
    report = load_bundle(write_bundle(fifth, tmp_path / "fifth.json"), store)
    assert [(e.location.sheet, e.value) for e in report.errors] == [("members", 5)]
    assert store.find(Membership, {"cohort_id": "big-2030"}).count == 4
    project = _big_cohort(4, "small-2031")
    project["projects"] = [{"project_id": "p1", "title": "P", "start_date": "2031-06-01"}]
    project["project_members"] = [{"project_id": "p1", "email": f"m{i:04d}@example.org"}
                                  for i in range(4)]  # fmt: skip
    assert load_bundle(write_bundle(project, tmp_path / "p4.json"), store).ok
    project["people"].append(
        {"email": "extra@example.org", "name": "Extra Person", "organisation": "ECC"}
    )
    project["project_members"].append({"project_id": "p1", "email": "extra@example.org"})
    report = load_bundle(write_bundle(project, tmp_path / "p5.json"), store)
    assert [(e.location.sheet, e.value) for e in report.errors] == [("project_members", 5)]
    assert "project 'p1' would have 5 members" in report.errors[0].reason


# -- the CLI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["xlsx-xml-error", "xlsx-one-huge-cell-bomb"])
def test_cli_hostile_workbook_is_a_message_and_exit_2_without_traceback(
    tmp_path: Path, case: str
) -> None:
    change, reason = XLSX[case]
    path = _xlsx(tmp_path, case, change)
    done = subprocess.run(
        [CLI, "ingest", str(path), "--store", f"sqlite:///{tmp_path / 'cli.db'}"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "300"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert reason in " ".join(done.stdout.split())


# -- the server ---------------------------------------------------------------------------------


def _memory(pid: int, field: str) -> int:
    """A ``/proc/PID/status`` figure (``VmHWM``, the peak resident size; ``VmRSS``), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@contextmanager
def _serve(url: str, log: Path) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen([CLI, "serve", "--port", str(port)], stdout=out,
                                  stderr=subprocess.STDOUT,
                                  env={**os.environ, "ALUMNI_GRAPH_STORE": url})  # fmt: skip
        try:
            for _ in range(600):
                try:
                    if httpx2.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                        break
                except httpx2.HTTPError:
                    pass
                assert server.poll() is None, log.read_text()
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}", port, server
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a request still being served: no orphans
                server.kill()
                server.wait(timeout=30)


def _zeros(total: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    block = b"0" * chunk
    for _ in range(total // chunk):
        yield block


def raw_request(
    port: int, head: str, body: Iterator[bytes], *, chunked: bool = False
) -> tuple[int, dict[str, str], bytes]:
    """Send ``head`` and stream ``body`` until the server answers; return its answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    try:
        sock.sendall(head.encode())
        try:
            for piece in body:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered (or closed): stop sending
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < int(
            _headers(answer).get("content-length", "0")
        ):
            try:
                piece = sock.recv(65536)
            except ConnectionResetError:
                break
            if not piece:
                break
            answer += piece
    finally:
        sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, _headers(answer), answer.partition(b"\r\n\r\n")[2]


def _headers(answer: bytes) -> dict[str, str]:
    lines = answer.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def _multipart(name: str, data: bytes, boundary: str = "hostile-boundary") -> tuple[bytes, str]:
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()  # fmt: skip
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def _is_problem(status: int, headers: dict[str, str], body: bytes, *expected: int) -> None:
    assert status in expected, (status, body[:500])
    assert headers.get("content-type") == PROBLEM_JSON, headers
    problem = json.loads(body)
    assert problem["status"] == status


def test_server_answers_hostile_input_with_problems_within_bounded_memory(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    store = SqliteStore(url)
    key, _ = issue_key(store, KeyRole.PROGRAMME)
    store.close()
    files = list(hostile_files(tmp_path))
    auth = {"Authorization": f"Bearer {key}"}
    with ExitStack() as stack:
        base, port, server = stack.enter_context(_serve(url, tmp_path / "server.log"))
        client = stack.enter_context(httpx2.Client(base_url=base, timeout=120))
        # warm up: one real upload (a dry run) loads everything a load needs
        sample = write_bundle(sample_tables(), tmp_path / "sample.xlsx").read_bytes()
        body, kind = _multipart("sample.xlsx", sample)
        warm = client.post("/ingest?dry_run=true", content=body,
                           headers={**auth, "Content-Type": kind})  # fmt: skip
        assert warm.status_code == 200, warm.text
        idle = _memory(server.pid, "VmHWM")

        for name, path, reason in files:
            body, kind = _multipart(path.name, path.read_bytes())
            answer = client.post("/ingest", content=body, headers={**auth, "Content-Type": kind})
            assert answer.status_code in (413, 422), (name, answer.status_code, answer.text[:500])
            assert answer.headers["content-type"] == PROBLEM_JSON, name
            assert reason in answer.text, (name, answer.text[:1000])
            record("hostile_files_tried", 1)

        for name in ("bad\x00name.json", "../../etc/passwd.json", "a\\b.xlsx"):
            body, kind = _multipart(name, b"{}")
            answer = client.post("/ingest", content=body, headers={**auth, "Content-Type": kind})
            assert answer.status_code == 422, (name, answer.text)
            assert answer.headers["content-type"] == PROBLEM_JSON
            record("hostile_files_tried", 1)

        # 400 MB without a key, declared and chunked, to a route that is not /ingest
        size = 400 * MIB
        for route in ("/keys", "/wicked-issues/x/handovers", "/ingest"):
            head = (f"POST {route} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {size}\r\n\r\n")  # fmt: skip
            _is_problem(*raw_request(port, head, _zeros(size)), 413)
            head = (f"POST {route} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n")  # fmt: skip
            # chunked: cut off at the limit, or refused for want of a key before that
            _is_problem(*raw_request(port, head, _zeros(size), chunked=True), 401, 413)
            record("hostile_bodies_sent", 2)

        answers: list[tuple[int, dict[str, str], bytes]] = []

        def one() -> None:
            head = ("POST /keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n")  # fmt: skip
            answers.append(raw_request(port, head, _zeros(size), chunked=True))

        threads = [threading.Thread(target=one) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(answers) == 4
        for reply in answers:
            _is_problem(*reply, 401, 413)
        record("hostile_bodies_sent", 4)

        peak = _memory(server.pid, "VmHWM")
        assert server.poll() is None
    over = (peak - idle) / 1024
    previous = note_max("hostile_peak_rss_mb_over_idle", round(over, 1))
    assert over < BOUND_MB, f"peak {peak} kB is {over:.0f} MB over idle {idle} kB ({previous})"


def note_max(name: str, value: float) -> float:
    from .figures import FIGURES

    current = FIGURES.get(name)
    best = max(value, current) if isinstance(current, int | float) else value
    note(name, best)
    return best
