"""``make run`` for a person: ``alumni-graph demo --keys`` prints a key per role, and
whoever holds one signs in at ``/`` with it and finds their way around the demo
programme, the maps and the report included (headless Chromium, SQLite)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from typer.testing import CliRunner

from cli.main import app as cli
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from tests.browser import Screenshot, Serve

PRINTED_KEY = re.compile(r"^\s+(admin|programme|alumni)\s+(ag_\S+)(?: \((.+), (.+)\))?$", re.M)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], str]]:
    """(store URL, the keys ``demo --keys`` printed by role, the alumni key's person)."""
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'graph.db'}"
    result = CliRunner().invoke(
        cli, ["demo", "--store", url, "--out", str(folder / "bundles"), "--keys"]
    )
    assert result.exit_code == 0, result.output
    printed = PRINTED_KEY.findall(result.output)
    keys = {role: key for role, key, _, _ in printed}
    assert set(keys) == {"admin", "programme", "alumni"}
    (alumnus,) = [name for role, _, name, _ in printed if role == "alumni"]
    yield url, keys, alumnus


@pytest.fixture
def demo_site(demo: tuple[str, dict[str, str], str], serve: Serve) -> Iterator[str]:
    store: GraphStore = SqliteStore(demo[0])
    yield serve(store)
    store.close()


def sign_in(page: Page, site: str, key: str) -> None:
    page.goto(f"{site}/")  # a person starts at the address make run gives
    assert page.url == f"{site}/sign-in"
    page.fill("#key", key)
    with page.expect_navigation():
        page.click("form.sign-in button")


def test_demo_alumnus_signs_in_with_the_printed_key_and_sees_their_map(
    page: Page,
    demo_site: str,
    demo: tuple[str, dict[str, str], str],
    page_errors: list[str],
    screenshot: Screenshot,
) -> None:
    _, keys, alumnus = demo
    sign_in(page, demo_site, keys["alumni"])
    assert page.inner_text("h1") == f"Welcome, {alumnus}"
    with page.expect_response(lambda r: "/visualisations/network.html" in r.url) as framed:
        page.click("text=My network")
    assert framed.value.status == 200  # the session cookie authorises the framed map
    assert page.inner_text("h1") == alumnus
    assert page.locator("#contacts > li").count() > 0
    page.frame_locator("iframe.map").locator("body").wait_for()
    screenshot(page, "my-network")
    assert page_errors == []


def test_demo_programme_team_sees_every_cohort_on_the_dashboard(
    page: Page,
    demo_site: str,
    demo: tuple[str, dict[str, str], str],
    page_errors: list[str],
) -> None:
    sign_in(page, demo_site, demo[1]["programme"])
    page.goto(f"{demo_site}/dashboard")
    cohorts = [row.split("\t")[0] for row in page.locator("#cohorts tbody tr").all_inner_texts()]
    assert cohorts == [
        "Leading Greater Essex 2019",
        "Leading Greater Essex 2020",
        "Leading Greater Essex 2021",
    ]
    with page.expect_navigation():
        page.click("#cohorts tbody tr:first-child a")
    assert page.url.endswith("/reports/cohort/lge-2019")
    assert "Leading Greater Essex 2019" in page.inner_text("body")
    assert page_errors == []
