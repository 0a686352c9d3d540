"""Keys: bearer only, hashed at rest, revocable; wrong keys from one address get 429,
right ones never do."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from api.auth import FailedAuthLimiter
from api.errors import RateLimited
from graph.store import GraphStore

from .conftest import SETTINGS, Keys


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ag_00000000_not-a-real-secret",
        "Bearer not-even-a-key",
        "Bearer " + "a" * 5000,
        "Basic YWxpY2U6c2VjcmV0",
        "Bearer",
    ],
    ids=["unknown", "malformed", "huge", "basic", "empty"],
)
def test_get_people_with_a_bad_key_is_unauthenticated(client: TestClient, header: str) -> None:
    response = client.get("/people", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "not-a-real-secret" not in response.text


def test_store_keeps_only_the_hash_of_a_key(sample: GraphStore, keys: Keys) -> None:
    stored = {k.secret_sha256 for k in sample.keys()}
    assert hashlib.sha256(keys.admin.encode()).hexdigest() in stored
    assert keys.admin not in str(sample.dump()) + str([k.model_dump() for k in sample.keys()])


def test_revoke_key_refuses_it_from_then_on(client: TestClient, keys: Keys) -> None:
    admin = keys.header("admin")
    made = client.post("/keys", headers=admin, json={"role": "alumni", "person_id": "bob"})
    assert made.status_code == 201
    assert made.headers["cache-control"] == "no-store"
    new = made.json()
    headers = {"Authorization": f"Bearer {new['key']}"}
    assert client.get("/me", headers=headers).json()["person"]["id"] == "bob"
    revoked = client.post(f"/keys/{new['id']}/revoke", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/me", headers=headers).status_code == 401
    listed = client.get("/keys", headers=admin).json()
    assert new["key"] not in str(listed)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"role": "alumni"}, 422),
        ({"role": "alumni", "person_id": "nobody"}, 404),
        ({"role": "chief"}, 422),
        ({"role": "admin", "secret": "x"}, 422),
    ],
    ids=["alumni-without-person", "unknown-person", "unknown-role", "extra-field"],
)
def test_create_key_with_bad_input_is_refused(
    client: TestClient, keys: Keys, body: dict[str, str], status: int
) -> None:
    response = client.post("/keys", headers=keys.header("admin"), json=body)
    assert response.status_code == status


def test_wrong_keys_from_one_address_are_slowed_down(client: TestClient, keys: Keys) -> None:
    wrong = {"Authorization": "Bearer ag_00000000_guess"}
    statuses = [
        client.get("/people", headers=wrong).status_code
        for _ in range(SETTINGS.auth_failures_per_minute)
    ]
    assert set(statuses) == {401}
    limited = client.get("/people", headers=wrong)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    # while limited, a right key from that address still gets in; no key is no guess
    assert client.get("/people", headers=keys.header("alumni")).status_code == 200
    assert client.get("/people").status_code == 401


def test_limiter_forgets_failures_after_its_window() -> None:
    now = [0.0]
    limiter = FailedAuthLimiter(2, 60.0, clock=lambda: now[0], max_clients=2)
    limiter.failed("a")
    limiter.failed("a")
    with pytest.raises(RateLimited) as raised:
        limiter.check("a")
    assert raised.value.retry_after == 60
    limiter.check("b")
    now[0] = 60.5
    limiter.check("a")
    limiter.failed("b")
    limiter.failed("c")
    limiter.failed("d")  # remembers two addresses at most: "a" is forgotten first
    assert list(limiter._failures) == ["c", "d"]
