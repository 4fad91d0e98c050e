"""Single writer: other processes get StoreLockedError naming the holder, never a broken file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from metadata_store import MetadataStore, StoreError, StoreLockedError, StoreNotFoundError
from metadata_store.locking import lock_path_for
from tests.metadata_store.test_store import load, sample_run

REPO = Path(__file__).resolve().parents[2]

OPEN_AND_REPORT = """
import sys
from metadata_store import MetadataStore, StoreError, StoreLockedError, StoreNotFoundError
try:
    MetadataStore.open(sys.argv[1], read_only=sys.argv[2] == "ro").close()
except StoreLockedError as e:
    print(e.pid)
    print(e)
    sys.exit(3)
"""

HOLD_READ_ONLY = """
import sys
from metadata_store import MetadataStore
with MetadataStore.open(sys.argv[1], read_only=True):
    print("ready", flush=True)
    sys.stdin.read()
"""


def other_process_opens(path: Path, mode: str = "rw") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", OPEN_AND_REPORT, str(path), mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def write_lock(path: Path, pid: int, host: str) -> None:
    holder = {"pid": pid, "host": host, "started": "2024-05-01T12:00:00+00:00", "token": "t"}
    lock_path_for(path).write_text(json.dumps(holder))


def test_second_writer_in_another_process_is_refused(tmp_path):
    path = tmp_path / "m.duckdb"
    with MetadataStore.open(path) as store:
        load(store, sample_run(tmp_path))
        result = other_process_opens(path)
        assert result.returncode == 3, result.stderr
        pid, message = result.stdout.splitlines()
        assert int(pid) == os.getpid()
        assert f"locked by pid {os.getpid()} on {socket.gethostname()}" in message
        # a reader is refused too while the writer has the file open (DuckDB forbids it)
        result = other_process_opens(path, "ro")
        assert result.returncode == 3, result.stderr
        assert f"being written by pid {os.getpid()}" in result.stdout
    assert not lock_path_for(path).exists()
    with MetadataStore.open(path, read_only=True) as reader:
        assert reader.accounting().records_in == 6


def test_same_process_cannot_open_two_writers(tmp_path):
    path = tmp_path / "m.duckdb"
    with MetadataStore.open(path):
        with pytest.raises(StoreLockedError) as err:
            MetadataStore.open(path)
        assert err.value.pid == os.getpid()
        with pytest.raises(StoreError, match="already open in this process"):
            MetadataStore.open(path, read_only=True)


def test_lock_held_by_a_live_process_names_it(tmp_path):
    path = tmp_path / "m.duckdb"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        write_lock(path, sleeper.pid, socket.gethostname())
        with pytest.raises(StoreLockedError, match=f"locked by pid {sleeper.pid} ") as err:
            MetadataStore.open(path)
        assert (err.value.pid, err.value.host) == (sleeper.pid, socket.gethostname())
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not path.exists()  # refused before DuckDB created anything


def test_stale_lock_from_a_dead_pid_is_taken_over(tmp_path):
    path = tmp_path / "m.duckdb"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    write_lock(path, dead.pid, socket.gethostname())
    with MetadataStore.open(path):
        assert json.loads(lock_path_for(path).read_text())["pid"] == os.getpid()
    assert not lock_path_for(path).exists()


def test_lock_from_another_host_is_not_taken_over(tmp_path):
    path = tmp_path / "m.duckdb"
    write_lock(path, 1, "elsewhere.example")
    with pytest.raises(StoreLockedError, match=r"pid 1 on elsewhere\.example") as err:
        MetadataStore.open(path)
    assert err.value.host == "elsewhere.example"
    assert lock_path_for(path).exists()


def test_unreadable_lock_is_not_taken_over(tmp_path):
    path = tmp_path / "m.duckdb"
    lock_path_for(path).write_text("")
    with pytest.raises(StoreLockedError, match="unknown process"):
        MetadataStore.open(path)


def test_writer_refused_while_a_reader_has_the_file_open(tmp_path):
    path = tmp_path / "m.duckdb"
    MetadataStore.open(path).close()
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ_ONLY, str(path)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError, match="open in another process") as err:
            MetadataStore.open(path)
        assert err.value.pid == reader.pid
        assert not lock_path_for(path).exists()  # our lock file was given back
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)


def test_release_leaves_a_successors_lock_alone(tmp_path):
    path = tmp_path / "m.duckdb"
    store = MetadataStore.open(path)
    write_lock(path, os.getpid(), socket.gethostname())  # as if someone replaced our lock
    store.close()
    assert lock_path_for(path).exists()


def test_read_only_handles(tmp_path):
    loaded = MetadataStore.open(tmp_path / "metadata.duckdb")
    load(loaded, sample_run(tmp_path))
    loaded.close()
    with pytest.raises(StoreError, match="is closed"):
        loaded.stats()
    with MetadataStore.open(tmp_path / "metadata.duckdb", read_only=True) as reader:
        assert reader.read_only
        assert reader.accounting().balanced
        with pytest.raises(StoreError, match="opened read-only"):
            load(reader, tmp_path / "store" / "runs" / "run-1")
    with pytest.raises(StoreNotFoundError, match="no metadata store at"):
        MetadataStore.open(tmp_path / "absent.duckdb", read_only=True)
    assert not (tmp_path / "absent.duckdb").exists()
