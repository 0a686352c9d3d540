"""``GET /paths/introduction`` searches a warm network the server keeps in memory, and
``GET /metrics/network`` keeps its answers: a write made anywhere, including by another
process (another store object on the same database, as the CLI's ``ingest`` or
``DELETE`` would be), shows in the next answer."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from graph.model import Tie, TieKind
from graph.store import Batch, GraphStore
from graph.stores import open_store

from .conftest import Keys


def _chains(client: TestClient, keys: Keys, query: str) -> list[list[str]]:
    response = client.get(f"/paths/introduction?{query}", headers=keys.header("programme"))
    assert response.status_code == 200, response.text
    return [[p["id"] for p in path["people"]] for path in response.json()["paths"]]


def _bob_mentors_fay_from_another_process(store: GraphStore) -> None:
    """A new tie written through another store object, as the CLI's ``ingest`` would."""
    other = open_store(store.url)
    try:
        mentoring = Tie(
            source_id="bob", target_id="fay", tie_kind=TieKind.MENTORING, start=date(2021, 6, 1)
        )
        other.apply(Batch(ties=[mentoring]))
    finally:
        other.close()


def test_path_answer_follows_a_tie_written_by_another_process(
    client: TestClient, keys: Keys, sample: GraphStore
) -> None:
    # fay is reached only through dan, who is not in the directory: no path yet
    assert _chains(client, keys, "from=ann&to=fay") == []
    _bob_mentors_fay_from_another_process(sample)
    assert _chains(client, keys, "from=ann&to=fay")[0] == ["ann", "bob", "fay"]


def test_path_answer_forgets_a_person_erased_by_another_process(
    client: TestClient, keys: Keys, sample: GraphStore
) -> None:
    assert _chains(client, keys, "from=ann&to=dan") == [
        ["ann", "cat", "dan"],
        ["ann", "bob", "cat", "dan"],
    ]
    other = open_store(sample.url)
    try:
        other.erase_person("cat", actor="another process")
    finally:
        other.close()
    assert _chains(client, keys, "from=ann&to=dan") == []


def test_metrics_are_kept_between_writes_and_follow_a_write_by_another_process(
    client: TestClient, keys: Keys, sample: GraphStore
) -> None:
    def ties() -> int:
        response = client.get("/metrics/network?as_of=2022-01-01", headers=keys.header("programme"))
        assert response.status_code == 200, response.text
        return int(response.json()["network"]["ties"])

    # the sample on 2022-01-01, default kinds: ann-bob, ann-cat, bob-cat, cat-dan, dan-fay
    assert [ties(), ties()] == [5, 5]
    memo = client.app.state.answers  # type: ignore[attr-defined]
    assert memo.computed == 1  # the second answer was remembered
    _bob_mentors_fay_from_another_process(sample)
    assert ties() == 6
    assert memo.computed == 2
