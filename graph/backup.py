"""Back up a whole store to one JSON Lines file, and restore it, on either store.

The format (version 1), one JSON object per line, UTF-8::

    {"format": "alumni-graph-backup", "version": 1, "exported_at": "...",
     "source": "sqlite", "counts": {"organisation": 3, ..., "journal": 12}}
    {"kind": "organisation", "data": {...}}        # the records, in write order:
    ...                                            #   WRITE_ORDER kinds, each by key,
    {"kind": "ingest_run", "data": {...}}          #   then runs (oldest first),
    {"kind": "journal", "data": {...}}             #   each run's journal (by seq),
    {"kind": "api_key", "data": {...}}             #   API keys (SHA-256 only),
    {"kind": "erasure", "data": {...}}             #   erasure audits
    {"end": true, "records": 1234, "sha256": "..."}

``data`` is the record's ``model_dump(mode="json")`` (``run_id`` included, so a
restored store can still roll back its latest run, and says which run last
asserted each record). The trailer's ``sha256`` is of the record lines, each
with its ``\\n``, in file order; with the header's counts it lets ``read_backup``
refuse a truncated or altered file before anything is written.

What is in it, and why:

- every record of the graph, every ingest run and the journal of every run:
  restoring gives the same content, the same history and the same rollbacks;
- erasure audits: an erased person must stay erased, and the audit (id, time,
  who) is the proof that they were;
- API keys, as their SHA-256 hashes only (the store never had the secrets):
  keys keep working after a restore or a move to the other store. Revoke them
  (``alumni-graph keys revoke``) if a backup file is lost;
- not the ambitions: they are the programme's constants, seeded by every store.

A backup holds personal data: keep it as carefully as the store itself. An
erasure made after a backup was taken is not in that backup; restoring it with
``--replace`` over the store keeps the store's erasures and leaves the people
they name out, so they stay erased. The file's own erasures are applied to its
records the same way, into any store: a person erased before the backup was
taken never comes back from it, whatever else the file holds about them. A
backup taken before an erasure, restored anywhere but over the store that
holds it, would bring them back: delete old backups on the schedule your
retention policy sets.

Import writes everything in one transaction on an empty store (or, with
``replace=True``, on a store it empties first in the same transaction): the
store ends either exactly as the file says or exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.errors import Conflict, Invalid, Problem
from graph.model import (
    AMBITIONS,
    WRITE_ORDER,
    Ambition,
    ApiKey,
    Erasure,
    IngestRun,
    Project,
    Record,
)
from graph.store import GraphStore
from graph.writes import JournalEntry

__all__ = ["FORMAT", "VERSION", "Backup", "export_store", "import_store", "read_backup"]

FORMAT = "alumni-graph-backup"
VERSION = 1

_SIDE_KINDS: dict[str, type[Record]] = {
    "ingest_run": IngestRun,
    "api_key": ApiKey,
    "erasure": Erasure,
}
KIND_ORDER: tuple[str, ...] = (
    *(m.kind for m in WRITE_ORDER),
    "ingest_run",
    "journal",
    "api_key",
    "erasure",
)
"""The kinds of a backup, in the order they are written and restored."""
_MODELS: dict[str, type[Record]] = {m.kind: m for m in WRITE_ORDER} | _SIDE_KINDS


@dataclass
class Backup:
    """A whole store's content, as read from a store or a checked file."""

    records: dict[str, list[Record]] = field(default_factory=dict)
    journal: list[JournalEntry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {kind: len(self.records.get(kind, [])) for kind in KIND_ORDER}
        counts["journal"] = len(self.journal)
        return counts

    def lines(self) -> Iterator[dict[str, object]]:
        """Every record as a line object, in ``KIND_ORDER``."""
        for kind in KIND_ORDER:
            if kind == "journal":
                for entry in self.journal:
                    yield {"kind": "journal", "data": _journal_json(entry)}
                continue
            for record in self.records.get(kind, []):
                yield {"kind": kind, "data": record.model_dump(mode="json")}


def _journal_json(entry: JournalEntry) -> dict[str, object]:
    return {
        "run_id": entry.run_id,
        "seq": entry.seq,
        "kind": entry.kind,
        "key": entry.key,
        "previous": entry.previous,
        "people": list(entry.people),
    }


def _line(obj: dict[str, object]) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


# -- the two stores' bookkeeping, read and written inside one transaction ---------


def _is_neo4j(store: GraphStore) -> bool:
    from graph.sqlite_store import SqliteStore

    if isinstance(store, SqliteStore):
        return False
    from graph.neo4j_store import Neo4jStore

    if isinstance(store, Neo4jStore):
        return True
    raise Invalid([Problem("store", "url", store.url, "backups know SQLite and Neo4j only")])


def _read_all(tx: Any) -> Backup:
    """Everything, read through a store's ``RecordTx`` (plus ``every``-like reads)."""
    backup = Backup()
    for model in WRITE_ORDER:
        backup.records[model.kind] = list(_every(tx, model))
    runs = tx.load_runs()
    backup.records["ingest_run"] = runs
    for run in runs:
        backup.journal += sorted(tx.journal(run.id), key=lambda e: e.seq)
    backup.records["api_key"] = list(_every(tx, ApiKey))
    backup.records["erasure"] = list(_every(tx, Erasure))
    return backup


def _every(tx: Any, model: type[Record]) -> list[Record]:
    if hasattr(tx, "every"):  # Neo4j
        records: list[Record] = tx.every(model)
        return records
    rows = tx.conn.execute(f'SELECT data FROM "{model.kind}" ORDER BY key')  # kind: a constant
    return sorted((model.model_validate_json(d) for (d,) in rows), key=lambda r: r.key)


def read_store(store: GraphStore) -> Backup:
    """The whole store, read in one transaction so the parts agree."""
    if _is_neo4j(store):
        return store._read(_read_all)  # type: ignore[attr-defined, no-any-return]
    from graph.sqlite_store import _SqliteTx

    with store._lock:  # type: ignore[attr-defined]
        conn: sqlite3.Connection = store._conn  # type: ignore[attr-defined]
        conn.execute("BEGIN")
        try:
            return _read_all(_SqliteTx(conn))
        finally:
            conn.execute("ROLLBACK")


def _is_empty(store: GraphStore) -> bool:
    return not any(n for kind, n in store.counts().items() if kind != Ambition.kind)


def _write_all(tx: Any, backup: Backup, *, neo4j: bool) -> None:
    for model in WRITE_ORDER:
        records = backup.records.get(model.kind, [])
        if records:
            tx.upsert(model, records)
    for run in backup.records.get("ingest_run", []):
        assert isinstance(run, IngestRun)
        tx.save_run(run)
    if backup.journal:
        tx.add_journal(backup.journal)
    keys = [k for k in backup.records.get("api_key", []) if isinstance(k, ApiKey)]
    erasures = [e for e in backup.records.get("erasure", []) if isinstance(e, Erasure)]
    if neo4j:
        from graph import neo4j_queries as q
        from graph.neo4j_store import _properties

        for key in keys:
            tx.run(q.SAVE_KEY, id=key.id, props=_properties(key))
        for erasure in erasures:
            tx.run(q.ADD_ERASURE, props=_properties(erasure))
        return
    tx.conn.executemany(
        "INSERT INTO api_key (key, data, secret_sha256, person_id) VALUES (?, ?, ?, ?)",
        [(k.id, k.model_dump_json(), k.secret_sha256, k.person_id) for k in keys],
    )
    tx.conn.executemany(
        "INSERT INTO erasure (key, data) VALUES (?, ?)",
        [(e.key, e.model_dump_json()) for e in erasures],
    )


_SQLITE_TABLES = ("journal", "api_key", "erasure", "ingest_run")


def _empty_sqlite(tx: Any) -> None:
    for table in _SQLITE_TABLES:
        tx.conn.execute(f'DELETE FROM "{table}"')  # table: a constant
    for model in reversed(WRITE_ORDER):
        tx.conn.execute(f'DELETE FROM "{model.kind}"')  # kind: a constant


def _empty_neo4j(tx: Any) -> None:
    from graph import neo4j_queries as q

    while tx.run(q.WIPE_SOME, limit=10_000)[0]["deleted"]:
        pass
    tx.upsert(Ambition, list(AMBITIONS))


def without_erased(backup: Backup, erasures: list[Erasure]) -> Backup:
    """``backup`` with ``erasures`` applied again: an erased person stays erased.

    Records naming them go (a project they sponsored loses its sponsor, as in
    ``erase_person``), so do their keys and journal entries; the audits are kept.
    """
    erased = {e.person_id for e in erasures}
    audits = {e.key: e for e in [*backup.records.get("erasure", []), *erasures]}
    if not erased:
        return backup
    kept = Backup(journal=[e for e in backup.journal if not erased & set(e.people)])
    for kind, records in backup.records.items():
        if kind == "erasure":
            continue
        out: list[Record] = []
        for record in records:
            if isinstance(record, Project) and record.sponsor_id in erased:
                out.append(record.model_copy(update={"sponsor_id": None}))
            elif not erased & set(record.person_ids()):
                out.append(record)
        kept.records[kind] = out
    kept.records["erasure"] = sorted(audits.values(), key=lambda e: e.key)
    return kept


def write_store(store: GraphStore, backup: Backup, *, replace: bool = False) -> None:
    """Write ``backup`` into ``store`` in one transaction.

    Raises ``Conflict`` (writing nothing) when the store holds anything and
    ``replace`` is false; with ``replace`` the store is emptied in the same
    transaction, so a failure leaves it as it was. Erasures the store holds
    survive a replace; those the file holds are kept too; people either names
    are left out of what is restored, with everything naming them (a file
    written while a re-loaded bundle had brought an erased person back still
    restores them erased).
    """
    if not replace and not _is_empty(store):
        raise Conflict(
            f"{store.url} is not empty: import into an empty store, or pass --replace"
            " to replace its whole content"
        )
    held = [e for e in backup.records.get("erasure", []) if isinstance(e, Erasure)]
    backup = without_erased(backup, [*held, *store.erasures()])
    if _is_neo4j(store):

        def work(tx: Any) -> None:
            if replace:
                _empty_neo4j(tx)
            _write_all(tx, backup, neo4j=True)

        store._write(work)  # type: ignore[attr-defined]
        return
    with store._transaction() as tx:  # type: ignore[attr-defined]
        if replace:
            _empty_sqlite(tx)
        _write_all(tx, backup, neo4j=False)


# -- files ---------------------------------------------------------------------------


def export_store(store: GraphStore, path: Path) -> dict[str, int]:
    """Write the whole store to ``path`` (atomically: a temporary file, then renamed)."""
    backup = read_store(store)
    counts = backup.counts()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "source": store.url.split(":", 1)[0],
        "counts": counts,
    }
    digest = hashlib.sha256()
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(_line(header))
            total = 0
            for obj in backup.lines():
                text = _line(obj)
                digest.update(text.encode())
                out.write(text)
                total += 1
            out.write(_line({"end": True, "records": total, "sha256": digest.hexdigest()}))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return counts


def _refuse(path: Path, line: int | None, reason: str) -> Invalid:
    where = path.name if line is None else f"{path.name} line {line}"
    return Invalid([Problem("backup", "file", where, reason)])


def _parse(path: Path, number: int, text: str) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(path, number, f"not JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise _refuse(path, number, "expected a JSON object")
    return obj


def _records(path: Path, lines: Iterable[tuple[int, str]]) -> Backup:
    backup = Backup()
    position = 0
    for number, text in lines:
        obj = _parse(path, number, text)
        kind, data = obj.get("kind"), obj.get("data")
        if kind not in KIND_ORDER or not isinstance(data, dict) or set(obj) != {"kind", "data"}:
            raise _refuse(path, number, f"not a record line of a known kind: {kind!r}")
        order = KIND_ORDER.index(kind)
        if order < position:
            raise _refuse(path, number, f"{kind} record out of order")
        position = order
        try:
            if kind == "journal":
                backup.journal.append(
                    JournalEntry(
                        run_id=str(data["run_id"]),
                        seq=int(data["seq"]),
                        kind=str(data["kind"]),
                        key=str(data["key"]),
                        previous=data["previous"],
                        people=tuple(str(p) for p in data["people"]),
                    )
                )
            else:
                backup.records.setdefault(kind, []).append(_MODELS[kind].model_validate(data))
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            reason = str(exc).splitlines()[0]
            raise _refuse(
                path, number, f"a {kind} record that does not validate: {reason}"
            ) from None
    return backup


def read_backup(path: Path) -> Backup:
    """The backup in ``path``, every line checked; ``Invalid`` naming the line otherwise."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _refuse(path, None, f"cannot read it: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(path, None, f"not UTF-8 at byte {exc.start}") from None
    if not text.endswith("\n"):
        raise _refuse(path, None, "truncated: the last line is incomplete")
    lines = text.split("\n")[:-1]
    if len(lines) < 2:
        raise _refuse(path, None, "truncated: no header and trailer")
    header = _parse(path, 1, lines[0])
    if header.get("format") != FORMAT:
        raise _refuse(path, 1, f"not an {FORMAT} file")
    if header.get("version") != VERSION:
        raise _refuse(path, 1, f"format version {header.get('version')!r}; this reads {VERSION}")
    trailer = _parse(path, len(lines), lines[-1])
    if trailer.get("end") is not True:
        raise _refuse(path, None, "truncated: the trailer line is missing")
    body = lines[1:-1]
    if trailer.get("records") != len(body):
        raise _refuse(
            path, None, f"{len(body)} record lines, the trailer says {trailer.get('records')!r}"
        )
    digest = hashlib.sha256("".join(f"{line}\n" for line in body).encode()).hexdigest()
    if digest != trailer.get("sha256"):
        raise _refuse(path, None, "the records do not match the trailer's SHA-256: altered")
    backup = _records(path, ((i + 2, line) for i, line in enumerate(body)))
    if backup.counts() != header.get("counts"):
        raise _refuse(path, 1, f"the header's counts are not the records': {backup.counts()}")
    return backup


def import_store(store: GraphStore, path: Path, *, replace: bool = False) -> dict[str, int]:
    """Restore ``path`` into ``store``: the file checked whole first, then one transaction."""
    backup = read_backup(path)
    write_store(store, backup, replace=replace)
    return backup.counts()
