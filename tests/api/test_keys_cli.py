"""``alumni-graph keys``: the key printed last works against the API until revoked."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import keys
from graph.errors import Invalid, NotFound
from graph.sqlite_store import SqliteStore

from ..contract.sample import programme
from .conftest import api_for

runner = CliRunner()


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    store = SqliteStore(url)
    store.apply(programme())
    store.close()
    return url


def test_keys_create_prints_a_working_key_last_and_revoke_refuses_it(
    store_url: str, shared_client: TestClient
) -> None:
    made = runner.invoke(
        keys.app,
        ["create", "--role", "alumni", "--person", "Ann@Example.org", "--store", store_url],
    )
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    assert key.startswith("ag_")
    store = SqliteStore(store_url)
    try:
        client = api_for(shared_client, store)
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/me", headers=headers).json()["person"]["id"] == "ann"
        listed = runner.invoke(keys.app, ["list", "--store", store_url])
        assert listed.exit_code == 0
        assert key not in listed.output
        key_id = key.split("_")[1]
        assert key_id in listed.output
        revoked = runner.invoke(keys.app, ["revoke", key_id, "--store", store_url])
        assert revoked.exit_code == 0, revoked.output
        assert client.get("/me", headers=headers).status_code == 401
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["create", "--role", "alumni"], Invalid),
        (["create", "--role", "alumni", "--person", "zed@example.org"], NotFound),
        (["revoke", "deadbeef"], NotFound),
    ],
    ids=["alumni-without-person", "unknown-person", "unknown-key"],
)
def test_keys_with_bad_input_raise_domain_errors(
    store_url: str, args: list[str], error: type[Exception]
) -> None:
    result = runner.invoke(keys.app, [*args, "--store", store_url])
    assert isinstance(result.exception, error)
