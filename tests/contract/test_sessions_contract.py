"""Page sessions, the same on every store: kept by the hash of their token, expiring,
capped per key (never across keys), ended with their key, and never a change to the
graph's version (read caches stay warm through a sign-in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graph.errors import NotFound
from graph.store import GraphStore, PageSession

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _session(token: str, key_id: str, minute: int = 0, **changes: object) -> PageSession:
    created = T0 + timedelta(minutes=minute)
    fields: dict[str, object] = {
        "token_sha256": token,
        "key_id": key_id,
        "key_sha256": key_id * 8,
        "created_at": created,
        "expires_at": created + timedelta(hours=8),
    }
    fields.update(changes)
    return PageSession(**fields)  # type: ignore[arg-type]


def test_save_session_then_find_it_by_its_hash_until_it_expires(store: GraphStore) -> None:
    saved = _session("t1", "k1", staged_id="s1", staged_name="c2023.json")
    store.save_session(saved)
    assert store.session("t1", T0 + timedelta(hours=7, minutes=59)) == saved
    with pytest.raises(NotFound):
        store.session("t1", T0 + timedelta(hours=8))  # expiry is exclusive
    with pytest.raises(NotFound):
        store.session("t2", T0)


def test_save_session_again_replaces_it(store: GraphStore) -> None:
    store.save_session(_session("t1", "k1", staged_id="s1", staged_name="a.json"))
    moved = _session("t1", "k1", expires_at=T0 + timedelta(hours=10))
    store.save_session(moved)
    assert store.session("t1", T0 + timedelta(hours=9)) == moved  # staged upload gone too
    assert store.sessions_of_key("k1") == [moved]


def test_save_session_keeps_the_newest_of_its_key_only(store: GraphStore) -> None:
    store.save_session(_session("other", "k2", minute=0), keep_per_key=2)
    for minute in range(1, 6):  # five sign-ins of k1, a minute apart
        store.save_session(_session(f"t{minute}", "k1", minute=minute), keep_per_key=2)
    assert [s.token_sha256 for s in store.sessions_of_key("k1")] == ["t4", "t5"]
    assert [s.token_sha256 for s in store.sessions_of_key("k2")] == ["other"]
    assert store.session("other", T0).key_id == "k2"


def test_delete_sessions_of_key_ends_that_keys_sessions_only(store: GraphStore) -> None:
    for token, key_id in (("a", "k1"), ("b", "k1"), ("c", "k2")):
        store.save_session(_session(token, key_id))
    assert store.delete_sessions_of_key("k1") == 2
    assert store.delete_sessions_of_key("k1") == 0
    assert store.sessions_of_key("k1") == []
    assert store.session("c", T0).key_id == "k2"


def test_delete_session_ends_one_and_ignores_unknown(store: GraphStore) -> None:
    store.save_session(_session("a", "k1"))
    store.save_session(_session("b", "k1"))
    store.delete_session("a")
    store.delete_session("never")
    assert [s.token_sha256 for s in store.sessions_of_key("k1")] == ["b"]


def test_delete_expired_sessions_forgets_those_past_their_expiry(store: GraphStore) -> None:
    store.save_session(_session("old", "k1", expires_at=T0 + timedelta(hours=1)))
    store.save_session(_session("new", "k1", expires_at=T0 + timedelta(hours=3)))
    assert store.delete_expired_sessions(T0 + timedelta(hours=1)) == 1
    assert [s.token_sha256 for s in store.sessions_of_key("k1")] == ["new"]


def test_writing_sessions_leaves_the_store_version_alone(store: GraphStore) -> None:
    before = store.version()
    store.save_session(_session("a", "k1"), keep_per_key=1)
    store.save_session(_session("b", "k1", minute=1), keep_per_key=1)
    store.delete_session("b")
    store.delete_sessions_of_key("k1")
    store.delete_expired_sessions(T0)
    assert store.version() == before
