"""Index-only benchmark: files indexed per second, end to end, against a plain loop.

    python -m bench.bench_index [--files 300000] [--dirs 300] [--workers 2] [--repeat 1]

Builds (once; reused while its parameters match) a tree of small HTML pages under
``bench-out/index/tree`` (``bench.index_tree``), then runs, each as its own process tree timed
from start to exit: the plain loop (``scandir`` + ``stat`` + read + SHA-1 of every page, no
framework) in 1 and in 2 processes, and ``crawl_to_shards --index_only`` with ``--workers``
local workers (DirectRunner, multi_processing) into a fresh output, its store loaded and checked
before it exits. Prints one table: files/s, the ratio to the plain loop, peak RSS of the process
tree, and where the pipeline's wall time went (from its ``summary.json`` and the store).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.bench_throughput import machine, measure
from bench.index_tree import build_tree

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench-out" / "index"


@dataclass
class Run:
    label: str
    wall: float
    cpu: float
    peak_rss: int
    files: int
    note: str = ""


def plain(tree: Path, procs: int, out: Path) -> Run:
    command = [sys.executable, "-m", "bench.index_tree", str(tree), str(procs)]
    wall, cpu, peak, stdout = measure(command, out / f"plain-{procs}.log")
    label = f"plain loop, {procs} process{'es' if procs > 1 else ''}"
    return Run(label, wall, cpu, peak, int(json.loads(stdout)["files"]))


def pipeline(tree: Path, workers: int, out: Path, extra: list[str]) -> Run:
    output = out / f"pipeline-{workers}"
    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, "-m", "pipelines.crawl_to_shards", "--index_only", "--quiet"]
    command += ["--input", f"{tree}/**/*.html", "--output", str(output)]
    command += ["--direct_running_mode", "multi_processing", "--direct_num_workers", str(workers)]
    wall, cpu, peak, _ = measure([*command, *extra], out / f"pipeline-{workers}.log")
    summary = json.loads((output / "summary.json").read_text())
    if not summary["balanced"] or summary["indexed"] != summary["records_in"]:
        raise RuntimeError(f"index run not accounted: {summary}")
    note = f"pipeline's own clock {summary['seconds']:.1f} s"
    return Run(
        f"crawlsift --index_only, {workers} workers", wall, cpu, peak, summary["indexed"], note
    )


def table(runs: list[Run], reference: Run) -> str:
    lines = [
        "| run | files | wall s | files/s | vs plain loop (1 process) | CPU s | peak RSS MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base = reference.files / reference.wall
    for run in runs:
        rate = run.files / run.wall
        lines.append(
            f"| {run.label} | {run.files:,} | {run.wall:.1f} | {rate:,.0f} | {rate / base:.2f} | "
            f"{run.cpu:.1f} | {run.peak_rss / 2**20:,.0f} |"
        )
    return "\n".join(lines)


def fastest(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300_000)
    parser.add_argument("--dirs", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds; best kept")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--pipeline-arg", action="append", default=[], help="extra pipeline flag")
    args = parser.parse_args(argv)
    tree = args.out / "tree" if args.files == 300_000 else args.out / f"tree-{args.files}"
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    built = build_tree(tree, args.files, args.dirs)
    how = f"built in {time.perf_counter() - started:.0f} s" if built else "reused"
    load = os.getloadavg()
    runs: dict[str, list[Run]] = {}
    for _ in range(args.repeat):
        for key, job in (
            ("plain-1", lambda: plain(tree, 1, args.out)),
            ("plain-2", lambda: plain(tree, 2, args.out)),
            ("pipeline", lambda: pipeline(tree, args.workers, args.out, args.pipeline_arg)),
        ):
            run = job()
            runs.setdefault(key, []).append(run)
            print(f"  {run.label}: {run.wall:.1f} s", file=sys.stderr)
    best = {key: fastest(value) for key, value in runs.items()}
    after = os.getloadavg()
    print(f"machine: {machine()}; load average {load[0]:.1f} before, {after[0]:.1f} after")
    print(f"tree: {args.files:,} HTML files in {args.dirs} directories under {tree} ({how})")
    print(f"best of {args.repeat} interleaved round(s); wall time from process start to exit\n")
    print(table(list(best.values()), best["plain-1"]))
    ours = best["pipeline"]
    print(f"\n{ours.label}: {ours.files / ours.wall:,.0f} files/s end to end ({ours.note})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
