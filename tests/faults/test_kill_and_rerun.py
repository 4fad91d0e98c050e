"""Crash and rerun with real processes: the CLI (driver and its 2 Beam worker processes) is killed
with SIGKILL at several stages, then the same command is run again. After every kill no partial
file is visible and the metadata store opens with balanced accounting; after the rerun the shards
hold exactly the documents of an uninterrupted run and the store says exactly the same."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from metadata_store import MetadataStore
from pipelines.demo import generate
from pipelines.recovery import TEST_PAUSE_ENV, Leftovers, clean_leftovers, pause_for_test
from tests.faults import LOCAL_BEAM, REPO, run_cli
from tests.invariants import (
    assert_complete_shards,
    assert_run_accounted,
    read_shards,
    store_records,
)
from transforms.layout import OutputLayout
from transforms.records import OUTCOME_SCHEMA


def command(crawl: Path, output: Path, *extra: str) -> list[str]:
    patterns = ("warc/*.warc.gz", "html/*.html", "jsonl/*.jsonl")
    inputs = [arg for p in patterns for arg in ("--input", str(crawl / p))]
    return [*inputs, "--output", str(output), *LOCAL_BEAM, *extra]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kill")
    generate(root, pages=100, seed=5)
    return root / "crawl"


@pytest.fixture(scope="module")
def baseline(crawl) -> Path:
    """The uninterrupted run every interrupted one is compared with."""
    output = crawl.parent / "baseline"
    run = run_cli(command(crawl, output))
    assert run.returncode == 0, run.stdout + run.stderr
    assert_run_accounted(output)
    return output


def run_until(
    args: list[str], output: Path, reached: Callable[[], bool], env: dict | None = None
) -> None:
    """Start the CLI in its own process group and SIGKILL the whole group once ``reached()``;
    until then, check every 20 ms that only complete shards are visible under data/."""
    log = open(os.devnull, "wb")  # noqa: SIM115 - closed below, after the kill
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.crawl_to_shards", *args],
        cwd=REPO,
        stdout=log,
        stderr=log,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + 300
    try:
        while not reached():
            assert_complete_shards(output)
            assert proc.poll() is None, "the run finished before the stage to kill it at"
            assert time.monotonic() < deadline, "the stage to kill at was never reached"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
    while time.monotonic() < deadline:  # workers die with the group; wait until they are gone
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def exists(root: Path, pattern: str) -> Callable[[], bool]:
    return lambda: any(root.glob(pattern))


def newer_shard(output: Path, since: float) -> Callable[[], bool]:
    return lambda: any(p.stat().st_mtime > since for p in (output / "data").glob("*/*.parquet"))


def assert_consistent_after_kill(output: Path) -> None:
    """No partial file under data/ or store/, and the store (if any) balances."""
    assert_complete_shards(output)
    for path in (output / "store").rglob("*"):
        if path.is_file():
            pq.read_metadata(path)
    if (output / "metadata.duckdb").exists():
        with MetadataStore.open(output / "metadata.duckdb", read_only=True) as store:
            accounting = store.accounting()
            assert accounting.balanced, accounting
            loaded = {run["run_id"] for run in store.runs()}
        owners = {r["run_id"] for r in store_records(output)}
        assert owners <= loaded


def documents(output: Path) -> Counter:
    return Counter((row["id"], row["language"], row["text"]) for row in read_shards(output))


def decisions(output: Path) -> dict[str, tuple]:
    keys = ("status", "reason", "duplicate_of", "shard", "language")
    return {r["record_id"]: tuple(r[k] for k in keys) for r in store_records(output)}


def assert_same_as(output: Path, expected: tuple[Counter, dict]) -> None:
    """``output`` holds what ``expected`` (``documents``, ``decisions``) says, and no leftovers."""
    summary = assert_run_accounted(output)
    assert documents(output) == expected[0]
    assert decisions(output) == expected[1]
    assert not (output / "_work").exists()
    runs = {p.name for p in (output / "store" / "runs").iterdir()}
    with MetadataStore.open(output / "metadata.duckdb", read_only=True) as store:
        assert runs == {run["run_id"] for run in store.runs()}
    assert summary["run_id"] in runs
    assert not (output / "metadata.duckdb.lock").exists()


def test_killed_while_reading_writing_and_loading_then_rerun(crawl, baseline):
    output = crawl.parent / "chain"
    args = command(crawl, output)
    run_until(args, output, exists(output, "store/runs/*/locations/*.parquet"))  # processing
    assert_consistent_after_kill(output)
    run_until(args, output, exists(output, "data/*/*.parquet"))  # publishing shards
    assert_consistent_after_kill(output)
    run_until(args, output, exists(output, "_work/*/paused-load"), {TEST_PAUSE_ENV: "load"})
    assert_consistent_after_kill(output)
    assert (output / "metadata.duckdb.lock").exists()  # the dead driver's lock
    # Each run cleared what the run killed before it had left: one dead run's parts remain.
    assert len(list((output / "store" / "runs").iterdir())) == 1
    rerun = run_cli(args)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "cleaned up after 1 interrupted run(s)" in rerun.stdout
    assert_same_as(output, (documents(baseline), decisions(baseline)))


def test_reprocess_killed_while_overwriting_published_shards(crawl, baseline):
    expected = documents(baseline), decisions(baseline)
    args = command(crawl, baseline, "--reprocess")
    run_until(args, baseline, newer_shard(baseline, time.time()))
    assert_consistent_after_kill(baseline)
    rerun = run_cli(args)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "cleaned up after 1 interrupted run(s)" in rerun.stdout
    assert_same_as(baseline, expected)


def test_clean_leftovers_keeps_loaded_and_current_runs(tmp_path):
    for directory in ("_work/dead/tmp", "_work/current", "store/runs/dead/locations"):
        (tmp_path / directory).mkdir(parents=True)
    (tmp_path / "store/runs/loaded/files").mkdir(parents=True)
    (tmp_path / "store/runs/loaded/files/b.parquet").write_bytes(b"x")
    (tmp_path / "store/runs/empty").mkdir()  # killed between mkdir and the first rename
    layout = OutputLayout(str(tmp_path), "current")
    leftovers = clean_leftovers(layout, ["loaded"])
    assert leftovers == Leftovers(work_runs=("dead",), unloaded_runs=("dead", "empty"))
    assert sorted(p.name for p in (tmp_path / "_work").iterdir()) == ["current"]
    assert sorted(p.name for p in (tmp_path / "store/runs").iterdir()) == ["loaded"]
    assert clean_leftovers(layout, ["loaded"]) == Leftovers()
    assert "2 interrupted run(s): dead, empty" in leftovers.describe()


def test_clean_leftovers_finishes_the_housekeeping_of_a_run_killed_after_its_load(tmp_path):
    """The run "loaded" published part-b1-00000 and died before removing part-b1-00001, an
    earlier run's shard of the same batch: recovery removes it, and leaves other batches alone."""
    parts = tmp_path / "store/runs/loaded"
    for name in ("locations", "outcomes"):
        (parts / name).mkdir(parents=True)
    pq.write_table(pa.table({"record_id": ["r1"]}), parts / "locations/b1.parquet")
    published = "data/language=en/part-b1-00000.parquet"
    outcomes = pa.Table.from_pylist(
        [{"record_id": "r1", "status": "kept", "shard": published}], schema=OUTCOME_SCHEMA
    )
    pq.write_table(outcomes, parts / "outcomes/b1.parquet")
    shards = [published, "data/language=en/part-b1-00001.parquet"]
    shards.append("data/language=en/part-b2-00000.parquet")  # another batch's: kept
    for shard in shards:
        (tmp_path / shard).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"source_uri": ["x"]}), tmp_path / shard)
    (tmp_path / "_work/loaded/tmp").mkdir(parents=True)
    leftovers = clean_leftovers(OutputLayout(str(tmp_path), "current"), ["loaded"])
    assert leftovers == Leftovers(work_runs=("loaded",))
    remaining = sorted(p.name for p in (tmp_path / "data/language=en").iterdir())
    assert remaining == ["part-b1-00000.parquet", "part-b2-00000.parquet"]
    assert not (tmp_path / "_work").exists()


def test_clean_leftovers_removes_the_orphan_shards_of_a_run_never_loaded(tmp_path):
    """The dead run published shards for batch b1; the rerun may cut other batches, so those
    no kept document of the store is in go (part-b1-00000 is an earlier loaded run's)."""
    parts = tmp_path / "store/runs/dead/locations"
    parts.mkdir(parents=True)
    pq.write_table(pa.table({"record_id": ["r1"]}), parts / "b1.parquet")
    shards = [f"data/language=en/part-{name}.parquet" for name in ("b1-00000", "b1-00001")]
    shards.append("data/language=de/part-b2-00000.parquet")
    for shard in shards:
        (tmp_path / shard).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"source_uri": ["x"]}), tmp_path / shard)

    def in_use(candidates: list[str]) -> set[str]:
        assert sorted(candidates) == sorted(shards[:2])  # only the dead run's batches
        return {shards[0]}

    leftovers = clean_leftovers(OutputLayout(str(tmp_path), "current"), [], in_use)
    assert leftovers == Leftovers(unloaded_runs=("dead",))
    assert sorted(p.name for p in (tmp_path / "data").rglob("*.parquet")) == [
        "part-b1-00000.parquet",
        "part-b2-00000.parquet",
    ]


def test_pause_hook_is_inert_without_its_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(TEST_PAUSE_ENV, raising=False)
    started = time.monotonic()
    pause_for_test("load", OutputLayout(str(tmp_path), "run"), seconds=30)
    assert time.monotonic() - started < 1
    assert not (tmp_path / "_work").exists()
