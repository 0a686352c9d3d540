"""Sessions and limits as a real deployment meets them, on each store: sessions that
outlive the process and are shared by every instance, a sign-in storm that cannot end
another key's session, wrong keys that slow their sender but never lock out a right
key, and forwarded headers believed from trusted proxies only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import revoke_key
from api.pages.sessions import SESSION_COOKIE, Sessions
from api.settings import ApiSettings
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore

from ..api.conftest import SETTINGS, Keys
from ..api.conftest import keys as keys  # the sample programme, with a key per role
from ..api.conftest import sample as sample
from ..pages.conftest import sign_in
from .figures import record

LIMIT = SETTINGS.auth_failures_per_minute
PROXY = "10.0.0.1"


@contextmanager
def _app(
    store: GraphStore, settings: ApiSettings = SETTINGS, peer: str = "203.0.113.9"
) -> Iterator[TestClient]:
    """A fresh app (its own memory: sessions, limiter) on ``store``, as one process."""
    app = create_app(store=store, settings=settings)
    with TestClient(app, base_url="http://127.0.0.1", client=(peer, 40000)) as client:
        yield client


def _same_store_again(store: GraphStore) -> GraphStore:
    """The store as another process would open it: the same file, or the same server."""
    return SqliteStore(store.url) if isinstance(store, SqliteStore) else store


def _key_id(key: str) -> str:
    return key.split("_")[1]


# -- sessions in the store --------------------------------------------------------------


def test_session_survives_a_restart_of_the_app(sample: GraphStore, keys: Keys) -> None:
    with _app(sample) as before:
        sign_in(before, keys.alumni)
        cookie = before.cookies[SESSION_COOKIE]
    restarted = _same_store_again(sample)
    try:
        with _app(restarted) as after:
            after.cookies.set(SESSION_COOKIE, cookie)
            assert after.get("/me").json()["person"]["id"] == "ann"
            assert after.get("/", follow_redirects=False).status_code == 200
    finally:
        if restarted is not sample:
            restarted.close()


def test_two_app_instances_share_sessions_and_sign_out(sample: GraphStore, keys: Keys) -> None:
    other_store = _same_store_again(sample)
    try:
        with _app(sample) as first, _app(other_store) as second:
            token = sign_in(first, keys.programme)
            second.cookies.set(SESSION_COOKIE, first.cookies[SESSION_COOKIE])
            assert second.get("/me").status_code == 200
            assert second.get("/", follow_redirects=False).status_code == 200
            signed_out = second.post(
                "/sign-out", data={"csrf_token": token}, follow_redirects=False
            )
            assert signed_out.status_code == 303
            assert first.get("/me").status_code == 401
    finally:
        if other_store is not sample:
            other_store.close()


def test_sign_in_storm_with_one_key_never_ends_another_keys_session(
    sample: GraphStore, keys: Keys
) -> None:
    """10,000 sign-ins on SQLite (100 on Neo4j, two writes each over the network: the cap
    works the same past its tenth), straight through the session layer."""
    storm = 10_000 if isinstance(sample, SqliteStore) else 100
    table = Sessions(per_key=10)
    admin_id, _ = table.open(sample, _key_id(keys.admin), "admin-hash")
    for _ in range(storm):
        table.open(sample, _key_id(keys.programme), "programme-hash")
    assert table.get(sample, admin_id) is not None
    assert len(sample.sessions_of_key(_key_id(keys.programme))) == 10
    assert len(sample.sessions_of_key(_key_id(keys.admin))) == 1
    record("sign_ins_tried", storm)


def test_sign_ins_past_the_cap_over_http_keep_the_admin_signed_in(
    sample: GraphStore, keys: Keys
) -> None:
    settings = SETTINGS.model_copy(update={"sessions_per_key": 3})
    with _app(sample, settings) as admin, _app(sample, settings) as storm:
        sign_in(admin, keys.admin)
        cookies = []
        for _ in range(8):
            storm.cookies.clear()
            sign_in(storm, keys.programme)
            cookies.append(storm.cookies[SESSION_COOKIE])
        assert admin.get("/me").status_code == 200
        storm.cookies.clear()
        alive = []
        for cookie in cookies:
            storm.cookies.set(SESSION_COOKIE, cookie)
            alive.append(storm.get("/me").status_code == 200)
        assert alive == [False] * 5 + [True] * 3  # the programme key's three newest


def test_revoking_a_key_deletes_its_sessions_from_the_store(sample: GraphStore, keys: Keys) -> None:
    with _app(sample) as client:
        sign_in(client, keys.programme)
        assert len(sample.sessions_of_key(_key_id(keys.programme))) == 1
        revoke_key(sample, _key_id(keys.programme))
        assert sample.sessions_of_key(_key_id(keys.programme)) == []
        assert client.get("/me").status_code == 401


def test_erasing_a_person_deletes_their_keys_sessions(sample: GraphStore, keys: Keys) -> None:
    with _app(sample) as ann, _app(sample) as admin:
        sign_in(ann, keys.alumni)
        assert len(sample.sessions_of_key(_key_id(keys.alumni))) == 1
        erased = admin.delete("/people/ann", headers=keys.header("admin"))
        assert erased.status_code in (200, 204), erased.text
        assert sample.sessions_of_key(_key_id(keys.alumni)) == []
        assert ann.get("/me").status_code == 401


# -- wrong keys --------------------------------------------------------------------------


def test_right_keys_get_in_after_1000_wrong_ones_from_their_address(
    sample: GraphStore, keys: Keys
) -> None:
    """Half the guesses are of the admin key's own prefix, so both its address and its
    prefix are far over their limits when the admin key comes."""
    admin_prefix = keys.admin.rsplit("_", 1)[0]
    guesses = [
        f"{admin_prefix}_{'A' * 43}" if i % 2 else f"ag_{i:08x}_{'B' * 43}" for i in range(1000)
    ]
    with _app(sample) as client:
        statuses = [
            client.get("/me", headers={"Authorization": f"Bearer {g}"}).status_code for g in guesses
        ]
        assert statuses[:LIMIT] == [401] * LIMIT
        assert set(statuses[LIMIT:]) == {429}
        for role in ("admin", "programme", "alumni"):
            assert client.get("/me", headers=keys.header(role)).status_code == 200, role
        token = sign_in(client, keys.admin)  # and the sign-in form lets it in too
        assert token
        assert client.get("/keys").status_code == 200
    record("wrong_keys_tried", len(guesses))


def test_wrong_keys_for_one_prefix_are_slowed_from_any_address(
    sample: GraphStore, keys: Keys
) -> None:
    """A guesser spread over many addresses (here through a trusted proxy, one address a
    request) is slowed on the key prefix it guesses, and only on that prefix."""
    settings = SETTINGS.model_copy(update={"trusted_proxies": [PROXY]})
    admin_prefix = keys.admin.rsplit("_", 1)[0]
    with _app(sample, settings, peer=PROXY) as client:

        def get(key: str, n: int) -> int:
            headers = {"Authorization": f"Bearer {key}", "X-Forwarded-For": f"198.51.100.{n}"}
            return client.get("/me", headers=headers).status_code

        statuses = [get(f"{admin_prefix}_{'A' * 43}", n) for n in range(LIMIT + 5)]
        assert statuses == [401] * LIMIT + [429] * 5
        assert get(keys.admin, 200) == 200
        assert get(f"ag_0badc0de_{'A' * 43}", 201) == 401  # another prefix: not slowed
    record("wrong_keys_tried", len(statuses) + 1)


# -- forwarded headers ---------------------------------------------------------------------


def _wrong_until_limited(client: TestClient, headers: dict[str, str]) -> list[int]:
    return [
        client.get("/me", headers={"Authorization": f"Bearer wrong-{i}", **headers}).status_code
        for i in range(LIMIT + 1)
    ]


def test_forwarded_headers_name_the_client_from_trusted_proxies_only(
    sample: GraphStore, keys: Keys
) -> None:
    settings = SETTINGS.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
    with _app(sample, settings, peer="203.0.113.9") as client:
        # each wrong key claims another client: all count against the real peer
        untrusted = [
            client.get(
                "/me",
                headers={
                    "Authorization": f"Bearer wrong-{i}",
                    "X-Forwarded-For": f"198.51.100.{i}",
                    "Forwarded": f"for=192.0.2.{i}",
                },
            ).status_code
            for i in range(LIMIT + 1)
        ]
    assert untrusted == [401] * LIMIT + [429]
    tried = len(untrusted)
    with _app(sample, settings, peer=PROXY) as client:
        limited = _wrong_until_limited(client, {"X-Forwarded-For": "198.51.100.7"})
        assert limited == [401] * LIMIT + [429]
        # another client behind the same proxy is not slowed
        other = _wrong_until_limited(client, {"X-Forwarded-For": "198.51.100.8"})
        assert other[0] == 401
        # nor is it by what a client wrote left of what our proxies added
        spoofed = {"X-Forwarded-For": "198.51.100.8, 198.51.100.7, 10.0.0.2"}
        assert (
            client.get("/me", headers={"Authorization": "Bearer x", **spoofed}).status_code == 429
        )
        # RFC 7239 Forwarded, read the same way
        forwarded = {"Forwarded": 'for=198.51.100.9, for="[2001:db8::7]:4711"'}
        ipv6 = _wrong_until_limited(client, forwarded)
        assert ipv6 == [401] * LIMIT + [429]
        tried += len(limited) + len(other) + 1 + len(ipv6)
    record("wrong_keys_tried", tried)


def test_forwarded_proto_from_a_trusted_proxy_marks_cookies_secure(
    sample: GraphStore, keys: Keys
) -> None:
    settings = SETTINGS.model_copy(update={"trusted_proxies": [PROXY]})
    for peer, secure in ((PROXY, True), ("203.0.113.9", False)):
        with _app(sample, settings, peer=peer) as client:
            response = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
            (cookie,) = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
            assert ("secure" in cookie.lower().split("; ")) is secure, peer
            assert ("strict-transport-security" in response.headers) is secure, peer
