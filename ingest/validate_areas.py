"""Per-table rules for the ``areas`` sheet (``spec/cohort-bundle.md``): what is known of
the districts and unitary areas named in ``area`` cells.

An area is keyed by its name as written (trimmed); a second row for the same area is an
error. ``kind`` and ``deprivation_decile`` may be left empty: an area already in the
graph keeps what the row does not give.
"""

from __future__ import annotations

from graph.model import Area, AreaKind
from ingest.validator import Row, Validator

__all__ = ["read_areas"]


def _decile(row: Row) -> int | None:
    text = row.text("deprivation_decile")
    if text is None:
        return None
    try:
        decile = int(text)
    except ValueError:
        row.error("deprivation_decile", text, "is not a whole number from 1 to 10")
        return None
    if not 1 <= decile <= 10:
        row.error("deprivation_decile", text, "is outside 1 (most deprived) to 10 (least)")
        return None
    return decile


def read_areas(check: Validator) -> None:
    rows = check.rows("areas")
    if not rows:
        return
    check.prefetch(Area, [name for row in rows if (name := row.text("area"))])
    seen: dict[tuple[object, ...], int] = {}
    for row in rows:
        name = row.text("area")
        kind = row.choice("kind", AreaKind)
        decile = _decile(row)
        if check.duplicate(row, (name.casefold() if name else None,), seen):
            continue
        if not row.ok or name is None:
            continue
        given = {"id": name, "urban_rural": kind, "deprivation_decile": decile}
        area = check.build(Area, row, given, name)
        if area is not None:
            check.add(area, row, check.batch.areas)
