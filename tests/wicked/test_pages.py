"""The issue page (issue 18, item 5): who can help, ranked with reasons; recording a
handover from the page (programme team, CSRF-protected, the API's rules and errors);
the same dates as the handover pack. On the grown sample (tests/wicked/sample.py), on
each store; expected answers worked out by hand from the sample's table."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from graph.model import Handover
from graph.store import GraphStore

from ..api.conftest import Keys
from ..pages.conftest import client as client  # the pages' app, on sample_store below
from ..pages.conftest import form_token, sign_in
from ..pages.conftest import keys as keys
from ..pages.conftest import pages_client as pages_client

RURAL = "/issues/rural-isolation"
GOOD = {"from_project_id": "pr-ri", "to_cohort_id": "c2021", "date": "2020-07-15"}


@pytest.fixture
def sample_store(baton_store: GraphStore) -> GraphStore:
    """The grown sample in place of the pages' own (``client`` and ``keys`` use it)."""
    return baton_store


def handovers(store: GraphStore, issue_id: str) -> list[tuple[str, str, date, str | None]]:
    found = store.find(Handover, {"issue_id": issue_id}).data
    return sorted((h.from_project_id, h.to_cohort_id, h.date, h.notes) for h in found)


# -- who can help -----------------------------------------------------------------------


def _helpers(page: str) -> list[tuple[str, list[str]]]:
    """(person id, reasons) of each supporter on the page, in page order."""
    section = page.split('<section id="who-can-help"')[1].split("</section>")[0]
    shown = []
    for item in section.split('<li class="person supporter">')[1:]:
        person = re.search(r'href="/person/([^"]+)"', item)
        assert person is not None
        reasons = re.findall(r'<li class="reason [a-z_]+">([^<]*)</li>', item)
        shown.append((person.group(1), [html.unescape(r) for r in reasons]))
    return shown


def test_issue_page_ranks_who_can_help_with_reasons(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.programme)
    page = client.get("/issues/domestic-abuse")
    assert page.status_code == 200
    shown = _helpers(page.text)
    # by hand (tests/wicked/sample.py): Ann led pr-da (4), Bob and Cat worked on it (3),
    # Gil opens ECFRS (2.5); Dan (sponsor) can be neither contacted nor introduced, and
    # Fay and Eve are the receiving team
    assert [pid for pid, _ in shown] == ["ann", "bob", "cat", "gil"]
    assert shown[0][1] == ["led Domestic abuse pathways (Leading Greater Essex 2019)"]
    assert shown[3][1] == [
        "works at Essex County Fire and Rescue Service, which no project on this issue"
        " has involved yet",
        "knows someone on its projects",
        "interested in domestic abuse",
    ]


def test_issue_page_pages_through_who_can_help(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.alumni)  # Ann: she is left out of her own list
    first = _helpers(client.get("/issues/domestic-abuse").text)
    assert [pid for pid, _ in first] == ["bob", "cat", "gil"]
    later = client.get("/issues/domestic-abuse?offset=2").text
    assert [pid for pid, _ in _helpers(later)] == ["gil"]
    assert 'rel="prev" href="/issues/domestic-abuse?offset=0#who-can-help"' in later
    assert 'rel="next"' not in later  # 3 in all, from the third on


# -- recording a handover -----------------------------------------------------------------


def test_record_handover_from_the_page_as_programme_writes_it_once(
    client: TestClient, keys: Keys, sample_store: GraphStore
) -> None:
    sign_in(client, keys.programme)
    token = form_token(client.get(RURAL).text)
    before = handovers(sample_store, "rural-isolation")
    sent = {**GOOD, "notes": "Remains: funding.", "csrf_token": token}
    response = client.post(f"{RURAL}/handovers", data=sent)
    assert response.status_code == 201, response.text
    assert 'id="recorded"' in response.text and "Handover created" in response.text
    assert handovers(sample_store, "rural-isolation") == [
        *before,
        ("pr-ri", "c2021", date(2020, 7, 15), "Remains: funding."),
    ]
    run_id = re.search(r"run <code>([^<]+)</code>", response.text)
    assert run_id is not None and run_id.group(1) in {r.id for r in sample_store.runs()}
    again = client.post(f"{RURAL}/handovers", data=sent)
    assert again.status_code == 200 and "Handover unchanged" in again.text
    assert len(handovers(sample_store, "rural-isolation")) == len(before) + 1


def test_record_handover_from_the_page_as_alumni_is_refused(
    client: TestClient, keys: Keys, sample_store: GraphStore
) -> None:
    sign_in(client, keys.alumni)
    page = client.get(RURAL).text
    assert 'id="record-handover"' not in page  # no form for alumni
    response = client.post(f"{RURAL}/handovers", data={**GOOD, "csrf_token": form_token(page)})
    assert response.status_code == 403
    assert handovers(sample_store, "rural-isolation") == []


def test_record_handover_from_the_page_without_csrf_token_is_refused(
    client: TestClient, keys: Keys, sample_store: GraphStore
) -> None:
    sign_in(client, keys.programme)
    for token in (None, "not-the-token"):
        data = GOOD if token is None else {**GOOD, "csrf_token": token}
        response = client.post(f"{RURAL}/handovers", data=data)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
    assert handovers(sample_store, "rural-isolation") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2019-06-30"}, "date"),  # before pr-ri started (2019-07-01)
        ({"from_project_id": "pr-da"}, "from_project_id"),  # pr-da is on another issue
        ({"date": "30/06/2020"}, "date"),  # not a date as the API takes it
    ],
)
def test_record_handover_from_the_page_refuses_what_the_api_refuses(
    client: TestClient, keys: Keys, sample_store: GraphStore, change: dict[str, str], field: str
) -> None:
    api = client.post(
        "/wicked-issues/rural-isolation/handovers",
        json={**GOOD, **change},
        headers=keys.header("programme"),
    )
    assert api.status_code == 422
    sign_in(client, keys.programme)
    token = form_token(client.get(RURAL).text)
    page = client.post(f"{RURAL}/handovers", data={**GOOD, **change, "csrf_token": token})
    assert page.status_code == 422
    assert 'id="errors"' in page.text and "nothing was written" in page.text
    cells = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td></tr>",
                       page.text)  # fmt: skip
    from_api = [(e["field"].removeprefix("body."), e["reason"]) for e in api.json()["errors"]]
    assert [(f, html.unescape(r)) for f, r in cells] == from_api
    assert [f for f, _ in cells] == [field]
    assert handovers(sample_store, "rural-isolation") == []


# -- one set of dates -----------------------------------------------------------------------


def _step_dates(html: str) -> dict[str, str]:
    """Each step's dates text, by project id, from the page or the pack's HTML."""
    found = re.findall(
        r'<li class="step" id="project-([^"]+)">.*?<span class="dates">([^<]*)</span>', html, re.S
    )
    return dict(found)


def _handover_days(html: str) -> list[str]:
    return re.findall(r"Handed over</strong> to [^<]*? on (\d{1,2} [A-Z][a-z]+ \d{4})", html)


def test_issue_page_and_pack_give_the_same_dates(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.programme)
    page = client.get("/issues/domestic-abuse").text
    pack = client.get(
        "/wicked-issues/domestic-abuse/handover-pack?format=html",
        headers=keys.header("programme"),
    ).text
    # by hand: pr-da ran from 2019-06-01 until its handover on 2020-12-01 (due
    # 2020-11-30); pr-da2 is still active (due 2022-05-31)
    expected = {
        "pr-da": "1 June 2019 to 1 December 2020 (due 30 November 2020)",
        "pr-da2": "1 June 2021 to now (due 31 May 2022)",
    }
    assert _step_dates(page) == expected
    assert _step_dates(pack) == expected
    assert _handover_days(page) == _handover_days(pack) == ["1 December 2020"]
    markdown = client.get(
        "/wicked-issues/domestic-abuse/handover-pack", headers=keys.header("programme")
    ).text
    assert [line for line in markdown.splitlines() if line.startswith("- Dates: ")] == [
        f"- Dates: {expected['pr-da']}",
        f"- Dates: {expected['pr-da2']}",
    ]


def test_finished_project_ends_on_its_due_date_on_page_and_pack(
    client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.alumni)
    page = client.get(RURAL).text
    pack = client.get(
        "/wicked-issues/rural-isolation/handover-pack?format=html", headers=keys.header("alumni")
    ).text
    # pr-ri completed without a handover: it ends on its due date, shown once
    assert _step_dates(page) == _step_dates(pack) == {"pr-ri": "1 July 2019 to 30 June 2020"}
