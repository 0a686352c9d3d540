"""What the pages show, read without a browser (TestClient) on the sample programme."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ..api.conftest import Keys
from .conftest import sign_in


def test_programme_team_finds_introductions_from_anyone(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.programme)
    assert 'href="/introduction?from=bob"' in client.get("/person/bob").text
    page = client.get("/introduction", params={"from": "bob", "q": "cat"}).text
    assert 'href="/introduction?from=bob&amp;to=cat"' in page
    drawn = client.get("/introduction", params={"from": "bob", "to": "cat"}).text
    assert "From Bob Example to Cat Example" in drawn and "Path 1: 1 hop" in drawn
