"""Every page, for every role and for a browser that has not signed in, answers as the
JSON API's role table says (tests/api/test_roles.py): the pages add no way round it.

No session: a page sends the browser to the sign-in form (303); a form post is refused
(403), as it cannot carry a session's CSRF token. The alumni key is Ann's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.pages import dashboard, people, programme, site, upload, wicked

from ..api.conftest import Keys, write_json_bundle
from .conftest import sign_in


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    route: str
    none: int
    alumni: int
    programme: int
    admin: int


SIGNED_IN = (303, 200, 200, 200)
TEAM = (303, 403, 200, 200)
FORM = (403, 403, 422, 422)
"""A team form sent empty: no session, no token (403); alumni (403); the team (422)."""

CALLS = [
    Call("GET", "/static/pages.css", "/static/pages.css", 200, 200, 200, 200),
    Call("GET", "/favicon.ico", "/favicon.ico", 200, 200, 200, 200),
    Call("GET", "/favicon.svg", "/favicon.svg", 200, 200, 200, 200),
    Call("GET", "/sign-in", "/sign-in", 200, 303, 303, 303),
    Call("POST", "/sign-in", "/sign-in", 403, 403, 403, 403),
    Call("POST", "/sign-out", "/sign-out", 303, 303, 303, 303),
    Call("GET", "/", "/", *SIGNED_IN),
    Call("GET", "/find?q=example", "/find", *SIGNED_IN),
    Call("GET", "/person/bob", "/person/{person_id}", *SIGNED_IN),
    Call("GET", "/person/dan", "/person/{person_id}", 303, 404, 200, 200),
    Call("GET", "/person/nobody", "/person/{person_id}", 303, 404, 404, 404),
    Call("GET", "/introduction?to=cat", "/introduction", *SIGNED_IN),
    Call("GET", "/introduction?from=bob&to=cat", "/introduction", 303, 403, 200, 200),
    Call("GET", "/introduction?to=dan", "/introduction", 303, 404, 200, 200),
    Call("GET", "/issues", "/issues", *SIGNED_IN),
    Call("GET", "/issues/domestic-abuse", "/issues/{issue_id}", *SIGNED_IN),
    Call("GET", "/issues/nothing", "/issues/{issue_id}", 303, 404, 404, 404),
    Call("POST", "/issues/domestic-abuse/handovers", "/issues/{issue_id}/handovers", *FORM),
    Call("GET", "/dashboard?as_of=2020-06-01", "/dashboard", *TEAM),
    Call("GET", "/programme?from=2019-07-01&to=2021-07-01&every=year", "/programme", *TEAM),
    Call(
        "GET",
        "/programme/table.xlsx?from=2019-07-01&to=2021-07-01&every=year",
        "/programme/table.{fmt}",
        *TEAM,
    ),
    Call("GET", "/dashboard/network.csv?as_of=2020-06-01", "/dashboard/{table}.{fmt}", *TEAM),
    Call(
        "GET",
        "/programme/organisations?from=2019-07-01&to=2021-07-01&every=year&sort=ei_last",
        "/programme/organisations",
        *TEAM,
    ),
    Call(
        "GET",
        "/programme/organisations/over-time.xlsx?from=2019-07-01&to=2021-07-01&every=year",
        "/programme/organisations/{table}.{fmt}",
        *TEAM,
    ),
    Call("GET", "/upload", "/upload", *TEAM),
    Call("POST", "/upload", "/upload", 403, 403, 200, 200),
    Call("POST", "/upload/load", "/upload/load", 403, 403, 409, 409),
    Call("POST", "/upload/cancel", "/upload/cancel", 403, 403, 409, 409),
]
"""``POST /sign-in`` is sent without the sign-in form's token (so 403 for everyone);
``POST /upload`` with a valid bundle (checked, not loaded); ``POST /upload/load`` and
``POST /upload/cancel`` with nothing checked before (409); ``POST /issues/{id}/handovers``
with an empty form (422: the team's form is refused field by field)."""

ROLE_NAMES = ("none", "alumni", "programme", "admin")


def _send(client: TestClient, call: Call, token: str | None, tmp_path: Path) -> int:
    if call.method == "GET":
        return client.get(call.url, follow_redirects=False).status_code
    data = {} if call.url == "/sign-in" or token is None else {"csrf_token": token}
    files = None
    if call.url == "/upload":
        bundle = write_json_bundle(tmp_path)
        files = {"file": (bundle.name, bundle.read_bytes())}
    response = client.post(call.url, data=data, files=files, follow_redirects=False)
    if token is None and response.status_code == 403:  # no session, so no CSRF token
        assert response.headers["content-type"] == "application/problem+json"
    return response.status_code


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.method} {c.url}")
def test_open_page_as_role_gets_the_tables_status(
    client: TestClient, keys: Keys, call: Call, role: str, tmp_path: Path
) -> None:
    token = None if role == "none" else sign_in(client, getattr(keys, role))
    assert _send(client, call, token, tmp_path) == getattr(call, role)


def test_page_table_covers_every_page_route() -> None:
    routes = {
        (method, route.path)
        for module in (site, people, wicked, dashboard, upload, programme)
        for route in module.router.routes
        for method in getattr(route, "methods", ())
        if method != "HEAD"
    }
    assert routes == {(c.method, c.route) for c in CALLS}


def test_signed_out_page_redirects_to_sign_in(client: TestClient) -> None:
    response = client.get("/find", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
