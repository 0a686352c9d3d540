"""Attackers on the JSON API: injection in every parameter, enumeration of people,
key brute force, and keys or personal data in the logs.

(CSRF and security headers belong to the pages; tests/pages covers them.)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.problems import PROBLEM_JSON
from api.settings import ApiSettings
from cli.main import app as cli_app
from graph.store import GraphStore

from ..api.conftest import Keys, write_json_bundle
from ..api.conftest import keys as keys  # the sample programme, with a key per role
from ..api.conftest import sample as sample
from ..contract.sample import programme
from .figures import note, record

SETTINGS = ApiSettings(max_upload_bytes=64 * 1024, auth_failures_per_minute=20)

PAYLOADS = (
    "' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    "ann\u0000",
    "') RETURN n UNION MATCH (n) RETURN n //",
    "1; DROP TABLE person; --",
    "%",
    "*",
    "é中文🙂\\$id",
    "x" * 5000,
)
"""Sent with an admin key (every route is open to it): nothing may break or change."""
ALUMNI_PAYLOADS = ("' OR 1=1 //", "%", "*")
"""Sent with an alumni key too: nothing may name a person hidden from alumni."""

VALID = {
    "person_id": "ann",
    "organisation_id": "ecc",
    "cohort_id": "c2019",
    "project_id": "pr-da",
    "issue_id": "domestic-abuse",
    "run_id": "no-such-run",  # never roll back the real run
    "key_id": "no-such-key",  # nor revoke a real key
    "from": "2019-01-01",
    "to": "2021-01-01",
    "every": "quarter",
    "cohort": "c2019",
}
"""A value each required parameter can take, so an injected one reaches the store."""

LEAKS = ("Traceback", "neo4j.exceptions", "Neo.ClientError", "sqlite3.", "OperationalError")
HIDDEN = ("Dan Example", "dan@example.org")
"""Dan has not consented to the directory: no alumni response may name him."""


@pytest.fixture
def client(sample: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(store=sample, settings=SETTINGS)) as test_client:
        yield test_client


def _state(store: GraphStore) -> tuple[object, ...]:
    return (
        store.dump(),
        store.counts(),
        [k.model_dump(mode="json") for k in store.keys()],
        [r.model_dump(mode="json") for r in store.runs()],
    )


def _operations(client: TestClient) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    schema = client.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation.get("parameters", [])


def _request(
    client: TestClient,
    method: str,
    path: str,
    parameters: list[dict[str, Any]],
    target: str,
    payload: str,
    headers: dict[str, str],
) -> Any:
    query: dict[str, str] = {}
    url = path
    for p in parameters:
        name = p["name"]
        value = payload if name == target else VALID.get(name)
        if value is None or (name != target and not p.get("required")):
            continue
        if p["in"] == "path":
            url = url.replace("{" + name + "}", quote(value, safe=""))
        else:
            query[name] = value
    body = None
    if path.endswith("/handovers"):
        body = {"from_project_id": "pr-da", "to_cohort_id": "c2022", "date": "2021-01-04"}
    return client.request(method, url, params=query, headers=headers, json=body)


def test_injection_in_every_parameter_changes_nothing_and_leaks_nothing(
    sample: GraphStore, keys: Keys, client: TestClient
) -> None:
    before = _state(sample)
    sent = 0
    for method, path, parameters in _operations(client):
        targets = [p["name"] for p in parameters if p["name"] not in ("limit", "offset")]
        for target in targets:
            for payload in PAYLOADS:
                for role in ("admin", "alumni") if payload in ALUMNI_PAYLOADS else ("admin",):
                    response = _request(
                        client, method, path, parameters, target, payload, keys.header(role)
                    )
                    sent += 1
                    where = f"{method} {path} {target}={payload[:40]!r} as {role}"
                    assert response.status_code < 500, (where, response.text[:300])
                    text = response.text
                    assert not any(leak in text for leak in LEAKS), (where, text[:300])
                    if role == "alumni":
                        assert not any(h in text for h in HIDDEN), (where, text[:300])
                    if response.status_code >= 400:
                        assert response.headers["content-type"] == PROBLEM_JSON, where
    assert _state(sample) == before
    record("injection_requests", sent)


# -- enumeration ----------------------------------------------------------------------

ABSENT = "zzz"
"""An id nobody has, as long as Dan's (``dan``), so even lengths must agree."""


def _shape(response: Any, person_id: str) -> tuple[object, ...]:
    headers = {k: v for k, v in response.headers.items() if k not in ("date",)}
    return response.status_code, headers, response.text.replace(person_id, "ID")


def test_a_non_consenting_person_is_indistinguishable_from_an_absent_one(
    keys: Keys, client: TestClient
) -> None:
    """Every route that takes a person id, asked by an alumni key about Dan (who has not
    consented to the directory) and about nobody, answers byte for byte the same."""
    compared = 0
    for method, path, parameters in _operations(client):
        names = {p["name"] for p in parameters}
        answers = []
        for person in ("dan", ABSENT):
            if "{person_id}" in path:
                url, query = path.replace("{person_id}", person), {}
            elif path == "/paths/introduction":
                url, query = path, {"from": "ann", "to": person}
            elif "person" in names:
                url, query = path, {"person": person}
            else:
                break
            response = client.request(method, url, params=query, headers=keys.header("alumni"))
            answers.append(_shape(response, person))
        if answers:
            assert answers[0] == answers[1], (method, path, answers)
            compared += 1
    assert compared >= 8
    record("enumeration_routes_compared", compared)


# -- brute force -------------------------------------------------------------------------


def test_key_guessing_is_slowed_to_429_and_other_clients_are_unaffected(
    sample: GraphStore, keys: Keys
) -> None:
    app = create_app(store=sample, settings=SETTINGS)
    limit = SETTINGS.auth_failures_per_minute
    with (
        TestClient(app, client=("203.0.113.9", 40000)) as attacker,
        TestClient(app, client=("198.51.100.7", 40001)) as colleague,
    ):
        guesses = [f"ag_{i:08x}_{'A' * 43}" for i in range(limit + 5)]
        statuses = [
            attacker.get("/me", headers={"Authorization": f"Bearer {g}"}).status_code
            for g in guesses
        ]
        assert statuses[:limit] == [401] * limit
        assert statuses[limit:] == [429] * 5
        refused = attacker.get("/me", headers={"Authorization": f"Bearer {guesses[0]}"})
        assert refused.status_code == 429
        assert refused.headers["content-type"] == PROBLEM_JSON
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # A colleague elsewhere signs in and fails normally, unslowed.
        assert colleague.get("/me", headers=keys.header("programme")).status_code == 200
        assert colleague.get("/me", headers={"Authorization": "Bearer ag_x"}).status_code == 401
    note("brute_force_guesses_before_429", limit)


# -- nothing secret or personal in the logs ------------------------------------------------------


def test_keys_and_personal_data_never_reach_the_logs(
    sample: GraphStore,
    keys: Keys,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "fastapi", "httpx", "neo4j", "api"):
        caplog.set_level(logging.DEBUG, logger=name)
    secrets = [keys.alumni, keys.programme, keys.admin]
    # Sign-ups: a key from the API and one from the command line.
    made = client.post("/keys", headers=keys.header("admin"), json={"role": "programme"})
    assert made.status_code == 201
    secrets.append(made.json()["key"])
    runner = CliRunner()
    created = runner.invoke(cli_app, ["keys", "create", "--role", "admin", "--store", sample.url])
    if created.exit_code == 0:  # a SQLite file the CLI can open; Neo4j needs its credentials
        secrets.append(created.output.strip().splitlines()[-1])
    # Key use, people's data read and loaded, failed and revoked keys.
    for role in ("alumni", "programme", "admin"):
        assert client.get("/me", headers=keys.header(role)).status_code == 200
    assert client.get("/people?q=example", headers=keys.header("admin")).status_code == 200
    bundle = write_json_bundle(tmp_path)
    loaded = client.post(
        "/ingest",
        headers=keys.header("programme"),
        files={"file": (bundle.name, bundle.read_bytes())},
    )
    assert loaded.status_code == 200, loaded.text
    wrong = keys.admin[:-4] + "AAAA"
    assert client.get("/me", headers={"Authorization": f"Bearer {wrong}"}).status_code == 401
    revoked_id = made.json()["id"]
    assert (
        client.post(f"/keys/{revoked_id}/revoke", headers=keys.header("admin")).status_code == 200
    )
    assert client.get("/me", headers={"Authorization": f"Bearer {secrets[3]}"}).status_code == 401
    logged = caplog.text
    for secret in [*secrets, wrong]:
        random_part = secret.rsplit("_", 1)[-1]
        fragments = {random_part[i : i + 8] for i in range(0, len(random_part) - 7, 4)}
        assert secret not in logged
        assert not any(f in logged for f in fragments), "a key fragment was logged"
    people = programme().people
    personal = [p.email for p in people] + [p.name for p in people]
    personal += ["gus@example.org", "hal@example.org", "Gus Example", "Hal Example"]
    found = [value for value in personal if re.search(re.escape(value), logged)]
    assert not found, f"personal data in the logs: {found}"
    record("log_records_checked", len(caplog.records))
