"""Every page in the site's navigation, in headless Chromium, on a desktop and on a phone
(issue 18, item 7): each opens with no console error (the icon included) and, on the
phone, nothing scrolls sideways; a bad date on the dashboard shows the site's error page.

On the sample programme (tests/contract/sample.py), as an alumna (Ann) and as the
programme team, whose navigation holds the team's pages too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from graph.store import GraphStore
from tests.browser import Screenshot, Serve

from ..api.conftest import SETTINGS, Keys
from .test_in_chromium import own_errors, sign_in

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
TEAM_PAGES = {"/dashboard", "/survey-waves", "/mentors", "/selection", "/upload"}


@pytest.fixture
def site(serve: Serve, sample_store: GraphStore) -> str:
    return serve(sample_store, SETTINGS)


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def navigation(page: Page) -> list[str]:
    return [str(a.get_attribute("href")) for a in page.locator('nav[aria-label="Main"] a').all()]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("role", ["alumni", "programme"])
def test_every_page_in_the_navigation_opens_cleanly(
    page: Page,
    site: str,
    keys: Keys,
    page_errors: list[str],
    screenshot: Screenshot,
    role: str,
    viewport: str,
) -> None:
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, site, getattr(keys, role))
    links = navigation(page)
    assert {"/find", "/introduction", "/issues"} <= set(links)
    assert (TEAM_PAGES <= set(links)) is (role == "programme")
    assert not TEAM_PAGES & set(links) or role == "programme"
    wide = []
    for link in ["/", *links]:
        answer = page.goto(f"{site}{link}")
        assert answer is not None and answer.status == 200, link
        assert navigation(page) == links, link  # the same navigation on every page
        if viewport == "phone" and not no_sideways_scroll(page):
            wide.append(link)
            screenshot(page, link.strip("/") or "home")
    assert wide == []
    assert own_errors(page_errors) == []


def test_a_bad_date_on_the_dashboard_shows_the_error_page(
    page: Page, site: str, keys: Keys, page_errors: list[str]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, site, keys.programme)
    answer = page.goto(f"{site}/dashboard?as_of=2024-02-30")
    assert answer is not None and answer.status == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert page.inner_text("h1") == "This address does not work"
    assert "'2024-02-30' is not a date" in page.inner_text("p.error")
    assert "/dashboard" in navigation(page)  # still the site, still signed in
    assert no_sideways_scroll(page)
    assert own_errors(page_errors, "status of 422") == []
