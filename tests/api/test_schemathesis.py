"""Schemathesis against the live OpenAPI document, on each store, as admin and as an alumnus.

The document is read from the app itself (``GET /openapi.json``), so every route
is tested as it is published. For each operation, store and caller, schemathesis
sends the document's examples, boundary cases and fuzzed requests, valid and
invalid, to an app on a fresh copy of the sample programme (tests/contract/
sample.py), with an admin key (sees everyone) or Ann's alumni key (consent
filtering, 403s and 404s). Ids, dates and tie kinds are drawn mostly from the
sample's real ones, so that the success paths run, not only the 404s and 422s.

Every response must: not be a 5xx, have a status code and a content type the
operation declares, match the declared schema; and a request that breaks the
document must be refused with a 4xx.

Each operation gets a store of its own (the ``store`` fixture is per test), so
the operations that remove data (erasing a person, rolling back a load, revoking
a key) run on the sample like every other, without emptying it under the rest.
The runs are reproducible: a fixed seed, derandomised, no example database.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from graph.store import GraphStore
from ingest.write import write_bundle

from ..contract.sample import programme
from .conftest import SETTINGS, bundle_tables, make_keys, sample_run

MAX_EXAMPLES = 15
"""Fuzzed requests per operation, on top of its examples and boundary cases."""
REPORT_EXAMPLES = 5
"""The reports' fuzzed requests (each new one renders its plots: seconds, not ms)."""
SEED = 20240501
REAL = 0.75
"""How often an id, date or tie kind is one of the sample's, not a generated one."""


def _real(dictionary: str) -> dict[str, object]:
    return {"dictionary": dictionary, "probability": REAL}


_GENERATION = {
    "max-examples": MAX_EXAMPLES,
    "deterministic": True,
    "database": "none",
    # The key is the test's, minted per store: not a generated one.
    "with-security-parameters": False,
}
_SETTINGS: dict[str, object] = {
    "seed": SEED,
    "dictionaries": {
        "people": {"values": ["ann", "bob", "cat", "dan", "eve", "fay"]},
        "organisations": {"values": ["ecc", "mse-icb", "essex-police"]},
        "cohorts": {"values": ["c2019", "c2021"]},
        "projects": {"values": ["pr-da"]},
        "issues": {"values": ["domestic-abuse"]},
        "runs": {"values": ["run-1"]},
        "dates": {"values": ["2019-05-01", "2019-06-01", "2020-06-01", "2022-01-01"]},
        "ties": {"values": ["project", "advice,collaboration", "mentoring,knew_before"]},
    },
    "parameters": {
        "path.person_id": _real("people"),
        "path.organisation_id": _real("organisations"),
        "path.cohort_id": _real("cohorts"),
        "path.project_id": _real("projects"),
        "path.run_id": _real("runs"),
        "path.issue_id": _real("issues"),
        "query.organisation": _real("organisations"),
        "query.to_organisation": _real("organisations"),
        "query.cohort": _real("cohorts"),
        "query.issue": _real("issues"),
        "query.as_of": _real("dates"),
        "query.ties": _real("ties"),
    },
}
_OPERATIONS: list[dict[str, object]] = [
    {
        # Succeeds only from a person to exactly one of a person or an organisation.
        "include-path": "/paths/introduction",
        "parameters": {"query.from": _real("people"), "query.to": _real("people")},
        "generation": {"max-examples": 2 * MAX_EXAMPLES},
    },
    {
        "include-path": "/ingest",
        "include-method": "POST",
        "generation": {"max-examples": 2 * MAX_EXAMPLES},
    },
    {
        "include-path": "/metrics/timeline",
        "parameters": {"query.from": _real("dates"), "query.to": _real("dates")},
    },
]


def _config(mode: str) -> schemathesis.Config:
    """The run's settings, generating ``mode`` requests: "all" (valid and invalid) or
    "positive" (valid only, where the reports also skip the boundary cases: see
    ``valid_only``)."""
    # A report draws ten plots for each new question (dates, cadence, ties): its three
    # query parameters are covered by fewer fuzzed requests.
    reports: dict[str, object] = {
        "include-path-regex": "^/reports/",
        "generation": {"max-examples": REPORT_EXAMPLES},
    }
    if mode == "positive":
        reports = {**reports, "phases": {"coverage": {"enabled": False}}}
    operations = [*_OPERATIONS, reports]
    generation = {**_GENERATION, "mode": mode}
    return schemathesis.Config.from_dict(
        {**_SETTINGS, "generation": generation, "operations": operations}
    )


def _schema(mode: str) -> schemathesis.schemas.BaseSchema:
    app = create_app(store_url="sqlite:///:memory:", settings=SETTINGS)
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=_config(mode))


schema = _schema("all")
"""On SQLite: valid requests and invalid ones, which the API must refuse."""
valid_only = _schema("positive")
"""On Neo4j: valid requests only. An invalid one is refused by the API's validation
before any store is asked (FastAPI's request models, the same code on both stores), so
fuzzing it twice finds nothing new; what Neo4j answers, valid requests reach. The
reports' boundary cases (a date at the edge of the programme, every cadence) exercise
the report's own arithmetic, also the same on both stores: on Neo4j a report gets its
examples and fuzzed questions only."""


def _zipped_bundle(tables: dict[str, list[dict[str, object]]]) -> bytes:
    """A bundle as a ``.zip`` of CSV files: schemathesis names a file part after what its
    bytes start with, so a zip arrives as ``file.zip``, a name ``POST /ingest`` accepts."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(buffer, "w") as archive:
        for csv in sorted(write_bundle(tables, Path(tmp) / "bundle").glob("*.csv")):
            archive.write(csv, csv.name)
    return buffer.getvalue()


def _misspelt_employer() -> dict[str, list[dict[str, object]]]:
    tables = bundle_tables()
    tables["people"][0]["organisation"] = "Essex Polise"
    return tables


BUNDLES = [_zipped_bundle(bundle_tables()), _zipped_bundle(_misspelt_employer())]
"""A bundle that loads (200 and its report) and one that is refused (422 with the report)."""


@valid_only.hook.apply_to(method="POST", path="/ingest")
@schema.hook.apply_to(method="POST", path="/ingest")
def flatmap_body(context: schemathesis.HookContext, body: object) -> st.SearchStrategy[object]:
    """Now and then a real bundle instead of generated bytes, so the reports are checked too."""
    if not isinstance(body, dict) or "file" not in body:
        return st.just(body)
    return st.sampled_from([*({**body, "file": bundle} for bundle in BUNDLES), body])


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@dataclass(frozen=True)
class LiveApi:
    app: FastAPI
    headers: dict[str, str]


@pytest.fixture(params=["admin", "alumni"])
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# ``role`` before ``store``: test ids end ``[admin-sqlite]``, which the per-store summary
# of tests/conftest.py reads.
@pytest.fixture
def live_api(role: str, store: GraphStore) -> Iterator[LiveApi]:
    """An app on ``store`` holding the sample programme, and the role's key (Ann's for alumni)."""
    store.apply(programme(), sample_run())
    keys = make_keys(store)
    yield LiveApi(create_app(store=store, settings=SETTINGS), keys.header(role))
    asgi.shutdown_lifespans()  # schemathesis keeps an app's lifespan running until exit


# One store per operation, shared by that operation's requests: what an erasure, a
# rollback or a new key changes, the operation's later requests see, as a client would.
# ``too_slow`` times generation on the clock, which a busy 2-core CI machine makes flaky.
RUNS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _call(case: schemathesis.Case, live_api: LiveApi) -> None:
    # A copy: schemathesis adds its own headers to the dict it is given.
    case.call_and_validate(app=live_api.app, headers=dict(live_api.headers), checks=CHECKS)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
@RUNS
@schema.parametrize()
def test_operation_conforms_to_the_openapi_document(
    case: schemathesis.Case, live_api: LiveApi
) -> None:
    _call(case, live_api)


@pytest.mark.parametrize("store", ["neo4j"], indirect=True)
@RUNS
@valid_only.parametrize()
def test_operation_answers_valid_requests_on_neo4j_as_documented(
    case: schemathesis.Case, live_api: LiveApi
) -> None:
    _call(case, live_api)
