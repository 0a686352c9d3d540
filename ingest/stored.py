"""What a load reads of the store whole: every record of a kind, and every organisation.

Every load reads the stored organisations whole, because a bundle may name one by
any of its spellings (its name or an alias, matched case- and space-insensitively)
and may not give another organisation a spelling one already has. At 100,000 people
that was 1,895 organisations read and built as records for each of the 2,000
bundles: about 80 ms of each bundle's 140 ms of checking on Neo4j. They are kept
per store object and caught up by the store's change log (``changes_since``), the
way the warm network and the search index are: a load reads only the organisations
written since the last one, and everything again whenever the log cannot say.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from weakref import WeakKeyDictionary

from graph.model import Organisation
from graph.store import GraphStore, Page, R

__all__ = ["FIND_ALL_PAGE", "find_all", "stored_organisations"]

FIND_ALL_PAGE = 20_000


def find_all(
    store: GraphStore, model: type[R], where: Mapping[str, str | None] | None = None
) -> list[R]:
    """Every record matching ``where``, page by page (``find`` pages by default).

    Pages of ``FIND_ALL_PAGE``: Neo4j's ``find`` collects every match for each page it
    cuts."""
    found: list[R] = []
    while True:
        page = store.find(model, where, Page(limit=FIND_ALL_PAGE, offset=len(found)))
        found += page.data
        if not page.data or len(found) >= page.count:
            return found


@dataclass(frozen=True)
class _Held:
    mark: int
    organisations: dict[str, Organisation]


_HELD: WeakKeyDictionary[GraphStore, _Held] = WeakKeyDictionary()
_LOCK = threading.Lock()


def stored_organisations(store: GraphStore) -> Mapping[str, Organisation]:
    """Every stored organisation by id, as of now (read-only: what is kept is never
    changed, only replaced)."""
    with _LOCK:
        held = _HELD.get(store)
        # The mark is read before what it covers: a write racing the read below is
        # named again next time (the log is a superset), never missed.
        changes = store.changes_since(None if held is None else held.mark)
        if held is None or changes.entries is None:
            organisations = {o.key: o for o in find_all(store, Organisation)}
        else:
            organisations = dict(held.organisations)
            named = {key for kind, key, _ in changes.entries if kind == Organisation.kind}
            found = store.get_many(Organisation, named) if named else {}
            for key in named:
                if key in found:
                    organisations[key] = found[key]
                else:
                    organisations.pop(key, None)
        _HELD[store] = _Held(changes.mark, organisations)
        return MappingProxyType(organisations)
