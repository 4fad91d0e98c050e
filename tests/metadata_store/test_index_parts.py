"""The Parquet index parts: sorted, partitioned, catalogued, readable without crawlsift; layers."""

from __future__ import annotations

import random
import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from metadata_store import MetadataStore, StoreError, layout
from metadata_store.keys import directory, partition_of, surt, surt_host
from metadata_store.reader import PartReader
from metadata_store.staging import stage_distinct
from tests.metadata_store.test_store import (
    SHARD,
    T0,
    T1,
    file_row,
    load,
    location,
    outcome,
    rid,
    sample_run,
    write_run,
)
from transforms.records import FILE_SCHEMA, LOCATION_SCHEMA

# DuckDB 2.0.0 lost every row of an INSERT of >= 122,880 rows (one row group) into a table made
# by an empty CREATE TABLE AS in the same transaction; the loader must not be exposed to it.
BIG = 123_000


def write_big_run(root, run_id: str, n: int = BIG):
    run_dir = root / "store" / "runs" / run_id
    for name in ("locations", "outcomes", "files"):
        (run_dir / name).mkdir(parents=True)
    ids = [f"{i:024x}" for i in range(n)]
    columns = {
        "record_id": ids,
        "url": [f"https://site{i % 100}.example/{i}" for i in range(n)],
        "source_uri": [f"/data/d{i % 7}/big{i % 13}.warc.gz" for i in range(n)],
        "source_offset": list(range(n)),
        "source_length": [1] * n,
        "content_digest": [f"digest-{i % 1000}" for i in range(n)],
        "doc_id": [f"doc-{i}" if i % 10 == 0 else None for i in range(n)],
        "size": [1] * n,
        "status": ["filtered"] * n,
        "reason": ["filtered:too_short"] * n,
        "batch_id": ["b"] * n,
    }
    table = pa.table(
        {f.name: pa.array(columns.get(f.name, [None] * n), type=f.type) for f in LOCATION_SCHEMA},
        schema=LOCATION_SCHEMA,
    )
    pq.write_table(table, run_dir / "locations" / "part-0.parquet")
    files = [{"source_uri": "/data/big.warc.gz", "size": 1, "mtime": 0.0}]
    files[0].update(batch_id="b", n_records=n, error=None)
    pq.write_table(pa.Table.from_pylist(files, schema=FILE_SCHEMA), run_dir / "files" / "p.parquet")
    return run_dir


@pytest.fixture
def tiny_parts(monkeypatch):
    """Many partitions, parts and row groups out of a few thousand rows."""
    monkeypatch.setattr(layout, "TARGET_PARTITION_ROWS", 400)
    monkeypatch.setattr(layout, "DATA_ROW_GROUP_ROWS", 16)
    monkeypatch.setattr(layout, "INDEX_ROW_GROUP_ROWS", 32)
    monkeypatch.setattr(layout, "MAX_PART_ROWS", 256)


def plain_records(path) -> list[dict]:
    """``SELECT * FROM records`` the way tests/invariants.py and notebooks do it."""
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute("SELECT * FROM records ORDER BY record_id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_distinct_staging_keeps_an_insert_bigger_than_a_row_group(tmp_path):
    """A retried bundle sends the load through DISTINCT staging: an INSERT of >= 122,880 rows."""
    run_dir = write_big_run(tmp_path, "run-1")
    shutil.copy(run_dir / "locations" / "part-0.parquet", run_dir / "locations" / "part-1.parquet")
    con = duckdb.connect()
    name = stage_distinct(con, "_loc", LOCATION_SCHEMA, run_dir / "locations")
    assert con.execute(f"SELECT count(*), count(DISTINCT record_id) FROM {name}").fetchall() == [
        (BIG, BIG)
    ]
    assert con.execute(f"SELECT max(source_offset) FROM {name}").fetchall() == [(BIG - 1,)]
    con.close()


def test_a_rerun_supersedes_and_compaction_folds_the_layers(tmp_path, tiny_parts):
    path = tmp_path / "m.duckdb"
    with MetadataStore.open(path) as store:
        store.load_run("run-1", write_big_run(tmp_path, "run-1", 600), T0, T1, [], {})
        again = store.load_run("run-2", write_big_run(tmp_path, "run-2", 600), T0, T1, [], {})
        assert (again.records_in, again.replaced) == (600, 600)
        assert store.accounting().records_in == 600
        assert store.accounting("run-2").records_in == 600
        assert store.accounting("run-1").records_in == 0
        assert [r["run_id"] for r in store.locate(f"{5:024x}")] == ["run-2"]
        assert [r["run_id"] for r in store.locate("https://site7.example/507")] == ["run-2"]
        before = store.locate_prefix("/data/d3/big1", limit=None)
        assert store.compact() == 600
        con = store._connection()
        assert con.execute("SELECT count(*), min(run_id) FROM index_layers").fetchall() == [
            (1, None)
        ]
        assert store.locate_prefix("/data/d3/big1", limit=None) == before
        assert [r["run_id"] for r in store.locate("doc-120")] == ["run-2"]
    assert len(plain_records(path)) == 600
    parts = {p.name for p in layout.index_root(path).glob("*/partition=*/*.parquet")}
    assert parts and all(name.startswith("compacted-") for name in parts)


def test_parts_are_sorted_partitioned_and_catalogued(tmp_path, tiny_parts):
    path = tmp_path / "m.duckdb"
    with MetadataStore.open(path) as store:
        store.load_run("r", write_big_run(tmp_path, "r", 1500), T0, T1, [], {})
    root = layout.index_root(path)
    con = duckdb.connect(str(path), read_only=True)
    (partitions,) = con.execute("SELECT partitions FROM index_layers").fetchall()[0]
    assert partitions == layout.partitions_for(1500) == 4
    catalogued = con.execute(
        "SELECT p.path, p.kind, p.partition, g.row_group, g.rows, g.min_key, g.max_key "
        "FROM index_parts p JOIN index_row_groups g USING (part_id) ORDER BY 1, 4"
    ).fetchall()
    con.close()
    seen = {}
    for rel, kind, partition, group, rows, low, high in catalogued:
        table = pq.ParquetFile(root / rel).read_row_group(group)
        if kind == "records":  # the heap: rows as loaded, bounds of source_uri
            keys = table.column("source_uri").to_pylist()
            assert (min(keys), max(keys), len(keys), partition) == (low, high, rows, 0)
            seen[kind] = seen.get(kind, 0) + len(keys)
            continue
        keys = table.column("key").to_pylist()
        assert keys == sorted(keys) and (keys[0], keys[-1], len(keys)) == (low, high, rows)
        if kind == "url":
            assert {partition_of(surt_host(k), partitions) for k in keys} == {partition}
            assert keys == [surt(u) for u in table["url"].to_pylist()]
        elif kind == "source":
            assert {partition_of(directory(k), partitions) for k in keys} == {partition}
        else:
            assert {partition_of(k, partitions) for k in keys} == {partition}
        seen[kind] = seen.get(kind, 0) + len(keys)
    assert seen == {
        "records": 1500,
        "record_id": 1500,
        "url": 1500,
        "source": 1500,
        "content_digest": 1500,
        "doc_id": 150,  # only every 10th record has a doc id
    }
    external = duckdb.sql(
        "SELECT count(*), count(DISTINCT partition), min(key) FROM "
        f"read_parquet('{root}/url/*/*.parquet', hive_partitioning = true) "
        "WHERE key >= 'example,site7)/' AND key < 'example,site7)0'"
    ).fetchall()
    hosts = {partition_of(f"example,site{i}", partitions) for i in range(7, 8)}
    assert external == [(15, len(hosts), "example,site7)/1007")]


def test_every_lookup_agrees_with_a_scan(tmp_path, tiny_parts):
    path = tmp_path / "m.duckdb"
    with MetadataStore.open(path) as store:
        store.load_run("r", write_big_run(tmp_path, "r", 1500), T0, T1, [], {})
    records = plain_records(path)
    picks = random.Random(7).sample(records, 10)
    with MetadataStore.open(path, read_only=True) as store:
        for r in picks:
            for column in ("record_id", "url", "source_uri", "content_digest", "doc_id"):
                if r[column] is None:
                    continue
                expected = sorted(
                    (x["source_uri"], x["source_offset"])
                    for x in records
                    if r[column] in (x["record_id"], x["url"], x["source_uri"])
                    or r[column] in (x["content_digest"], x["doc_id"])
                )
                found = [(x["source_uri"], x["source_offset"]) for x in store.locate(r[column])]
                assert found == expected, (column, r[column])
        for prefix in ("https://site7.example/", "/data/d3/", "/data/d3/big1", "https://site1"):
            expected = [
                x["record_id"]
                for x in sorted(
                    records, key=lambda x: (x["url"], x["source_uri"], x["source_offset"])
                )
                if x["url"].startswith(prefix) or x["source_uri"].startswith(prefix)
            ]
            assert [x["record_id"] for x in store.locate_prefix(prefix, limit=None)] == expected
            assert [x["record_id"] for x in store.locate_prefix(prefix, limit=7)] == expected[:7]
        assert store.locate("https://site7.example/nope") == []
        assert store.locate("f" * 24) == []


def test_a_prefix_too_large_to_fetch_is_scanned_without_reading_its_entries(
    tmp_path, tiny_parts, monkeypatch
):
    """3,000 records under /data/: more records row groups than ``MAX_GROUPS`` (16 rows each),
    which the index row groups alone show, so no source entry is read before the scan."""
    path = tmp_path / "m.duckdb"
    with MetadataStore.open(path) as store:
        store.load_run("r", write_big_run(tmp_path, "r", 3000), T0, T1, [], {})
    reads: list[str] = []
    original = PartReader.read

    def counted(self, part, group, columns=None):
        reads.append(part.path.parent.parent.name)
        return original(self, part, group, columns)

    monkeypatch.setattr(PartReader, "read", counted)
    with MetadataStore.open(path, read_only=True) as store:
        found = store.locate_prefix("/data/", limit=None)
    assert len(found) == 3000
    assert "source" not in reads


def test_layers_supersede_reload_and_compact(tmp_path):
    path = tmp_path / "m.duckdb"
    store = MetadataStore.open(path)
    load(store, sample_run(tmp_path))  # six records
    later = write_run(
        tmp_path,
        "run-2",
        [location("/data/a.warc.gz", 200, "candidate", url="https://example.com/c")],
        [outcome(rid("/data/a.warc.gz", 200), "kept", shard=SHARD)],
        [file_row("/data/a.warc.gz", 1)],
    )
    store.load_run("run-2", later, T1, T1, [], {})
    smaller = write_run(tmp_path, "run-1b", [location("/data/a.warc.gz", 0, "filtered")], [], [])
    store.load_run("run-1", smaller, T1, T1, [], {})  # run-1 again, with one record only
    expected = {rid("/data/a.warc.gz", 0): "filtered", rid("/data/a.warc.gz", 200): "kept"}
    for handle in (store, None):
        if handle is None:
            assert store.compact() == 2
            handle = store
        assert {r["record_id"]: r["status"] for r in handle.locate("/data/a.warc.gz")} == expected
        assert handle.locate("/data/b.jsonl") == handle.locate("doc-6") == []
        assert handle.accounting().records_in == 2
        assert handle.accounting("run-1").records_in == 1
    store.close()
    assert len(plain_records(path)) == 2
    kinds = {p.parent.parent.name for p in layout.index_root(path).glob("*/partition=*/*.parquet")}
    assert kinds == {"records", "record_id", "url", "source"}  # no digests, no doc ids left


def test_a_failed_load_leaves_no_parts_and_orphans_are_swept(tmp_path):
    path = tmp_path / "m.duckdb"
    bad = write_run(tmp_path, "r", [location("/d/a", 0, "filtered"), location("/d/a", 0, "error")])
    with MetadataStore.open(path) as store:
        with pytest.raises(StoreError, match="2 different rows for record_id"):
            store.load_run("r", bad, T0, T1, [], {})
        root = layout.index_root(path)
        assert not list(root.glob("**/*.parquet"))
        orphan = root / "url" / "partition=0" / "dead-000009-000.parquet"
        orphan.parent.mkdir(parents=True)
        orphan.write_bytes(b"left by a writer that died")
        load(store, sample_run(tmp_path))
        assert not orphan.exists()
        assert store.accounting().records_in == 6


def test_a_moved_store_still_answers(tmp_path):
    with MetadataStore.open(tmp_path / "a" / "m.duckdb") as store:
        load(store, sample_run(tmp_path / "a"))
    shutil.move(tmp_path / "a", tmp_path / "b")
    path = tmp_path / "b" / "m.duckdb"
    with MetadataStore.open(path, read_only=True) as store:
        assert len(store.locate("d1")) == 2
        assert store.accounting().records_in == 6
    MetadataStore.open(path).close()  # a writer repoints the persistent view
    assert len(plain_records(path)) == 6
