"""Bad input on the pages reads as words (issue 18, items 6 and 7): a form's refusal says
which field, the value and what is wrong ("is not a date: write it as YYYY-MM-DD"),
never pydantic's "Input should be" or a record's composite key; a filter in the find
page's address that names nothing says so, with what is close, instead of silently
finding nobody.

On the hand-drawn sample programme (tests/contract/sample.py): issue domestic-abuse
with project pr-da; organisations ecc "Essex County Council", mse-icb and essex-police
"Essex Police"; cohorts c2019 "Leading Greater Essex 2019" and c2021.
"""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from ..api.conftest import Keys
from .conftest import form_token, sign_in

ISSUE = "/issues/domestic-abuse"
ROW = re.compile(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>")


def refusals(page: str) -> list[tuple[str, ...]]:
    return [tuple(html.unescape(c) for c in row) for row in ROW.findall(page)]


def errors(page: str) -> list[str]:
    found = re.findall(r'<p class="error" role="alert">([^<]*)</p>', page)
    return [html.unescape(e) for e in found]


def names(page: str) -> list[str]:
    block = re.search(r'<ul class="people" id="results">(.*?)</ul>', page, re.S)
    assert block is not None
    return re.findall(r'<a href="/person/[^"]+">([^<]+)</a>', block.group(1))


@pytest.mark.parametrize(
    ("change", "row"),
    [
        (
            {"date": "2020-02-30"},
            (
                "the form",
                "date",
                "2020-02-30",
                "is not a date: write it as YYYY-MM-DD, e.g. 2024-03-31",
            ),
        ),
        ({"from_project_id": "pr-xx"}, ("the form", "from_project_id", "pr-xx", "no such project")),
    ],
    ids=["bad-date", "unknown-project"],
)
def test_a_refused_handover_names_the_field_the_value_and_why_in_words(
    client: TestClient, keys: Keys, change: dict[str, str], row: tuple[str, ...]
) -> None:
    sign_in(client, keys.programme)
    token = form_token(client.get(ISSUE).text)
    sent = {"from_project_id": "pr-da", "to_cohort_id": "c2021", "date": "2020-07-15"}
    answer = client.post(f"{ISSUE}/handovers", data={**sent, **change, "csrf_token": token})
    assert answer.status_code == 422
    assert refusals(answer.text) == [row]
    assert "Input should" not in answer.text and "|" not in "".join(refusals(answer.text)[0])


def test_the_api_gives_the_same_words_for_a_bad_date(client: TestClient, keys: Keys) -> None:
    answer = client.post(
        "/wicked-issues/domestic-abuse/handovers",
        json={"from_project_id": "pr-da", "to_cohort_id": "c2021", "date": "2020-02-30"},
        headers=keys.header("programme"),
    )
    assert answer.status_code == 422
    [item] = answer.json()["errors"]
    assert (item["field"], item["reason"]) == (
        "date",
        "is not a date: write it as YYYY-MM-DD, e.g. 2024-03-31",
    )


def test_find_by_a_mistyped_organisation_says_so_with_the_closest(
    client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.programme)
    answer = client.get("/find", params={"organisation": "Essex Polce"})
    assert answer.status_code == 200
    assert errors(answer.text) == [
        "Organisation 'Essex Polce': no organisation has this id or name;"
        " did you mean 'Essex Police'?"
    ]
    assert names(answer.text) == []


def test_find_by_an_organisations_name_finds_as_its_id_does(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.programme)
    by_id = client.get("/find", params={"organisation": "essex-police"})
    by_name = client.get("/find", params={"organisation": "essex police"})
    assert errors(by_name.text) == []
    assert names(by_name.text) == names(by_id.text) != []


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"sector": "planet"}, "Sector 'planet': is not a sector; choose one from the list"),
        (
            {"cohort": "Leading Greater Essex 2012"},
            "Cohort 'Leading Greater Essex 2012': no cohort has this id or name; did you mean"
            " 'Leading Greater Essex 2019' or 'Leading Greater Essex 2021'?",
        ),
    ],
    ids=["sector", "cohort"],
)
def test_find_by_a_filter_that_names_nothing_says_so(
    client: TestClient, keys: Keys, params: dict[str, str], said: str
) -> None:
    sign_in(client, keys.alumni)
    answer = client.get("/find", params=params)
    assert errors(answer.text) == [said]
