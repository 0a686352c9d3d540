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
from fastapi.testclient import TestClient
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
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from graph.store import GraphStore
from ingest.write import write_bundle

from ..contract.sample import programme
from .conftest import SETTINGS, api_for, bundle_tables, make_keys, sample_run

pytestmark = pytest.mark.slow  # about 100 s of fuzzing per store: make test, not make check

MAX_EXAMPLES = 15
"""Fuzzed requests per operation, on top of its examples and boundary cases."""
NEO4J_EXAMPLES = 8
"""Fuzzed valid requests per operation on Neo4j (see ``valid_only``)."""
REPORT_EXAMPLES = 5
"""The reports' fuzzed requests (each new one renders its plots: seconds, not ms)."""
SEED = 20240501
REAL = 0.75
"""How often an id, date or tie kind is one of the sample's, not a generated one."""


def _real(dictionary: str) -> dict[str, object]:
    return {"dictionary": dictionary, "probability": REAL}


_GENERATION = {
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


def _operations(examples: int) -> list[dict[str, object]]:
    """Operations with settings of their own; the two that succeed only for a few
    combinations of their inputs get twice ``examples``."""
    return [
        {
            # Succeeds only from a person to exactly one of a person or an organisation.
            "include-path": "/paths/introduction",
            "parameters": {"query.from": _real("people"), "query.to": _real("people")},
            "generation": {"max-examples": 2 * examples},
        },
        {
            "include-path": "/ingest",
            "include-method": "POST",
            "generation": {"max-examples": 2 * examples},
        },
        {
            "include-path": "/metrics/timeline",
            "parameters": {"query.from": _real("dates"), "query.to": _real("dates")},
        },
    ]


def _config(mode: str, examples: int) -> schemathesis.Config:
    """The run's settings, generating ``mode`` requests: "all" (valid and invalid) or
    "positive" (valid only, where the reports also skip the boundary cases: see
    ``valid_only``), ``examples`` fuzzed requests per operation."""
    # A report draws ten plots for each new question (dates, cadence, ties): its three
    # query parameters are covered by fewer fuzzed requests.
    reports: dict[str, object] = {
        "include-path-regex": "^/reports/",
        "generation": {"max-examples": REPORT_EXAMPLES},
    }
    if mode == "positive":
        reports = {**reports, "phases": {"coverage": {"enabled": False}}}
    operations = [*_operations(examples), reports]
    generation = {**_GENERATION, "mode": mode, "max-examples": examples}
    return schemathesis.Config.from_dict(
        {**_SETTINGS, "generation": generation, "operations": operations}
    )


def _schema(mode: str, examples: int) -> schemathesis.schemas.BaseSchema:
    app = create_app(store_url="sqlite:///:memory:", settings=SETTINGS)
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=_config(mode, examples))


schema = _schema("all", MAX_EXAMPLES)
"""On SQLite: valid requests and invalid ones, which the API must refuse."""
valid_only = _schema("positive", NEO4J_EXAMPLES)
"""On Neo4j: valid requests only. An invalid one is refused by the API's validation
before any store is asked (FastAPI's request models, the same code on both stores), so
fuzzing it twice finds nothing new; what Neo4j answers, valid requests reach, and
fewer of them (:data:`NEO4J_EXAMPLES`): the contract suite already holds the two stores
to the same answers, so this pass checks the API's documents over Neo4j's. The
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
    app: ASGIApp
    headers: dict[str, str]


class _StoreSetByTheTest:
    """The worker's one app (``shared_client``'s, its lifespan already run) for one test,
    with a lifespan of its own that touches nothing: the test set the store on the app's
    state (``api_for``), where the app's lifespan would have opened one. FastAPI builds a
    route's state on an app's first request through it, so an app per operation spent
    about a fifth of this file's time building the same routes again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})


@pytest.fixture(params=["admin", "alumni"])
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# ``role`` before ``store``: test ids end ``[admin-sqlite]``, which the per-store summary
# of tests/conftest.py reads.
@pytest.fixture
def live_api(role: str, store: GraphStore, shared_client: TestClient) -> Iterator[LiveApi]:
    """The app on ``store`` holding the sample programme, and the role's key (Ann's for alumni)."""
    store.apply(programme(), sample_run())
    keys = make_keys(store)
    app = api_for(shared_client, store).app
    yield LiveApi(_StoreSetByTheTest(app), keys.header(role))
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
