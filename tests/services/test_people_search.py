"""On the demo, search finds people the way people ask (issue 18), and ``GET /people``,
the ``/find`` page and ``alumni-graph people`` give the same answer.

Every expected set is worked out from the demo's bundles (their people and
organisations tables, later bundles overriding earlier ones), never from the search.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.keys import issue_key
from cli.main import app as cli_app
from graph.model import KeyRole, Organisation
from graph.store import GraphStore, Page
from ingest.read import read_bundle

from ..api.conftest import SETTINGS
from ..conftest import Demo
from ..pages.conftest import sign_in

YES = {"yes", "y", "true", "1"}


@dataclass(frozen=True)
class Listed:
    """A person as the bundles last state them."""

    email: str
    name: str
    organisation: str
    """Canonical name (aliases resolved)."""
    directory: bool


def bundle_people(bundles: list[Path]) -> dict[str, Listed]:
    """Every person of the bundles by email, as the last bundle naming them says."""
    canonical: dict[str, str] = {}
    stated: dict[str, dict[str, Any]] = {}
    for path in bundles:
        bundle = read_bundle(path)
        for row in bundle.rows("organisations"):
            name = str(row.cells["name"]).strip()
            aliases = str(row.cells.get("aliases") or "").split(";")
            for spelling in [name, *aliases]:
                if spelling.strip():
                    canonical[spelling.strip().casefold()] = name
        for row in bundle.rows("people"):
            email = str(row.cells["email"]).strip().casefold()
            given = {k: v for k, v in row.cells.items() if v not in (None, "")}
            stated[email] = {**stated.get(email, {}), **given}
    return {
        email: Listed(
            email=email,
            name=str(cells["name"]),
            organisation=canonical[str(cells["organisation"]).strip().casefold()],
            directory=str(cells.get("consent_directory", "no")).strip().casefold() in YES,
        )
        for email, cells in stated.items()
    }


@pytest.fixture(scope="module")
def demo(demo_programme: Demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_programme.sqlite_copy(tmp_path_factory.mktemp("search") / "demo.db")


@pytest.fixture(scope="module")
def listed(demo_programme: Demo) -> dict[str, Listed]:
    return bundle_people(demo_programme.bundles)


@pytest.fixture(scope="module")
def client(demo: Path) -> Iterator[TestClient]:
    app = create_app(store_url=f"sqlite:///{demo}", settings=SETTINGS)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture(scope="module")
def store(client: TestClient) -> GraphStore:
    found: GraphStore = client.app.state.store  # type: ignore[attr-defined]
    return found


@pytest.fixture(scope="module")
def ids(store: GraphStore, listed: dict[str, Listed]) -> dict[str, str]:
    """Email -> person id, as the store keys them."""
    return {email: store.person_by_email(email).id for email in listed}


@pytest.fixture(scope="module")
def alumnus(store: GraphStore, listed: dict[str, Listed], ids: dict[str, str]) -> str:
    """An alumni key: the first listed person, by email, who is in the directory."""
    email = min(e for e, p in listed.items() if p.directory)
    key, _ = issue_key(store, KeyRole.ALUMNI, ids[email])
    return key


@pytest.fixture(scope="module")
def team(store: GraphStore) -> str:
    key, _ = issue_key(store, KeyRole.PROGRAMME)
    return key


def api_ids(client: TestClient, key: str, **params: Any) -> list[str]:
    response = client.get("/people", params=params, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["data"]]


def page_ids(client: TestClient, key: str, **params: Any) -> tuple[list[str], str]:
    client.cookies.clear()
    sign_in(client, key)
    html = client.get("/find", params=params).text
    results = html.split('id="results"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="/person/([^"]+)"', results), html


def cli_ids(demo: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(
        cli_app, ["people", *args, "--format", "json", "--store", f"sqlite:///{demo}"]
    )
    assert result.exit_code == 0, result.output
    return [p["id"] for p in json.loads(result.output)["data"]]


def test_police_finds_exactly_the_consenting_staff_of_essex_police(
    client: TestClient, listed: dict[str, Listed], ids: dict[str, str], alumnus: str
) -> None:
    staff = {ids[e] for e, p in listed.items() if p.organisation == "Essex Police" and p.directory}
    assert len(staff) >= 5  # the demo's force is not a handful
    assert set(api_ids(client, alumnus, q="police", limit=500)) == staff
    assert set(api_ids(client, alumnus, q="Essex Police", limit=500)) == staff
    shown, _ = page_ids(client, alumnus, q="police")
    assert set(shown) == staff


def test_sian_finds_sian_whatever_the_accent(
    client: TestClient, listed: dict[str, Listed], ids: dict[str, str], team: str
) -> None:
    sians = {ids[e] for e, p in listed.items() if p.name.split()[0] in {"Siân", "Sian"}}
    assert sians, "the demo has a Siân"
    assert set(api_ids(client, team, q="Sian", limit=500)) >= sians
    assert set(api_ids(client, team, q="SIÂN", limit=500)) >= sians


def test_second_page_holds_the_next_people_everywhere(
    client: TestClient, demo: Path, listed: dict[str, Listed], ids: dict[str, str], team: str
) -> None:
    everyone = sorted(listed.values(), key=lambda p: (p.name, ids[p.email]))
    second = [ids[p.email] for p in everyone[25:50]]
    assert api_ids(client, team, limit=25, offset=25) == second
    shown, html = page_ids(client, team, page=2)
    assert shown == second
    assert 'rel="prev" href="/find?page=1"' in html and 'rel="next" href="/find?page=3"' in html
    assert cli_ids(demo, "--page", "2") == second


def test_a_filter_gives_the_same_people_in_the_api_the_page_and_the_cli(
    client: TestClient,
    demo: Path,
    listed: dict[str, Listed],
    ids: dict[str, str],
    team: str,
    store: GraphStore,
) -> None:
    staff = [ids[p.email] for p in sorted(listed.values(), key=lambda p: (p.name, ids[p.email]))
             if p.organisation == "Essex Police"]  # fmt: skip
    organisation_id = _organisation_id(store, "Essex Police")
    assert api_ids(client, team, organisation=organisation_id, limit=500) == staff
    shown, html = page_ids(client, team, organisation=organisation_id)
    assert shown == staff
    assert f'<option value="{organisation_id}" selected>Essex Police</option>' in html
    assert cli_ids(demo, "--organisation", "essex police") == staff  # a name, not an id


def _organisation_id(store: GraphStore, name: str) -> str:
    (found,) = [o for o in store.find(Organisation, None, Page(limit=1000)).data if o.name == name]
    return found.id


@pytest.mark.parametrize("alias", ["ECFRS", "MSE ICB"])
def test_an_organisations_alias_finds_exactly_its_consenting_staff(
    client: TestClient,
    demo_programme: Demo,
    listed: dict[str, Listed],
    ids: dict[str, str],
    alumnus: str,
    alias: str,
) -> None:
    (named,) = {
        str(row.cells["name"]).strip()
        for path in demo_programme.bundles
        for row in read_bundle(path).rows("organisations")
        if alias in [a.strip() for a in str(row.cells.get("aliases") or "").split(";")]
    }
    staff = {ids[e] for e, p in listed.items() if p.organisation == named and p.directory}
    assert len(staff) >= 2
    assert set(api_ids(client, alumnus, q=alias, limit=500)) == staff
