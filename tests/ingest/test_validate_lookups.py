"""Validation reads what the store holds in bulk: one ``get_many`` per kind, never a
second read for keys it has already asked about (issue 15, item 3).

The counts expected are worked out from the sample bundle (tests/ingest/conftest.py):
its people, issue, project and cohort are each read once before the rules run, and
organisations are read whole through ``find``; everything the batch's checks and the
free-text check then ask about is among what was read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, cast

from graph.model import Organisation, Person, Record
from graph.settings import get_settings
from graph.store import GraphStore
from ingest.pipeline import load_bundle
from ingest.read import read_bundle
from ingest.validate import validate_bundle
from ingest.validator import Validator

from .conftest import Tables, pid


class CountingStore:
    """A store passing every call through, counting ``get_many`` calls by kind."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.asked: Counter[str] = Counter()

    def get_many(self, model: type[Record], keys: Collection[str]) -> dict[str, Record]:
        self.asked[model.kind] += 1
        return self.inner.get_many(model, keys)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _loaded(store: GraphStore, tables: Tables, write: Callable[[Tables, str], Path]) -> Path:
    path = write(tables, "bundle.json")
    assert load_bundle(path, store).ok
    return path


def test_validate_bundle_reads_each_kind_once_however_many_checks_ask(
    store: GraphStore, tables: Tables, write: Callable[[Tables, str], Path]
) -> None:
    path = _loaded(store, tables, write)
    counting = CountingStore(store)
    result = validate_bundle(read_bundle(path), cast(GraphStore, counting))
    assert result.ok, result.errors
    assert counting.asked == Counter({"person": 1, "wicked_issue": 1, "project": 1, "cohort": 1})


def test_validate_follow_up_survey_reads_people_once_for_rows_and_derived_ties(
    store: GraphStore, tables: Tables, write: Callable[[Tables, str], Path]
) -> None:
    """The follow-up names ann, bob, cat and dan (and the unknown zed) in its survey; the
    cohort-peer ties derived from the four stored members need no second read of them."""
    _loaded(store, tables, write)
    path = write({"cohort": tables["cohort"], "survey": tables["survey"]}, "follow-up.json")
    counting = CountingStore(store)
    result = validate_bundle(read_bundle(path), cast(GraphStore, counting))
    assert result.ok, result.errors
    assert counting.asked == Counter({"person": 1, "cohort": 1})


def test_validator_lookup_asks_the_store_only_for_keys_not_asked_before(
    store: GraphStore, tables: Tables, write: Callable[[Tables, str], Path]
) -> None:
    path = _loaded(store, tables, write)
    counting = CountingStore(store)
    salt = get_settings().id_salt.get_secret_value()
    check = Validator(read_bundle(path), cast(GraphStore, counting), salt)
    check.prefetch_stored()
    assert counting.asked["person"] == 1
    assert set(check.lookup(Person, [pid("ann"), pid("dan")])) == {pid("ann"), pid("dan")}
    assert counting.asked["person"] == 1, "ann and dan were read before the rules ran"
    assert check.lookup(Person, [pid("yan")]) == {}
    assert counting.asked["person"] == 2, "yan is named nowhere in the bundle"
    assert check.lookup(Person, [pid("yan"), pid("ann")]).keys() == {pid("ann")}
    assert counting.asked["person"] == 2, "nor is yan asked about twice"
    assert check.lookup(Organisation, ["no-such-organisation"]) == {}
    assert counting.asked["organisation"] == 0, "organisations were read whole"


def test_validate_bundle_hashes_each_email_once_however_many_rows_name_it(
    store: GraphStore, tables: Tables, write: Callable[[Tables, str], Path], monkeypatch: Any
) -> None:
    """Person ids are keyed hashes of emails; the sample names ann, bob, cat and dan on
    many rows (people, members, project members, mentoring, survey) and the survey's
    unknown zed: one hash per distinct email, not one per cell."""
    import ingest.validator

    hashed: Counter[str] = Counter()
    real = ingest.validator.person_id_for

    def counting(email: str, salt: str) -> str:
        hashed[email] += 1
        return real(email, salt)

    monkeypatch.setattr(ingest.validator, "person_id_for", counting)
    path = write(tables, "bundle.json")
    result = validate_bundle(read_bundle(path), store)
    assert result.ok, result.errors
    emails = {
        str(value).strip().casefold()
        for rows in tables.values()
        for row in rows
        for column, value in row.items()
        if column.endswith("email") and value
    }
    assert len(emails) > 4  # the sample repeats its emails across tables
    assert hashed == Counter(dict.fromkeys(emails, 1))
