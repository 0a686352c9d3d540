"""What a load writes per record, built the fast way, equals the general way.

``Record.stamped`` is ``model_copy(update={"run_id": ...})``; ``row_maker`` gives each
SQLite table's row as ``column_value`` does column by column. The rows written out
by hand below are read off tests/contract/sample.py.
"""

from __future__ import annotations

from graph.model import WRITE_ORDER, Cohort, Organisation, Tie
from graph.sqlite_store_schema import COLUMNS, column_value, row_maker
from tests.contract.sample import programme


def test_stamped_equals_model_copy_for_every_record_of_the_sample() -> None:
    for _, records in programme().by_kind():
        for record in records:
            for run_id in ("run-9", None):
                fast = record.stamped(run_id)
                slow = record.model_copy(update={"run_id": run_id})
                assert fast == slow
                assert fast.model_dump_json() == slow.model_dump_json()
                assert fast.model_fields_set == slow.model_fields_set
                assert fast.run_id == run_id
                assert record.run_id is None  # the original is left as it was


def test_row_maker_equals_column_value_for_every_kind() -> None:
    batch = programme()
    for model in WRITE_ORDER:
        columns = list(COLUMNS[model.kind])
        for record in batch.of(model):
            record = record.stamped("run-1")
            expected = [record.key, record.model_dump_json(), "run-1"]
            expected += [column_value(record, c) for c in columns]
            assert row_maker(model.kind)(record) == expected


def test_rows_worked_out_by_hand() -> None:
    batch = programme()
    tie = next(t for t in batch.of(Tie) if t.source_id == "ann" and t.wave is not None)
    assert row_maker("tie")(tie)[2:] == [
        None, "ann", "bob", "advice", "2019-05-10", None, "baseline", "c2019",
    ]  # fmt: skip
    cohort = next(c for c in batch.of(Cohort) if c.id == "c2019")
    assert row_maker("cohort")(cohort)[2:] == [None, "2019-05-01"]
    ecc = next(o for o in batch.of(Organisation) if o.id == "ecc")
    assert row_maker("organisation")(ecc)[2:] == [None, ecc.name, "local_government"]
