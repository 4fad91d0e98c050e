"""Fault-injection benchmark: every hostile input of tests/faults/fault_corpus.py at full size.

    python -m bench.bench_faults [--cases WORD ...] [--workers W] [--out DIR]

Builds each case (a 30 MB page, a 1 MB gzip that inflates to 1 GiB, HTML nested 200,000 deep,
truncated and corrupt WARCs, binary payloads labelled HTML, undeclared charsets, broken JSONL,
odd file names, external entities...), runs the real CLI on each one alone with the default
limits, and prints one row per run: exit code, each record's status/reason (and whether that is
the expected outcome), peak memory (the largest process, and all processes of the run together)
and wall-clock seconds. Two extra rows show a normal page for reference and the 30 MB page with
``--max_record_bytes`` raised so that it is really extracted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from tests.faults import REPO, CliRun, run_cli
from tests.faults.fault_corpus import FULL, SECRET, FaultCase, article, build_cases, write_corpus

LARGE_LIMIT = ("--max_record_bytes", str(64 << 20))


@dataclass(frozen=True)
class Row:
    case: str
    run: CliRun
    outcomes: Counter
    expected: Counter | None
    leaked: bool

    def cells(self) -> list[str]:
        got = ", ".join(f"{n}× {o}" if n > 1 else o for o, n in sorted(self.outcomes.items()))
        ok = "" if self.expected is None else (" ✓" if self.outcomes == self.expected else " ✗")
        return [
            self.case,
            str(self.run.returncode),
            (got or "(no records)") + ok + (" LEAK" if self.leaked else ""),
            f"{self.run.peak_rss_bytes / 2**20:,.0f}",
            f"{self.run.peak_tree_rss_bytes / 2**20:,.0f}",
            f"{self.run.seconds:.1f}",
        ]


def outcomes_of(output: Path) -> tuple[Counter, bool]:
    """Each record's reason (or status), and whether the secret reached a shard."""
    store = output / "metadata.duckdb"
    if not store.exists():
        return Counter(), False
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute("SELECT coalesce(reason, status) FROM records").fetchall()
        shards = list((output / "data").rglob("*.parquet"))
        leaked = bool(shards) and bool(
            con.execute(
                "SELECT count(*) FROM read_parquet(?) WHERE contains(text, ?)",
                [[str(p) for p in shards], SECRET],
            ).fetchone()[0]
        )
    return Counter(r[0] for r in rows), leaked


def run_case(case: FaultCase, root: Path, workers: int, extra: Sequence[str] = ()) -> Row:
    slug = "".join(c if c.isalnum() else "-" for c in case.name.lower()).strip("-")
    inputs, output = root / slug / "in", root / slug / "out"
    shutil.rmtree(root / slug, ignore_errors=True)
    write_corpus(str(inputs), [case])
    args = ["--input", str(inputs / "**"), "--output", str(output), *extra]
    beam = ["--direct_running_mode", "multi_processing", "--direct_num_workers", str(workers)]
    run = run_cli([*args, *beam], timeout=3600)
    outcomes, leaked = outcomes_of(output)
    return Row(case.name, run, outcomes, Counter(case.outcomes) if not extra else None, leaked)


def table(rows: list[Row]) -> str:
    header = ["case", "exit", "statuses / reasons", "peak RSS MiB", "all procs MiB", "seconds"]
    cells = [header, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "-|-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_faults", description=__doc__)
    parser.add_argument("--cases", nargs="*", default=[], help="only cases whose name has WORD")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes (2)")
    parser.add_argument("--out", default=str(REPO / "bench-out" / "faults"), help="work dir")
    args = parser.parse_args(argv)
    root = Path(args.out).resolve()
    root.mkdir(parents=True, exist_ok=True)
    secret = root / "secret.txt"
    secret.write_text(SECRET)
    with socket.create_server(("127.0.0.1", 0)) as server:  # nothing may connect to it
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        cases = [FaultCase("normal page (reference)", "html/normal.html", article("n"), ("kept",))]
        cases += build_cases(FULL, str(secret), url)
        cases = [c for c in cases if not args.cases or any(w in c.name for w in args.cases)]
        rows = []
        for case in cases:
            print(f"running: {case.name}", file=sys.stderr, flush=True)
            rows.append(run_case(case, root, args.workers))
            if rows[-1].run.returncode:
                print(rows[-1].run.stdout[-1500:], rows[-1].run.stderr[-3000:], file=sys.stderr)
            if case.path == "html/huge.html":
                raised = replace(case, name=f"{case.name}, --max_record_bytes 64 MiB")
                rows.append(run_case(raised, root, args.workers, LARGE_LIMIT))
        server.setblocking(False)
        try:
            server.accept()
            contacted = True
        except BlockingIOError:
            contacted = False
    print(table(rows))
    print(f"\nconnections to the local server pages point at: {int(contacted)}")
    results = [
        {
            "case": r.case,
            "exit": r.run.returncode,
            "outcomes": dict(r.outcomes),
            "as_expected": None if r.expected is None else r.outcomes == r.expected,
            "peak_process_rss_bytes": r.run.peak_rss_bytes,
            "peak_all_processes_rss_bytes": r.run.peak_tree_rss_bytes,
            "seconds": round(r.run.seconds, 2),
        }
        for r in rows
    ]
    (root / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    wrong = [r.case for r in rows if r.run.returncode or (r.expected and r.outcomes != r.expected)]
    if wrong or contacted or any(r.leaked for r in rows):
        print(f"unexpected: {wrong}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
