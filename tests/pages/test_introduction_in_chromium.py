"""Asking for an introduction to anyone at an organisation, from the pages, on the demo in
headless Chromium at a desktop's and a phone's width (issue 18, item 3): an alumna picks
an organisation, asks, and reads a route whose every person is a link to that person's
page and whose hop text is in full; no console error; nothing scrolls sideways.

Expected facts come from the demo's bundles (who works where, the projects' titles),
never from the introduction code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from api.keys import issue_key
from graph.model import KeyRole
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from ingest.read import read_bundle
from tests.browser import Screenshot, Serve

from ..api.conftest import SETTINGS
from ..conftest import Demo
from ..services.test_people_search import Listed, bundle_people
from .test_in_chromium import own_errors, sign_in, texts

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
# an organisation the first alumna in the directory has no colleague in, reached through
# someone else; the hops name projects with long titles
TARGET = "Hertfordshire and West Essex ICB"
PROJECT = re.compile(r"worked together on project (.+?)(?:;|$)")


@pytest.fixture
def demo_store(demo_programme: Demo, tmp_path: Path) -> Iterator[GraphStore]:
    store = SqliteStore(f"sqlite:///{demo_programme.sqlite_copy(tmp_path / 'demo.db')}")
    yield store
    store.close()


@pytest.fixture
def site(serve: Serve, demo_store: GraphStore) -> str:
    return serve(demo_store, SETTINGS)


@pytest.fixture
def listed(demo_programme: Demo) -> dict[str, Listed]:
    return bundle_people(demo_programme.bundles)


@pytest.fixture
def titles(demo_programme: Demo) -> set[str]:
    """Every project's full title, as the bundles state it."""
    return {
        str(row.cells["title"]).strip()
        for path in demo_programme.bundles
        for row in read_bundle(path).rows("projects")
    }


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_alumna_asks_for_an_introduction_to_an_organisation_and_reads_the_route(
    page: Page,
    site: str,
    demo_store: GraphStore,
    listed: dict[str, Listed],
    titles: set[str],
    page_errors: list[str],
    screenshot: Screenshot,
    viewport: str,
) -> None:
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    email = min(e for e, p in listed.items() if p.directory)
    me = demo_store.person_by_email(email)
    assert listed[email].organisation != TARGET
    key, _ = issue_key(demo_store, KeyRole.ALUMNI, me.id)
    sign_in(page, site, key)

    page.goto(f"{site}/introduction")
    page.select_option("#organisation", label=TARGET)
    with page.expect_navigation():
        page.click("#to-organisation button")
    assert page.inner_text("h2") == f"From {me.name} to anyone at {TARGET}"

    # the first route: from me, through people the directory lists, to someone at TARGET
    route = page.locator("section.path").first
    hops = route.locator("ol.hops > li")
    assert hops.count() >= 2  # someone in between, who must be a link too
    people = [[a.inner_text() for a in hop.locator("a").all()] for hop in hops.all()]
    assert all(len(pair) == 2 for pair in people), "every person in a hop is a link"
    chain = [people[0][0], *(pair[1] for pair in people)]
    assert all(a[1] == b[0] for a, b in zip(people, people[1:], strict=False))
    assert chain[0] == me.name
    by_name = {p.name: p for p in listed.values()}
    assert by_name[chain[-1]].organisation == TARGET
    assert all(by_name[name].directory for name in chain)
    # every link (in the list and in the drawing) opens that person's page
    hrefs = {str(a.get_attribute("href")): a.inner_text() for a in route.locator("ol.hops a").all()}
    expected = {f"/person/{demo_store.person_by_email(by_name[n].email).id}": n for n in chain}
    assert hrefs == expected
    drawn = route.locator("svg a")
    assert drawn.count() == len(chain)
    assert {str(a.get_attribute("href")) for a in drawn.all()} == set(expected)

    # hop text in full: no ellipsis, and every project named by its whole title
    named = []
    for text in texts(page, "section.path:first-of-type ol.hops > li"):
        assert "…" not in text and "..." not in text, text
        named += PROJECT.findall(text)
    assert named, "the demo's route names at least one project"
    assert set(named) <= titles

    if viewport == "phone":
        assert no_sideways_scroll(page)
    screenshot(page, viewport)
    middle = chain[1]
    with page.expect_navigation():
        route.locator("ol.hops a", has_text=middle).first.click()
    assert page.inner_text("h1") == middle
    assert own_errors(page_errors) == []
