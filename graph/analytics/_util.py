"""Small helpers shared by the analytics modules (private)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from typing import Any

__all__ = ["AREA", "ORGANISATION", "SECTOR", "canonical_order", "finite_or_none", "node_labels"]

ORGANISATION = "organisation"
SECTOR = "sector"
AREA = "area"
"""Node attribute of a person's area (``spec/metrics.md``: the third grouping)."""


def canonical_order(nodes: Iterable[Hashable]) -> list[Hashable]:
    """Nodes sorted by id (by ``repr`` when the ids are not mutually comparable)."""
    items = list(nodes)
    try:
        return sorted(items)  # type: ignore[type-var]
    except TypeError:
        return sorted(items, key=repr)


def node_labels(G: Any, attribute: str) -> dict[Hashable, Hashable | None]:
    """Each node's ``attribute``; ``None`` (unknown) when missing or ``None``."""
    return {v: data.get(attribute) for v, data in G.nodes(data=True)}


def finite_or_none(x: float | None) -> float | None:
    """``x`` as a plain float, or ``None`` when it is ``None`` or NaN."""
    if x is None:
        return None
    value = float(x)
    return None if math.isnan(value) else value
