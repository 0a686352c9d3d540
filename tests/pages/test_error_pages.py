"""Pages answer errors as pages, the API as problem+json (issue 18, item 7); the icon,
the sign-in page and the team's links in the navigation.

On the sample programme (tests/contract/sample.py): cohorts c2019 and c2021; the
alumni key is Ann's; Dan has no directory consent.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.problems import PROBLEM_JSON

from ..api.conftest import Keys
from .conftest import form_token, sign_in

NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


def _nav(html: str) -> list[str]:
    found = NAV.search(html)
    assert found is not None, "the page has no navigation"
    return HREF.findall(found.group(1))


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/dashboard?as_of=2024-13-45", 422, "as_of '2024-13-45' is not a date: write it as"),
        ("/dashboard?as_of=yesterday", 422, "as_of 'yesterday' is not a date"),
        ("/find?page=0", 422, "page '0': input should be greater than or equal to 1."),
        ("/no-such-page", 404, "There is no page at this address."),
    ],
)
def test_a_bad_page_address_shows_the_sites_error_page(
    client: TestClient, keys: Keys, url: str, status: int, words: str
) -> None:
    sign_in(client, keys.programme)
    answer = client.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert words in answer.text.replace("&#39;", "'")
    assert "/dashboard" in _nav(answer.text)  # the site's page, signed in, not a bare text


def test_the_api_keeps_answering_problems_as_json(client: TestClient, keys: Keys) -> None:
    bad_date = client.get("/metrics/network?as_of=yesterday", headers=keys.header("programme"))
    assert bad_date.status_code == 422
    assert bad_date.headers["content-type"] == PROBLEM_JSON
    assert bad_date.json()["errors"][0]["field"] == "as_of"
    nowhere = client.get("/no-such-page")  # a program's Accept: */*
    assert (nowhere.status_code, nowhere.headers["content-type"]) == (404, PROBLEM_JSON)


def test_an_unknown_cohort_in_the_api_suggests_the_closest(client: TestClient, keys: Keys) -> None:
    answer = client.get("/cohorts/c2O19", headers=keys.header("programme"))
    assert answer.status_code == 404
    assert answer.json()["detail"] == "cohort 'c2O19' not found; did you mean c2019?"


def test_an_unknown_person_in_the_api_suggests_no_one(client: TestClient, keys: Keys) -> None:
    """People are never suggested to an alumna: Dan (no directory consent) stays hidden."""
    answer = client.get("/people/dann", headers=keys.header("alumni"))
    assert answer.status_code == 404
    assert answer.json()["detail"] == "person 'dann' not found"


@pytest.mark.parametrize("url", ["/favicon.ico", "/favicon.svg"])
def test_the_icon_is_an_svg_kept_by_the_browser(client: TestClient, url: str) -> None:
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/svg+xml"
    assert "max-age=" in answer.headers["cache-control"]
    assert answer.content.startswith(b"<svg") and len(answer.content) < 2000


def test_sign_in_page_says_what_a_key_is_and_keeps_its_form(client: TestClient) -> None:
    html = client.get("/sign-in").text
    for heading in ("What is a key?", "Where do I get one?", "What happens to it?"):
        assert f"<h2>{heading}</h2>" in html
    assert 'action="/sign-in"' in html and 'name="key"' in html and form_token(html)
    assert "demo --keys" not in html  # a developer's hint, not a person's
    assert 'href="/favicon.svg"' in html


def test_team_pages_are_in_the_navigation_for_the_team_only(client: TestClient, keys: Keys) -> None:
    team = ["/dashboard", "/programme", "/survey-waves", "/mentors", "/selection", "/upload"]
    sign_in(client, keys.programme)
    served = {p for p in team if client.get(p).status_code != 404}  # /programme: if merged
    shown = _nav(client.get("/").text)
    assert shown == ["/find", "/introduction", "/issues", *(p for p in team if p in served)]
    assert {"/mentors", "/selection", "/survey-waves"} <= set(shown)
    client.cookies.clear()
    sign_in(client, keys.alumni)
    assert _nav(client.get("/").text) == ["/find", "/introduction", "/issues"]
