"""PublishShards helpers (pure)."""

from __future__ import annotations

import pyarrow as pa

from transforms.records import Removal
from transforms.shards import batch_id_of_part, outcome_rows, plan_shards


def _table(rows):
    return pa.Table.from_pylist(
        [{"record_id": r, "language": lang} for r, lang in rows],
        schema=pa.schema([("record_id", pa.string()), ("language", pa.string())]),
    )


def test_plan_shards_splits_by_language_and_size_in_row_order():
    table = _table([("r1", "en"), ("r2", "de"), ("r3", "en"), ("r4", "en")])
    plan = [(lang, i, t.column("record_id").to_pylist()) for lang, i, t in plan_shards(table, 2)]
    assert plan == [("de", 0, ["r2"]), ("en", 0, ["r1", "r3"]), ("en", 1, ["r4"])]


def test_outcome_rows_mark_exact_and_near_duplicates():
    table = _table([("r1", "en"), ("r2", "en"), ("r3", "en")])
    removed = {
        "r2": Removal("r2", "r1", 1.0, "p", "duplicate:exact"),
        "r3": Removal("r3", "r1", 0.875, "p"),
    }
    rows = outcome_rows(table, removed, {"r1": "data/language=en/part-x-00000.parquet"})
    assert [(r["record_id"], r["status"], r["reason"], r["duplicate_of"]) for r in rows] == [
        ("r1", "kept", None, None),
        ("r2", "duplicate", "duplicate:exact", "r1"),
        ("r3", "duplicate", "duplicate:near", "r1"),
    ]
    assert rows[0]["shard"] == "data/language=en/part-x-00000.parquet"


def test_batch_id_of_part():
    assert batch_id_of_part("/out/_work/run/candidates/0123abcd.parquet") == "0123abcd"
