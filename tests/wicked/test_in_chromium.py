"""The issue page in headless Chromium (tests/browser.py): the programme team reads who
can help and records a handover from the page, on the grown sample
(tests/wicked/sample.py), on each store, at a desktop and a phone's width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from graph.model import Handover
from graph.store import GraphStore
from tests.browser import Screenshot, Serve

from ..api.conftest import SETTINGS, Keys

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(serve: Serve, baton_store: GraphStore) -> str:
    return serve(baton_store, SETTINGS)


def sign_in(page: Page, site: str, key: str) -> None:
    page.goto(f"{site}/sign-in")
    page.fill("#key", key)
    with page.expect_navigation():
        page.click("form.sign-in button")


def texts(page: Page, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(selector).all_inner_texts()]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_programme_records_a_handover_from_the_issue_page(
    page: Page,
    site: str,
    keys: Keys,
    baton_store: GraphStore,
    page_errors: list[str],
    screenshot: Screenshot,
    viewport: str,
) -> None:
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    sign_in(page, site, keys.programme)
    page.goto(f"{site}/issues/rural-isolation")
    # by hand (tests/wicked/sample.py): Bob led pr-ri (4), Cat worked on it (3), Hal
    # opens ECFRS (1.5); Dan, its sponsor, can be neither contacted nor introduced
    helpers = texts(page, "ol.supporters > li > a")
    assert helpers == ["Bob Example", "Cat Example", "Hal Example"]
    assert texts(page, "ol.supporters > li:first-child li.reason") == [
        "led Village connectors (Leading Greater Essex 2019)"
    ]
    page.select_option("#from_project_id", "pr-ri")
    page.fill("#to_cohort_id", "c2021")
    page.fill("#handover-date", "2020-07-15")
    page.fill("#handover-notes", "Learned: halls reach people. Remains: funding.")
    with page.expect_navigation():
        page.click("form.handover-form button")
    assert "Handover created" in page.inner_text("#recorded")
    assert "Handed over to Leading Greater Essex 2021 on 15 July 2020" in page.inner_text(
        "#project-pr-ri"
    )
    stored = baton_store.find(Handover, {"issue_id": "rural-isolation"}).data
    assert [(h.from_project_id, h.to_cohort_id, h.date.isoformat()) for h in stored] == [
        ("pr-ri", "c2021", "2020-07-15")
    ]
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth + 1).map(e => e.tagName + '.' + e.className + '#' + e.id"
        " + ':' + Math.round(e.getBoundingClientRect().right))"
    )
    assert not wide, f"the page scrolls sideways: {wide}"
    screenshot(page, viewport)
    assert page_errors == []
