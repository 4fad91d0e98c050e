"""Bulk replaces drop and rebuild the indexes; large loads survive DuckDB 2.0's CTAS bug."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from metadata_store import MetadataStore
from metadata_store.indexes import REBUILD_MIN_ROWS, drop_indexes, rebuild_pays_off
from tests.metadata_store.test_store import T0, T1, load, sample_run
from transforms.records import FILE_SCHEMA, LOCATION_SCHEMA

# DuckDB 2.0.0 lost every row of an INSERT of >= 122,880 rows (one row group) into a table made
# by an empty CREATE TABLE AS in the same transaction; the loader must not be exposed to it.
BIG = 123_000
ALL_INDEXES = {
    "records_record_id",
    "records_url",
    "records_source_uri",
    "records_content_digest",
    "records_doc_id",
}


def write_big_run(root, run_id: str):
    run_dir = root / "store" / "runs" / run_id
    for name in ("locations", "outcomes", "files"):
        (run_dir / name).mkdir(parents=True)
    ids = [f"{i:024x}" for i in range(BIG)]
    columns = {
        "record_id": ids,
        "url": [f"https://site{i % 100}.example/{i}" for i in range(BIG)],
        "source_uri": ["/data/big.warc.gz"] * BIG,
        "source_offset": list(range(BIG)),
        "source_length": [1] * BIG,
        "content_digest": ids,
        "size": [1] * BIG,
        "status": ["filtered"] * BIG,
        "reason": ["filtered:too_short"] * BIG,
        "batch_id": ["b"] * BIG,
    }
    table = pa.table(
        {f.name: pa.array(columns.get(f.name, [None] * BIG), type=f.type) for f in LOCATION_SCHEMA},
        schema=LOCATION_SCHEMA,
    )
    pq.write_table(table, run_dir / "locations" / "part-0.parquet")
    files = [{"source_uri": "/data/big.warc.gz", "size": 1, "mtime": 0.0}]
    files[0].update(batch_id="b", n_records=BIG, error=None)
    pq.write_table(pa.Table.from_pylist(files, schema=FILE_SCHEMA), run_dir / "files" / "p.parquet")
    return run_dir


def store_indexes(store: MetadataStore) -> set[str]:
    con = store._connection()
    assert con.execute("SELECT count(*) FROM index_rebuilds").fetchone() == (0,)
    return {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}


def test_large_run_is_loaded_then_bulk_replaced(tmp_path):
    with MetadataStore.open(tmp_path / "m.duckdb") as store:
        first = store.load_run("run-1", write_big_run(tmp_path, "run-1"), T0, T1, [], {})
        assert (first.records_in, first.filtered, first.balanced) == (BIG, BIG, True)
        assert [r["source_offset"] for r in store.locate("https://site7.example/122907")] == [
            122907
        ]
        # a rerun over the same input supersedes every row: the bulk (drop/rebuild) path
        again = store.load_run("run-2", write_big_run(tmp_path, "run-2"), T0, T1, [], {})
        assert (again.records_in, again.replaced) == (BIG, BIG)
        assert store.accounting().records_in == BIG
        assert store.accounting("run-2").records_in == BIG
        assert store.locate(f"{5:024x}")[0]["run_id"] == "run-2"
        assert store_indexes(store) == ALL_INDEXES


def test_indexes_dropped_by_a_writer_that_died_are_rebuilt_on_open(tmp_path):
    path = tmp_path / "m.duckdb"
    with MetadataStore.open(path) as store:
        load(store, sample_run(tmp_path))
    con = duckdb.connect(str(path))
    assert set(drop_indexes(con, "records")) == ALL_INDEXES
    con.close()
    with MetadataStore.open(path, read_only=True) as reader:  # slower, still correct
        assert len(reader.locate("d1")) == 2
    with MetadataStore.open(path) as store:
        assert store_indexes(store) == ALL_INDEXES
        assert len(store.locate("d1")) == 2


def test_rebuild_pays_off_only_for_large_replaces():
    assert not rebuild_pays_off(REBUILD_MIN_ROWS - 1, REBUILD_MIN_ROWS)
    assert rebuild_pays_off(REBUILD_MIN_ROWS, REBUILD_MIN_ROWS)
    assert rebuild_pays_off(1_000_000, 10_000_000)
    assert not rebuild_pays_off(100_000, 10_000_000)
