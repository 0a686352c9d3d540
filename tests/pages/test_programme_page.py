"""The programme page: every plot as an image with its caption, the same numbers as a
table, a link from the dashboard."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from graph.model import Area, AreaKind
from graph.store import Batch, GraphStore
from visualisations.programme_plots import TRENDS

from ..api.conftest import Keys
from .conftest import sign_in

URL = "/programme?from=2019-07-01&to=2021-07-01&every=year"


def test_programme_page_shows_plots_captions_and_table(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.programme)
    response = client.get(URL)
    assert response.status_code == 200
    page = " ".join(response.text.split())
    images = re.findall(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page)
    assert len(images) == len(TRENDS)
    for trend in TRENDS:
        assert f'id="figure-{trend.metric}"' in page
        assert f"<strong>{trend.title}.</strong>" in page
    table = re.sub(r">\s+<", "><", page.split('id="programme-table"')[1])
    # 2019-07-01, everyone: 4 people, 3 ties, 2 of 3 across organisations (67%),
    # E-I 0.33, by chance 0.67, excess -0.33 (tests/services/test_programme.py)
    assert "<td>2019-07-01</td><td>everyone</td><td>4</td><td>3</td><td>67%</td>" in table
    assert "<td>0.33</td><td>0.67</td><td>-0.33</td>" in table
    assert "<td>2021-07-01</td><td>Leading Greater Essex 2021</td><td>1</td><td>0</td>" in table


def test_dashboard_links_to_the_programme_view(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.programme)
    assert 'href="/programme"' in client.get("/dashboard?as_of=2020-06-01").text


def test_programme_and_dashboard_pages_offer_their_tables_for_download(
    client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.programme)
    page = client.get(URL).text
    assert 'href="/programme/table.csv?from=2019-07-01&amp;to=2021-07-01&amp;every=year"' in page
    got = client.get("/programme/table.csv?from=2019-07-01&to=2021-07-01&every=year")
    assert got.status_code == 200
    assert got.content.decode("utf-8-sig").splitlines()[1].startswith("2019-07-01,programme,4,3,")
    dashboard = client.get("/dashboard?as_of=2020-06-01").text
    for table in ("network", "sectors", "organisations", "cohorts"):
        for fmt in ("csv", "xlsx"):
            assert f'href="/dashboard/{table}.{fmt}?as_of=2020-06-01"' in dashboard
    network = client.get("/dashboard/network.csv?as_of=2020-06-01").content.decode("utf-8-sig")
    assert "people,4" in network.splitlines() and "ties,4" in network.splitlines()


def test_organisations_page_sorts_and_names_under_reached_areas(
    client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.programme)
    span = "from=2019-07-01&to=2021-07-01&every=year"
    page = client.get(f"/programme/organisations?{span}&sort=people_last&order=asc").text
    flat = re.sub(r">\s+<", "><", " ".join(page.split()))
    organisations = flat.split('id="organisations"')[1].split("</table>")[0]
    names = re.findall(r"<tr><td>([^<]+)</td>", organisations)
    assert names == ["Essex County Council", "Mid and South Essex ICB", "Essex Police"]
    assert 'aria-sort="ascending"' in organisations
    under = flat.split('id="under-reached-areas"')[1].split("</ul>")[0]
    assert "<li>Chelmsford: 0 alumni</li>" in under and "Tendring" not in under
    assert 'href="/programme/organisations?' in client.get(f"/programme?{span}").text


def test_organisations_page_puts_priority_areas_first_from_the_areas_table(
    client: TestClient, keys: Keys, sample_store: GraphStore
) -> None:
    # as tests/services/test_programme_groups.py: Chelmsford (0 alumni, decile 2) and
    # Uttlesford (0, urban, decile 10, known from the areas table alone) are under-reached
    sample_store.apply(
        Batch(
            areas=[
                Area(id="Chelmsford", urban_rural=AreaKind.MIXED, deprivation_decile=2),
                Area(id="Uttlesford", urban_rural=AreaKind.URBAN, deprivation_decile=10),
            ]
        )
    )
    sign_in(client, keys.programme)
    page = client.get("/programme/organisations?from=2019-07-01&to=2021-07-01&every=year").text
    flat = re.sub(r">\s+<", "><", " ".join(page.split()))
    under = flat.split('id="under-reached-areas"')[1].split("</ul>")[0]
    assert re.findall(r"<li[^>]*>([^<]+)</li>", under) == [
        "Chelmsford: 0 alumni (mixed, deprivation decile 2): a priority",
        "Uttlesford: 0 alumni (urban, deprivation decile 10)",
    ]
    places = flat.split('id="places"')[1].split("</table>")[0]
    assert "<tr><td>urban</td><td>1</td><td>0</td><td>0.00</td><td>1</td></tr>" in places
