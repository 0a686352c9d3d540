"""Faults: a private Neo4j is killed (SIGKILL to its JVM) in the middle of an ingest's
write, and while the API is serving. The command says what happened and exits non-zero
without a traceback; the API answers 503 while Neo4j is down and recovers by itself;
after a restart the store is exactly as before and the ingest re-runs.

The server runs on a free port with its own home under tmp (scripts/neo4j), so it
never touches the suite's Neo4j. Needs Java (as ``make test`` does); skipped otherwise
unless ``ALUMNI_GRAPH_REQUIRE_NEO4J=1``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase

from api.app import create_app
from api.keys import issue_key
from api.problems import PROBLEM_JSON
from graph.model import KeyRole
from graph.neo4j_store import Neo4jStore
from graph.settings import get_settings
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from ingest.demo import demo_tables
from ingest.pipeline import load_bundle
from ingest.write import write_bundle

from ..ingest.conftest import sample_tables
from ..ports import free_port
from .figures import note, record

REPO = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("alumni-graph"))
PASSWORD = get_settings().neo4j_password.get_secret_value()


@dataclass
class PrivateNeo4j:
    home: Path
    port: int

    @property
    def uri(self) -> str:
        return f"neo4j://127.0.0.1:{self.port}"

    def _script(self, *args: str) -> None:
        env = {
            **os.environ,
            "ALUMNI_GRAPH_NEO4J_PORT": str(self.port),
            "ALUMNI_GRAPH_NEO4J_HOME": str(self.home),
            "COLUMNS": "80",  # a narrow terminal must not hide the server from the script
            # A server that lives a minute: the quick JIT alone (C1) warms it in seconds
            # where the full one spends them compiling (about 30 s less for this file).
            "ALUMNI_GRAPH_NEO4J_JAVA_OPTS": "-XX:TieredStopAtLevel=1",
        }
        subprocess.run([str(REPO / "scripts" / "neo4j"), *args], env=env, check=True,
                       capture_output=True, timeout=180)  # fmt: skip

    def start(self, *, fresh: bool = False) -> None:
        self._script("start", *(["--fresh"] if fresh else []))

    def stop(self) -> None:
        """Stop the server, and check that its JVM really ended (none is left behind)."""
        pid_file = self.home / "neo4j.pid"
        pid = int(pid_file.read_text().strip()) if pid_file.exists() else None
        self._script("stop")
        assert pid is None or not _running(pid), f"the private Neo4j (pid {pid}) outlived stop"

    def kill(self) -> None:
        """SIGKILL the server's JVM: no clean shutdown, as when a machine dies."""
        pid = int((self.home / "neo4j.pid").read_text().strip())
        os.kill(pid, signal.SIGKILL)
        for _ in range(200):
            if not _running(pid):
                break
            time.sleep(0.05)
        record("faults_injected", 1)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's PID 1 may never reap what it inherits)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateNeo4j]:
    if shutil.which("java") is None:
        if os.environ.get("ALUMNI_GRAPH_REQUIRE_NEO4J") == "1":
            pytest.fail("the fault tests need Java to run a private Neo4j")
        pytest.skip("no Java to run a private Neo4j for the fault tests")
    server = PrivateNeo4j(tmp_path_factory.mktemp("neo4j-faults"), free_port())
    server.start(fresh=True)
    try:
        yield server
    finally:
        server.stop()


def _open(server: PrivateNeo4j) -> Neo4jStore:
    return Neo4jStore(server.uri, user="neo4j", password=PASSWORD)


def _state(store: GraphStore) -> tuple[object, ...]:
    return (store.dump(), store.counts(), [r.model_dump(mode="json") for r in store.runs()])


def _content(dump: dict[str, list[dict[str, object]]]) -> dict[str, list[dict[str, object]]]:
    """The dump without run ids (each load has its own)."""
    return {kind: [{**r, "run_id": None} for r in rows] for kind, rows in dump.items()}


def _wait_for_write(server: PrivateNeo4j, process: subprocess.Popen[str]) -> bool:
    """True once the ingest's write transaction is running on the server (one of its
    batched ``UNWIND $rows`` statements), False if the command ended first."""
    with GraphDatabase.driver(server.uri, auth=("neo4j", PASSWORD)) as driver:
        while process.poll() is None:
            records, _, _ = driver.execute_query(
                "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS $needle"
                " RETURN count(*) AS n",
                needle="UNWIND $rows",
                database_="system",
            )
            if records[0]["n"]:
                return True
            time.sleep(0.02)
    return False


def _answers_503_while_down(client: TestClient, auth: dict[str, str]) -> None:
    asked = time.monotonic()
    health = client.get("/health")
    note("health_503_after_seconds", round(time.monotonic() - asked, 1))  # reported only
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "store": "neo4j"}
    down = client.get("/people", headers=auth)
    assert down.status_code == 503
    assert down.headers["content-type"] == PROBLEM_JSON
    assert down.json()["status"] == 503
    assert "Traceback" not in down.text


def _healthy(client: TestClient, attempts: int = 60) -> bool:
    """Whether /health says ok within ``attempts`` checks a second apart, as a load
    balancer would keep checking (each check answers within ANSWER_WITHIN_SECONDS)."""
    for _ in range(attempts):
        if client.get("/health").json() == {"status": "ok", "store": "neo4j"}:
            return True
        time.sleep(1)
    return False


def test_neo4j_killed_mid_ingest_loses_nothing_the_api_says_503_and_both_recover(
    neo4j: PrivateNeo4j, tmp_path: Path
) -> None:
    """One outage, as the command line and the API see it: Neo4j dies while an ingest
    writes and the API serves. (One kill, not one per view: each restart of the
    server costs a JVM start and its warm-up.)"""
    base = write_bundle(sample_tables(), tmp_path / "base.json")
    stem, tables = next(iter(demo_tables(2019)))  # a whole cohort: about 3,000 records
    bundle = write_bundle(tables, tmp_path / f"{stem}.json")
    store = _open(neo4j)
    assert load_bundle(base, store).ok
    key, _ = issue_key(store, KeyRole.PROGRAMME)
    before = _state(store)
    store.close()
    auth = {"Authorization": f"Bearer {key}"}

    with TestClient(create_app(store_url=neo4j.uri)) as client:
        assert _healthy(client)
        assert client.get("/people", headers=auth).status_code == 200
        command = [CLI, "ingest", str(bundle), "--store", neo4j.uri]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        seen = _wait_for_write(neo4j, process)
        neo4j.kill()
        _answers_503_while_down(client, auth)
        out, err = process.communicate(timeout=120)
        assert seen, f"the ingest ended before its write was seen: {out}{err}"
        assert process.returncode != 0
        assert "Traceback" not in err + out
        assert "error:" in err and "Neo4j" in err, err  # one line naming the store's failure
        neo4j.start()
        # The same app, never restarted: the driver finds the server again.
        assert _healthy(client)
        assert client.get("/people", headers=auth).status_code == 200

    store = _open(neo4j)
    try:
        assert _state(store) == before  # not one record of the interrupted write
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        expected = SqliteStore(f"sqlite:///{tmp_path / 'expected.db'}")
        assert load_bundle(base, expected).ok and load_bundle(bundle, expected).ok
        assert _content(store.dump()) == _content(expected.dump())
        record("fault_rows_lost", 0)
        expected.close()
    finally:
        store.close()


class _HangingStore:
    """A store whose every call hangs until released, as a lost Neo4j does while the
    driver retries."""

    url = "neo4j://127.0.0.1:1"

    def __init__(self) -> None:
        import threading

        self.release = threading.Event()

    def version(self) -> str:
        self.release.wait(timeout=60)
        return "0"

    def close(self) -> None:
        self.release.set()


def test_health_says_unavailable_without_waiting_for_a_hanging_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.routes import health

    monkeypatch.setattr(health, "ANSWER_WITHIN_SECONDS", 0.2)
    store = _HangingStore()
    with TestClient(create_app(store=store)) as client:  # type: ignore[arg-type]
        response = client.get("/health")
        # Answered while the store was still hanging: the probe was not waited for.
        assert not store.release.is_set()
        store.release.set()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "store": "neo4j"}
