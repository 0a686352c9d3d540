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
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.errors import Conflict, Invalid, Problem
from graph.model import (
    WRITE_ORDER,
    Ambition,
    ApiKey,
    Area,
    Assessment,
    Cohort,
    Erasure,
    IngestRun,
    Organisation,
    Person,
    Project,
    Record,
)
from graph.redact import Matcher, Named, scrub_image, scrub_record
from graph.store import GraphStore, JournalEntry, StoreContent

__all__ = ["FORMAT", "VERSION", "Backup", "export_store", "import_store", "read_backup"]

FORMAT = "alumni-graph-backup"
VERSION = 1

KIND_ORDER: tuple[str, ...] = (
    *(m.kind for m in WRITE_ORDER),
    IngestRun.kind,
    "journal",
    ApiKey.kind,
    Erasure.kind,
)
"""The kinds of a backup, in the order they are written and restored: the kinds of a
``StoreContent``, with the journal after the runs it belongs to."""
LATER_KINDS: frozenset[str] = frozenset({Assessment.kind, Area.kind})
"""Kinds added after version 1 of the format: a file without them holds none."""
LATER_FIELDS: dict[str, tuple[str, ...]] = {
    Organisation.kind: ("stated_on",),
    Cohort.kind: ("stated_on",),
}
"""Fields added after version 1 of the format, written only when they hold something:
a line without one means its default, so a store that never set them writes the lines
it always did."""
_SIDE_MODELS: tuple[type[Record], ...] = (IngestRun, ApiKey, Erasure)
_MODELS: dict[str, type[Record]] = {m.kind: m for m in (*WRITE_ORDER, *_SIDE_MODELS)}


@dataclass
class Backup(StoreContent):
    """A whole store's content, as read from a store or a checked file."""

    def counts(self) -> dict[str, int]:
        """Records per kind, as a file's header states them; a kind newer than the
        format (``LATER_KINDS``) only when there are some, so a store without any
        writes the header it always did."""
        counts = self.every_count()
        return {k: n for k, n in counts.items() if n or k not in LATER_KINDS}

    def every_count(self) -> dict[str, int]:
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
            later = LATER_FIELDS.get(kind, ())
            for record in self.records.get(kind, []):
                data = record.model_dump(mode="json")
                for name in later:
                    if not data.get(name):
                        del data[name]
                yield {"kind": kind, "data": data}


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


# -- a store's content, through the store protocol ----------------------------------


def read_store(store: GraphStore) -> Backup:
    """The whole store, read in one transaction so the parts agree."""
    content = store.export_records()
    return Backup(records=content.records, journal=content.journal)


def _is_empty(store: GraphStore) -> bool:
    return not any(n for kind, n in store.counts().items() if kind != Ambition.kind)


def without_erased(backup: Backup, erasures: list[Erasure]) -> Backup:
    """``backup`` with ``erasures`` applied again: an erased person stays erased.

    Records naming them go (a project they sponsored loses its sponsor, as in
    ``erase_person``), so do their keys and journal entries; the audits are kept.
    Free text the file holds from before an erasure names them as ``[erased]``, as
    erasure left it (their name and email are known from their record in the file).
    """
    erased = {e.person_id for e in erasures}
    audits = {e.key: e for e in [*backup.records.get("erasure", []), *erasures]}
    if not erased:
        return backup
    matcher = Matcher(
        Named(p.id, p.name, p.email)
        for p in backup.records.get(Person.kind, [])
        if isinstance(p, Person) and p.id in erased
    )
    kept = Backup(
        journal=[_scrubbed_entry(e, matcher) for e in backup.journal if not erased & set(e.people)]
    )
    for kind, records in backup.records.items():
        if kind == "erasure":
            continue
        out: list[Record] = []
        for record in records:
            if isinstance(record, Project) and record.sponsor_id in erased:
                record = record.model_copy(update={"sponsor_id": None})
            elif erased & set(record.person_ids()):
                continue
            out.append(scrub_record(record, matcher) if matcher else record)
        kept.records[kind] = out
    kept.records["erasure"] = sorted(audits.values(), key=lambda e: e.key)
    return kept


def _scrubbed_entry(entry: JournalEntry, matcher: Matcher) -> JournalEntry:
    """A journal entry whose before-image names no erased person in its free text."""
    if not matcher or entry.previous is None:
        return entry
    previous = scrub_image(entry.kind, entry.previous, matcher)
    if previous is entry.previous:
        return entry
    return JournalEntry(entry.run_id, entry.seq, entry.kind, entry.key, previous, entry.people)


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
    store.import_records(without_erased(backup, [*held, *store.erasures()]), replace=replace)


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
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    except OSError as exc:  # named by the file asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
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
    stated = header.get("counts")
    if isinstance(stated, dict):  # a file older than a kind holds none of it
        stated = {kind: 0 for kind in LATER_KINDS if kind not in stated} | stated
    if backup.every_count() != stated:
        raise _refuse(path, 1, f"the header's counts are not the records': {backup.counts()}")
    return backup


def import_store(store: GraphStore, path: Path, *, replace: bool = False) -> dict[str, int]:
    """Restore ``path`` into ``store``: the file checked whole first, then one transaction."""
    backup = read_backup(path)
    write_store(store, backup, replace=replace)
    return backup.counts()
