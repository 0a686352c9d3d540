"""A short log of what each write changed, so read caches can catch up by the delta.

Every write transaction that changes a store's content notes, in the same
transaction, one line saying what it wrote, numbered in order (the *mark*):

- ``{"run": id}``: an ingest run; its journal (``graph.writes``) names every record
  it created, updated or deleted, and the people each names, before and after;
- ``{"records": [[kind, key, [people]], ...]}``: these records, named one by one
  (a write without a run: a consent change, an API key, the ambitions);
- ``{"all": true}``: anything may have changed (a rollback, an erasure, an import,
  a wipe, a write too large to name record by record).

Only the last ``KEEP`` lines are kept. ``GraphStore.changes_since(mark)`` reads them
and resolves each run to its journal; whenever that cannot tell the whole story it
says so (``StoreChanges.entries is None``) and the reader reads everything again.
A line is only ever a superset of what the write changed: a reader that re-reads
every record and person it names ends as a fresh read would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence

from graph.model import IngestRun, Record
from graph.store import Batch, ChangedRecord, StoreChanges

__all__ = ["ALL", "KEEP", "MOST", "describe_batch", "describe_records", "resolve"]

ALL = json.dumps({"all": True})
"""What a write notes when it cannot say what it changed record by record."""

KEEP = 64
"""Lines each store keeps: a reader further behind than this reads everything again."""

MOST = 2_000
"""Records one line names one by one; a larger write without a run notes ``ALL``."""


def describe_records(records: Iterable[Record]) -> str:
    """A line naming these records and the people each names (``ALL`` beyond ``MOST``)."""
    named: list[list[object]] = []
    for record in records:
        if len(named) >= MOST:
            return ALL
        named.append([record.kind, record.key, list(record.person_ids())])
    return json.dumps({"records": named})


def describe_batch(batch: Batch, run: IngestRun | None) -> str:
    """What ``apply(batch, run)`` notes: the run (its journal says the rest), else every
    record of the batch. An employment the write retires (``graph.writes``) is not in the
    batch; its person is, through the batch's employments of them."""
    if run is not None:
        return json.dumps({"run": run.id})
    return describe_records(r for _, records in batch.by_kind() for r in records)


def resolve(
    mark: int | None,
    lines: Sequence[tuple[int, str]],
    journal: Callable[[Collection[str]], list[ChangedRecord]],
) -> StoreChanges:
    """What was written after ``mark``, from the kept ``lines`` (mark, line) in order and
    ``journal(run_ids)``, the entries of these runs; read in one transaction with them."""
    latest = lines[-1][0] if lines else 0
    if mark is None or mark > latest:
        return StoreChanges(latest, None)  # asked for none, or not this store's marks
    if mark == latest:
        return StoreChanges(latest, ())
    if not lines or lines[0][0] > mark + 1:
        return StoreChanges(latest, None)  # the lines right after the mark are gone
    entries: list[ChangedRecord] = []
    runs: list[str] = []
    for _, line in (line for line in lines if line[0] > mark):
        said = json.loads(line)
        if "run" in said:
            runs.append(str(said["run"]))
        elif "records" in said:
            entries += [(kind, key, tuple(people)) for kind, key, people in said["records"]]
        else:
            return StoreChanges(latest, None)
    if runs:
        entries += journal(runs)
    return StoreChanges(latest, tuple(entries))
