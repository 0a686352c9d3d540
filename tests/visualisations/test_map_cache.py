"""Maps kept per store until its next write (``visualisations.maps.cache``), on each
store: the same map again is remembered, not worked out, and is the map worked out
afresh; after a write the map shows what was written.

The sample as of 2020-06-01 (worked by hand in test_maps.py): ann, bob, cat, dan;
ties ann-bob, ann-cat, bob-cat, cat-dan; cat the only broker (2/3, size 40).
The write adds gus (c2019 participant at the NHS), mentored by ann from 2020-01-01.
Then ann is the only way to gus: of the 6 pairs not involving ann she is on
gus-bob, gus-cat and gus-dan, 3/6 = 0.5; cat is on dan-ann, dan-bob, dan-gus,
also 0.5: both the largest (size 40), everyone else 10.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from graph.model import Employment, Membership, Role, Tie, TieKind
from graph.store import Batch, GraphStore
from visualisations import maps
from visualisations.maps import MapRequest, cache

from ..contract.sample import person
from .conftest import ANN, TEAM

JUNE_2020 = date(2020, 6, 1)


@pytest.fixture(autouse=True)
def cold_cache() -> Iterator[None]:
    """Every test starts and ends with nothing remembered."""
    cache.forget()
    yield
    cache.forget()


def draw(store: GraphStore, viewer=TEAM, **options: object) -> maps.NetworkMap:  # type: ignore[no-untyped-def]
    return maps.network_map(store, MapRequest(**options), viewer=viewer)  # type: ignore[arg-type]


def people_of(network: maps.NetworkMap) -> dict[str, float]:
    (panel,) = network.panels
    return {n.id: n.size for n in panel.nodes}


def ties_of(network: maps.NetworkMap) -> set[tuple[str, str, str]]:
    (panel,) = network.panels
    return {(e.source, e.target, e.colour) for e in panel.edges}


def add_gus(store: GraphStore) -> None:
    store.apply(
        Batch(
            people=[person("gus", consent_directory=True)],
            memberships=[Membership(person_id="gus", cohort_id="c2019", role=Role.PARTICIPANT)],
            employments=[
                Employment(person_id="gus", organisation_id="mse-icb", start=date(2019, 5, 1))
            ],
            ties=[
                Tie(
                    source_id="ann",
                    target_id="gus",
                    tie_kind=TieKind.MENTORING,
                    start=date(2020, 1, 1),
                )
            ],
        )
    )


def test_same_map_again_is_remembered_not_worked_out(sample: GraphStore) -> None:
    first = draw(sample, as_of=JUNE_2020)
    worked_out = cache.computed(sample)
    again = draw(sample, as_of=JUNE_2020)
    assert again is first
    assert cache.computed(sample) == worked_out


def test_remembered_map_equals_map_worked_out_afresh(sample: GraphStore) -> None:
    for options in (
        {"as_of": JUNE_2020},
        {"as_of": JUNE_2020, "person_id": "cat", "radius": 2},
        {"as_of": JUNE_2020, "collapse": "organisations"},
    ):
        draw(sample, **options)
        remembered = draw(sample, **options)
        cache.forget(sample)
        afresh = draw(sample, **options)
        assert remembered is not afresh
        assert remembered == afresh
        assert maps.to_html(remembered) == maps.to_html(afresh)


def test_map_after_a_write_shows_the_new_person_and_tie(sample: GraphStore) -> None:
    before = draw(sample, as_of=JUNE_2020)
    assert people_of(before) == {"ann": 10.0, "bob": 10.0, "cat": 40.0, "dan": 10.0}
    add_gus(sample)
    after = draw(sample, as_of=JUNE_2020)
    assert people_of(after) == {"ann": 40.0, "bob": 10.0, "cat": 40.0, "dan": 10.0, "gus": 10.0}
    assert ties_of(after) - ties_of(before) == {("ann", "gus", "#882255")}  # mentoring
    assert len(after.panels[0].edges) == 5


def test_organisations_map_after_a_write_counts_the_new_person(sample: GraphStore) -> None:
    def nhs_people(network: maps.NetworkMap) -> str:
        (panel,) = network.panels
        return next(n.label for n in panel.nodes if n.id == "mse-icb")

    assert nhs_people(draw(sample, as_of=JUNE_2020, collapse="organisations")).endswith("(1)")
    add_gus(sample)
    assert nhs_people(draw(sample, as_of=JUNE_2020, collapse="organisations")).endswith("(2)")


def test_remembered_map_is_never_shown_to_a_viewer_who_sees_fewer(sample: GraphStore) -> None:
    assert set(people_of(draw(sample, as_of=JUNE_2020))) == {"ann", "bob", "cat", "dan"}
    # dan gave no directory consent: alumni do not see him, whatever the team was shown
    assert set(people_of(draw(sample, ANN, as_of=JUNE_2020))) == {"ann", "bob", "cat"}
