"""The people pages do the whole job (issue 18): recommendations on the person page,
introductions to a person or to anyone at an organisation, every person a link,
every hop's text whole.

The sample (tests/contract/sample.py): ann (ECC) knows bob (Mid and South Essex ICB)
and cat (Essex Police) by warm ties; she named fay (Essex Police) someone she wants
to meet; ann and fay share the interest "loneliness". Added here: gil, at Essex
County Fire and Rescue (an organisation ann reaches through nobody), in the
directory, also interested in loneliness.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient

from graph.model import Employment, Organisation, Person, Sector
from graph.store import Batch, GraphStore

from ..api.conftest import Keys
from .conftest import sign_in

FIRE = Organisation(id="ecfrs", name="Essex County Fire and Rescue Service", sector=Sector.FIRE)
GIL = Person(
    id="gil",
    email="gil@example.org",
    name="Gil Example",
    interests=("loneliness",),
    consent_directory=True,
)


@pytest.fixture
def with_gil(sample_store: GraphStore) -> GraphStore:
    sample_store.apply(
        Batch(
            organisations=[FIRE],
            people=[GIL],
            employments=[
                Employment(person_id="gil", organisation_id="ecfrs", start=date(2020, 1, 1))
            ],
        )
    )
    return sample_store


def test_person_page_recommends_people_in_new_organisations_with_reasons_and_a_way_in(
    with_gil: GraphStore, client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.alumni)
    html = client.get("/person/ann").text
    shown = html.split('id="recommendations"', 1)[1].split("</ul>\n</li>", 1)[0]
    people = re.findall(r'<li class="person recommendation">\s*<a href="/person/([^"]+)"', html)
    # fay is worth meeting, but Essex Police is reached already (cat works there)
    assert people == ["gil"]
    assert "shares your interest in loneliness" in shown
    assert 'href="/introduction?to=gil"' in shown


def test_person_page_for_the_team_introduces_from_the_person_shown(
    with_gil: GraphStore, client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.programme)
    html = client.get("/person/ann").text
    assert 'href="/introduction?from=ann&amp;to=gil"' in html


def test_introduction_page_reaches_anyone_at_an_organisation_every_person_a_link(
    client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.alumni)
    html = client.get("/introduction", params={"to_organisation": "essex-police"}).text
    assert "<h2>From Ann Example to anyone at Essex Police</h2>" in html
    assert '<option value="essex-police" selected>Essex Police</option>' in html
    first = html.split('aria-label="Path 1"', 1)[1].split("</section>", 1)[0]
    # ann -> cat: cat works at Essex Police now; both names link, in the drawing and the list
    assert re.findall(r'<a href="/person/([^"]+)"><text', first) == ["ann", "cat"]
    hops = first.split('<ol class="hops">', 1)[1]
    assert re.findall(r'href="/person/([^"]+)"', hops) == ["ann", "cat"]


def test_introduction_page_draws_every_hop_text_whole(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.alumni)
    html = client.get("/introduction", params={"to": "bob"}).text
    first = html.split('aria-label="Path 1"', 1)[1].split("</section>", 1)[0]
    (label,) = re.findall(r'<text [^>]*fill="#333">(.*?)</text>', first)  # the hop's
    drawn = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", label))
    listed = re.search(r"</strong>:\s*(.*?)</li>", first, re.S)
    assert listed is not None
    whole = (
        "worked together on project Domestic abuse pathways; named them as an advice"
        " contact in the baseline survey of Leading Greater Essex 2019"
    )
    assert unescape(listed.group(1).strip()) == whole
    assert unescape(drawn) == whole
    assert "…" not in first
