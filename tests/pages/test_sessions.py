"""Signing in and out, the session cookie, CSRF and the security headers, without a
browser (TestClient): what an attacker could try from a script."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

from fastapi.testclient import TestClient

from api.keys import revoke_key
from api.pages.sessions import Sessions
from graph.store import GraphStore
from visualisations.handover_pack import CONTENT_SECURITY_POLICY

from ..api.conftest import SETTINGS, Keys, write_json_bundle
from .conftest import form_token, sign_in


def _cookies(response_headers: list[tuple[str, str]]) -> dict[str, str]:
    """Each Set-Cookie header by cookie name (the whole header, attributes included)."""
    found = {}
    for name, value in response_headers:
        if name.lower() == "set-cookie":
            found[next(iter(SimpleCookie(value)))] = value
    return found


def test_sign_in_sets_an_httponly_strict_session_cookie_that_is_not_the_key(
    client: TestClient, keys: Keys
) -> None:
    token = form_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"key": keys.alumni, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = _cookies(response.headers.multi_items())["ag_session"]
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attributes
    assert "secure" not in attributes  # plain http on loopback
    assert keys.alumni not in cookie
    assert keys.alumni not in str(response.headers)


def test_sign_in_over_https_marks_the_cookie_secure(client: TestClient, keys: Keys) -> None:
    client.base_url = client.base_url.copy_with(scheme="https")
    try:
        token = form_token(client.get("/sign-in").text)
        response = client.post(
            "/sign-in", data={"key": keys.alumni, "csrf_token": token}, follow_redirects=False
        )
        cookie = _cookies(response.headers.multi_items())["ag_session"]
        assert "secure" in {a.strip().lower() for a in cookie.split(";")[1:]}
        assert response.headers["strict-transport-security"].startswith("max-age=")
    finally:
        client.base_url = client.base_url.copy_with(scheme="http")


def test_sign_in_without_the_forms_token_is_refused(client: TestClient, keys: Keys) -> None:
    client.get("/sign-in")  # the double-submit cookie is set, but the field is missing
    response = client.post("/sign-in", data={"key": keys.alumni}, follow_redirects=False)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "ag_session" not in _cookies(response.headers.multi_items())
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_with_a_wrong_key_says_so_and_signs_nobody_in(client: TestClient) -> None:
    token = form_token(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"key": "ag_" + "x" * 43, "csrf_token": token})
    assert response.status_code == 401
    assert "unknown or revoked" in response.text
    assert "ag_" + "x" * 43 not in response.text  # a key is never echoed
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_keys_at_sign_in_count_against_the_apis_limiter(
    client: TestClient, keys: Keys
) -> None:
    for _ in range(SETTINGS.auth_failures_per_minute):
        token = form_token(client.get("/sign-in").text)
        assert (
            client.post("/sign-in", data={"key": "wrong", "csrf_token": token}).status_code == 401
        )
    token = form_token(client.get("/sign-in").text)
    limited = client.post("/sign-in", data={"key": "wrong again", "csrf_token": token})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert client.get("/", follow_redirects=False).status_code == 303
    # one limiter: the JSON API refuses the same address's wrong keys too...
    wrong = {"Authorization": "Bearer ag_00000000_guess"}
    assert client.get("/me", headers=wrong).status_code == 429
    # ...and lets its right keys in, on the API and at sign-in
    assert client.get("/me", headers=keys.header("alumni")).status_code == 200
    token = form_token(client.get("/sign-in").text)
    assert client.post("/sign-in", data={"key": keys.alumni, "csrf_token": token}).is_success


def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(
    client: TestClient, keys: Keys
) -> None:
    token = sign_in(client, keys.alumni)
    stolen = client.cookies["ag_session"]
    response = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("ag_session", stolen)
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/me").status_code == 401


def test_sign_out_without_the_token_leaves_the_session(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.alumni)
    assert client.post("/sign-out", follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200


def test_revoking_the_key_ends_its_sessions(
    client: TestClient, keys: Keys, sample_store: GraphStore
) -> None:
    sign_in(client, keys.alumni)
    assert client.get("/me").status_code == 200
    alumni_key = next(k for k in sample_store.keys() if k.person_id == "ann")
    revoke_key(sample_store, alumni_key.id)
    assert client.get("/me").status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303


def test_session_cookie_authorises_the_json_api_and_its_roles(
    client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.alumni)
    assert client.get("/me").json()["person"]["id"] == "ann"
    assert client.get("/people/bob/contacts").status_code == 403  # not their network
    assert client.get("/metrics/network").status_code == 403  # not the programme team
    assert client.get("/people/dan").status_code == 404  # no directory consent


def test_api_post_by_cookie_needs_the_csrf_header_and_writes_nothing_without(
    client: TestClient, keys: Keys, sample_store: GraphStore, tmp_path: Path
) -> None:
    token = sign_in(client, keys.programme)
    bundle = write_json_bundle(tmp_path)
    files = {"file": (bundle.name, bundle.read_bytes())}
    runs = len(sample_store.runs())
    refused = client.post("/ingest", files=files)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "X-CSRF-Token" in refused.json()["detail"]
    assert len(sample_store.runs()) == runs
    loaded = client.post("/ingest", files=files, headers={"X-CSRF-Token": token})
    assert loaded.status_code == 200, loaded.text
    assert len(sample_store.runs()) == runs + 1


def test_upload_load_without_the_token_writes_nothing(
    client: TestClient, keys: Keys, sample_store: GraphStore, tmp_path: Path
) -> None:
    token = sign_in(client, keys.programme)
    bundle = write_json_bundle(tmp_path)
    checked = client.post(
        "/upload", data={"csrf_token": token}, files={"file": (bundle.name, bundle.read_bytes())}
    )
    assert checked.status_code == 200 and "ready to load" in checked.text
    found = re.search(r'name="staged" value="([^"]+)"', checked.text)
    assert found is not None
    staged = found.group(1)
    runs = len(sample_store.runs())
    for data in ({"staged": staged}, {"staged": staged, "csrf_token": "forged"}):
        refused = client.post("/upload/load", data=data)
        assert refused.status_code == 403
        assert len(sample_store.runs()) == runs
    loaded = client.post("/upload/load", data={"staged": staged, "csrf_token": token})
    assert loaded.status_code == 200 and "loaded" in loaded.text
    assert len(sample_store.runs()) == runs + 1


def test_pages_carry_the_security_headers(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.alumni)
    for url in ("/sign-in", "/find?q=example", "/person/ann"):
        headers = client.get(url).headers
        policy = {d.strip() for d in headers["content-security-policy"].split(";")}
        assert "default-src 'none'" in policy, url  # so no script runs, inline or not
        assert not any("unsafe-inline" in d or "script-src" in d for d in policy), url
        assert {"frame-ancestors 'self'", "form-action 'self'", "base-uri 'none'"} <= policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert "camera=()" in headers["permissions-policy"]
        assert headers["cache-control"] == "no-store"


def test_json_responses_carry_the_security_headers_too(client: TestClient, keys: Keys) -> None:
    for response in (
        client.get("/health"),
        client.get("/me"),
        client.get("/me", headers=keys.header("alumni")),
    ):
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert headers["referrer-policy"] == "no-referrer"


def test_api_docs_get_a_policy_that_lets_their_viewer_run(client: TestClient) -> None:
    policy = client.get("/docs").headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net" in policy
    assert "frame-ancestors 'none'" in policy


def test_a_route_that_sets_its_own_policy_keeps_it(client: TestClient, keys: Keys) -> None:
    response = client.get(
        "/wicked-issues/domestic-abuse/handover-pack?format=html", headers=keys.header("alumni")
    )
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"


def test_search_text_is_shown_escaped(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.alumni)
    page = client.get("/find", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_dashboard_shows_the_hand_worked_network_of_1_june_2020(
    client: TestClient, keys: Keys
) -> None:
    """On 2020-06-01: Ann (ECC), Bob (NHS), Cat (Police since that day) and Dan (Police)
    agreed to analytics; Eve refused and Fay has not started. Ties: Ann-Bob, Ann-Cat,
    Bob-Cat (project and surveys) and Cat-Dan (advice): 4 of 6 pairs, density 0.67;
    3 of the 4 cross organisations (75%), E-I = (3 - 1) / 4 = 0.50."""
    sign_in(client, keys.programme)
    page = " ".join(client.get("/dashboard?as_of=2020-06-01").text.split())
    for row in (
        '<th scope="row">People</th><td>4</td>',
        '<th scope="row">Ties</th><td>4</td>',
        '<th scope="row">Ties across organisations</th><td>75%</td>',
        '<th scope="row">E-I index, organisations (−1 inward, +1 outward)</th><td>0.50</td>',
        '<th scope="row">Density</th><td>0.67</td>',
    ):
        assert row in page
    assert 'href="/reports/cohort/c2019"' in page


def test_upload_over_the_limit_is_refused_unread(
    client: TestClient, keys: Keys, sample_store: GraphStore
) -> None:
    token = sign_in(client, keys.programme)
    runs = len(sample_store.runs())
    big = b"{" + b" " * SETTINGS.max_upload_bytes + b"}"
    response = client.post("/upload", data={"csrf_token": token}, files={"file": ("big.json", big)})
    assert response.status_code == 413
    assert len(sample_store.runs()) == runs


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def at(self, seconds: float) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC) + timedelta(seconds=seconds)

    def __call__(self) -> datetime:
        return self.now


def test_session_ends_after_idling_and_after_its_lifetime(sample_store: GraphStore) -> None:
    clock = Clock()
    table = Sessions(idle=10, lifetime=25, touch_every=0, clock=clock)
    session_id, _ = table.open(sample_store, "k1", "hash")
    clock.at(9)
    assert table.get(sample_store, session_id) is not None  # used: idle time starts again
    clock.at(18)
    assert table.get(sample_store, session_id) is not None
    clock.at(26)  # used 8 s ago, but signed in 26 s ago
    assert table.get(sample_store, session_id) is None
    idle_id, _ = table.open(sample_store, "k1", "hash")
    clock.at(36.5)  # signed in at 26, never used since
    assert table.get(sample_store, idle_id) is None
    table.open(sample_store, "k2", "hash")  # a sign-in forgets the expired ones
    assert sample_store.sessions_of_key("k1") == []


def test_session_table_forgets_the_oldest_of_the_same_key_when_full(
    sample_store: GraphStore,
) -> None:
    clock = Clock()
    table = Sessions(per_key=2, clock=clock)
    other, _ = table.open(sample_store, "k0", "hash0")
    opened = []
    for second in range(1, 4):
        clock.at(second)
        opened.append(table.open(sample_store, "k1", "hash1")[0])
    assert [table.get(sample_store, s) is not None for s in opened] == [False, True, True]
    assert table.get(sample_store, other) is not None


def test_session_ids_are_not_kept_in_the_clear(sample_store: GraphStore) -> None:
    table = Sessions()
    session_id, session = table.open(sample_store, "k1", "hash")
    (kept,) = sample_store.sessions_of_key("k1")
    assert session_id not in str(kept)
    assert session.csrf not in str(kept)
    assert session_id not in (session.csrf, session.key_sha256)


def test_two_sign_in_tabs_can_both_sign_in(client: TestClient, keys: Keys) -> None:
    first = form_token(client.get("/sign-in").text)
    second = form_token(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"key": keys.alumni, "csrf_token": first})
    assert response.status_code == 200 and second == first
