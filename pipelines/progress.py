"""What the user sees while a run is going: progress lines on stdout, Beam's chatter in a log file.

Beam's local runner starts worker processes that log straight to the inherited stderr, so the
redirect is done at the file-descriptor level: every process started during the run writes its
logs to ``OUTPUT/logs/<run_id>.log`` (a temporary file for remote outputs), and the terminal gets
only crawlsift's own lines. Progress is read from what the workers have already committed to
storage (store parts and shards), so it costs the pipeline nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from transforms.layout import OutputLayout, join


def log_path_for(layout: OutputLayout) -> str:
    if "://" in layout.output:
        return os.path.join(tempfile.gettempdir(), f"crawlsift-{layout.run_id}.log")
    return os.path.join(layout.output, "logs", f"{layout.run_id}.log")


@contextmanager
def stderr_to_file(path: str) -> Iterator[None]:
    """Point file descriptor 2 (and so every child process's stderr) at ``path``."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(target, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(target)
        os.close(saved)


def committed_records(layout: OutputLayout) -> tuple[int, int]:
    """(batches done, records read) from the location parts written so far."""
    pattern = join(layout.run_parts_dir, "locations", "*.parquet")
    batches = records = 0
    for metadata in FileSystems.match([pattern])[0].metadata_list:
        try:
            with FileSystems.open(
                metadata.path, compression_type=CompressionTypes.UNCOMPRESSED
            ) as stream:
                records += pq.read_metadata(stream).num_rows
            batches += 1
        except OSError:  # renamed or removed while we looked: counted next time
            continue
    return batches, records


def format_progress(batches: int, records: int, seconds: float) -> str:
    rate = records / seconds if seconds > 0 else 0.0
    return f"  progress: {batches:,} batches, {records:,} records read ({rate:,.0f} records/s)"


class ProgressReporter(threading.Thread):
    """Prints a progress line every ``interval`` seconds while something changed."""

    def __init__(self, layout: OutputLayout, started: float, interval: float = 5.0) -> None:
        super().__init__(name="crawlsift-progress", daemon=True)
        self.layout = layout
        self.started = started
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        last = (0, 0)
        while not self.stopped.wait(self.interval):
            current = committed_records(self.layout)
            if current != last:
                print(format_progress(*current, time.time() - self.started), flush=True)
                last = current

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.interval)


@contextmanager
def monitored_run(layout: OutputLayout, started: float, quiet: bool) -> Iterator[str]:
    """Beam logs to a file and progress lines on stdout while the pipeline runs; yields the log."""
    path = log_path_for(layout)
    reporter = None if quiet else ProgressReporter(layout, started)
    with stderr_to_file(path):
        if reporter:
            reporter.start()
        try:
            yield path
        finally:
            if reporter:
                reporter.stop()
