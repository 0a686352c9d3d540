"""Betweenness started in a child process gives the very floats worked out in the caller,
and the caller works it out itself when the child cannot."""

from __future__ import annotations

import os
from typing import Any

import networkx as nx
import pytest

from graph.analytics import forked
from graph.analytics.people import betweenness, betweenness_started
from tests.analytics.graphs import florentine, karate, needs_igraph

pytestmark = needs_igraph


def _named(G: Any) -> Any:
    """String ids, as snapshots have (their order differs from the integers')."""
    return nx.relabel_nodes(G, {v: f"p{v}" for v in G})


GRAPHS = {
    "karate": lambda: _named(karate()),
    "florentine": florentine,
    "random": lambda: _named(nx.gnp_random_graph(300, 0.02, seed=7)),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("exact_limit", [10_000, 5], ids=["exact", "sampled"])
def test_betweenness_started_in_a_child_equal_the_callers_exactly(
    name: str, exact_limit: int
) -> None:
    G = GRAPHS[name]()
    expected = betweenness(G, backend="networkx", exact_limit=exact_limit, sample_size=8)
    here = betweenness(G, exact_limit=exact_limit, sample_size=8)
    started = betweenness_started(G, exact_limit=exact_limit, sample_size=8, forked_above=1)
    answer = started()
    assert answer == here  # the same floats, not merely close
    assert answer.keys() == expected.keys()
    assert all(abs(answer[v] - expected[v]) < 1e-9 for v in expected)  # networkx agrees
    assert started() is answer  # worked out once


def test_betweenness_started_fork_failing_work_it_out_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_fork() -> int:
        raise OSError("no more processes")

    monkeypatch.setattr(os, "fork", no_fork)
    G = _named(karate())
    assert betweenness_started(G, forked_above=1)() == betweenness(G)


def test_betweenness_started_small_graph_not_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise AssertionError("forked for a small graph")

    monkeypatch.setattr(os, "fork", no_fork)
    G = _named(karate())
    assert betweenness_started(G)() == betweenness(G)


def test_floats_child_failing_work_it_out_here() -> None:
    calls: list[int] = []

    def work() -> list[float]:
        calls.append(os.getpid())
        if os.getpid() != parent:  # the child fails
            raise RuntimeError("child fails")
        return [1.5, 2.5]

    parent = os.getpid()
    floats = forked.started(work, 2)
    assert floats() == [1.5, 2.5]
    assert calls == [parent]  # the child's call left no trace here: the parent's did the work


def test_floats_short_answer_work_it_out_here() -> None:
    parent = os.getpid()
    floats = forked.started(lambda: [0.0] if os.getpid() != parent else [1.0, 2.0, 3.0], 3)
    assert floats() == [1.0, 2.0, 3.0]


def test_floats_from_the_child() -> None:
    parent = os.getpid()
    floats = forked.started(lambda: [float(os.getpid() != parent), 0.25], 2)
    assert floats() == [1.0, 0.25]  # worked out in the child, read back whole


def test_floats_never_asked_for_child_reaped() -> None:
    floats = forked.Floats(lambda: [1.0], 1)
    pid = floats._pid
    assert pid is not None
    del floats
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
