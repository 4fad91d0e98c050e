"""The invariant check every end-to-end test runs on a finished output directory."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from metadata_store import MetadataStore
from transforms.records import FINAL_STATUSES

REASON = re.compile(r"(filtered|error|duplicate):[a-z0-9_]+")


def read_shards(output: Path) -> list[dict]:
    """All shard rows, read the way users read them (DuckDB with hive partitioning)."""
    pattern = str(output / "data" / "**" / "*.parquet")
    if not list((output / "data").glob("**/*.parquet")):
        return []
    with duckdb.connect() as con:
        query = f"SELECT * FROM read_parquet('{pattern}', hive_partitioning=true) ORDER BY id"
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def store_records(output: Path) -> list[dict]:
    with duckdb.connect(str(output / "metadata.duckdb"), read_only=True) as con:
        cursor = con.execute("SELECT * FROM records ORDER BY record_id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def assert_complete_shards(output: Path) -> list[str]:
    """Every file under data/ is a complete shard (``part-*.parquet`` whose footer reads): what a
    reader may see at any moment, even while a run is writing or after it was killed."""
    names = []
    for path in sorted((output / "data").rglob("*")):
        if path.is_file():
            assert path.name.startswith("part-") and path.suffix == ".parquet", path
            pq.read_metadata(path)  # the footer is written last: a torn file has none
            names.append(path.relative_to(output).as_posix())
    return names


def assert_run_accounted(output: Path) -> dict:
    """Nothing lost, nothing twice, nothing half-written: returns the summary for further
    assertions. Holds after every successful run, also a rerun after a crash."""
    summary = json.loads((output / "summary.json").read_text())
    assert summary["balanced"], summary
    with MetadataStore.open(str(output / "metadata.duckdb"), read_only=True) as store:
        accounting = store.accounting()
    assert accounting.balanced
    records = store_records(output)
    assert len(records) == accounting.records_in
    assert {r["status"] for r in records} <= set(FINAL_STATUSES)
    for r in records:
        if r["status"] in ("filtered", "error", "duplicate"):
            assert r["reason"] and REASON.fullmatch(r["reason"]), r  # a specific reason code
            assert r["reason"].startswith(r["status"][:5]), r
        elif r["status"] == "indexed":  # --index_only: located, not extracted, in no shard
            assert r["reason"] is None and r["shard"] is None, r
        else:
            assert r["reason"] is None and r["shard"], r
        if r["status"] == "duplicate":
            assert r["duplicate_of"], r
    by_id = {r["record_id"]: r for r in records}
    for r in records:
        if r["status"] == "duplicate":
            assert r["duplicate_of"] in by_id, r
    shard_files = assert_complete_shards(output)
    shards = read_shards(output)
    kept = {r["record_id"] for r in records if r["status"] == "kept"}
    shard_ids = [row["record_id"] for row in shards]
    assert len(shard_ids) == len(set(shard_ids)), "a document appears twice in the shards"
    assert set(shard_ids) == kept
    for row in shards:
        assert row["text"].strip()
        assert by_id[row["record_id"]]["shard"].startswith(f"data/language={row['language']}/")
    assert {by_id[record_id]["shard"] for record_id in kept} == set(shard_files)
    assert set(summary.get("published_shards", [])) <= set(shard_files)
    assert not (output / "_work" / summary["run_id"]).exists(), "the run's temporary files"
    assert not (output / "metadata.duckdb.lock").exists(), "the store's lock was not released"
    return summary
