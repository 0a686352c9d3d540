"""``/wicked-issues`` and the delivery-tracking filters of ``/projects``, on the grown
sample (tests/wicked/sample.py), on each store. The alumni key is Ann's: she sees
people who consented to the directory (not Dan) and herself; emails only with consent
(not Bob's)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.problems import PROBLEM_JSON
from graph.model import Handover
from graph.store import GraphStore
from visualisations.handover_pack import SECTIONS

from ..api.conftest import Keys
from .sample import NOTE

ISSUE = "/wicked-issues/domestic-abuse"
HANDOVERS = "/wicked-issues/rural-isolation/handovers"
GOOD = {"from_project_id": "pr-ri", "to_cohort_id": "c2021", "date": "2020-07-15"}


def ids(people: list[dict[str, Any]]) -> list[str]:
    return [p["id"] for p in people]


# -- who may call what ------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    none: int
    alumni: int
    programme: int
    admin: int


EVERYONE = (401, 200, 200, 200)
CALLS = [
    Call("GET", "/wicked-issues", *EVERYONE),
    Call("GET", "/wicked-issues?orphaned_since=2020-07-01", *EVERYONE),
    Call("GET", ISSUE, *EVERYONE),
    Call("GET", f"{ISSUE}/lineage", *EVERYONE),
    Call("GET", f"{ISSUE}/supporters", *EVERYONE),
    Call("GET", f"{ISSUE}/handover-pack", *EVERYONE),
    Call("GET", f"{ISSUE}/handover-pack?format=html", *EVERYONE),
    Call("POST", HANDOVERS, 401, 403, 201, 201),
    Call("GET", "/wicked-issues/no-such-issue/lineage", 401, 404, 404, 404),
]


@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.method} {c.url}")
def test_call_wicked_issue_endpoint_as_each_role_gets_expected_status(
    client: TestClient, keys: Keys, call: Call
) -> None:
    """Every role on one store (a store per role would only repeat its setup)."""
    seen: dict[str, int] = {}
    for role in ("none", "alumni", "programme", "admin"):
        headers = keys.header(None if role == "none" else role)
        body = GOOD | {"to_cohort_id": f"c-{role}"} if call.method == "POST" else None
        response = client.request(call.method, call.url, headers=headers, json=body)
        seen[role] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == PROBLEM_JSON
    assert seen == {r: getattr(call, r) for r in ("none", "alumni", "programme", "admin")}


# -- reading ---------------------------------------------------------------------------------


def test_get_lineage_as_alumni_shows_consenting_people_and_withholds_names(
    client: TestClient, keys: Keys
) -> None:
    body = client.get(f"{ISSUE}/lineage", headers=keys.header("alumni")).json()
    first, second = body["steps"]
    assert [s["project"]["id"] for s in body["steps"]] == ["pr-da", "pr-da2"]
    assert (ids(first["leads"]), ids(first["members"]), first["sponsor"]) == (
        ["ann"],
        ["bob", "cat"],
        None,
    )
    assert [m["email"] for m in first["members"]] == [None, "cat@example.org"]
    (handed,) = first["handed_over"]
    assert handed["to_project"] == {"id": "pr-da2", "title": "Domestic abuse at work"}
    assert handed["notes"] == NOTE.replace("Dan Example", "[name withheld]")
    assert handed["talk_to"] == ["Talk to [name withheld], its sponsor, and Ann Example."]
    assert second["received"] == [handed]
    assert ids(body["working_now"]) == ["fay", "eve"]
    assert "dan" not in str(body).casefold()


def test_get_lineage_as_programme_shows_sponsor_without_email(
    client: TestClient, keys: Keys
) -> None:
    body = client.get(f"{ISSUE}/lineage", headers=keys.header("programme")).json()
    first = body["steps"][0]
    assert (first["sponsor"]["id"], first["sponsor"]["email"]) == ("dan", None)
    assert first["handed_over"][0]["notes"] == NOTE
    assert first["handed_over"][0]["open_questions"] == [
        "Who funds the refuge network after March?",
        "Is the NHS ready to share data?",
    ]
    assert [s["project"]["active_until"] for s in body["steps"]] == ["2020-12-01", None]


def test_get_issue_lists_its_projects_oldest_first(client: TestClient, keys: Keys) -> None:
    body = client.get(ISSUE, headers=keys.header("alumni")).json()
    assert [(p["id"], p["cohort"]["id"], p["status"]) for p in body["projects"]] == [
        ("pr-da", "c2019", "handed_over"),
        ("pr-da2", "c2021", "active"),
    ]
    assert body["open_projects"] == [{"id": "pr-da2", "title": "Domestic abuse at work"}]
    assert (body["project_count"], body["handovers"], body["active_now"]) == (2, 1, True)
    assert body["last_active"] == "2020-12-01"


def test_list_issues_orphaned_since_date_as_alumni(client: TestClient, keys: Keys) -> None:
    every = client.get("/wicked-issues", headers=keys.header("alumni")).json()
    assert [i["id"] for i in every["data"]] == ["county-lines", "domestic-abuse", "rural-isolation"]
    orphaned = client.get(
        "/wicked-issues?orphaned_since=2020-07-01", headers=keys.header("alumni")
    ).json()
    assert ([i["id"] for i in orphaned["data"]], orphaned["count"]) == (
        ["county-lines", "rural-isolation"],
        2,
    )
    assert orphaned["data"][1]["last_active"] == "2020-06-30"


@pytest.mark.parametrize("since", ["2020-7-1", "1593561600", "0001-01-01"])
def test_list_issues_with_malformed_orphaned_since_is_refused(
    client: TestClient, keys: Keys, since: str
) -> None:
    response = client.get(f"/wicked-issues?orphaned_since={since}", headers=keys.header("alumni"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "orphaned_since"


def test_get_supporters_as_alumni_leaves_out_herself_and_hidden_people(
    client: TestClient, keys: Keys
) -> None:
    body = client.get(f"{ISSUE}/supporters", headers=keys.header("alumni")).json()
    assert [(s["person"]["id"], s["score"]) for s in body["data"]] == [
        ("bob", 3.0),
        ("cat", 3.0),
        ("gil", 2.5),
    ]
    assert ids(body["data"][2]["via"]) == ["ann"]
    assert body["data"][0]["person"]["email"] is None


def test_get_supporters_as_programme_ranks_the_lead_first(client: TestClient, keys: Keys) -> None:
    body = client.get(f"{ISSUE}/supporters?limit=2", headers=keys.header("programme")).json()
    assert ([s["person"]["id"] for s in body["data"]], body["count"]) == (["ann", "bob"], 4)
    led = "led Domestic abuse pathways (Leading Greater Essex 2019)"
    assert body["data"][0]["reasons"] == [{"kind": "worked_on_issue", "text": led}]


# -- the pack ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept", "media"),
    [
        ("", None, "text/markdown"),
        ("", "text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
        ("", "text/markdown;q=0.9, text/html;q=0.5", "text/markdown"),
        ("?format=html", "text/markdown", "text/html"),
        ("?format=markdown", "text/html", "text/markdown"),
        ("", "application/json", "text/markdown"),
    ],
)
def test_get_handover_pack_negotiates_its_format(
    client: TestClient, keys: Keys, query: str, accept: str | None, media: str
) -> None:
    headers = keys.header("alumni") | ({"Accept": accept} if accept else {})
    response = client.get(f"{ISSUE}/handover-pack{query}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media}; charset=utf-8"
    assert response.headers["vary"] == "Accept"
    assert ("content-security-policy" in response.headers) == (media == "text/html")


def test_get_handover_pack_as_markdown_has_every_section_in_order(
    client: TestClient, keys: Keys
) -> None:
    text = client.get(f"{ISSUE}/handover-pack", headers=keys.header("alumni")).text
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == [title for _, title in SECTIONS]
    lineage = text[text.index("## Lineage") : text.index("## Open questions")]
    assert [line for line in lineage.splitlines() if line.startswith("### ")] == [
        "### 1. Domestic abuse pathways (Leading Greater Essex 2019)",
        "### 2. Domestic abuse at work (Leading Greater Essex 2021)",
    ]
    assert "- Who funds the refuge network after March? _(from Domestic abuse pathways" in text


def test_get_handover_pack_as_alumni_shows_only_what_consent_allows(
    client: TestClient, keys: Keys
) -> None:
    for fmt in ("markdown", "html"):
        text = client.get(f"{ISSUE}/handover-pack?format={fmt}", headers=keys.header("alumni")).text
        assert "Dan Example" not in text
        assert "name withheld" in text
        assert "bob@example.org" not in text
        assert "cat@example.org" in text


# -- recording a handover -------------------------------------------------------------------


def test_post_handover_records_it_once_and_it_can_be_rolled_back(
    client: TestClient, keys: Keys, baton_store: GraphStore
) -> None:
    team = keys.header("programme")
    created = client.post(HANDOVERS, headers=team, json=GOOD | {"notes": "Remains: transport?"})
    assert created.status_code == 201
    body = created.json()
    assert (body["result"], body["handover"]["open_questions"]) == ("created", ["Transport?"])
    lineage = client.get("/wicked-issues/rural-isolation/lineage", headers=team).json()
    assert [h["to_cohort_id"] for h in lineage["steps"][0]["handed_over"]] == ["c2021"]
    again = client.post(HANDOVERS, headers=team, json=GOOD | {"notes": "Remains: transport?"})
    assert (again.status_code, again.json()["result"]) == (200, "unchanged")
    baton_store.rollback(again.json()["run_id"])
    baton_store.rollback(body["run_id"])
    assert baton_store.get_many(Handover, ["rural-isolation|pr-ri|c2021"]) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"from_project_id": "pr-da"}, "from_project_id"),
        ({"date": "2019-06-30"}, "date"),
        ({"from_project_id": "pr-none"}, "from_project_id"),
        ({"issue_id": "domestic-abuse"}, "issue_id"),
        ({"date": "15/07/2020"}, "date"),
        ({"date": 1594771200}, "date"),
        ({"to_cohort_id": ""}, "to_cohort_id"),
        ({"colour": "red"}, "colour"),
    ],
    ids=[
        "project-off-the-issue",
        "before-project-start",
        "unknown-project",
        "other-issue",
        "not-iso-date",
        "timestamp",
        "empty-cohort",
        "unknown-column",
    ],
)
def test_post_handover_breaking_a_rule_is_refused_naming_the_field(
    client: TestClient,
    keys: Keys,
    baton_store: GraphStore,
    changes: dict[str, object],
    field: str,
) -> None:
    before, runs = baton_store.dump(), baton_store.runs()
    response = client.post(HANDOVERS, headers=keys.header("programme"), json=GOOD | changes)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM_JSON)
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert (baton_store.dump(), baton_store.runs()) == (before, runs)


def test_post_handover_on_unknown_issue_is_not_found(
    client: TestClient, keys: Keys, baton_store: GraphStore
) -> None:
    before = baton_store.dump()
    response = client.post(
        "/wicked-issues/no-such-issue/handovers", headers=keys.header("admin"), json=GOOD
    )
    assert response.status_code == 404
    assert baton_store.dump() == before


# -- delivery tracking on /projects -----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("overdue=true&as_of=2022-05-31", []),
        ("overdue=true&as_of=2022-06-01", ["pr-da2"]),
        ("overdue=false&as_of=2022-06-01", ["pr-da", "pr-ri"]),
        ("sponsored=false", ["pr-da2"]),
        ("sponsored=true", ["pr-da", "pr-ri"]),
        ("sponsored=false&cohort=c2019", []),
        ("overdue=true&sponsored=false&as_of=2023-01-01", ["pr-da2"]),
    ],
)
def test_list_projects_with_tracking_filters(
    client: TestClient, keys: Keys, query: str, expected: list[str]
) -> None:
    body = client.get(f"/projects?{query}", headers=keys.header("programme")).json()
    assert ([p["id"] for p in body["data"]], body["count"]) == (expected, len(expected))


# -- the document -------------------------------------------------------------------------------


def test_openapi_declares_problems_and_both_pack_formats() -> None:
    from api.app import create_app

    schema = create_app(store_url="sqlite:///:memory:").openapi()
    mine = {p: ops for p, ops in schema["paths"].items() if p.startswith("/wicked-issues")}
    assert set(mine) == {
        "/wicked-issues",
        "/wicked-issues/{issue_id}",
        "/wicked-issues/{issue_id}/lineage",
        "/wicked-issues/{issue_id}/supporters",
        "/wicked-issues/{issue_id}/handover-pack",
        "/wicked-issues/{issue_id}/handovers",
    }
    for ops in mine.values():
        for op in ops.values():
            assert op["tags"] == ["wicked-issues"]
            assert op["security"] == [{"ApiKey": []}]
            assert {"401", "403", "422", "429", "503"} <= set(op["responses"])
            for code, response in op["responses"].items():
                if code[0] in "45":
                    assert list(response["content"]) == [PROBLEM_JSON]
    pack = mine["/wicked-issues/{issue_id}/handover-pack"]["get"]["responses"]["200"]
    assert set(pack["content"]) == {"text/markdown", "text/html"}


# -- the pack's map ---------------------------------------------------------------------------

_DRAWN = re.compile(r'<g class="node (?:person|newcomer)"><title>([^<,]+)')


def test_get_handover_pack_map_draws_only_people_with_analytics_consent(
    client: TestClient, keys: Keys
) -> None:
    page = client.get(f"{ISSUE}/handover-pack?format=html", headers=keys.header("programme")).text
    svg = page[page.index("<svg") : page.index("</svg>")]
    # pr-da: ann (lead), bob, cat, dan (sponsor); pr-da2: fay (lead), eve; gil opens ECFRS
    # via Ann. Eve refuses analytics: named in the pack, never on its map.
    assert sorted(_DRAWN.findall(svg)) == [
        "Ann Example",
        "Bob Example",
        "Cat Example",
        "Dan Example",
        "Fay Example",
        "Gil Example",
    ]
    assert svg.count("<circle") == 6
    people = page[page.index('id="people"') :]
    assert "Eve Example" in people and "Eve Example" not in svg
