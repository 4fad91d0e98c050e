"""The metadata store of a cloud run: the Parquet parts under the output *are* the store.

A DuckDB file is local with one writer; a Dataflow job writes to a bucket. For a remote --output
with no local --metadata_store the workers' parts under OUTPUT/store/runs/<run_id>/ stay put, the
driver computes the accounting from them through Beam's FileSystems (batch by batch, so memory is
flat however large the crawl) and prints how to query them from BigQuery or DuckDB. CLI:
``python -m pipelines.cloud_store gs://bucket/out [--run_id RUN]``.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from metadata_store.staging import LOST_IN_DEDUP
from transforms.layout import OutputLayout, join
from transforms.records import (
    CANDIDATE,
    DUPLICATE,
    ERROR,
    FILTERED,
    FINAL_STATUSES,
    INDEXED,
    KEPT,
    LOCATION_SCHEMA,
    OUTCOME_SCHEMA,
)

RUN_MARKER = "run.json"
_ACCOUNTING_COLUMNS = ("record_id", "status", "reason", "shard")

# The store's join (metadata_store/loading.py): an outcome overrides the interim candidate status,
# and a candidate without an outcome is an error, so no record is silently lost.
_RESOLVE = f"""
SELECT l.* EXCLUDE (status, reason),
       CASE WHEN o.record_id IS NOT NULL THEN o.status
            WHEN l.status = '{CANDIDATE}' THEN '{ERROR}' ELSE l.status END AS status,
       CASE WHEN o.record_id IS NOT NULL THEN o.reason
            WHEN l.status = '{CANDIDATE}' THEN '{LOST_IN_DEDUP}' ELSE l.reason END AS reason,
       o.* EXCLUDE (record_id, status, reason)
FROM (SELECT DISTINCT * FROM loc) l LEFT JOIN (SELECT DISTINCT * FROM outc) o
  ON o.record_id = l.record_id
ORDER BY l.record_id
"""


def is_remote(path: str) -> bool:
    return "://" in path


def uses_cloud_store(metadata_store: str) -> bool:
    """Only the default store of a remote output is remote (``--metadata_store`` must be local)."""
    return is_remote(metadata_store)


@dataclass(frozen=True)
class PartsAccounting:
    records_in: int = 0
    kept: int = 0
    filtered: int = 0
    duplicate: int = 0
    error: int = 0
    lost_in_dedup: int = 0  # candidates without an outcome, counted as errors
    orphan_outcomes: int = 0  # outcomes with no location row (a pipeline bug)
    indexed: int = 0  # located by an --index_only run, not extracted

    @property
    def balanced(self) -> bool:
        final = self.kept + self.filtered + self.duplicate + self.error + self.indexed
        return self.records_in == final and self.orphan_outcomes == 0

    def __add__(self, other: PartsAccounting) -> PartsAccounting:
        return PartsAccounting(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )


def resolve_records(locations: pa.Table, outcomes: pa.Table) -> pa.Table:
    """One batch's ``records`` rows, as the DuckDB store would hold them (without ``run_id``)."""
    con = duckdb.connect()
    try:
        con.register("loc", locations)
        con.register("outc", outcomes)
        return con.sql(_RESOLVE).to_arrow_table()
    finally:
        con.close()


def batch_accounting(locations: pa.Table, outcomes: pa.Table) -> PartsAccounting:
    records = resolve_records(locations, outcomes)
    counts = {
        row["values"]: row["counts"] for row in pc.value_counts(records["status"]).to_pylist()
    }
    known = set(locations["record_id"].to_pylist())
    return PartsAccounting(
        records_in=records.num_rows,
        kept=counts.get(KEPT, 0),
        filtered=counts.get(FILTERED, 0),
        duplicate=counts.get(DUPLICATE, 0),
        error=counts.get(ERROR, 0),
        lost_in_dedup=pc.sum(pc.equal(records["reason"], LOST_IN_DEDUP)).as_py() or 0,
        orphan_outcomes=sum(rid not in known for rid in outcomes["record_id"].to_pylist()),
        indexed=counts.get(INDEXED, 0),
    )


def read_part(path: str, columns: Sequence[str] | None = None) -> pa.Table:
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        return pq.read_table(stream, columns=list(columns) if columns else None)


def list_parts(parts_dir: str, kind: str) -> dict[str, str]:
    """batch id -> path of the run's ``kind`` parts."""
    pattern = join(parts_dir, kind, "*.parquet")
    return {
        posixpath.basename(m.path).removesuffix(".parquet"): m.path
        for m in FileSystems.match([pattern])[0].metadata_list
    }


def _names(schema: pa.Schema, columns: Sequence[str] | None) -> list[str]:
    return list(schema.names) if columns is None else [c for c in columns if c in schema.names]


def _batch_tables(
    parts_dir: str, columns: Sequence[str] | None, threads: int
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(locations, outcomes) of each batch, read ``threads`` at a time through FileSystems."""
    locations, outcomes = list_parts(parts_dir, "locations"), list_parts(parts_dir, "outcomes")
    loc_columns, out_columns = _names(LOCATION_SCHEMA, columns), _names(OUTCOME_SCHEMA, columns)

    def read(batch: str) -> tuple[pa.Table, pa.Table]:
        loc = LOCATION_SCHEMA.empty_table().select(loc_columns)
        out = OUTCOME_SCHEMA.empty_table().select(out_columns)
        if batch in locations:
            loc = read_part(locations[batch], loc_columns)
        if batch in outcomes:
            out = read_part(outcomes[batch], out_columns)
        return loc, out

    batches = sorted(set(locations) | set(outcomes))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for start in range(0, len(batches), threads * 4):
            yield from pool.map(read, batches[start : start + threads * 4])


def accounting_from_parts(parts_dir: str, threads: int = 16) -> PartsAccounting:
    """The run's accounting from its parts, read batch by batch through FileSystems."""
    total = PartsAccounting()
    for locations, outcomes in _batch_tables(parts_dir, _ACCOUNTING_COLUMNS, threads):
        total = total + batch_accounting(locations, outcomes)
    return total


def records_from_parts(parts_dir: str, threads: int = 16) -> pa.Table:
    """Every record row of a run (for inspection; a large run is better queried in place)."""
    tables = [resolve_records(loc, out) for loc, out in _batch_tables(parts_dir, None, threads)]
    return pa.concat_tables(tables) if tables else pa.table({})


def latest_run(output: str) -> str | None:
    """The newest committed run under OUTPUT/store/runs (run ids start with their UTC start
    time); without a committed one, the newest with parts (a run that is still going, or died)."""
    committed = committed_run_ids(OutputLayout(output, ""))
    if committed:
        return committed[-1]
    pattern = join(output, "store", "runs", "*", "locations", "*.parquet")
    runs = {m.path.rsplit("/", 3)[-3] for m in FileSystems.match([pattern])[0].metadata_list}
    return max(runs) if runs else None


def mark_committed(layout: OutputLayout, summary_json: str) -> None:
    """``store/runs/<run_id>/run.json``: the run's summary, and the mark that its parts are
    complete (the cloud store's ``runs`` row); written after the accounting, like a store load."""
    path = join(layout.run_parts_dir, RUN_MARKER)
    with FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        stream.write(summary_json.encode())


def committed_parts(layout: OutputLayout, index_runs: bool = True) -> tuple[str, ...]:
    """Globs of the ``files`` parts of every marked run (what an incremental rerun skips);
    without those of --index_only runs when ``index_runs`` is False (a full run's view)."""
    pattern = join(layout.output, "store", "runs", "*", RUN_MARKER)
    markers = sorted(FileSystems.match([pattern])[0].metadata_list, key=lambda m: m.path)
    return tuple(
        join(posixpath.dirname(m.path), "files", "*.parquet")
        for m in markers
        if index_runs or _marker_mode(m.path) != "index"
    )


def _marker_mode(path: str) -> str:
    """The ``mode`` a run.json records (runs before --index_only existed were full runs)."""
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        return str(json.loads(stream.read().decode() or "{}").get("mode", "full"))


def committed_run_ids(layout: OutputLayout) -> tuple[str, ...]:
    """Every marked run, oldest first (a run id starts with its UTC start time)."""
    pattern = join(layout.output, "store", "runs", "*", RUN_MARKER)
    return tuple(
        sorted(m.path.split("/")[-2] for m in FileSystems.match([pattern])[0].metadata_list)
    )


@contextmanager
def local_parts(parts_dir: str) -> Iterator[str]:
    """``parts_dir`` itself when local; else a local copy, for the DuckDB store's loader."""
    if not is_remote(parts_dir):
        yield parts_dir
        return
    with tempfile.TemporaryDirectory(prefix="crawlsift-parts-") as local:
        for kind in ("locations", "outcomes", "files"):
            os.makedirs(os.path.join(local, kind))
            for batch, path in list_parts(parts_dir, kind).items():
                with (
                    FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as src,
                    open(os.path.join(local, kind, f"{batch}.parquet"), "wb") as dst,
                ):
                    shutil.copyfileobj(src, dst, 16 << 20)
        yield local


def query_hint(layout: OutputLayout) -> str:
    """How to query a run's parts in place (see README "Run on Dataflow")."""
    parts = layout.run_parts_dir
    return (
        f"store parts:    {parts}/{{locations,outcomes,files}}/*.parquet (no DuckDB file)\n"
        f"  accounting:   python -m pipelines.cloud_store {layout.output} --run_id {layout.run_id}"
        "\n"
        "  BigQuery:     CREATE EXTERNAL TABLE crawlsift.locations OPTIONS (format = 'PARQUET', "
        f"uris = ['{parts}/locations/*.parquet'])\n"
        "  DuckDB:       INSTALL httpfs; CREATE SECRET (TYPE gcs, KEY_ID '…', SECRET '…'); "
        f"SELECT status, count(*) FROM '{parts}/locations/*.parquet' GROUP BY status"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.cloud_store",
        description="Accounting of a run from its store parts (for outputs without a DuckDB file).",
    )
    parser.add_argument("output", help="the run's --output (local, gs://, s3://)")
    parser.add_argument("--run_id", default=None, help="the run (default: the newest)")
    args = parser.parse_args(argv)
    run_id = args.run_id or latest_run(args.output)
    if run_id is None:
        print(f"error: no store parts under {args.output}/store/runs/", file=sys.stderr)
        return 2
    layout = OutputLayout(args.output.rstrip("/"), run_id)
    accounting = accounting_from_parts(layout.run_parts_dir)
    counts = " + ".join(f"{s} {getattr(accounting, s)}" for s in FINAL_STATUSES)
    mark = "OK" if accounting.balanced else "MISMATCH"
    print(f"run {run_id}: accounting {mark}: records in {accounting.records_in} = {counts}")
    print(query_hint(layout))
    return 0 if accounting.balanced else 1


if __name__ == "__main__":
    sys.exit(main())
