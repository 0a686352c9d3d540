"""The pages as people use them, in headless Chromium (Debian's, through Playwright),
on the sample programme: sign in, find alumni, open a person, draw an introduction
path, read a wicked issue's lineage, and upload a bundle (a bad one shows its errors
row by row; a good one loads). Each test leaves a screenshot in ``test-artifacts/``.

The alumni key is Ann's. Dan has not consented to the directory: an alumni key never
sees him, and no path goes through him, whoever asks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from graph.store import GraphStore
from tests.browser import Screenshot, Serve

from ..api.conftest import SETTINGS, Keys, bundle_tables, write_json_bundle

MAPS = "/visualisations/network.html"


@pytest.fixture
def site(serve: Serve, sample_store: GraphStore) -> str:
    return serve(sample_store, SETTINGS)


def sign_in(page: Page, site: str, key: str) -> None:
    page.goto(f"{site}/sign-in")
    page.fill("#key", key)
    with page.expect_navigation():
        page.click("form.sign-in button")


def texts(page: Page, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(selector).all_inner_texts()]


def own_errors(errors: list[str], *expected: str) -> list[str]:
    """Errors of the pages themselves, less those ``expected`` (Chromium logs every
    response of 400 or more, a deliberate 401 included); the embedded map belongs to
    another route and is left out."""
    return [e for e in errors if MAPS not in e and not any(x in e for x in expected)]


def test_sign_in_with_a_wrong_key_shows_an_error_and_stays_signed_out(
    page: Page, site: str, page_errors: list[str]
) -> None:
    page.goto(f"{site}/sign-in")
    page.fill("#key", "ag_this-is-not-a-key")
    with page.expect_navigation():
        page.click("form.sign-in button")
    assert page.url == f"{site}/sign-in"  # posted, never put in the address
    assert "unknown or revoked" in page.inner_text("p.error")
    assert not any(c["name"] == "ag_session" for c in page.context.cookies())
    page.goto(f"{site}/find")
    assert page.url == f"{site}/sign-in"  # sent back: not signed in
    assert own_errors(page_errors, "status of 401 (Unauthorized)") == []


def test_alumni_find_someone_open_them_and_see_the_way_to_them(
    page: Page, site: str, keys: Keys, page_errors: list[str], screenshot: Screenshot
) -> None:
    sign_in(page, site, keys.alumni)
    assert page.inner_text("h1") == "Welcome, Ann Example"
    page.fill("#q", "example")
    with page.expect_navigation():
        page.click("form.search button")
    found = [t.split(" Head of")[0] for t in texts(page, "#results li")]
    assert found == ["Ann Example", "Bob Example", "Cat Example", "Eve Example", "Fay Example"]
    screenshot(page, "search")

    with page.expect_navigation():
        page.click("#results a:text('Bob Example')")
    assert page.inner_text("h1") == "Bob Example"
    assert page.locator("#contacts, iframe.map").count() == 0  # their own network only

    with page.expect_navigation():
        page.click("a.button")  # who can introduce me to Bob?
    paths = page.locator("section.path")
    assert paths.count() == 2
    assert paths.nth(0).locator("svg circle").count() == 2  # Ann - Bob
    assert paths.nth(1).locator("svg circle").count() == 3  # Ann - Cat - Bob
    direct = texts(page, "section.path:nth-of-type(1) ol.hops li")
    assert direct == [
        "Ann Example → Bob Example: worked together on project Domestic abuse pathways; "
        "named them as an advice contact in the baseline survey of Leading Greater Essex 2019"
    ]
    assert page.locator("section.path svg").nth(1).get_attribute("aria-label") == (
        "Ann Example to Cat Example to Bob Example"
    )
    screenshot(page, "path")
    assert own_errors(page_errors) == []


def test_alumni_see_their_contacts_elsewhere_but_never_dan(
    page: Page, site: str, keys: Keys, page_errors: list[str]
) -> None:
    sign_in(page, site, keys.alumni)
    page.goto(f"{site}/person/ann")
    assert page.get_attribute("iframe.map", "src") == f"{MAPS}?person=ann"
    contacts = texts(page, "#contacts > li > a")
    assert sorted(contacts) == ["Bob Example", "Cat Example"]  # Cat moved to Essex Police
    page.goto(f"{site}/find?q=dan")
    assert page.locator("#results li").count() == 0
    response = page.goto(f"{site}/person/dan")
    assert response is not None and response.status == 404
    # Fay is reachable only through Dan (Cat -> Dan -> Fay), who may not be routed through
    page.goto(f"{site}/introduction?to=fay")
    assert page.locator("#no-path").count() == 1
    page.goto(f"{site}/issues/domestic-abuse")
    lineage = page.inner_text("#lineage")
    assert "Led by Ann Example" in lineage and "Dan" not in lineage
    assert own_errors(page_errors, f"status of 404 (Not Found) ({site}/person/dan)") == []


def test_programme_upload_bad_bundle_shows_each_error_then_a_good_one_loads(
    page: Page,
    site: str,
    keys: Keys,
    sample_store: GraphStore,
    tmp_path: Path,
    page_errors: list[str],
    screenshot: Screenshot,
) -> None:
    tables = bundle_tables()
    tables["people"][0]["email"] = "gus-at-example"
    tables["people"][1]["organisation"] = "Essex Fire and Rescue"
    tables["members"][1]["role"] = "boss"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tables))
    runs = len(sample_store.runs())

    sign_in(page, site, keys.programme)
    page.goto(f"{site}/upload")
    page.set_input_files("#file", str(bad))
    with page.expect_navigation():
        page.click("form.upload button")
    rows = [r.split("\t") for r in page.locator("#errors tbody tr").all_inner_texts()]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("people", "item 1", "email", "gus-at-example"),
        ("people", "item 2", "organisation", "Essex Fire and Rescue"),
        ("members", "item 1", "email", "gus@example.org"),  # Gus's row has no valid email
        ("members", "item 2", "role", "boss"),
    ]
    assert "did you mean: Essex County Fire and Rescue Service" in rows[1][4]
    assert page.locator("form.load").count() == 0  # nothing to load
    assert len(sample_store.runs()) == runs
    screenshot(page, "refused")

    good = write_json_bundle(tmp_path)
    page.set_input_files("#file", str(good))
    with page.expect_navigation():
        page.click("form.upload button")
    assert "checked, ready to load" in page.inner_text("section.report h2")
    assert len(sample_store.runs()) == runs  # a check writes nothing
    with page.expect_navigation():
        page.click("form.load button")
    assert "loaded" in page.inner_text("section.report h2")
    assert len(sample_store.runs()) == runs + 1
    screenshot(page, "loaded")
    assert own_errors(page_errors, f"status of 422 (Unprocessable Entity) ({site}/upload)") == []


def test_a_form_posted_from_another_site_changes_nothing(
    page: Page, site: str, keys: Keys, sample_store: GraphStore, tmp_path: Path
) -> None:
    """SameSite=Strict keeps the cookie off a cross-site post, and the CSRF token is
    checked anyway: a forged post without it is refused even with the cookie."""
    sign_in(page, site, keys.programme)
    page.goto(f"{site}/upload")
    page.set_input_files("#file", str(write_json_bundle(tmp_path)))
    with page.expect_navigation():
        page.click("form.upload button")
    staged = page.get_attribute("form.load input[name=staged]", "value")
    runs = len(sample_store.runs())

    forged = page.request.post(f"{site}/upload/load", form={"staged": staged or ""})
    assert forged.status == 403
    assert forged.headers["content-type"] == "application/problem+json"
    assert len(sample_store.runs()) == runs

    attacker = "http://attacker.invalid/"
    page.route(
        attacker,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<form id="f" method="post" action="{site}/upload/load">'
            f'<input name="staged" value="{staged}"></form>'
            "<script>document.getElementById('f').submit()</script>",
        ),
    )
    with page.expect_navigation(url=f"{site}/upload/load"):
        page.goto(attacker)
    assert "Forbidden" in page.inner_text("body")
    assert len(sample_store.runs()) == runs

    page.goto(f"{site}/upload")
    assert page.inner_text("h1") == "Upload a cohort bundle"  # still signed in


def test_pages_send_security_headers_and_a_strict_cookie(
    page: Page, site: str, keys: Keys, page_errors: list[str], screenshot: Screenshot
) -> None:
    sign_in(page, site, keys.programme)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "ag_session"]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert cookie["value"] != keys.programme
    for path in ("/", "/dashboard?as_of=2020-06-01", "/issues"):
        response = page.goto(f"{site}{path}")
        assert response is not None and response.status == 200
        headers = response.headers
        assert "default-src 'none'" in headers["content-security-policy"]
        assert "frame-ancestors 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert "permissions-policy" in headers
    # the stylesheet is allowed by the policy and applied (a violation would be logged)
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    assert own_errors(page_errors) == []
    screenshot(page, "issues")
