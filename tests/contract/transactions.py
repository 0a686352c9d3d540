"""Work inside one of the store's own transactions, for tests of its ``RecordTx``."""

from __future__ import annotations

from typing import Any, cast

from graph.store import GraphStore


def in_tx(store: GraphStore, work: Any) -> Any:
    """``work(tx)`` inside one of the store's own transactions (its ``RecordTx``)."""
    if hasattr(store, "_transaction"):
        with cast(Any, store)._transaction() as tx:
            return work(tx)
    return cast(Any, store)._read(work)
