"""Load: the API served by uvicorn on loopback, on each store holding the demo, takes
searches, introduction paths and metrics from a load generator in another process
(tests/trust/loadgen.py) while one bundle is uploaded, for ``ALUMNI_GRAPH_LOAD_SECONDS``
(default 60) per store: no 5xx, every request answered, every row of the bundle there.

Figures go to test-artifacts/load-<store>.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

from api.keys import issue_key
from graph.model import Cohort, KeyRole, Membership, Person, normalise_email
from graph.store import GraphStore
from ingest.pipeline import load_bundle
from ingest.write import write_bundle

from ..conftest import Demo
from ..ports import free_port
from .figures import ARTIFACTS, record

pytestmark = pytest.mark.slow  # a minute per store, by design

REPO = Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("ALUMNI_GRAPH_LOAD_SECONDS", "60"))
NEW_PEOPLE = 40


def _bundle_tables() -> dict[str, list[dict[str, object]]]:
    """A new cohort of 40 people at two organisations of its own."""
    people = [
        {
            "email": f"load-{i:02d}@example.org",
            "name": f"Load Tester {i:02d}",
            "organisation": "Essex Police" if i % 2 else "Essex County Fire and Rescue Service",
            "consent_directory": "yes",
        }
        for i in range(NEW_PEOPLE)
    ]
    return {
        "cohort": [{"cohort_id": "lge-2099", "name": "Load test 2099", "start_date": "2099-05-01"}],
        "organisations": [
            {"name": "Essex Police", "sector": "police"},
            {"name": "Essex County Fire and Rescue Service", "sector": "fire"},
        ],
        "people": people,
        "members": [{"email": p["email"], "role": "participant"} for p in people],
    }


@pytest.fixture(scope="module")
def demo(demo_programme: Demo) -> list[Path]:
    return demo_programme.bundles


@contextmanager
def _serve(url: str, log: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "ALUMNI_GRAPH_STORE": url}
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("alumni-graph")), "serve", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx2.get(f"{base}/health", timeout=5).status_code == 200:
                        break
                except httpx2.HTTPError:
                    pass
                assert server.poll() is None, log.read_text()
                time.sleep(0.1)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_api_under_load_answers_everything_without_5xx_and_keeps_the_ingest(
    store: GraphStore, demo: list[Path], tmp_path: Path
) -> None:
    for bundle in demo:
        assert load_bundle(bundle, store).ok
    key, _ = issue_key(store, KeyRole.PROGRAMME)
    kind = store.url.split(":", 1)[0]
    people = sorted(p.id for p in store.find(Person, page=None).data)  # first page is plenty
    (tmp_path / "people.json").write_text(json.dumps(people))
    tables = _bundle_tables()
    bundle = write_bundle(tables, tmp_path / "load-2099.json")
    out = ARTIFACTS / f"load-{kind}.json"
    ARTIFACTS.mkdir(exist_ok=True)
    server_log = tmp_path / "server.log"
    with _serve(store.url, server_log) as base:
        generator = subprocess.run(
            [sys.executable, "-m", "tests.trust.loadgen", "--base", base,
             "--people", str(tmp_path / "people.json"), "--bundle", str(bundle),
             "--seconds", str(SECONDS), "--out", str(out)],
            cwd=REPO, capture_output=True, text=True, timeout=SECONDS + 600,
            env={**os.environ, "ALUMNI_GRAPH_LOAD_KEY": key},
        )  # fmt: skip
        assert generator.returncode == 0, generator.stderr
    print(generator.stdout.strip())  # noqa: T201 (the one-line summary, for the log)
    figures = json.loads(out.read_text())
    assert figures["server_errors"] == 0, figures["routes"]
    assert figures["unanswered"] == [], figures["unanswered"]
    assert figures["sent"] == figures["answered"] > 0
    assert figures["ingest"]["status"] == 200, figures["ingest"]
    assert key not in server_log.read_text()  # nor in the access log
    # Every row of the bundle is in the store, as the bundle says.
    by_email = {normalise_email(str(p["email"])): p for p in tables["people"]}
    for email, row in by_email.items():
        assert store.person_by_email(email).name == row["name"]
    assert store.get(Cohort, "lge-2099").name == "Load test 2099"
    members = store.find(Membership, {"cohort_id": "lge-2099"}).count
    assert members == NEW_PEOPLE
    record(f"load_requests_served_{kind}", figures["answered"])
    record("load_rows_lost", 0)
