"""The bulk reads behind fast answers, on every store: the same hand-worked answers.

``profile_links`` (employments and memberships of many people in one read),
``ties_among`` (the ties between the people of a path), ``tie_ends`` (the warm
network in one read), ``version`` (what read caches compare) and search with
``directory_only`` (consent filtered by the store, so it can page and count).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from graph.connections import WARM_KINDS
from graph.model import ApiKey, KeyRole, Tie, TieKind, Wave
from graph.store import Batch, GraphStore, Page, PersonQuery
from graph.stores import open_store

from .sample import programme, survey


def _loaded(store: GraphStore) -> GraphStore:
    store.apply(programme())
    return store


def test_profile_links_reads_every_employment_and_membership_of_the_people_asked(
    store: GraphStore,
) -> None:
    jobs, memberships = _loaded(store).profile_links(["cat", "ann", "nobody", "cat"])
    assert {(e.person_id, e.organisation_id, e.start, e.end) for e in jobs} == {
        ("ann", "ecc", date(2019, 5, 1), None),
        ("cat", "ecc", date(2019, 5, 1), date(2020, 5, 31)),
        ("cat", "essex-police", date(2020, 6, 1), None),
    }
    assert {(m.person_id, m.cohort_id) for m in memberships} == {
        ("ann", "c2019"),
        ("cat", "c2019"),
    }
    assert [e.key for e in jobs] == sorted(e.key for e in jobs)
    assert store.profile_links([]) == ([], [])


def _ends(ties: list[Tie]) -> set[tuple[str, str, str]]:
    return {(t.source_id, t.target_id, t.tie_kind.value) for t in ties}


def test_ties_among_keeps_only_ties_with_both_people_in_the_set(store: GraphStore) -> None:
    _loaded(store)
    assert _ends(store.ties_among(["ann", "bob"], WARM_KINDS)) == {
        ("ann", "bob", "project"),
        ("ann", "bob", "advice"),
    }
    assert _ends(store.ties_among(["dan", "cat", "ann"], WARM_KINDS)) == {
        ("ann", "cat", "project"),
        ("ann", "cat", "collaboration"),
        ("cat", "dan", "advice"),
    }
    assert _ends(store.ties_among(["ann", "fay"])) == {("ann", "fay", "want_to_meet")}
    assert store.ties_among(["ann", "fay"], WARM_KINDS) == []
    assert store.ties_among([], WARM_KINDS) == []


def test_tie_ends_lists_every_tie_of_the_kinds_kind_by_kind(store: GraphStore) -> None:
    _loaded(store)
    # from the sample's table: project ties ann-bob, ann-cat, bob-cat; mentoring dan -> fay
    found = store.tie_ends([TieKind.PROJECT, TieKind.MENTORING, TieKind.COHORT_PEER])
    assert {kind: sorted(zip(*ends, strict=True)) for kind, ends in found.items()} == {
        TieKind.PROJECT: [("ann", "bob"), ("ann", "cat"), ("bob", "cat")],
        TieKind.MENTORING: [("dan", "fay")],
    }
    assert store.tie_ends([]) == {}


def test_version_changes_with_every_kind_of_write_and_not_with_reads(store: GraphStore) -> None:
    seen = [store.version()]
    store.apply(programme())
    seen.append(store.version())
    store.search_people(PersonQuery(text="example"))
    store.ties_of(["ann"])
    store.snapshot(date(2021, 1, 1))
    assert store.version() == seen[-1]
    extra = survey("eve", "fay", TieKind.ADVICE, Wave.END, date(2021, 9, 1))
    store.apply(Batch(ties=[extra.model_copy(update={"cohort_id": "c2021", "context": "c2021"})]))
    seen.append(store.version())
    key = ApiKey(
        id="k1",
        role=KeyRole.ADMIN,
        secret_sha256="0" * 64,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    store.save_key(key)
    seen.append(store.version())
    store.revoke_key("k1", datetime(2026, 1, 2, tzinfo=UTC))
    seen.append(store.version())
    store.erase_person("dan", actor="test")
    seen.append(store.version())
    assert len(set(seen)) == len(seen), seen


def test_version_sees_a_write_made_through_another_store_object(store: GraphStore) -> None:
    _loaded(store)
    before = store.version()
    other = open_store(store.url)
    try:
        other.erase_person("dan", actor="another process")
    finally:
        other.close()
    assert store.version() != before


def test_search_directory_only_keeps_consenting_people_and_the_one_named(
    store: GraphStore,
) -> None:
    _loaded(store)

    def ids(query: PersonQuery, page: Page | None = None) -> tuple[list[str], int]:
        found = store.search_people(query, page)
        return [p.id for p in found.data], found.count

    everyone = ["ann", "bob", "cat", "dan", "eve", "fay"]
    assert ids(PersonQuery()) == (everyone, 6)
    assert ids(PersonQuery(directory_only=True)) == (["ann", "bob", "cat", "eve", "fay"], 5)
    assert ids(PersonQuery(directory_only=True, also_id="dan")) == (everyone, 6)
    assert ids(PersonQuery(directory_only=True), Page(limit=2, offset=2)) == (["cat", "eve"], 5)
    assert ids(PersonQuery(text="data", directory_only=True)) == (["bob"], 1)
    assert ids(PersonQuery(area="basildon", directory_only=True, also_id="dan")) == (
        ["cat", "dan", "eve", "fay"],
        4,
    )


def test_tie_ends_of_lists_each_tie_touching_the_people_once(store: GraphStore) -> None:
    _loaded(store)
    # from the sample's table: bob's and dan's ties of these kinds; none of fay's asked
    kinds = [TieKind.PROJECT, TieKind.MENTORING, TieKind.ADVICE]
    found = store.tie_ends_of(["bob", "dan"], kinds)
    assert {kind: sorted(zip(*ends, strict=True)) for kind, ends in found.items()} == {
        TieKind.PROJECT: [("ann", "bob"), ("bob", "cat")],
        TieKind.MENTORING: [("dan", "fay")],
        TieKind.ADVICE: [("ann", "bob"), ("cat", "dan")],
    }
    # a tie with both ends among the people asked is listed once
    both = store.tie_ends_of(["cat", "bob", "bob"], [TieKind.PROJECT])
    assert sorted(zip(*both[TieKind.PROJECT], strict=True)) == [
        ("ann", "bob"),
        ("ann", "cat"),
        ("bob", "cat"),
    ]
    assert store.tie_ends_of([], kinds) == {} and store.tie_ends_of(["bob"], []) == {}
    assert store.tie_ends_of(["nobody"], kinds) == {}
