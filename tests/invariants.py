"""The invariant check every end-to-end test runs on a finished output directory."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from metadata_store import MetadataStore
from transforms.records import FINAL_STATUSES


def read_shards(output: Path) -> list[dict]:
    """All shard rows, read the way users read them (DuckDB with hive partitioning)."""
    pattern = str(output / "data" / "**" / "*.parquet")
    if not list((output / "data").glob("**/*.parquet")):
        return []
    with duckdb.connect() as con:
        query = f"SELECT * FROM read_parquet('{pattern}', hive_partitioning=true) ORDER BY id"
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def store_records(output: Path) -> list[dict]:
    with duckdb.connect(str(output / "metadata.duckdb"), read_only=True) as con:
        cursor = con.execute("SELECT * FROM records ORDER BY record_id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def assert_run_accounted(output: Path) -> dict:
    """Nothing lost, nothing twice: returns the summary for further assertions."""
    summary = json.loads((output / "summary.json").read_text())
    assert summary["balanced"], summary
    with MetadataStore.open(str(output / "metadata.duckdb"), read_only=True) as store:
        accounting = store.accounting()
    assert accounting.balanced
    records = store_records(output)
    assert len(records) == accounting.records_in
    assert {r["status"] for r in records} <= set(FINAL_STATUSES)
    for r in records:
        if r["status"] in ("filtered", "error"):
            assert r["reason"] and r["reason"].startswith(r["status"][:5]), r
        if r["status"] == "duplicate":
            assert r["duplicate_of"], r
    by_id = {r["record_id"]: r for r in records}
    for r in records:
        if r["status"] == "duplicate":
            assert r["duplicate_of"] in by_id, r
    shards = read_shards(output)
    kept = {r["record_id"] for r in records if r["status"] == "kept"}
    shard_ids = [row["record_id"] for row in shards]
    assert len(shard_ids) == len(set(shard_ids)), "a document appears twice in the shards"
    assert set(shard_ids) == kept
    for row in shards:
        assert row["text"].strip()
        assert by_id[row["record_id"]]["shard"].startswith(f"data/language={row['language']}/")
    no_partials = [p for p in (output / "data").glob("**/*") if ".tmp-" in p.name]
    assert not no_partials, no_partials
    return summary
