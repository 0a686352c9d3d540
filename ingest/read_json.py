"""JSON bundles: one object whose keys are tables and whose values are lists of items.

The file is counted before it is parsed (size, then an upper bound on its values),
and keys given twice in one object are reported rather than silently dropped.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ingest.raw import Budget, Issue, Location, RawBundle, Refused
from ingest.read_table import TableReader, table_for
from ingest.spec import normalise_header

__all__ = ["read_json"]


def _json_cell(value: object) -> tuple[object, str | None]:
    """A JSON value as a cell; a list of scalars becomes a ``;`` list."""
    if isinstance(value, list):
        if all(isinstance(v, str | int | float | bool) for v in value):
            return "; ".join(str(v).strip() for v in value if str(v).strip()), None
        return "(a list)", "a list here may hold only text or numbers"
    if isinstance(value, dict):
        return "(an object)", "a cell cannot hold an object"
    return value, None


def _no_duplicate_keys(duplicates: list[str]) -> Any:
    """An ``object_pairs_hook`` noting keys given twice in one object (``json`` keeps the last
    silently: a table or a cell would be lost without a word)."""

    def hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        return dict(pairs)

    return hook


def read_json(path: Path, bundle: RawBundle, budget: Budget) -> None:
    limits = budget.limits
    size = path.stat().st_size
    if size > limits.max_part_bytes:
        raise Refused(
            Issue(
                Location(path.name),
                None,
                None,
                f"is {size} bytes, over the limit of {limits.max_part_bytes}",
            )
        )
    data = path.read_bytes()
    bundle.sha256 = hashlib.sha256(data).hexdigest()
    # Every value but the first follows a comma or opens a list or an object: an upper
    # bound on what parsing would build, counted before anything is built.
    values = data.count(b",") + data.count(b"[") + data.count(b"{")
    if values > limits.max_json_values:
        raise Refused(
            Issue(
                Location(path.name),
                None,
                None,
                f"holds more than {limits.max_json_values} values, the limit",
            )
        )
    duplicates: list[str] = []
    if b"\x00" in data:
        bundle.errors.append(
            Issue(
                Location(path.name),
                None,
                None,
                "holds NUL characters (a UTF-16 file?): save it as UTF-8",
            )
        )
        return
    try:
        document = json.loads(
            data.decode("utf-8-sig"), object_pairs_hook=_no_duplicate_keys(duplicates)
        )
    except UnicodeDecodeError as exc:
        bundle.errors.append(
            Issue(
                Location(path.name),
                None,
                None,
                f"is not UTF-8 text (undecodable byte at position {exc.start})",
            )
        )
        return
    except json.JSONDecodeError as exc:
        bundle.errors.append(
            Issue(
                Location(path.name),
                None,
                None,
                f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            )
        )
        return
    except RecursionError:
        bundle.errors.append(
            Issue(Location(path.name), None, None, "is nested too deeply to be a bundle")
        )
        return
    for key in dict.fromkeys(duplicates):
        bundle.errors.append(
            Issue(
                Location(path.name),
                key,
                None,
                "the same key appears twice in one object: the first value would be lost",
            )
        )
    if not isinstance(document, dict):
        bundle.errors.append(
            Issue(
                Location(path.name),
                None,
                None,
                'must be an object: {"cohort": {...}, "people": [...]}',
            )
        )
        return
    for key, items in document.items():
        place = Location(path.name, str(key), None, "item")
        table = table_for(str(key), place, bundle)
        if table is None:
            continue
        place = Location(path.name, table, None, "item")
        if table == "cohort" and isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            bundle.errors.append(Issue(place, None, None, "must be a list of objects"))
            continue
        if len(items) > limits.max_rows:
            raise Refused(Issue(place, None, None, f"more than {limits.max_rows} items, the limit"))
        _read_json_items(items, place, table, bundle, budget)


def _read_json_items(
    items: list[object], place: Location, table: str, bundle: RawBundle, budget: Budget
) -> None:
    headers: dict[str, None] = {}
    objects: list[dict[str, object] | None] = []
    names: dict[tuple[object, ...], list[str]] = {}
    """Each distinct key sequence's normalised names: a table's items share one or two."""
    for item in items:
        if isinstance(item, dict):
            keys = tuple(item)
            named = names.get(keys)
            if named is None:
                named = names[keys] = [normalise_header(str(k)) for k in keys]
            normalised = dict(zip(named, item.values(), strict=True))
            headers.update(dict.fromkeys(normalised))
            if len(headers) > budget.limits.max_columns:
                raise Refused(
                    Issue(
                        place,
                        None,
                        None,
                        f"more than {budget.limits.max_columns} different keys, the limit",
                    )
                )
            objects.append(normalised)
        else:
            objects.append(None)
    reader = TableReader(bundle, table, place, budget)
    reader.header(headers)
    for number, obj in enumerate(objects, start=1):
        location = Location(place.file, table, number, "item")
        if obj is None:
            bundle.errors.append(Issue(location, None, None, "each item must be an object"))
            continue
        values = [_json_cell(obj.get(name)) for name in headers]
        reader.row(number, values, unit="item")
