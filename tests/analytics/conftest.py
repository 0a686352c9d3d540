"""Fixtures: the snapshots of :mod:`tests.analytics.graphs`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.analytics.graphs import florentine, hand_graph, karate, two_triangles


@pytest.fixture
def hand() -> Any:
    return hand_graph()


@pytest.fixture
def club() -> Any:
    return karate()


@pytest.fixture
def families() -> Any:
    return florentine()


@pytest.fixture
def triangles() -> Any:
    return two_triangles()
