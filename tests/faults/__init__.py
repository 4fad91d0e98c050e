"""Fault injection: hostile inputs (fault_corpus), killed runs, and the harness both the tests and
``bench/bench_faults.py`` use to run the real CLI and measure it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOCAL_BEAM = ("--direct_running_mode", "multi_processing", "--direct_num_workers", "2")


@dataclass(frozen=True)
class CliRun:
    """How a run of ``python -m pipelines.crawl_to_shards`` went."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_bytes: int  # the largest process of the run (driver or Beam worker)
    peak_tree_rss_bytes: int  # the most all its processes held at once (sampled every 50 ms)


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and its descendants now, from /proc (0 where unavailable)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def run_cli(args: list[str], timeout: float = 600, env: dict[str, str] | None = None) -> CliRun:
    """Run the CLI in its own session and wait for it; measures time and memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.crawl_to_shards", *args],
            cwd=REPO,
            stdout=out,
            stderr=err,
            start_new_session=True,
            env=env,
        )
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, 9))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # rusage covers the reaped workers too
        finally:
            timer.cancel()
            done.set()
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return CliRun(
            returncode=proc.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            seconds=seconds,
            peak_rss_bytes=usage.ru_maxrss * 1024,
            peak_tree_rss_bytes=peak[0],
        )
