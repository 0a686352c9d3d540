"""What a store offers the write algorithm (``graph.writes``): its primitives inside one
open transaction, and the reads a write makes before it writes, kept for the write."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol, TypeVar, cast

from graph.derived import Group
from graph.model import ApiKey, Employment, Erasure, IngestRun, Record, Tie, TieKind
from graph.store import JournalEntry

__all__ = ["ContentTx", "HeldReads", "RecordTx"]

R = TypeVar("R", bound=Record)


class RecordTx(Protocol):
    """A store's primitives inside one open transaction."""

    def fetch(self, model: type[R], keys: Collection[str]) -> dict[str, R]: ...

    def held(self, model: type[Record], keys: Collection[str]) -> set[str]:
        """Which of ``keys`` the store holds (existence alone: no record is read)."""
        ...

    def upsert(self, model: type[R], records: Sequence[R]) -> None: ...

    def create(self, model: type[R], records: Sequence[R]) -> None:
        """Write records this transaction has just fetched and found absent.

        The same result as ``upsert``; a store may write them without looking
        for an existing record first (Neo4j ``CREATE`` instead of ``MERGE``).
        """
        ...

    def delete(self, model: type[Record], keys: Collection[str]) -> None: ...

    def employments_of(self, person_ids: Collection[str]) -> list[Employment]:
        """Every employment, open or ended, of these people."""
        ...

    def add_journal(self, entries: Sequence[JournalEntry]) -> None: ...

    def journal(self, run_id: str) -> list[JournalEntry]: ...

    def members_of(self, kind: TieKind, contexts: Collection[str]) -> dict[str, set[str]]:
        """Stored members of these cohorts (``cohort_peer``: memberships, any role) or
        projects (``project``: project members, not the sponsor), by id."""
        ...

    def marks(self, keys: Collection[str]) -> dict[str, str | None]:
        """Which of these groups (``graph.derived.group_key``) the store derives ties for,
        with the run that last changed them."""
        ...

    def save_marks(self, groups: Sequence[tuple[TieKind, str, str | None]]) -> None:
        """Mark these (kind, context, run id) groups as derived, or restamp them."""
        ...

    def group_tie_rows(self, keys: Collection[str]) -> list[Tie]:
        """Stored tie rows of these groups (written before they were derived)."""
        ...

    def drop_journal(self, run_id: str) -> None: ...

    def save_run(self, run: IngestRun) -> None: ...

    def load_runs(self) -> list[IngestRun]: ...


class ContentTx(RecordTx, Protocol):
    """What a store's transaction adds to ``RecordTx`` to read and write its whole
    content (``read_content``, ``write_content``)."""

    def every(self, model: type[R]) -> list[R]:
        """Every record of one kind (ambitions, API keys and erasures included)."""
        ...

    def save_keys(self, keys: Sequence[ApiKey]) -> None:
        """Create or replace these API keys."""
        ...

    def add_erasures(self, erasures: Sequence[Erasure]) -> None: ...

    def groups(self) -> list[Group]:
        """Every marked group (``graph.derived``) with its current members."""
        ...

    def empty(self) -> None:
        """Remove every record, run, journal entry, API key, erasure and group mark; the
        ambitions stay (or are seeded again)."""
        ...


class HeldReads:
    """Records a write read before writing their kind (the merges' restated records, the
    groups' cohorts and projects), kept for the rest of the write: each key is read once.

    Only for reads made before that kind is written, in the same transaction; each round
    trip saved is one per bundle loaded (tens of milliseconds on Neo4j).
    """

    def __init__(self) -> None:
        self._asked: dict[type[Record], set[str]] = {}
        self._found: dict[type[Record], dict[str, Record]] = {}

    def fetch(self, tx: RecordTx, model: type[R], keys: Collection[str]) -> dict[str, R]:
        """The stored records of ``keys`` (absent keys left out), reading only those not
        asked for before."""
        asked = self._asked.setdefault(model, set())
        found = self._found.setdefault(model, {})
        missing = set(keys) - asked
        if missing:
            found.update(tx.fetch(model, missing))
            asked |= missing
        return cast(dict[str, R], {k: found[k] for k in keys if k in found})

    def covers(self, model: type[Record], keys: Collection[str]) -> bool:
        return self._asked.get(model, set()).issuperset(keys)
