"""Maps of the hand-drawn sample (tests/contract/sample.py), every expected value worked
out on paper, on each store.

As of 2020-06-01 the snapshot (default kinds) holds c2019's people with analytics
consent: ann (ECC, local government), bob (NHS, health), cat (moved to Essex Police
that day: police) and dan (Essex Police, police; the cohort's sponsor). Its edges:
ann-bob {advice, project}, ann-cat {collaboration, project}, bob-cat {knew_before,
project} and cat-dan {advice}: a triangle with dan hanging off cat. So cat is the
only broker: she is on the shortest paths dan-ann and dan-bob, 2 of the 3 pairs not
involving her, betweenness 2/3; everyone else 0. Eve never appears (no analytics
consent); fay's cohort has not started.

As of 2021-07-01 fay (c2021, police) is in, mentored by dan (2021-06-01..2022-06-01).
Dan has not consented to the directory: nobody is reached through him, and alumni do
not see him.
"""

from __future__ import annotations

import math
import random
import re
from datetime import date

import networkx as nx
import pytest

from graph.errors import Invalid, NotFound
from graph.model import Sector, TieKind, Wave
from graph.store import GraphStore
from visualisations import maps
from visualisations.maps import MapRequest, positions

from .conftest import ANN, TEAM, map_data

JUNE_2020 = date(2020, 6, 1)
JULY_2021 = date(2021, 7, 1)


def draw(store: GraphStore, viewer=TEAM, **options: object) -> maps.NetworkMap:  # type: ignore[no-untyped-def]
    return maps.network_map(
        store,
        MapRequest(**options),  # type: ignore[arg-type]
        viewer=viewer,
    )


def nodes_of(network: maps.NetworkMap) -> dict[str, maps.MapNode]:
    (panel,) = network.panels
    return {n.id: n for n in panel.nodes}


def edges_of(network: maps.NetworkMap, panel: int = 0) -> dict[tuple[str, str], maps.MapEdge]:
    return {(e.source, e.target): e for e in network.panels[panel].edges}


def test_map_of_sample_colours_shapes_and_sizes_as_worked_by_hand(sample: GraphStore) -> None:
    found = nodes_of(draw(sample, as_of=JUNE_2020))
    assert {(v, n.colour, n.shape, n.size, n.label) for v, n in found.items()} == {
        ("ann", "#0072B2", "dot", 10.0, "Ann Example"),
        ("bob", "#009E73", "dot", 10.0, "Bob Example"),
        ("cat", "#332288", "dot", 40.0, "Cat Example"),
        ("dan", "#332288", "star", 10.0, "Dan Example"),
    }
    assert found["cat"].betweenness == pytest.approx(2 / 3)


def test_map_of_sample_styles_each_edge_by_its_strongest_tie(sample: GraphStore) -> None:
    found = edges_of(draw(sample, as_of=JUNE_2020))
    project = ("#444444", 2.5, ())
    assert {k: (e.colour, e.width, e.dashes) for k, e in found.items()} == {
        ("ann", "bob"): project,
        ("ann", "cat"): project,
        ("bob", "cat"): project,
        ("cat", "dan"): ("#009E73", 1.5, (6, 4)),
    }
    assert found[("ann", "bob")].title == "worked on a project together; advice (survey)"


def test_map_html_holds_exactly_the_drawn_nodes_and_edges(sample: GraphStore) -> None:
    html = maps.to_html(draw(sample, as_of=JUNE_2020))
    (data,) = map_data(html)
    assert {n["id"]: (n["color"], n["shape"], n["size"]) for n in data["nodes"]} == {
        "ann": ("#0072B2", "dot", 10.0),
        "bob": ("#009E73", "dot", 10.0),
        "cat": ("#332288", "dot", 40.0),
        "dan": ("#332288", "star", 10.0),
    }
    assert {(e["from"], e["to"]) for e in data["edges"]} == {
        ("ann", "bob"),
        ("ann", "cat"),
        ("bob", "cat"),
        ("cat", "dan"),
    }
    assert data["options"]["physics"] == {"enabled": False}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)  # works offline
    assert "default-src 'none'" in html  # and its policy forbids every fetch
    assert "eve" not in {n["id"] for n in data["nodes"]}


def test_map_leaves_out_people_without_analytics_consent(sample: GraphStore) -> None:
    found = nodes_of(draw(sample, as_of=JULY_2021))
    assert set(found) == {"ann", "bob", "cat", "dan", "fay"}  # eve refused analytics


def test_ego_map_for_alumni_shows_only_people_they_may_see(sample: GraphStore) -> None:
    network = draw(sample, ANN, as_of=JUNE_2020, person_id="ann", radius=2)
    assert set(nodes_of(network)) == {"ann", "bob", "cat"}  # dan: no directory consent
    html = maps.to_html(network)
    assert "Dan Example" not in html and '"dan"' not in html


def test_ego_map_never_reaches_through_someone_without_directory_consent(
    sample: GraphStore,
) -> None:
    # cat's neighbours: ann, bob, dan; fay is two steps out, but only through dan.
    assert set(nodes_of(draw(sample, as_of=JULY_2021, person_id="cat", radius=2))) == {
        "ann",
        "bob",
        "cat",
        "dan",
    }
    # through cat (directory consent) the team reaches dan from ann.
    assert set(nodes_of(draw(sample, as_of=JUNE_2020, person_id="ann", radius=2))) == {
        "ann",
        "bob",
        "cat",
        "dan",
    }
    assert set(nodes_of(draw(sample, as_of=JUNE_2020, person_id="ann"))) == {"ann", "bob", "cat"}


def test_ego_map_sizes_by_betweenness_inside_the_map(sample: GraphStore) -> None:
    found = nodes_of(draw(sample, as_of=JUNE_2020, person_id="dan"))
    # dan - cat only: a single edge, nobody between anyone.
    assert {v: n.size for v, n in found.items()} == {"cat": 10.0, "dan": 10.0}
    assert found["dan"].ego


def test_ego_map_of_someone_outside_the_network_is_not_found(sample: GraphStore) -> None:
    with pytest.raises(NotFound):
        draw(sample, as_of=JULY_2021, person_id="eve")  # no analytics consent
    with pytest.raises(NotFound):
        draw(sample, ANN, as_of=JUNE_2020, person_id="dan")  # hidden from alumni


def test_filters_keep_only_matching_people(sample: GraphStore) -> None:
    assert set(nodes_of(draw(sample, as_of=JULY_2021, sector=Sector.POLICE))) == {
        "cat",
        "dan",
        "fay",
    }
    assert set(nodes_of(draw(sample, as_of=JULY_2021, organisation="mse-icb"))) == {"bob"}
    assert set(nodes_of(draw(sample, as_of=JULY_2021, cohort_filter="c2021"))) == {"fay"}
    police = draw(sample, as_of=JULY_2021, sector=Sector.POLICE)
    assert set(edges_of(police)) == {("cat", "dan"), ("dan", "fay")}


def test_filters_naming_unknown_records_are_not_found(sample: GraphStore) -> None:
    with pytest.raises(NotFound):
        draw(sample, as_of=JUNE_2020, organisation="nowhere")
    with pytest.raises(NotFound):
        draw(sample, as_of=JUNE_2020, cohort_filter="c1999")
    with pytest.raises(NotFound):
        draw(sample, cohort_id="c1999", wave=Wave.END)


@pytest.mark.parametrize(
    "options",
    [
        {"as_of": JUNE_2020, "cohort_id": "c2019", "wave": Wave.END},
        {"cohort_id": "c2019"},
        {"person_id": "ann", "radius": 3},
        {"person_id": "ann", "collapse": "organisations"},
    ],
    ids=["date-and-wave", "cohort-without-wave", "radius-3", "collapsed-ego"],
)
def test_contradictory_options_are_refused_by_name(
    sample: GraphStore, options: dict[str, object]
) -> None:
    with pytest.raises(Invalid) as raised:
        draw(sample, **options)
    assert raised.value.problems[0].field


def test_collapsed_map_counts_people_and_ties_per_organisation(sample: GraphStore) -> None:
    network = draw(sample, as_of=JULY_2021, collapse="organisations")
    found = nodes_of(network)
    # ECC: ann; NHS: bob; Police: cat, dan, fay.
    assert {v: n.label for v, n in found.items()} == {
        "ecc": "Essex County Council (1)",
        "mse-icb": "Mid and South Essex ICB (1)",
        "essex-police": "Essex Police (3)",
    }
    assert {v: n.size for v, n in found.items()} == {
        "ecc": 20.0,
        "mse-icb": 20.0,
        "essex-police": 40.0,
    }
    # ann-bob, ann-cat, bob-cat cross organisations; cat-dan and dan-fay stay inside.
    assert {k: e.title for k, e in edges_of(network).items()} == {
        ("ecc", "mse-icb"): "1 ties between Essex County Council and Mid and South Essex ICB",
        ("ecc", "essex-police"): "1 ties between Essex County Council and Essex Police",
        ("essex-police", "mse-icb"): "1 ties between Essex Police and Mid and South Essex ICB",
    }
    assert "Ann Example" not in maps.to_html(network)


def test_wave_comparison_highlights_the_ties_new_since_the_previous_wave(
    sample: GraphStore,
) -> None:
    # baseline (2019-05-10): ann-bob advice, bob-cat knew_before; projects start later.
    # end (2020-04-20): + ann-cat, cat-dan from the survey; the project's three ties.
    network = maps.wave_comparison(sample, "c2019", viewer=TEAM)
    assert [p.title for p in network.panels] == [
        "baseline (as of 2019-05-10)",
        "end (as of 2020-04-20)",
    ]
    assert set(edges_of(network, 0)) == {("ann", "bob"), ("bob", "cat")}
    end = edges_of(network, 1)
    assert {k for k, e in end.items() if e.new} == {("ann", "cat"), ("cat", "dan")}
    assert {k for k, e in end.items() if not e.new} == {("ann", "bob"), ("bob", "cat")}
    assert end[("ann", "cat")].colour == maps.NEW_TIE_COLOUR
    # both waves hold c2019's four people (fay's c2021 starts later), and say so
    assert [p.note for p in network.panels] == [
        "4 people, all in c2019, 2 ties",
        "4 people, all in c2019, 4 ties, 2 new",
    ]
    assert "c2019" in network.title and "Cohort c2019, wave by wave" != network.title
    first, second = ({n.id: (n.x, n.y) for n in p.nodes} for p in network.panels)
    assert first == second  # everyone stays in place from wave to wave
    assert len(map_data(maps.to_html(network))) == 2


def test_wave_comparison_of_unknown_cohort_is_not_found(sample: GraphStore) -> None:
    with pytest.raises(NotFound):
        maps.wave_comparison(sample, "c1999", viewer=TEAM)


def test_edge_style_prefers_the_strongest_kind() -> None:
    assert maps.edge_style(["knew_before", "mentoring"]) == maps.TIE_STYLES[TieKind.MENTORING]
    with pytest.raises(ValueError):
        maps.edge_style([])


def test_layout_is_the_same_for_the_same_graph_and_covers_every_node() -> None:
    import networkx as nx

    graph = nx.karate_club_graph()
    first = maps.layout(graph)
    assert first == maps.layout(graph)
    assert set(first) == set(graph.nodes)
    assert len(set(first.values())) == graph.number_of_nodes()


def test_layout_is_the_same_whatever_order_the_graph_yields_its_ties_in() -> None:
    """A filtered map lays out a subgraph view, whose ties come in its node set's hash
    order: the same ties reached the other way round must give the same picture."""
    import networkx as nx

    drawn = nx.relabel_nodes(nx.gnm_random_graph(300, 900, seed=3), lambda i: f"p{i:03d}")
    backwards = nx.Graph()
    backwards.add_nodes_from(sorted(drawn, reverse=True))
    backwards.add_edges_from((v, u) for u, v in drawn.edges)
    assert [tuple(sorted(e)) for e in backwards.edges] != [tuple(sorted(e)) for e in drawn.edges]
    assert maps.layout(backwards) == maps.layout(drawn)


def _organised(people: int, ties: int, seed: int) -> nx.Graph:
    """A random network of ``people`` in a dozen organisations, each tie of one kind."""
    chance = random.Random(seed)
    graph = nx.relabel_nodes(nx.gnm_random_graph(people, ties, seed=seed), lambda i: f"p{i:03d}")
    for v in graph:
        graph.nodes[v]["organisation_id"] = f"org-{chance.randrange(12):02d}"
    for u, v in graph.edges:
        graph.edges[u, v]["kinds"] = (chance.choice(["advice", "project", "cohort_peer"]),)
    return graph


def test_a_maps_ties_are_those_with_both_ends_shown_in_the_order_of_their_ends() -> None:
    from visualisations.maps.data import _edges

    graph = _organised(200, 700, seed=7)
    shown = set(random.Random(7).sample(sorted(graph), 120))
    by_hand = sorted(
        (min(u, v), max(u, v), d["kinds"])
        for u, v, d in graph.edges(data=True)
        if u in shown and v in shown
    )
    assert [(e.source, e.target, e.kinds) for e in _edges(graph, None, shown)] == by_hand
    assert 100 < len(by_hand) < graph.number_of_edges()
    everyone = sorted((min(u, v), max(u, v)) for u, v in graph.edges)
    assert [(e.source, e.target) for e in _edges(graph)] == everyone


def test_grouped_layout_places_the_organisations_tied_by_any_two_of_their_people(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph = _organised(300, 500, seed=9)
    placed: list[nx.Graph] = []
    force_layout = positions._force_layout

    def seen(between: nx.Graph, nodes: list[object], seed: int) -> list[tuple[float, float]]:
        placed.append(between)
        return force_layout(between, nodes, seed)

    monkeypatch.setattr(positions, "_force_layout", seen)
    monkeypatch.setattr(positions, "GROUPED_LAYOUT", 2)
    maps.layout(graph)
    [between] = placed
    org = nx.get_node_attributes(graph, "organisation_id")
    by_hand = {frozenset((org[u], org[v])) for u, v in graph.edges if org[u] != org[v]}
    assert {frozenset(e) for e in between.edges} == by_hand
    assert sorted(between.nodes) == sorted(set(org.values()))


def test_grouped_layout_gathers_each_organisations_people(
    sample: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(positions, "GROUPED_LAYOUT", 2)  # as for a programme of thousands
    graph = sample.snapshot(JULY_2021)
    first = maps.layout(graph)
    assert first == maps.layout(graph) and set(first) == set(graph.nodes)
    police = [first[v] for v in ("cat", "dan", "fay")]  # Essex Police's three
    spread = max(math.dist(a, b) for a in police for b in police)
    assert all(math.dist(first["ann"], p) > spread for p in police)
    assert all(math.dist(first["bob"], p) > spread for p in police)


def test_demo_wave_panels_say_whose_people_they_hold(demo_store: GraphStore) -> None:
    # a wave's snapshot is the whole network on its date: by the follow-up, lge-2020 has
    # started too, so that panel must not read as lge-2019's alone.
    from graph.model import Membership
    from graph.store import Page

    network = maps.wave_comparison(demo_store, "lge-2019", viewer=TEAM)
    members = {
        m.person_id
        for m in demo_store.find(Membership, {"cohort_id": "lge-2019"}, Page(limit=10_000)).data
    }
    for panel, wave in zip(network.panels, (Wave.BASELINE, Wave.END, Wave.FOLLOW_UP), strict=True):
        people = set(demo_store.wave_snapshot("lge-2019", wave).nodes)
        ours, others = len(people & members), len(people - members)
        expected = (
            f" ({ours} in lge-2019, {others} in other cohorts)" if others else ", all in lge-2019"
        )
        assert panel.note.startswith(f"{len(people)} people{expected}, ")
    assert "in other cohorts" in network.panels[2].note  # the follow-up holds lge-2020 too


def test_demo_ego_maps_reach_exactly_whom_consent_lets_them_reach(demo_store: GraphStore) -> None:
    # brute force on the snapshot itself: the visible neighbours, then (radius 2) the
    # visible neighbours of every neighbour who may be routed through. Cohort peers
    # are all "direct" to the contacts walk, which must not shrink the map.
    from graph.model import KeyRole, Person
    from graph.store import Page
    from services.consent import Viewer

    people = {p.id: p for p in demo_store.find(Person, None, Page(limit=10_000)).data}
    snapshot = demo_store.snapshot(JULY_2021)
    for ego in sorted(snapshot.nodes)[::25]:
        for viewer in (TEAM, Viewer(role=KeyRole.ALUMNI, key_id="k", person_id=ego)):
            near = {v for v in snapshot.neighbors(ego) if viewer.sees(people[v])}
            far = {
                w
                for v in near
                if viewer.may_route_through(people[v])
                for w in snapshot.neighbors(v)
                if viewer.sees(people[w])
            }
            for radius, expected in ((1, near | {ego}), (2, near | far | {ego})):
                drawn = draw(demo_store, viewer, as_of=JULY_2021, person_id=ego, radius=radius)
                assert set(nodes_of(drawn)) == expected, (radius, viewer.role)
