"""Finding people on the demo, in headless Chromium (issue 18): search with a filter,
page through the results, open a recommendation and ask for the introduction; on a
phone, nothing scrolls sideways.

Expected people come from the demo's bundles (tests/services/test_people_search.py
reads them), never from the search itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from api.keys import issue_key
from graph.model import KeyRole
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from services import people
from services.consent import Viewer
from tests.browser import Screenshot, Serve

from ..api.conftest import SETTINGS
from ..conftest import Demo
from ..services.test_people_search import Listed, bundle_people
from .test_in_chromium import own_errors, sign_in, texts


@pytest.fixture
def demo_store(demo_programme: Demo, tmp_path: Path) -> Iterator[GraphStore]:
    store = SqliteStore(f"sqlite:///{demo_programme.sqlite_copy(tmp_path / 'demo.db')}")
    yield store
    store.close()


@pytest.fixture
def listed(demo_programme: Demo) -> dict[str, Listed]:
    return bundle_people(demo_programme.bundles)


@pytest.fixture
def site(serve: Serve, demo_store: GraphStore) -> str:
    return serve(demo_store, SETTINGS)


VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_find_with_a_filter_page_through_and_open_a_recommendation(
    page: Page,
    site: str,
    demo_store: GraphStore,
    listed: dict[str, Listed],
    page_errors: list[str],
    screenshot: Screenshot,
    viewport: str,
) -> None:
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    team, _ = issue_key(demo_store, KeyRole.PROGRAMME)
    sign_in(page, site, team)
    page.goto(f"{site}/find")
    page.select_option("#sector", "police")
    with page.expect_navigation():
        page.click("form.search button")
    force = sorted(p.name for p in listed.values() if p.organisation == "Essex Police")
    assert sorted(texts(page, "#results li > a")) == force
    assert page.locator("#sector option:checked").inner_text() == "police"
    screenshot(page, "filtered")

    page.goto(f"{site}/find")
    names = sorted(p.name for p in listed.values())
    assert texts(page, "#results li > a")[0] == names[0]
    with page.expect_navigation():
        page.click("a[rel=next]")
    assert page.url.endswith("/find?page=2")
    assert texts(page, "#results li > a")[0] == names[25]  # the next people, in name order
    with page.expect_navigation():
        page.click("a[rel=prev]")
    assert texts(page, "#results li > a")[0] == names[0]

    # an alumna with someone worth meeting in an organisation new to her
    for email in sorted(e for e, p in listed.items() if p.directory):
        me = demo_store.person_by_email(email)
        viewer = Viewer(role=KeyRole.ALUMNI, key_id="test", person_id=me.id)
        if people.worth_meeting(demo_store, viewer, me.id).count:
            break
    alumni, _ = issue_key(demo_store, KeyRole.ALUMNI, me.id)
    with page.expect_navigation():
        page.click("form.sign-out button")
    sign_in(page, site, alumni)
    page.goto(f"{site}/person/{me.id}")
    first = page.locator("#recommendations > li").first
    name = first.locator("a").first.inner_text()
    assert first.locator("ul.reasons li").count() >= 1
    with page.expect_navigation():
        first.locator("a.introduce").click()
    assert page.inner_text("h2") == f"From {me.name} to {name}"
    screenshot(page, "introduction")

    page.set_viewport_size({"width": 390, "height": 844})  # and on a phone, whichever began
    for url in ("/find?sector=police", f"/person/{me.id}", page.url.removeprefix(site)):
        page.goto(f"{site}{url}")
        assert no_sideways_scroll(page), url
    assert own_errors(page_errors) == []
