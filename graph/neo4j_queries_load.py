"""Write-side statements a load adds to ``graph.neo4j_queries``: existence look-ups of
keys alone, for the checks a batch passes inside its write transaction."""

from __future__ import annotations

from typing import LiteralString

from graph.neo4j_queries import NODE_KINDS

__all__ = ["HELD"]


def _held(label: LiteralString, identity: LiteralString) -> LiteralString:
    return f"UNWIND $keys AS k MATCH (n:{label} {{{identity}: k}}) RETURN k AS key"


HELD: dict[str, LiteralString] = {
    kind: _held(node.label, node.identity) for kind, node in NODE_KINDS.items()
}
"""``$keys`` -> ``key`` rows of those held, per node kind (found through its unique
constraint's index; no properties are sent back)."""
