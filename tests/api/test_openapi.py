"""The OpenAPI document: every route declares its errors as problem+json, has a tag,
and the schema examples validate against their own models."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.problems import PROBLEM_JSON
from services.schemas import ConnectionOut, NewKeyIn, OrganisationOut, PersonOut, RecommendationOut

from .conftest import Keys


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return create_app(store_url="sqlite:///:memory:").openapi()


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]


def test_openapi_declares_problem_responses_for_every_keyed_route(
    schema: dict[str, Any],
) -> None:
    for method, path, op in operations(schema):
        assert op["tags"], (method, path)
        if path == "/health":
            continue
        assert {"401", "429"} <= set(op["responses"]), (method, path)
        if op.get("parameters") or op.get("requestBody"):
            assert {"403", "422"} <= set(op["responses"]) or path == "/me", (method, path)
        for code, response in op["responses"].items():
            if code[0] in "45":
                assert list(response["content"]) == [PROBLEM_JSON], (method, path, code)
        assert op.get("security") == [{"ApiKey": []}], (method, path)
    assert "HTTPValidationError" not in schema["components"]["schemas"]


@pytest.mark.parametrize(
    "model", [PersonOut, ConnectionOut, RecommendationOut, OrganisationOut, NewKeyIn]
)
def test_schema_examples_are_valid_instances(model: type[PersonOut]) -> None:
    for example in model.model_json_schema()["examples"]:
        model.model_validate(example)


def test_unknown_route_and_bad_query_are_problems(client: TestClient, keys: Keys) -> None:
    missing = client.get("/nowhere", headers=keys.header("admin"))
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM_JSON)
    assert missing.json()["title"] == "Not found"
    bad = client.get("/people?limit=501&sector=space", headers=keys.header("admin"))
    assert bad.status_code == 422
    assert {(e["record"], e["field"]) for e in bad.json()["errors"]} == {
        ("query", "limit"),
        ("query", "sector"),
    }
    wrong_method = client.put("/people", headers=keys.header("admin"))
    assert (wrong_method.status_code, wrong_method.headers["content-type"]) == (405, PROBLEM_JSON)


@pytest.mark.parametrize(
    "url",
    [
        "/metrics/network?as_of=0001-01-01",
        "/metrics/timeline?from=2019-01-01&to=2100-01-01&every=month",
        "/metrics/timeline?from=2021-01-01&to=2019-01-01",
        "/metrics/network?cohort=c2019",
        "/metrics/network?ties=friendship",
    ],
    ids=["ancient-date", "too-many-points", "backwards", "cohort-without-wave", "unknown-tie"],
)
def test_metrics_with_unanswerable_questions_are_invalid(
    client: TestClient, keys: Keys, url: str
) -> None:
    response = client.get(url, headers=keys.header("programme"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
