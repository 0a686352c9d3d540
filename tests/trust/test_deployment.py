"""The service as it is deployed: ``alumni-graph serve --workers 2`` sharing its
sessions, an access log that names routes and never people nor a client address
the client made up, and personal answers that no cache keeps (``no-store``)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.sqlite_store import SqliteStore

from ..api.conftest import Keys, make_keys, sample_run
from ..api.conftest import client as client  # the shared API client on the sample, per store
from ..api.conftest import keys as keys
from ..api.conftest import sample as sample
from ..api.conftest import shared_client as shared_client
from ..contract.sample import programme
from ..ports import free_port
from .figures import record

PERSONAL = [
    ("alumni", "/me"),
    ("alumni", "/people?q=Example"),
    ("alumni", "/people/bob"),
    ("alumni", "/people/ann/contacts"),
    ("alumni", "/people/ann/recommendations"),
    ("alumni", "/people/ann/export"),
    ("alumni", "/paths/introduction?from=ann&to=cat"),
    ("alumni", "/wicked-issues/domestic-abuse/lineage"),
    ("alumni", "/wicked-issues/domestic-abuse/handover-pack"),
    ("alumni", "/wicked-issues/domestic-abuse/handover-pack?format=html"),
    ("alumni", "/visualisations/network.html?person=ann"),
    ("alumni", "/people/nobody"),
    ("admin", "/people/dan"),
    ("admin", "/cohorts/c2019"),
    ("admin", "/projects/pr-da"),
    ("admin", "/organisations/ecc"),
    ("admin", "/reports/cohort/c2019"),
    ("admin", "/keys"),
]
"""Everything about people, for the key that may see it (and a 404, which says who is
not there): profiles, searches, contacts, paths, lineage, the pack, maps, reports."""


def test_personal_answers_are_never_cached(client: TestClient, keys: Keys) -> None:
    for role, url in PERSONAL:
        response = client.get(url, headers=keys.header(role))
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response.headers.get("cache-control") == "no-store", url
    token = client.get("/sign-in").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/sign-in", data={"key": keys.alumni, "csrf_token": token}).is_success
    pages = ("/", "/find?q=Example", "/person/bob", "/introduction?to=cat", "/issues")
    for url in pages:
        assert client.get(url).headers.get("cache-control") == "no-store", url
    client.cookies.clear()
    record("personal_routes_checked_for_no_store", len(PERSONAL) + len(pages))


# -- the real server ------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    keys: Keys
    process: subprocess.Popen[str]


def _http(
    method: str, url: str, *, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, dict[str, str], list[str], str]:
    """Status, headers, Set-Cookie values and text of one request (no redirects)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return (
                response.status,
                dict(response.headers),
                response.headers.get_all("set-cookie") or [],
                response.read().decode(),
            )
    except urllib.error.HTTPError as error:
        return (
            error.code,
            dict(error.headers),
            error.headers.get_all("set-cookie") or [],
            error.read().decode(),
        )


def _cookie(values: list[str], name: str) -> str:
    for value in values:
        parsed = SimpleCookie(value)
        if name in parsed:
            return parsed[name].value
    raise AssertionError(f"no {name} cookie")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """``alumni-graph serve --workers 2`` on a SQLite file with the sample programme."""
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    store = SqliteStore(url)
    store.apply(programme(), sample_run())
    keys = make_keys(store)
    store.close()
    port = free_port()
    env = {
        **os.environ,
        "ALUMNI_GRAPH_STAGED_UPLOAD_DIR": str(tmp_path / "staged"),
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]), *sys.path]),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli.main import main; main()",
            "serve",
            "--store",
            url,
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"the server stopped: {process.stdout.read() if process.stdout else ''}"
                )
            try:
                if _http("GET", f"{base}/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not start in 60 s")
            time.sleep(0.2)
        yield Server(base, keys, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _stop(server: Server) -> str:
    """Stop the server (as Ctrl-C would) and return everything it printed."""
    os.killpg(server.process.pid, signal.SIGINT)
    output, _ = server.process.communicate(timeout=30)
    return output


def _sign_in(server: Server, key: str) -> str:
    _, _, cookies, page = _http("GET", f"{server.url}/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    status, _, set_cookies, _ = _http(
        "POST",
        f"{server.url}/sign-in",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"ag_sign_in={_cookie(cookies, 'ag_sign_in')}",
        },
        body=urllib.parse.urlencode({"key": key, "csrf_token": token.group(1)}).encode(),
    )
    assert status == 303
    return _cookie(set_cookies, "ag_session")


def test_two_workers_share_sessions_and_log_no_person(server: Server) -> None:
    session = _sign_in(server, server.keys.alumni)
    cookie = {"Cookie": f"ag_session={session}"}
    # many requests: the two workers each answer some, and each knows the session
    answers = [_http("GET", f"{server.url}/me", headers=cookie)[0] for _ in range(30)]
    assert answers == [200] * 30
    admin = {"Authorization": f"Bearer {server.keys.admin}"}
    for url in (
        "/people/ann?q=Ann+Example",
        "/people?q=Bob+Example&limit=5",
        "/people/cat/contacts",
        "/person/dan",
        "/people/eve/nothing?email=eve@example.org",
    ):
        _http("GET", server.url + url, headers=admin if url.startswith("/people") else cookie)
    # a client naming another address: no proxy is trusted, so it is not believed
    spoofed = {"X-Forwarded-For": "203.0.113.66", "Forwarded": "for=203.0.113.67", **admin}
    assert _http("GET", f"{server.url}/health", headers=spoofed)[0] == 200
    output = _stop(server)
    assert "203.0.113.66" not in output and "203.0.113.67" not in output
    access = [line for line in output.splitlines() if '"GET ' in line]
    assert any('"GET /people/{person_id} HTTP/1.1" 200' in line for line in access), output
    assert any('"GET /person/{person_id} HTTP/1.1"' in line for line in access), output
    assert any('"GET /people/… HTTP/1.1" 404' in line for line in access), output
    for line in access:
        assert "?" not in line and "q=" not in line, line
        assert not re.search(r"\b(ann|bob|cat|dan|eve)\b", line), line
    for value in ("Example", "example.org"):
        assert value not in output
    # each worker said when its warm read was done (the service's own log, configured
    # beside uvicorn's), and said nothing else about it
    warmed = [line for line in output.splitlines() if "warm network read at start" in line]
    assert len(warmed) == 2, output
    assert all(re.fullmatch(r"INFO: +warm network read at start in \d+\.\d s", w) for w in warmed)
    record("access_log_lines_checked", len(access))
