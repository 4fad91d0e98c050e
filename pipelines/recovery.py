"""After a crash: what a killed run left behind, and how the next run clears it.

A run killed at any point (SIGKILL, OOM, a preempted machine) leaves only complete files: workers
write under ``OUTPUT/_work/<run_id>/tmp/`` and rename into place, and the store is loaded in one
DuckDB transaction. What it can leave is garbage, never a torn file:

* ``OUTPUT/_work/<run_id>/``: candidate parts and temporary files of the dead run;
* ``OUTPUT/store/runs/<run_id>/``: store parts of a run the store never loaded (its records are
  not in the store, so the next run processes those inputs again);
* ``<store>.lock`` naming the dead pid: ``MetadataStore.open`` takes it over (same host);
* shards under ``data/``, complete, named after its batches: those no kept document of the
  store is in are removed (the rerun may cut other batches: a file was added, or
  ``--files_per_batch`` changed), the others are an earlier run's, which the rerun replaces;
* for a run killed after its load (its records are in the store), the housekeeping it did not
  get to: stale shards of its batches and older copies of documents it read again in other
  batches' shards (``run_outputs.tidy``), which the next run finishes.

``clean_leftovers`` runs in the driver once it holds the store's lock, so no other run into this
output and store is alive. ``pause_for_test`` is a test hook (see its docstring).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from pipelines import run_outputs
from transforms.layout import OutputLayout, ensure_directory, join, remove_tree

TEST_PAUSE_ENV = "CRAWLSIFT_TEST_PAUSE"


@dataclass(frozen=True)
class Leftovers:
    """What killed runs left: run ids with a work directory, and with unloaded store parts."""

    work_runs: tuple[str, ...] = ()
    unloaded_runs: tuple[str, ...] = ()

    @property
    def runs(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.work_runs) | set(self.unloaded_runs)))

    def describe(self) -> str:
        return (
            f"cleaned up after {len(self.runs)} interrupted run(s): {', '.join(self.runs)} "
            f"({len(self.work_runs)} work dir(s), {len(self.unloaded_runs)} unloaded store part "
            "dir(s)); the inputs of runs never loaded are processed again"
        )


def run_dirs(parent: str) -> set[str]:
    """The names of the run directories under ``parent``: local directories (empty ones too), or
    on object stores the first path component of every object below ``parent``."""
    if "://" not in parent:
        with contextlib.suppress(FileNotFoundError), os.scandir(parent) as entries:
            return {entry.name for entry in entries if entry.is_dir()}
        return set()
    prefix = parent.rstrip("/") + "/"
    found = set()
    for metadata in FileSystems.match([join(parent, "**")])[0].metadata_list:
        relative = metadata.path[len(prefix) :] if metadata.path.startswith(prefix) else ""
        if "/" in relative:  # an object directly under ``parent`` is not a run's
            found.add(relative.split("/", 1)[0])
    return found


def find_leftovers(layout: OutputLayout, loaded_runs: Iterable[str]) -> Leftovers:
    """The other runs' work directories, and the part directories of runs the store never loaded
    (``loaded_runs``: the store's ``runs``). The current run's own directories are not listed."""
    loaded = set(loaded_runs) | {layout.run_id}
    work = run_dirs(join(layout.output, "_work"))
    parts = run_dirs(join(layout.output, "store", "runs"))
    return Leftovers(
        work_runs=tuple(sorted(set(work) - {layout.run_id})),
        unloaded_runs=tuple(sorted(set(parts) - loaded)),
    )


def clean_leftovers(
    layout: OutputLayout,
    loaded_runs: Iterable[str],
    shards_in_use: Callable[[list[str]], set[str]] = lambda shards: set(shards),
) -> Leftovers:
    """Remove what killed runs left in ``layout.output``; returns what was removed.

    Call it only while holding the store's lock: a run directory that is neither this run's nor
    loaded belongs to a run that died (a live one would hold the lock). ``shards_in_use`` says
    which shards hold kept documents of the store (``MetadataStore.shards_in_use``): the other
    shards of an unloaded run's batches are its orphans (the rerun may cut other batches)."""
    loaded = set(loaded_runs)
    leftovers = find_leftovers(layout, loaded)
    for run_id in leftovers.work_runs:
        if run_id in loaded:  # killed after its load: stale and superseded shards, as tidy() does
            run_outputs.tidy(OutputLayout(layout.output, run_id))
        remove_tree(join(layout.output, "_work", run_id))
    for run_id in leftovers.unloaded_runs:
        remove_orphan_shards(OutputLayout(layout.output, run_id), shards_in_use)
        remove_tree(join(layout.output, "store", "runs", run_id))
    return leftovers


def remove_orphan_shards(
    dead: OutputLayout, shards_in_use: Callable[[list[str]], set[str]]
) -> list[str]:
    """Shards a run that was never loaded published for its batches, that no kept document of
    the store is in: removed (returned, relative to the output)."""
    batches = run_outputs.batches_of_run(dead)
    if not batches:
        return []
    published = run_outputs.shards_of_batches(dead, batches)
    orphans = sorted(set(published) - shards_in_use(published))
    if orphans:
        FileSystems.delete([dead.absolute(shard) for shard in orphans])
    return orphans


def pause_for_test(stage: str, layout: OutputLayout, seconds: float = 600.0) -> None:
    """Test hook, inert unless ``CRAWLSIFT_TEST_PAUSE`` equals ``stage``: then write
    ``OUTPUT/_work/<run_id>/paused-<stage>`` and sleep, so that
    tests/faults/test_kill_and_rerun.py can SIGKILL the run exactly there (``load``: the
    pipeline has finished, the store is open and locked, nothing is loaded yet)."""
    if os.environ.get(TEST_PAUSE_ENV) != stage:
        return
    marker = join(layout.work_dir, f"paused-{stage}")
    ensure_directory(layout.work_dir)
    with FileSystems.create(marker, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
        stream.write(str(os.getpid()).encode())
    time.sleep(seconds)
