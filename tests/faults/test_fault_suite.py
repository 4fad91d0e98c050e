"""Hostile input, end to end: one real CLI run (2 worker processes) over every fault case of
tests/faults/fault_corpus.py at small sizes. The run must finish with exit 0 and no traceback,
give every record its expected status and reason, keep memory bounded, decode text correctly,
resolve no entity and contact no server, and list its failures in the quarantine."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.faults import LOCAL_BEAM, REPO, CliRun, run_cli
from tests.faults.fault_corpus import (
    KEPT,
    SECRET,
    SMALL,
    SMALL_LIMITS,
    FaultCase,
    build_cases,
    garbage_member_warc,
    write_corpus,
)
from tests.invariants import assert_run_accounted, read_shards, store_records

MAX_PROCESS_RSS = 1 << 30  # the largest process of the run (a worker is ~350 MB here)


class Listener:
    """A local TCP server that counts connections: nothing in a page may make us connect."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory) -> Iterator[tuple[Path, list[FaultCase], CliRun, int]]:
    root = tmp_path_factory.mktemp("faults")
    secret = root / "secret.txt"
    secret.write_text(f"{SECRET}\n")
    with Listener() as listener:
        cases = build_cases(SMALL, str(secret), listener.url)
        write_corpus(str(root / "in"), cases)
        inputs = ["--input", str(root / "in" / "*" / "*")]
        run = run_cli([*inputs, "--output", str(root / "out"), *SMALL_LIMITS, *LOCAL_BEAM])
    yield root, cases, run, listener.connections


def outcome(record: dict) -> str:
    return record["reason"] or record["status"]


def test_run_finishes_without_traceback(fault_run):
    root, _, run, _ = fault_run
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "accounting OK" in run.stdout
    summary = assert_run_accounted(root / "out")
    assert summary["error"] > 0 and summary["kept"] > 0


def test_every_record_gets_its_expected_status_and_reason(fault_run):
    root, cases, _, _ = fault_run
    by_file: dict[str, list[str]] = {}
    for record in store_records(root / "out"):
        by_file.setdefault(record["source_uri"], []).append(outcome(record))
    wrong = {}
    for case in cases:
        got = Counter(by_file.pop(str(root / "in" / case.path), []))
        if got != Counter(case.outcomes):
            wrong[case.name] = (dict(got), dict(Counter(case.outcomes)))
    assert not wrong, wrong
    assert not by_file, f"records of unknown files: {by_file}"


def test_every_file_is_in_the_store(fault_run):
    root, cases, _, _ = fault_run
    with duckdb.connect(str(root / "out" / "metadata.duckdb"), read_only=True) as con:
        files = dict(con.execute("SELECT source_uri, n_records FROM files").fetchall())
    assert files == {str(root / "in" / c.path): len(c.outcomes) for c in cases}


def test_text_is_decoded_correctly(fault_run):
    root, cases, _, _ = fault_run
    texts: dict[str, str] = {}
    for row in read_shards(root / "out"):
        texts[row["source_uri"]] = texts.get(row["source_uri"], "") + row["text"]
    for case in cases:
        for expected in case.must_contain:
            assert expected in texts[str(root / "in" / case.path)], (case.name, expected)
    assert all("\ufffd" not in text for text in texts.values())


def test_no_local_file_and_no_network_reach_a_shard(fault_run):
    root, _, _, connections = fault_run
    shards = read_shards(root / "out")
    xxe = [row for row in shards if "xxe" in row["source_uri"]]
    assert len(xxe) == 2
    assert all(SECRET not in row["text"] for row in shards)
    assert all("lollol" not in row["text"] for row in xxe)  # no entity expansion either
    assert connections == 0


def test_memory_stays_bounded(fault_run):
    _, _, run, _ = fault_run
    assert 0 < run.peak_rss_bytes < MAX_PROCESS_RSS, run.peak_rss_bytes


def test_quarantine_lists_every_error_with_its_location(fault_run):
    root, _, _, _ = fault_run
    store = str(root / "out" / "metadata.duckdb")
    listed = subprocess.run(
        [sys.executable, "-m", "metadata_store", "failed", "--store", store, "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    failed = json.loads(listed.stdout)
    errors = [r for r in store_records(root / "out") if r["status"] == "error"]
    assert sorted(r["record_id"] for r in failed) == sorted(r["record_id"] for r in errors)
    assert all(r["reason"].startswith("error:") and r["source_uri"] for r in failed)
    # The raw bytes of a failed record are where the quarantine says they are.
    (garbage,) = [r for r in failed if r["reason"] == "error:unreadable_bytes"]
    with open(garbage["source_uri"], "rb") as stream:
        stream.seek(garbage["source_offset"])
        raw = stream.read(garbage["source_length"])
    assert raw == garbage_member_warc()[1]
    located = subprocess.run(
        [sys.executable, "-m", "metadata_store", "locate", "--store", store, garbage["record_id"]],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert located.returncode == 0 and "error:unreadable_bytes" in located.stdout


def test_summary_names_the_shards_this_run_published(fault_run):
    root, _, _, _ = fault_run
    summary = json.loads((root / "out" / "summary.json").read_text())
    on_disk = sorted(
        str(p.relative_to(root / "out")) for p in (root / "out" / "data").rglob("*.parquet")
    )
    assert summary["published_shards"] == on_disk
    kept_shards = {r["shard"] for r in store_records(root / "out") if r["status"] == KEPT}
    assert kept_shards == set(on_disk)
    assert {r["run_id"] for r in store_records(root / "out")} == {summary["run_id"]}
