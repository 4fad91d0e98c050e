"""Metadata store benchmark: bulk-load rate, size on disk and lookup latency at several sizes.

    python -m bench.bench_store [--sizes 1e5,1e6,1e7] [--lookups 500] [--rounds 1]

For each size N it synthesises one run's worker parts under ``bench-out/store/parts-N`` (kept
for the next time): 60% of the records from WARC files of 1,000 records, 30% from loose HTML
files (one record each), 10% from JSONL files of 500 lines with doc ids; URLs over N/100 hosts
(http/https, some www.), 10% repeated content digests, the usual mix of fates. Each size then
runs in a fresh process: ``MetadataStore.load_run`` into a new store (timed, once the process has
imported what a load uses), then a read-only
open, one cold lookup, a warm-up pass over other keys (a long-lived reader has its catalog slots
and Parquet footers cached), then ``locate`` of random existing urls, record ids, digests and
loose-file paths, of keys that exist nowhere, and ``locate_prefix`` of whole hosts (default
limit 100). ``cpu s`` is the load's CPU time (all threads), which the machine's other work does
not inflate as much as the wall clock, and ``load`` the 1-minute load average after the load;
``--rounds`` keeps the fastest of several rounds (the machine may be shared). Peak RSS is the
child's.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path
from queue import Empty

import duckdb
import pyarrow as pa

from metadata_store import MetadataStore

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench-out" / "store"
PART_ROWS = 250_000
KINDS = ("url", "record_id", "digest", "path", "miss", "prefix")

_ROWS = """
WITH base AS (
  SELECT i, hash(i) AS h,
         CASE WHEN i < {warc} THEN 'warc' WHEN i < {html} THEN 'html' ELSE 'jsonl' END AS kind
  FROM range({lo}, {hi}) t(i)
), placed AS (
  SELECT *,
    CASE kind
      WHEN 'warc' THEN 's3://commoncrawl/crawl-data/CC-MAIN-2024-10/segments/' || (i // 100000)
                       || '/warc/CC-MAIN-' || lpad((i // 1000)::VARCHAR, 6, '0') || '.warc.gz'
      WHEN 'html' THEN '/crawl/html/' || (i // 1000) || '/page-' || i || '.html'
      ELSE '/crawl/jsonl/part-' || lpad((i // 500)::VARCHAR, 5, '0') || '.jsonl' END AS src,
    CASE kind WHEN 'warc' THEN (i % 1000) * 7919 WHEN 'html' THEN 0 ELSE (i % 500) * 2048 END
      AS off,
    (h % {hosts})::BIGINT AS host
  FROM base
)
SELECT sha1(src || '#' || off)[1:24] AS record_id,
  CASE WHEN kind = 'jsonl' THEN 'doc-' || i END AS doc_id,
  CASE WHEN kind = 'jsonl' AND h % 2 = 0 THEN NULL
       ELSE (CASE WHEN h % 7 = 0 THEN 'http://' ELSE 'https://' END)
            || (CASE WHEN host % 3 = 0 THEN 'www.' ELSE '' END) || 'site' || host || '.example.'
            || ['com', 'org', 'net', 'de', 'fr'][(host % 5 + 1)::INTEGER] || '/'
            || ['news', 'blog', 'p', 'shop', 'wiki'][((h >> 8) % 5 + 1)::INTEGER] || '/'
            || ((h >> 16) % 1000000) || '-' || i || '.html'
            || CASE WHEN h % 11 = 0 THEN '?id=' || (h >> 40) % 1000 ELSE '' END END AS url,
  src AS source_uri, off::BIGINT AS source_offset, (500 + h % 60000)::BIGINT AS source_length,
  sha1('content-' || (i % {distinct})) AS content_digest,
  '2024-03-0' || (1 + h % 9) || 'T12:00:00Z' AS fetch_time, 'text/html' AS mime_type,
  (h % 200000)::BIGINT AS size, ['en', 'de', 'fr', 'es', 'ja'][((h >> 4) % 5 + 1)::INTEGER]
    AS language,
  CASE WHEN h % 10 < 5 THEN 'candidate' WHEN h % 10 < 9 THEN 'filtered' ELSE 'error' END AS status,
  CASE WHEN h % 10 < 5 THEN NULL WHEN h % 10 < 9 THEN 'filtered:too_short'
       ELSE 'error:truncated_record' END AS reason,
  'batch-' || (i // 10000) AS batch_id
FROM placed
"""
_OUTCOMES = """
SELECT record_id, CASE WHEN hash(record_id) % 5 = 0 THEN 'duplicate' ELSE 'kept' END AS status,
  CASE WHEN hash(record_id) % 5 = 0 THEN 'duplicate:near' END AS reason,
  CASE WHEN hash(record_id) % 5 = 0 THEN content_digest END AS duplicate_of,
  CASE WHEN hash(record_id) % 5 = 0 THEN 0.9::FLOAT END AS similarity,
  CASE WHEN hash(record_id) % 5 <> 0
       THEN 'data/language=' || language || '/part-' || batch_id || '-00000.parquet' END AS shard
FROM read_parquet('{part}') WHERE status = 'candidate'
"""

# A run's files part: one row per source file of its ``locations`` parts
FILES = (
    "SELECT source_uri, 1000::BIGINT AS size, 0.0::DOUBLE AS mtime, min(batch_id) AS batch_id, "
    "count(*)::BIGINT AS n_records, NULL::VARCHAR AS error FROM read_parquet('{locations}') "
    "GROUP BY source_uri"
)


def synthesise(n: int) -> Path:
    """Worker parts of one run of ``n`` records (cached under bench-out/store)."""
    run_dir = OUT / f"parts-{n}"
    if (run_dir / "done").exists():
        return run_dir
    shutil.rmtree(run_dir, ignore_errors=True)
    for name in ("locations", "outcomes", "files"):
        (run_dir / name).mkdir(parents=True)
    shape = {"warc": n * 6 // 10, "html": n * 9 // 10, "hosts": max(100, n // 100)}
    shape["distinct"] = n * 9 // 10
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        for k, lo in enumerate(range(0, n, PART_ROWS)):
            part = run_dir / "locations" / f"part-{k:05d}.parquet"
            rows = _ROWS.format(lo=lo, hi=min(n, lo + PART_ROWS), **shape)
            con.execute(f"COPY ({rows}) TO '{part}' (FORMAT parquet)")
            outcomes = run_dir / "outcomes" / f"part-{k:05d}.parquet"
            con.execute(f"COPY ({_OUTCOMES.format(part=part)}) TO '{outcomes}' (FORMAT parquet)")
        files = FILES.format(locations=f"{run_dir}/locations/*.parquet")
        con.execute(f"COPY ({files}) TO '{run_dir}/files/part-0.parquet' (FORMAT parquet)")
    (run_dir / "done").touch()
    return run_dir


def sample_keys(run_dir: Path, count: int, seed: int) -> dict[str, list[str]]:
    """Random existing keys of each kind, keys that exist nowhere, and whole-host prefixes."""
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        rows = con.execute(
            f"SELECT url, record_id, content_digest, source_uri FROM "
            f"read_parquet('{run_dir}/locations/*.parquet') USING SAMPLE {count * 4} ROWS "
            f"(reservoir, {seed})"
        ).fetchall()
    rng = random.Random(seed)
    urls = [r[0] for r in rows if r[0]][:count]
    return {
        "url": urls,
        "record_id": [r[1] for r in rows][:count],
        "digest": [r[2] for r in rows][:count],
        "path": [r[3] for r in rows if r[3].endswith(".html")][:count],
        "miss": [f"{rng.getrandbits(96):024x}" for _ in range(count // 2)]
        + [u.replace(".html", "-gone.html") for u in urls[: count // 2]],
        "prefix": [u[: u.index("/", 8) + 1] for u in urls],
    }


def _cpu() -> float:
    """CPU seconds of this process, all threads: what a load costs whatever else runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _warm_up() -> None:
    """pyarrow imports pandas on its first array conversion (0.4 s here): a once-per-process
    cost that a driver has paid long before it loads a run, so it is paid before the clock."""
    pa.array([0])


def _timed(store: MetadataStore, kind: str, keys: list[str]) -> list[float]:
    out = []
    for key in keys:
        start = time.perf_counter()
        found = store.locate_prefix(key) if kind == "prefix" else store.locate(key)
        out.append(time.perf_counter() - start)
        if kind != "miss" and not found:
            raise AssertionError(f"{kind} {key!r} not found")
    return out


def measure(n: int, lookups: int, rounds: int) -> dict:
    """Load then look up, in this (child) process."""
    run_dir = synthesise(n)
    best: dict = {}
    for r in range(rounds):
        store_dir = OUT / f"store-{n}"
        shutil.rmtree(store_dir, ignore_errors=True)
        path = store_dir / "metadata.duckdb"
        now = datetime.now(timezone.utc)
        with MetadataStore.open(path) as store:
            _warm_up()
            start, cpu = time.perf_counter(), _cpu()
            summary = store.load_run("bench", run_dir, now, now, ["bench"], {})
            load, load_cpu = time.perf_counter() - start, _cpu() - cpu
            busy = os.getloadavg()[0]
        assert summary.records_in == n and summary.balanced, summary
        size = sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file())
        keys = sample_keys(run_dir, lookups, seed=r)
        warm = sample_keys(run_dir, lookups, seed=1000 + r)
        latencies = {}
        with MetadataStore.open(path, read_only=True) as store:
            start = time.perf_counter()
            store.locate(keys["url"][0])
            cold = time.perf_counter() - start
            for kind in KINDS:  # a long-lived reader: catalog slots and footers cached
                _timed(store, kind, warm[kind])
            for kind in KINDS:
                latencies[kind] = sorted(_timed(store, kind, keys[kind]))
        result = {"n": n, "load_s": load, "load_cpu_s": load_cpu, "size": size, "busy": busy}
        result["cold_ms"] = cold * 1e3
        for kind, times in latencies.items():
            result[f"{kind}_p50"] = statistics.median(times) * 1e3
            result[f"{kind}_p99"] = times[min(len(times) - 1, int(len(times) * 0.99))] * 1e3
        best = result if not best else {k: min(v, best[k]) for k, v in result.items()}
    best["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return best


def _child(n: int, lookups: int, rounds: int, queue: multiprocessing.Queue) -> None:
    queue.put(measure(n, lookups, rounds))


def run_isolated(n: int, lookups: int, rounds: int) -> dict:
    """``measure`` in a fresh process, so its peak RSS is the store's alone."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(n, lookups, rounds, queue))
    child.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except Empty:
            if not child.is_alive():
                failed = f"the benchmark of {n} records failed (exit {child.exitcode})"
                raise SystemExit(failed) from None
    child.join()
    return result


def format_table(results: list[dict]) -> str:
    head = ["N", "load s", "rec/s", "cpu s", "load", "MB", "cold ms"]
    head += [f"{k} p50/p99" for k in KINDS]
    head.append("RSS MB")
    lines = [head]
    for r in results:
        row = [f"{r['n']:.0e}", f"{r['load_s']:.1f}", f"{r['n'] / r['load_s'] / 1e3:.0f}k"]
        row += [f"{r['load_cpu_s']:.1f}", f"{r['busy']:.1f}"]
        row += [f"{r['size'] / 1e6:.0f}", f"{r['cold_ms']:.0f}"]
        row += [f"{r[k + '_p50']:.1f}/{r[k + '_p99']:.1f}" for k in KINDS]
        row.append(f"{r['rss_mb']:.0f}")
        lines.append(row)
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) for line in lines
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e5,1e6,1e7", help="comma-separated record counts")
    parser.add_argument("--lookups", type=int, default=500, help="lookups per key kind")
    parser.add_argument("--rounds", type=int, default=1, help="keep the fastest of N rounds")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    results = []
    for size in args.sizes.split(","):
        n = int(float(size))
        synthesise(n)
        results.append(run_isolated(n, args.lookups, args.rounds))
        print(
            format_table(results[-1:]).splitlines()[-1]
            if len(results) > 1
            else format_table(results),
            flush=True,
        )
    print("\nlatencies in ms (p50/p99); prefix = locate_prefix of a whole host, limit 100")
    print(format_table(results))
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
