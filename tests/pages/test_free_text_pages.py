"""The issue pages show free text as the JSON API does (tests/trust/test_free_text.py):
an alumni reader never sees the name or email of someone hidden from them, the
programme team reads it whole. The pages' own sample store is replaced, for this
module, by the free-text sample, on each store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from graph.store import GraphStore

from ..api.conftest import Keys
from ..trust.figures import record
from ..trust.free_text_sample import DESCRIPTION, SEEN_BY_ALUMNI, fold, load, traces
from .conftest import sign_in

PAGES = ("/issues", "/issues/domestic-abuse", "/issues/rural-isolation")


@pytest.fixture
def sample_store(store: GraphStore) -> GraphStore:
    """The free-text sample in place of the pages' own (``client`` and ``keys`` use it)."""
    return load(store)


def test_issue_pages_show_alumni_nobody_hidden_from_them(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.alumni)
    shown = [client.get(path) for path in PAGES]
    assert [r.status_code for r in shown] == [200, 200, 200]
    # the domestic-abuse page renders its description, two outcomes and a note;
    # the rural-isolation page one outcome
    record("free_text_fields_scanned", 4 + 1)
    assert [traces(r.text) for r in shown] == [[], [], []]
    page = fold(shown[1].text)
    for expected in ("description", "pr-da", "pr-da2", "notes"):
        assert fold(SEEN_BY_ALUMNI[expected]) in page, expected
    assert fold(SEEN_BY_ALUMNI["pr-ri"]) in fold(shown[2].text)


def test_issue_pages_show_the_programme_team_free_text_whole(
    client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.programme)
    page = client.get("/issues/domestic-abuse").text
    record("free_text_fields_scanned", 4)
    assert fold(DESCRIPTION) in fold(page)
    assert "[name withheld]" not in page and "[email withheld]" not in page
