"""Dedup benchmark: precision and recall against exact Jaccard, speed, memory, large groups.

    python -m bench.bench_dedup [--docs N] [--threshold T] [--workers W] [--group-size G]

Builds the near-duplicate corpus of ``bench.dedup_corpus`` from ``../shared/data``, runs the
pipeline on it (JSONL input) and plain in-memory datasketch ``MinHashLSH`` on the same corpus,
scores both against exact Jaccard similarities, times the signature stage against datasketch's
bulk API, and runs ``Deduplicate`` on a group of identical and one of near-identical pages.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import psutil

from bench import dedup_corpus as dc
from transforms.minhash import MinHasher, detection_probability, lsh_params, shingles

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SIMILARITIES = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss: int  # bytes, the whole process tree
    peak_process_rss: int  # bytes, its largest process

    def cells(self) -> tuple[str, str, str]:
        return f"{self.seconds:.1f}", mib(self.peak_rss), mib(self.peak_process_rss)


def mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def measure(cmd: Sequence[str], log: Path) -> Measured:
    """Run ``cmd`` in the repository (output to ``log``), polling its process tree's memory."""
    start, env = time.perf_counter(), dict(os.environ, PYTHONPATH=str(REPO))
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    root, peak, peak_one = psutil.Process(proc.pid), 0, 0
    while proc.poll() is None:
        sizes = [0]
        for p in [root, *root.children(recursive=True)]:
            try:
                sizes.append(p.memory_info().rss)
            except psutil.Error:  # ended between listing and reading
                continue
        peak, peak_one = max(peak, sum(sizes)), max(peak_one, *sizes)
        time.sleep(0.05)
    if proc.returncode:
        raise SystemExit(f"error: {' '.join(cmd[:3])} ... failed, see {log}")
    return Measured(time.perf_counter() - start, peak, peak_one)


def write_jsonl(rows: Sequence[dict], out: Path, files: int = 8) -> None:
    """``out/corpus/docs-<i>.jsonl``: ``files`` files, so that every worker gets some."""
    directory = out / "corpus"
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        with open(directory / f"docs-{i}.jsonl", "w", encoding="utf-8") as out:
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows[i::files])


def run_pipeline(inputs: Path, output: Path, args: argparse.Namespace) -> tuple[Measured, dict]:
    """The pipeline's CLI on ``inputs/*.jsonl``: its measurements and its summary."""
    cmd = [sys.executable, "-m", "pipelines.crawl_to_shards", "--input", f"{inputs}/*.jsonl"]
    cmd += ["--output", str(output), "--dedup_threshold", str(args.threshold), "--quiet"]
    cmd += ["--min_words", "0", "--files_per_batch", "1", "--direct_num_workers", str(args.workers)]
    measured = measure(cmd, output.parent / "pipeline.log")
    return measured, json.loads((output / "summary.json").read_text())


def pipeline_matches(output: Path) -> dict[str, list[str]]:
    """doc id -> [doc id of its duplicate_of] for every removed document."""
    with duckdb.connect(str(output / "metadata.duckdb"), read_only=True) as con:
        rows = con.sql(
            "SELECT r.doc_id, d.doc_id FROM records r LEFT JOIN records d "
            "ON r.duplicate_of = d.record_id WHERE r.status = 'duplicate'"
        ).fetchall()
    return {doc: [of] if of else [] for doc, of in rows}


def datasketch_baseline(inputs: Path, result: Path, threshold: float) -> None:
    """Plain datasketch: default (SHA-1) MinHash of the same shingles; in id order, query
    ``MinHashLSH`` and insert the document only when the query finds nothing."""
    from datasketch import MinHash, MinHashLSH

    rows = []
    for path in sorted(inputs.glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    start = time.perf_counter()
    lsh, matches = MinHashLSH(threshold=threshold, num_perm=128), {}
    for row in sorted(rows, key=lambda r: r["id"]):
        minhash = MinHash(num_perm=128)
        minhash.update_batch(shingles(row["text"], row["language"]))
        found = lsh.query(minhash)
        if found:
            matches[row["id"]] = sorted(found)
        else:
            lsh.insert(row["id"], minhash)
    seconds = time.perf_counter() - start
    result.write_text(json.dumps({"matches": matches, "seconds": seconds, "b": lsh.b, "r": lsh.r}))


def cpu_rate(run: Callable[[], object], count: int, repeat: int = 5) -> str:
    """``count / CPU seconds`` of ``run`` (best of ``repeat``): per-core, whatever else runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return f"{count / best:.0f}"


def signature_rows(texts: Sequence[str]) -> list[tuple[str, str]]:
    """Documents per CPU-second for each way of computing a 128-value signature."""
    from datasketch import MinHash

    hasher, sha1 = MinHasher(), hashlib.sha1

    def pipeline_path(text: str) -> np.ndarray:
        return hasher.signature(shingles(text, "en"))

    def text_path(text: str) -> np.ndarray:
        return hasher.text_signature(text, "en")

    def sha1_numpy(text: str) -> np.ndarray:
        digests = b"".join([sha1(s).digest()[:4] for s in shingles(text, "en")])
        return hasher.signature_of_hashes(np.frombuffer(digests, dtype="<u4"))

    ways = {"crawlsift shingles() + MinHasher.signature (pipeline)": pipeline_path}
    ways["crawlsift MinHasher.text_signature"] = text_path
    ways["SHA-1 (datasketch default) + numpy permutations"] = sha1_numpy
    n = len(texts)
    rows = [(name, cpu_rate(lambda f=f: [f(t) for t in texts], n)) for name, f in ways.items()]
    bulk = cpu_rate(lambda: MinHash.bulk([shingles(t, "en") for t in texts], num_perm=128), n)
    return [*rows, ("datasketch MinHash.bulk (SHA-1)", bulk)]


def print_table(title: str, header: str, rows: Sequence[Sequence[object]]) -> None:
    """A text table; ``header`` names the columns, separated by ``|``."""
    cells = [[f"{c:.4f}" if isinstance(c, float) else str(c) for c in row] for row in rows]
    cells.insert(0, header.split("|"))
    widths = [max(map(len, column)) for column in zip(*cells, strict=True)]
    cells.insert(1, ["-" * w for w in widths])
    print(f"\n{title}")
    for first, *rest in cells:
        right = [cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)]
        print("  " + "  ".join([first.ljust(widths[0]), *right]))


def lsh_table() -> None:
    rows = []
    for t in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
        p = lsh_params(t)
        curve = [f"{detection_probability(s, p):.3f}" for s in SIMILARITIES]
        rows.append((t, p.bands, p.rows, p.num_perm, *curve))
    header = "|".join(["threshold", "bands", "rows", "num_perm", *(f"s={s}" for s in SIMILARITIES)])
    print_table("LSH presets: probability that a pair of Jaccard s shares a bucket", header, rows)


def quality(args: argparse.Namespace, out: Path, sources: Sequence[dc.Source]) -> None:
    t = args.threshold
    docs = dc.build_corpus(sources, max_docs=args.docs)
    sets = {doc.doc_id: dc.shingle_set(doc) for doc in docs}
    pairs = dc.family_pairs(docs, sets)
    write_jsonl([{"id": d.doc_id, "text": d.text, "language": d.language} for d in docs], out)
    high, low = sum(p.jaccard >= t + 0.05 for p in pairs), sum(p.jaccard < t - 0.1 for p in pairs)
    print(f"\ncorpus: {len({d.family for d in docs})} families, {len(docs)} documents")
    print(
        f"  {len(pairs)} family pairs: {high} of exact J >= {t + 0.05:.2f}, {low} < {t - 0.1:.2f}"
    )
    ours, summary = run_pipeline(out / "corpus", out / "pipeline", args)
    cmd = [sys.executable, "-m", "bench.bench_dedup", "--threshold", str(t)]
    cmd += ["--datasketch-baseline", str(out / "corpus"), str(out / "datasketch.json")]
    theirs = measure(cmd, out / "datasketch.log")
    baseline = json.loads((out / "datasketch.json").read_text())
    systems = {"crawlsift": pipeline_matches(out / "pipeline"), "datasketch": baseline["matches"]}
    rows = dc.score_rows(docs, pairs, sets, systems, t)
    title = f"threshold {t}: precision (removed docs with a kept doc of exact J >= {t - 0.1:.2f}), "
    title += f"recall (pairs of exact J >= {t + 0.05:.2f} not both kept)"
    print_table(title, "docs|system|precision|removed|wrong|recall|pairs|both kept", rows)
    p, ds = lsh_params(t), (f"{baseline['b']} x {baseline['r']}", f"{baseline['seconds']:.1f}")
    runs = [(f"crawlsift pipeline, {args.workers} workers", f"{p.bands} x {p.rows}", *ours.cells())]
    runs.append(("datasketch MinHashLSH (in memory)", *ds, *theirs.cells()[1:]))
    title = "runs (seconds: wall; peak RSS: the process tree, its largest process)"
    print_table(title, "system|bands x rows|seconds|peak RSS|largest", runs)
    dedup = {k: v for k, v in sorted(summary["counters"].items()) if k.startswith("dedup:")}
    print("pipeline dedup counters: " + ", ".join(f"{k[6:]}={v}" for k, v in dedup.items()))
    if ms := summary["counters"].get("time:signatures_ms"):  # CPU time of the pipeline's stage
        print(f"pipeline signature stage: {len(docs) / ms * 1000:.0f} documents per CPU-second")


def speed(sources: Sequence[dc.Source]) -> None:
    texts = dc.first_words(sources, 800)
    title = f"signature stage: documents per CPU-second (one core), {len(texts)} page texts of 800 "
    title += "words, 128 permutations, best of 5"
    print_table(title, "implementation|docs/s", signature_rows(texts))


def group_run(kind: str, template: Path, result: Path, args: argparse.Namespace) -> None:
    """Signatures and ``Deduplicate`` (no extraction or language tagging) on one large group, on
    the local runner with ``args.workers`` processes; removals and counters go to ``result``."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.dedup import Deduplicate

    text = template.read_text(encoding="utf-8")
    local = ["--direct_num_workers", str(args.workers), "--direct_running_mode", "multi_processing"]
    pipeline = beam.Pipeline(options=PipelineOptions(local))
    indexes = pipeline | beam.Create(range(args.group_size)) | beam.Reshuffle()
    rows = indexes | beam.Map(dc.group_candidate, kind, text, args.threshold)
    removals = rows | Deduplicate("minhash", args.threshold)
    lines = removals | beam.Map(lambda r: f"{r.record_id} {r.duplicate_of}")
    _ = lines | beam.io.WriteToText(str(result.with_suffix("")), shard_name_template="")
    outcome = pipeline.run()
    outcome.wait_until_finish()
    counters = {c.key.metric.name: c.committed for c in outcome.metrics().query()["counters"]}
    result.write_text(json.dumps(counters))


def large_groups(args: argparse.Namespace, out: Path, sources: Sequence[dc.Source]) -> None:
    n, rows, bands = args.group_size, [], lsh_params(args.threshold).bands
    template = next(s.text for s in sources if not s.language and 200 <= len(s.text.split()) <= 400)
    (out / "template.txt").write_text(template, encoding="utf-8")
    for kind in ("identical", "templated"):
        result = out / f"group-{kind}.json"
        cmd = [sys.executable, "-m", "bench.bench_dedup", "--threshold", str(args.threshold)]
        cmd += ["--workers", str(args.workers), "--group-size", str(n), "--group-run", kind]
        measured = measure([*cmd, str(out / "template.txt"), str(result)], out / f"{kind}.log")
        c = json.loads(result.read_text())
        removed = dict(line.split() for line in result.with_suffix("").read_text().splitlines())
        pointed_at_kept = not set(removed.values()) & removed.keys()
        row = [kind, n - len(removed), len(removed), pointed_at_kept, *measured.cells()]
        row += [c.get("dedup:pairs_compared", 0), n * (n - 1) // 2 * bands]
        rows.append((*row, c.get("dedup:large_buckets", 0)))
    title = f"one group of {n} pages ({len(template.split())} words; templated: 3 words differ): "
    title += f"Deduplicate alone, {args.workers} workers"
    header = "group|kept|removed|dup_of kept|seconds|peak RSS|largest|pairs compared"
    header += "|all pairs x bands|buckets > 50"
    print_table(title, header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        "python -m bench.bench_dedup", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--docs", type=int, default=None, help="at most N documents (families)")
    parser.add_argument("--threshold", type=float, default=0.8, help="--dedup_threshold (0.8)")
    parser.add_argument("--workers", type=int, default=2, help="pipeline worker processes (2)")
    parser.add_argument("--group-size", type=int, default=10_000, help="large groups (0: skip)")
    parser.add_argument("--out", default="bench-out/dedup", help="work directory (replaced)")
    parser.add_argument("--datasketch-baseline", nargs=2, metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--group-run", nargs=3, metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.group_run:
        group_run(args.group_run[0], Path(args.group_run[1]), Path(args.group_run[2]), args)
        return 0
    if args.datasketch_baseline:
        corpus, result = map(Path, args.datasketch_baseline)
        datasketch_baseline(corpus, result, args.threshold)
        return 0
    if not SHARED_DATA.is_dir():
        print(f"error: {SHARED_DATA} is missing (the corpus is built from it)", file=sys.stderr)
        return 2
    out = (REPO / args.out).resolve()
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    cpu = f"{os.cpu_count()} cores, {mib(psutil.virtual_memory().total)} RAM"
    print(f"machine: {cpu}, load average {os.getloadavg()[0]:.1f}; Python {sys.version.split()[0]}")
    lsh_table()
    sources = dc.all_sources(SHARED_DATA)
    quality(args, out, sources)
    speed(sources)
    if args.group_size:
        large_groups(args, out, sources)
    elapsed, load = time.perf_counter() - started, os.getloadavg()[0]
    print(f"\nbenchmark: {elapsed:.0f} s, load average {load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
