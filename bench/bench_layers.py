"""Lookups after many runs: one layer per run, against the layers the driver merges after loads.

    python -m bench.bench_layers [--records 100000] [--runs 1,8,32] [--lookups 300]

Splits ``bench_store``'s synthetic run of ``--records`` records into K runs by source file (as
incremental runs over a growing crawl would load them), loads them one after the other into a
fresh store, twice: never merging (``--max_store_layers 0``), and as the driver does by default
(``MetadataStore.merge_layers()`` after each load). Prints, per K and mode: the layers left, the
seconds spent loading and merging, and the p50/p99 of ``locate`` by record id and by URL on a
warm read-only store.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from bench.bench_store import FILES, OUT, synthesise
from metadata_store import MetadataStore
from metadata_store.catalog import layers
from metadata_store.compaction import MAX_LAYERS


def split_runs(source: Path, runs: int) -> list[Path]:
    """The synthetic run's parts cut into ``runs`` runs by source file (cached)."""
    base = OUT / f"runs-{source.name}-{runs}"
    dirs = [base / f"run-{k:03d}" for k in range(runs)]
    if (base / "done").exists():
        return dirs
    shutil.rmtree(base, ignore_errors=True)
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        for k, run_dir in enumerate(dirs):
            for name in ("locations", "outcomes", "files"):
                (run_dir / name).mkdir(parents=True)
            part = run_dir / "locations" / "part-0.parquet"
            con.execute(
                f"COPY (SELECT * FROM read_parquet('{source}/locations/*.parquet') "
                f"WHERE hash(source_uri) % {runs} = {k}) TO '{part}' (FORMAT parquet)"
            )
            con.execute(
                f"COPY (SELECT o.* FROM read_parquet('{source}/outcomes/*.parquet') o "
                f"SEMI JOIN read_parquet('{part}') l ON l.record_id = o.record_id) "
                f"TO '{run_dir}/outcomes/part-0.parquet' (FORMAT parquet)"
            )
            files = FILES.format(locations=part)
            con.execute(f"COPY ({files}) TO '{run_dir}/files/part-0.parquet' (FORMAT parquet)")
    (base / "done").touch()
    return dirs


def sample(source: Path, count: int, seed: int) -> tuple[list[str], list[str]]:
    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT record_id, url FROM read_parquet('{source}/locations/*.parquet') "
            f"USING SAMPLE {count * 2} ROWS (reservoir, {seed})"
        ).fetchall()
    return [r[0] for r in rows][:count], [r[1] for r in rows if r[1]][:count]


def timed(store: MetadataStore, keys: list[str]) -> tuple[float, float]:
    times = []
    for key in keys:
        start = time.perf_counter()
        if not store.locate(key):
            raise AssertionError(f"{key!r} not found")
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1e3, times[int(len(times) * 0.99)] * 1e3


def measure(source: Path, runs: int, max_layers: int, lookups: int) -> dict:
    store_dir = OUT / f"layers-store-{runs}-{max_layers}"
    shutil.rmtree(store_dir, ignore_errors=True)
    path, now = store_dir / "metadata.duckdb", datetime.now(timezone.utc)
    start = time.perf_counter()
    with MetadataStore.open(path) as store:
        for run_dir in split_runs(source, runs):
            store.load_run(run_dir.name, run_dir, now, now, ["bench"], {})
            store.merge_layers(max_layers)
        left = len(layers(store._connection()))
    seconds = time.perf_counter() - start
    ids, urls = sample(source, lookups, seed=1)
    warm_ids, warm_urls = sample(source, lookups, seed=2)
    with MetadataStore.open(path, read_only=True) as store:
        timed(store, warm_ids + warm_urls)
        by_id, by_url = timed(store, ids), timed(store, urls)
    return {"runs": runs, "max": max_layers, "layers": left, "seconds": seconds}, by_id, by_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records in all runs")
    parser.add_argument("--runs", default="1,8,32", help="comma-separated numbers of runs")
    parser.add_argument("--lookups", type=int, default=300, help="lookups per key kind")
    args = parser.parse_args()
    source = synthesise(args.records)
    print(f"{args.records:,} records loaded as K runs; locate p50/p99 in ms on a warm reader")
    print("| runs | merging | layers left | load + merge s | record_id p50/p99 | url p50/p99 |")
    print("| ---: | --- | ---: | ---: | --- | --- |")
    for runs in (int(k) for k in args.runs.split(",")):
        for max_layers in (0, MAX_LAYERS):
            shape, by_id, by_url = measure(source, runs, max_layers, args.lookups)
            mode = "never" if max_layers == 0 else f"default (<= {max_layers} layers)"
            print(
                f"| {runs} | {mode} | {shape['layers']} | {shape['seconds']:.1f} | "
                f"{by_id[0]:.1f}/{by_id[1]:.1f} | {by_url[0]:.1f}/{by_url[1]:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
