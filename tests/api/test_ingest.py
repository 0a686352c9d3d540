"""``POST /ingest`` and its runs: a bundle in any container, dry runs that write
nothing, refusals with the report, and uploads too large refused before reading."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from api.problems import PROBLEM_JSON
from graph.store import GraphStore
from ingest.write import write_bundle

from .conftest import SETTINGS, Keys, bundle_tables, raw_json_bundle, write_json_bundle


def upload(
    client: TestClient, keys: Keys, name: str, data: bytes, query: str = ""
) -> tuple[int, dict[str, object]]:
    response = client.post(
        f"/ingest{query}", headers=keys.header("programme"), files={"file": (name, data)}
    )
    return response.status_code, response.json()


def zipped_csvs(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for csv in sorted(folder.glob("*.csv")):
            archive.write(csv, f"{prefix}{csv.name}")
    return buffer.getvalue()


def test_ingest_json_bundle_writes_it_and_lists_the_run(
    client: TestClient, keys: Keys, sample: GraphStore, tmp_path: Path
) -> None:
    status, report = upload(client, keys, "c2023.json", write_json_bundle(tmp_path).read_bytes())
    assert status == 200
    assert (report["ok"], report["dry_run"], report["file"]) == (True, False, "c2023.json")
    # Essex Police, stored undated by the hand-made sample, is restated: it now carries
    # the bundle's date (graph.facts), an update; the other nine records are new.
    assert report["totals"] == {"created": 9, "updated": 1, "unchanged": 0}
    runs = client.get("/ingest/runs", headers=keys.header("programme")).json()
    assert [r["id"] for r in runs["data"]] == ["run-1", report["run_id"]]
    found = client.get("/people?cohort=c2023", headers=keys.header("programme")).json()
    assert [p["name"] for p in found["data"]] == ["Gus Example", "Hal Example"]


@pytest.mark.parametrize("container", ["xlsx", "zip", "zip-in-folder"])
def test_ingest_bundle_in_every_container_says_the_same(
    client: TestClient, keys: Keys, tmp_path: Path, container: str
) -> None:
    if container == "xlsx":
        name, data = "c2023.xlsx", write_bundle(bundle_tables(), tmp_path / "c.xlsx").read_bytes()
    else:
        folder = write_bundle(bundle_tables(), tmp_path / "csv")
        name, data = "c2023.zip", zipped_csvs(folder, "c2023/" if "folder" in container else "")
    status, report = upload(client, keys, name, data, "?dry_run=true")
    assert status == 200, report
    assert (report["file"], report["totals"]) == (
        name,
        {"created": 9, "updated": 1, "unchanged": 0},  # as the JSON bundle, above
    )


def test_ingest_dry_run_writes_nothing(
    client: TestClient, keys: Keys, sample: GraphStore, tmp_path: Path
) -> None:
    before = sample.dump()
    runs = sample.runs()
    status, report = upload(
        client, keys, "c2023.json", write_json_bundle(tmp_path).read_bytes(), "?dry_run=true"
    )
    assert (status, report["ok"], report["dry_run"], report["run_id"]) == (200, True, True, None)
    assert report["totals"]["created"] == 9
    assert sample.dump() == before
    assert sample.runs() == runs


def test_ingest_broken_bundle_is_refused_with_every_error_and_writes_nothing(
    client: TestClient, keys: Keys, sample: GraphStore
) -> None:
    tables = bundle_tables()
    tables["people"][0]["organisation"] = "Essex Polise"
    tables["members"][1]["role"] = "captain"
    before = sample.dump()
    status, problem = upload(client, keys, "bad.json", raw_json_bundle(dict(tables)))
    assert status == 422
    assert problem["title"] == "Bundle refused"
    report = problem["report"]
    assert isinstance(report, dict) and report["ok"] is False
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert {(e["field"], e["value"]) for e in errors} >= {
        ("organisation", "Essex Polise"),
        ("role", "captain"),
    }
    assert sample.dump() == before


@pytest.mark.parametrize("name", ["bundle.csv", "bundle.xls", "", "../../etc/passwd"])
def test_ingest_file_of_another_kind_is_invalid(client: TestClient, keys: Keys, name: str) -> None:
    status, problem = upload(client, keys, name, b"{}")
    assert status == 422
    assert problem["title"] == "Invalid input"


def test_ingest_zip_that_is_not_a_zip_is_invalid(client: TestClient, keys: Keys) -> None:
    status, problem = upload(client, keys, "bundle.zip", b"PK not really")
    assert status == 422
    assert "zip" in str(problem["detail"])


def test_ingest_upload_too_large_is_refused_from_its_length(
    client: TestClient, keys: Keys, sample: GraphStore
) -> None:
    too_big = b"x" * (SETTINGS.max_upload_bytes + 128 * 1024)
    status, problem = upload(client, keys, "big.json", too_big)
    assert status == 413
    assert problem["status"] == 413
    assert sample.runs()[-1].id == "run-1"


def test_ingest_streamed_upload_too_large_is_refused_before_it_ends(
    client: TestClient, keys: Keys
) -> None:
    """Without a ``Content-Length``, the body is counted as it arrives (at the ASGI
    level: the test client would buffer the whole body first)."""
    boundary = "x-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.json"'
        "\r\nContent-Type: application/json\r\n\r\n"
    ).encode()
    chunks = [head, *([b"x" * 16 * 1024] * 100), f"\r\n--{boundary}--\r\n".encode()]
    received = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal received
        received += 1
        if received > len(chunks):
            return {"type": "http.disconnect"}
        return {
            "type": "http.request",
            "body": chunks[received - 1],
            "more_body": received < len(chunks),
        }

    async def send(message: Message) -> None:
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
        "server": ("testserver", 80),
        "client": ("testclient", 50000),
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", keys.header("programme")["Authorization"].encode()),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
        ],
    }
    asyncio.run(client.app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert (b"content-type", PROBLEM_JSON.encode()) in start["headers"]
    assert received < len(chunks) // 2


def test_ingest_exactly_the_limit_is_accepted(
    client: TestClient, keys: Keys, tmp_path: Path
) -> None:
    data = write_json_bundle(tmp_path).read_bytes()
    padded = data + b" " * (SETTINGS.max_upload_bytes - len(data))
    status, report = upload(client, keys, "c2023.json", padded, "?dry_run=true")
    assert status == 200, report


def test_rollback_latest_run_undoes_it_and_an_older_one_conflicts(
    client: TestClient, keys: Keys, sample: GraphStore, tmp_path: Path
) -> None:
    before = sample.dump()
    _, report = upload(client, keys, "c2023.json", write_json_bundle(tmp_path).read_bytes())
    team = keys.header("programme")
    older = client.post("/ingest/runs/run-1/rollback", headers=team)
    assert older.status_code == 409
    undone = client.post(f"/ingest/runs/{report['run_id']}/rollback", headers=team)
    assert undone.status_code == 200
    assert undone.json()["deleted"] == 9
    assert sample.dump() == before
    assert client.post("/ingest/runs/run-9/rollback", headers=team).status_code == 404
