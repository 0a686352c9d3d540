"""``services.wicked``, the one door of the wicked-issue use cases: each function gives
the answer the matching ``/wicked-issues`` route gives, for each role, on each store
(the hand-drawn sample of tests/wicked/sample.py; the alumni key is Ann's)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from graph.errors import Forbidden, Invalid, NotFound
from graph.model import Handover, KeyRole
from graph.store import GraphStore, Page
from services import wicked
from services.consent import Viewer
from services.schemas_wicked import HandoverIn

from ..api.conftest import Keys
from ..wicked.conftest import baton_store as baton_store  # the sample, on each store
from ..wicked.conftest import client as client
from ..wicked.conftest import keys as keys
from ..wicked.conftest import wicked_app as wicked_app

ROLES = ("alumni", "programme")
ISSUES = ("domestic-abuse", "rural-isolation")


def viewer(role: str) -> Viewer:
    """The viewer behind each test key (``make_keys``: the alumni key is Ann's)."""
    if role == "alumni":
        return Viewer(role=KeyRole.ALUMNI, key_id="k-alumni", person_id="ann")
    return Viewer(role=KeyRole.PROGRAMME, key_id="k-programme")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("since", [None, date(2020, 7, 1)])
def test_list_issues_gives_what_the_route_gives(
    baton_store: GraphStore, client: TestClient, keys: Keys, role: str, since: date | None
) -> None:
    query = f"?orphaned_since={since}" if since else ""
    expected = client.get(f"/wicked-issues{query}", headers=keys.header(role)).json()
    found = wicked.list_issues(baton_store, viewer(role), Page(), orphaned_since=since)
    assert found.model_dump(mode="json") == expected
    assert found.count >= 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("issue", ISSUES)
def test_issue_detail_lineage_and_supporters_give_what_the_routes_give(
    baton_store: GraphStore, client: TestClient, keys: Keys, role: str, issue: str
) -> None:
    header, who = keys.header(role), viewer(role)
    url = f"/wicked-issues/{issue}"
    detail = wicked.issue_detail(baton_store, who, issue)
    assert detail.model_dump(mode="json") == client.get(url, headers=header).json()
    lineage = wicked.lineage_for(baton_store, who, issue)
    assert lineage.model_dump(mode="json") == client.get(f"{url}/lineage", headers=header).json()
    helpers = wicked.supporters_for(baton_store, who, issue, Page(limit=2, offset=1))
    route = client.get(f"{url}/supporters?limit=2&offset=1", headers=header).json()
    assert helpers.model_dump(mode="json") == route
    assert lineage.steps and helpers.count >= 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_pack_for_gives_the_document_the_route_gives(
    baton_store: GraphStore, client: TestClient, keys: Keys, role: str, fmt: wicked.PackFormat
) -> None:
    response = client.get(
        f"/wicked-issues/domestic-abuse/handover-pack?format={fmt}", headers=keys.header(role)
    )
    pack = wicked.pack_for(baton_store, viewer(role), "domestic-abuse", fmt)
    assert pack.text == response.text
    assert pack.media_type == response.headers["content-type"]
    assert f'filename="{pack.file_name}"' in response.headers["content-disposition"]
    assert response.headers.get("content-security-policy") == pack.content_security_policy


def test_read_unknown_issue_raises_not_found(baton_store: GraphStore) -> None:
    with pytest.raises(NotFound):
        wicked.lineage_for(baton_store, viewer("programme"), "no-such-issue")
    with pytest.raises(NotFound):
        wicked.pack_for(baton_store, viewer("alumni"), "no-such-issue", "markdown")


GOOD = HandoverIn(from_project_id="pr-ri", to_cohort_id="c2021", date=date(2020, 7, 15))


def test_record_handover_then_the_route_finds_it_recorded_already(
    baton_store: GraphStore, client: TestClient, keys: Keys
) -> None:
    recorded = wicked.record_handover(
        baton_store, viewer("programme"), "rural-isolation", GOOD, source="test"
    )
    assert recorded.result == "created"
    assert (recorded.handover.from_project.id, recorded.handover.date) == (
        "pr-ri",
        date(2020, 7, 15),
    )
    again = client.post(
        "/wicked-issues/rural-isolation/handovers",
        headers=keys.header("programme"),
        json=GOOD.model_dump(mode="json", exclude_none=True),
    )
    assert again.status_code == 200
    assert again.json()["result"] == "unchanged"
    assert again.json()["handover"] == recorded.handover.model_dump(mode="json")


def test_record_handover_as_alumni_is_forbidden_and_writes_nothing(
    baton_store: GraphStore,
) -> None:
    before = baton_store.find(Handover, {"issue_id": "rural-isolation"}).count
    with pytest.raises(Forbidden):
        wicked.record_handover(baton_store, viewer("alumni"), "rural-isolation", GOOD, source="t")
    assert baton_store.find(Handover, {"issue_id": "rural-isolation"}).count == before


def test_record_handover_before_the_project_started_is_refused_and_writes_nothing(
    baton_store: GraphStore,
) -> None:
    early = GOOD.model_copy(update={"date": date(1999, 1, 1)})
    before = baton_store.find(Handover, {"issue_id": "rural-isolation"}).count
    with pytest.raises(Invalid) as refused:
        wicked.record_handover(
            baton_store, viewer("programme"), "rural-isolation", early, source="t"
        )
    assert [p.field for p in refused.value.problems] == ["date"]
    assert baton_store.find(Handover, {"issue_id": "rural-isolation"}).count == before
