"""Search finds people the way people ask, on both stores.

The sample programme (tests/contract/sample.py), worked by hand: ann (Essex County
Council, alias ECC; Tendring; interest loneliness; lead of project pr-da on the
wicked issue "Domestic abuse"), bob (Mid and South Essex ICB, health; Tendring;
skill data; member of pr-da), cat (Essex Police now, ECC before; member of pr-da),
dan (Essex Police; sponsor of pr-da; not in the directory), eve (Mid and South
Essex ICB; cohort 2021), fay (Essex Police; cohort 2021; interest loneliness).
Everyone is "<Name> Example", "Head of Service"; ann, bob, cat, dan in cohort 2019.
Added here: siân, "Siân Police-Smith", at ECC, in the directory.
"""

from __future__ import annotations

from datetime import date

import pytest

from graph.model import Employment, Person, Sector
from graph.search import forget_answers, search
from graph.store import Batch, GraphStore, Page, PersonQuery

from ..contract.sample import ECC, programme

EVERYONE = Page(limit=100)


TEAM: dict[str, object] = {}
"""The programme team sees everyone: no consent filter."""


def alumnus(me: str) -> dict[str, object]:
    """An alumni caller sees directory-consenting people and themself."""
    return {"directory_only": True, "also_id": me}


SIAN = Person(
    id="sian",
    email="sian@example.org",
    name="Siân Police-Smith",
    job_title="Policy Officer",
    consent_directory=True,
)


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.apply(programme())
    store.apply(
        Batch(
            organisations=[ECC],  # Neo4j checks references within the batch
            people=[SIAN],
            employments=[
                Employment(person_id="sian", organisation_id="ecc", start=date(2020, 1, 1))
            ],
        )
    )
    return store


def found(
    store: GraphStore, viewer: dict[str, object] = TEAM, page: Page = EVERYONE, **query: object
) -> list[str]:
    result = search(store, PersonQuery(**viewer, **query), page)  # type: ignore[arg-type]
    return [p.person.id for p in result.data]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Essex Police", {"cat", "dan", "fay", "sian"}),  # sian: Police-Smith, Essex CC
        ("ecc", {"ann", "sian"}),  # an alias; cat worked there before, not now
        ("health", {"bob", "eve"}),  # the employer's sector
        ("tendring", {"ann", "bob"}),  # area
        ("loneliness", {"ann", "fay"}),  # interest
        ("DATA", {"bob"}),  # skill, case ignored
        ("2021", {"eve", "fay"}),  # cohort name
        ("domestic abuse", {"ann", "bob", "cat", "dan"}),  # issue: members and sponsor
        ("sian", {"sian"}),  # accents ignored
        ("SIÂN", {"sian"}),
        ("fay example", {"fay"}),  # every word must be found
        ("nobody", set()),
    ],
)
def test_search_finds_people_by_every_field_they_are_asked_by(
    loaded: GraphStore, text: str, expected: set[str]
) -> None:
    assert set(found(loaded, text=text)) == expected


def test_search_ranks_a_name_above_an_employer_then_by_name(loaded: GraphStore) -> None:
    # "police": siân by name; cat, dan, fay by employer (equal, so by name)
    assert found(loaded, text="police") == ["sian", "cat", "dan", "fay"]


def test_search_ranks_the_whole_phrase_above_its_words_apart(loaded: GraphStore) -> None:
    # cat, dan, fay work at "Essex Police" (cat moved there); siân's name has "Police"
    # and her employer "Essex", apart
    assert found(loaded, text="essex police") == ["cat", "dan", "fay", "sian"]


def test_search_ranks_a_whole_word_above_the_start_of_one(loaded: GraphStore) -> None:
    # "polic": the start of "Police" (siân's name; cat, dan, fay's employer) and of
    # "Policy" (siân's job): siân ranks first, by her name
    assert found(loaded, text="polic")[0] == "sian"
    assert set(found(loaded, text="polic")) == {"sian", "cat", "dan", "fay"}


def test_search_for_alumni_neither_returns_nor_counts_hidden_people(loaded: GraphStore) -> None:
    result = search(loaded, PersonQuery(text="police", **alumnus("ann")), EVERYONE)  # type: ignore[arg-type]
    assert [p.person.id for p in result.data] == ["sian", "cat", "fay"]  # dan withheld
    assert result.count == 3
    assert found(loaded, alumnus("dan"), text="police") == ["sian", "cat", "dan", "fay"]


def test_search_filters_must_all_hold(loaded: GraphStore) -> None:
    assert set(found(loaded, organisation_id="essex-police")) == {"cat", "dan", "fay"}
    assert set(found(loaded, sector=Sector.POLICE, cohort_id="c2021")) == {"fay"}
    assert set(found(loaded, area="TENDRING")) == {"ann", "bob"}
    assert set(found(loaded, issue_id="domestic-abuse", text="police")) == {"cat", "dan"}
    assert found(loaded, organisation_id="no-such-organisation") == []


def test_search_pages_hold_the_next_people_and_count_them_all(loaded: GraphStore) -> None:
    everyone = found(loaded)
    # without words, in name order: "Siân Police-Smith" sorts after "Fay Example"
    assert everyone == ["ann", "bob", "cat", "dan", "eve", "fay", "sian"]
    second = search(loaded, PersonQuery(), Page(limit=3, offset=3))
    assert [p.person.id for p in second.data] == ["dan", "eve", "fay"]
    assert second.count == 7


def test_search_sees_a_write_at_once(loaded: GraphStore) -> None:
    assert found(loaded, text="zara") == []
    zara = Person(id="zara", email="zara@example.org", name="Zara Example")
    loaded.apply(Batch(people=[zara]))
    assert found(loaded, text="zara") == ["zara"]


def test_search_returns_each_profile_with_employer_now_and_cohorts(loaded: GraphStore) -> None:
    result = search(loaded, PersonQuery(text="cat"), EVERYONE)
    (cat,) = result.data
    assert cat.organisation is not None and cat.organisation.id == "essex-police"
    assert [c.id for c in cat.cohorts] == ["c2019"]


def _index_asks(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The words of every query the store's index is sent from now on."""
    asked: list[tuple[str, ...]] = []
    index = store.search_index

    def counted(query: PersonQuery, words: list[str], page: Page) -> object:
        asked.append(tuple(words))
        return index(query, words, page)

    monkeypatch.setattr(store, "search_index", counted)
    return asked


def test_search_answers_a_query_asked_again_from_its_pages_until_a_write(
    loaded: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _index_asks(loaded, monkeypatch)
    first = found(loaded, text="police")
    assert found(loaded, text="POLICE") == first == ["sian", "cat", "dan", "fay"]
    assert found(loaded, viewer=alumnus("bob"), text="police") == ["sian", "cat", "fay"]
    assert asked == [("police",), ("police",)]  # the same words and consent: read once
    loaded.apply(Batch(people=[SIAN.model_copy(update={"consent_directory": False})]))
    assert found(loaded, viewer=alumnus("bob"), text="police") == ["cat", "fay"]
    assert len(asked) == 3  # the write changed the version: the index is asked again


def test_forgetting_the_answers_sends_the_same_query_to_the_index_again(
    loaded: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _index_asks(loaded, monkeypatch)
    first = found(loaded, text="police")
    assert found(loaded, text="police") == first and len(asked) == 1  # a kept page
    forget_answers(loaded)
    assert found(loaded, text="police") == first  # the same answer, from the index
    assert asked == [("police",), ("police",)]
