"""Throughput benchmark: the pipeline against a plain loop of the same library calls, and datatrove.

    python -m bench.bench_throughput [--records 2000] [--files 8] [--repeat 1] [--no-datatrove]

Builds the benchmark crawl (``bench.bench_corpus``) under ``bench-out/throughput``, then runs,
each as its own process tree, timed end to end (interpreter start, imports and worker start-up
included): the plain loop with 1 and 2 processes, the pipeline with 1 and 2 local workers,
datatrove (WarcReader -> Trafilatura -> MinhashDedupSignature, 2 workers) from its own venv
``bench-out/.venv-datatrove`` (created on first use), and the pipeline on a quarter of the crawl
to check that peak memory does not grow with the input. With ``--repeat N`` the runs are
interleaved N times and the fastest of each is kept (the machine may be shared).
Peak RSS is the largest sum over the process tree, sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.bench_corpus import build_corpus

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench-out" / "throughput"
DATATROVE_VENV = REPO / "bench-out" / ".venv-datatrove"
DATATROVE_PACKAGES = ("datatrove[processing]==0.10.1", "warcio", "faust-cchardet", "python-magic")
DATATROVE_PACKAGES += ("spacy",)  # MinhashDedupSignature's English word tokenizer
# trafilatura's justext imports lxml.html.clean, a package of its own since lxml 5.2: without it
# every page fails inside datatrove's extractor sandbox, which counts it as a timeout
DATATROVE_PACKAGES += ("lxml_html_clean",)
DATATROVE_SCRIPT = """
import json, sys
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import MinhashDedupSignature
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.readers import WarcReader

if __name__ == "__main__":
    corpus, out, tasks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    steps = [WarcReader(corpus, glob_pattern="*.warc.gz"), Trafilatura(),
             MinhashDedupSignature(output_folder=out + "/signatures")]
    LocalPipelineExecutor(pipeline=steps, tasks=tasks, workers=2, logging_dir=out + "/logs").run()
    stats = json.load(open(out + "/logs/stats.json"))
    def count(step, name):
        value = stats[step]["stats"].get(name, 0)
        return value["total"] if isinstance(value, dict) else value
    print(json.dumps({"documents": count(0, "documents"), "extracted": count(1, "extracted")}))
"""
STAGES = ("extract", "language", "signatures", "write")


@dataclass
class Run:
    """One measured process tree."""

    label: str
    workers: int
    wall: float
    cpu: float
    peak_rss: int
    documents: int
    counters: dict[str, int] = field(default_factory=dict)


def measure(command: list[str], log: Path, cwd: Path = REPO) -> tuple[float, float, int, str]:
    """(wall s, CPU s of the whole tree, peak RSS bytes of the tree, stdout) of ``command``."""
    started = time.perf_counter()
    with log.open("w") as stderr:
        proc = psutil.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=stderr, text=True)
        cpu: dict[int, float] = {}
        peak = 0
        while proc.poll() is None:
            rss = 0
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    times, info = p.cpu_times(), p.memory_info()
                except psutil.Error:
                    continue
                cpu[p.pid] = times.user + times.system
                rss += info.rss
            peak = max(peak, rss)
            time.sleep(0.1)
        out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}); see {log}")
    return time.perf_counter() - started, sum(cpu.values()), peak, out


def plain_loop(files: list[str], procs: int) -> Run:
    command = [sys.executable, "-m", "bench.plain_loop", "--procs", str(procs), *files]
    wall, cpu, peak, out = measure(command, OUT / f"plain-{procs}.log")
    return Run("plain loop", procs, wall, cpu, peak, json.loads(out)["records"])


def pipeline(corpus: Path, workers: int, extra: list[str], name: str = "", cwd: Path = REPO) -> Run:
    output = OUT / f"pipeline{name}-{workers}"
    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, "-m", "pipelines.crawl_to_shards", "--input", f"{corpus}/*.warc.gz"]
    command += ["--output", str(output), "--direct_num_workers", str(workers), "--quiet", *extra]
    wall, cpu, peak, _ = measure(command, OUT / f"pipeline{name}-{workers}.log", cwd)
    summary = json.loads((output / "summary.json").read_text())
    return Run("crawlsift", workers, wall, cpu, peak, summary["records_in"], summary["counters"])


def baseline(corpus: Path, workers: int, extra: list[str], repo: Path | None) -> Run | None:
    """The pipeline of another checkout (e.g. before a change), if one was given."""
    if repo is None:
        return None
    run = pipeline(corpus, workers, extra, "-baseline", repo)
    run.label = f"crawlsift at {repo}"
    return run


def datatrove_python() -> tuple[Path | None, str]:
    """The datatrove venv's python, installing it on first use; (None, reason) if impossible."""
    python = DATATROVE_VENV / "bin" / "python"
    wanted = "\n".join(DATATROVE_PACKAGES)
    installed = DATATROVE_VENV / "crawlsift-packages.txt"  # what the venv was made with
    if not installed.exists() or installed.read_text() != wanted:
        shutil.rmtree(DATATROVE_VENV, ignore_errors=True)
        try:
            subprocess.run(["python3", "-m", "venv", str(DATATROVE_VENV)], check=True)
            pip = [str(python), "-m", "pip", "install", "--quiet", *DATATROVE_PACKAGES]
            subprocess.run(pip, check=True, capture_output=True, text=True)
            installed.write_text(wanted)
        except (OSError, subprocess.CalledProcessError) as error:
            shutil.rmtree(DATATROVE_VENV, ignore_errors=True)
            detail = getattr(error, "stderr", "") or str(error)
            return None, f"install failed: {detail.strip().splitlines()[-1:]}"
    return python, ""


def datatrove(python: Path, corpus: Path, n_files: int) -> Run:
    output = OUT / "datatrove"
    shutil.rmtree(output, ignore_errors=True)
    command = [str(python), "-c", DATATROVE_SCRIPT, str(corpus), str(output), str(n_files)]
    wall, cpu, peak, out = measure(command, OUT / "datatrove.log")
    counts = json.loads(out.strip().splitlines()[-1])
    if counts["extracted"] < counts["documents"] // 2:  # a broken install, not a baseline
        raise RuntimeError(
            f"datatrove extracted {counts['extracted']} of {counts['documents']} documents; "
            f"see {OUT / 'datatrove' / 'logs'}"
        )
    return Run("datatrove 0.10.1", 2, wall, cpu, peak, counts["documents"])


def fastest(runs: list[Run]) -> Run:
    return min(runs, key=lambda run: run.wall)


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, Python {platform.python_version()}"
    )


def table(runs: list[Run], megabytes: float) -> str:
    lines = [
        "| run | workers | documents | wall s | documents/s | MB/s | CPU s | docs/CPU-s "
        "| peak RSS MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        lines.append(
            f"| {run.label} | {run.workers} | {run.documents:,} | {run.wall:.1f} | "
            f"{run.documents / run.wall:.1f} | {megabytes / run.wall:.2f} | {run.cpu:.0f} | "
            f"{run.documents / run.cpu:.1f} | {run.peak_rss / 2**20:.0f} |"
        )
    return "\n".join(lines)


def stage_shares(run: Run) -> str:
    """Where the pipeline's CPU went: the fused stage's own timers, the rest by difference."""
    ms = {name: run.counters.get(f"time:{name}_ms", 0) for name in (*STAGES, "batch")}
    total = run.cpu * 1000
    shares = {name: ms[name] for name in STAGES}
    shares["read & emit"] = max(ms["batch"] - sum(shares.values()), 0)
    shares["shuffle, dedup, publish, start-up"] = max(total - ms["batch"], 0)
    return ", ".join(f"{name} {100 * value / total:.0f}%" for name, value in shares.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-datatrove", action="store_true")
    parser.add_argument("--pipeline-arg", action="append", default=[], help="extra pipeline flag")
    parser.add_argument("--pipeline-repo", type=Path, default=REPO, help="run this checkout")
    parser.add_argument("--baseline-repo", type=Path, help="also run this checkout, for A/B")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    corpus, quarter = OUT / "corpus", OUT / "corpus-quarter"
    info = build_corpus(corpus, args.records, args.files)
    build_corpus(quarter, max(args.records // 4, 1), max(args.files // 4, 1))
    megabytes = info.payload_bytes / 1e6
    python, reason = (None, "skipped") if args.no_datatrove else datatrove_python()
    extra = args.pipeline_arg
    load = os.getloadavg()
    runs: dict[str, list[Run]] = {}
    for _ in range(args.repeat):
        for key, job in (
            ("plain-1", lambda: plain_loop(list(info.files), 1)),
            ("plain-2", lambda: plain_loop(list(info.files), 2)),
            ("pipeline-1", lambda: pipeline(corpus, 1, extra, cwd=args.pipeline_repo)),
            ("pipeline-2", lambda: pipeline(corpus, 2, extra, cwd=args.pipeline_repo)),
            ("datatrove", lambda: datatrove(python, corpus, len(info.files)) if python else None),
            ("baseline-1", lambda: baseline(corpus, 1, extra, args.baseline_repo)),
            ("baseline-2", lambda: baseline(corpus, 2, extra, args.baseline_repo)),
        ):
            run = job()
            if run is not None:
                runs.setdefault(key, []).append(run)
                print(f"  {key}: {run.wall:.1f} s", file=sys.stderr)
    small = pipeline(quarter, 2, extra, "-quarter", args.pipeline_repo)
    best = {key: fastest(value) for key, value in runs.items()}
    after = os.getloadavg()[0]
    print(f"machine: {machine()}; load average {load[0]:.1f} before, {after:.1f} after")
    print(f"best of {args.repeat} interleaved run(s) each")
    print(
        f"corpus: {info.records:,} HTML responses in {len(info.files)} WARC.gz files, "
        f"{megabytes:.0f} MB of HTML; {info.exact:,} exact copies of a page under another URL "
        f"and {info.near:,} near-duplicates among them\n"
    )
    print(table(list(best.values()), megabytes))
    plain1, plain2 = best["plain-1"], best["plain-2"]
    ours1, ours2 = best["pipeline-1"], best["pipeline-2"]
    rate = {key: run.documents / run.wall for key, run in best.items()}
    ratio = rate["pipeline-2"] / rate["plain-2"]
    print(f"\npipeline (2 workers) / plain loop (2 processes): {ratio:.2f}")
    print(
        f"scaling 1 -> 2: plain loop {plain1.wall / plain2.wall:.2f}x, "
        f"pipeline {ours1.wall / ours2.wall:.2f}x"
    )
    if "datatrove" in best:
        dt = best["datatrove"]
        ratio = rate["pipeline-2"] / rate["datatrove"]
        print(
            f"pipeline (2 workers) / datatrove (2 workers): {ratio:.2f} "
            f"(datatrove read {dt.documents:,} of {info.records:,} records)"
        )
    else:
        print(f"datatrove: not available ({reason})")
    print(f"stage shares of the pipeline's CPU (2 workers): {stage_shares(ours2)}")
    print(
        f"memory: peak RSS {ours2.peak_rss / 2**20:.0f} MiB on the crawl, "
        f"{small.peak_rss / 2**20:.0f} MiB on a quarter of it "
        f"(ratio {ours2.peak_rss / small.peak_rss:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
