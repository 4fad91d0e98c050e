"""The driver's side of a run: preflight checks, the pipeline, then the single-writer steps.

Order matters for "nothing is lost": the store lock is taken before any work (a second writer
fails fast), shards are published by the workers atomically, the store is loaded in one
transaction after the pipeline succeeded, and only then are stale shards of an earlier run and the
run's temporary work removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import sys
import traceback
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from metadata_store import Accounting, MetadataStore, StoreError
from pipelines import cloud_store, dataflow, recovery, run_outputs
from pipelines.index_only import FULL_MODE, INDEX_MODE
from pipelines.options import UsageError
from pipelines.progress import monitored_run
from pipelines.summary import RunSummary, counters_from_result, format_summary
from transforms.file_listing import first_matches
from transforms.layout import OutputLayout, ensure_directory, join
from transforms.local_worker import driver_of_local_run
from transforms.prefixes import normalise_pattern
from transforms.readers import detect_format

if TYPE_CHECKING:  # crawl_to_shards imports this module
    from pipelines.crawl_to_shards import RunSettings

log = logging.getLogger("crawlsift")


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


CHECK_LIMIT = 10_000


def check_inputs(patterns: Sequence[str], remote: bool = True) -> None:
    """Every pattern must match at least one file crawlsift can read. ``remote=False`` skips
    gs:// and s3:// patterns: a Dataflow dry run has no credentials to list them, and the job
    lists them again on the workers anyway (ListInputs)."""
    for pattern in patterns:
        if not remote and cloud_store.is_remote(pattern):
            continue
        seen, readable = 0, False
        try:
            # A bounded look, not the listing itself: that runs in the pipeline (ListInputs).
            # It stops at the first file crawlsift reads.
            for path in first_matches(normalise_pattern(pattern), CHECK_LIMIT):
                seen += 1
                if detect_format(path):
                    readable = True
                    break
        except (ValueError, OSError) as error:
            raise UsageError(f"cannot list --input {pattern}: {error}") from error
        if not seen:
            raise UsageError(f"no file matches --input {pattern}")
        if not readable:
            raise UsageError(
                f"--input {pattern}: none of the first {seen:,} matching files is "
                ".warc[.gz], .html/.htm[.gz] or .jsonl[.gz]"
            )


def check_output_writable(output: str) -> None:
    probe = join(output, f".crawlsift-write-test-{uuid.uuid4().hex}")
    try:
        with FileSystems.create(probe, compression_type=CompressionTypes.UNCOMPRESSED) as stream:
            stream.write(b"ok")
        FileSystems.delete([probe])
    except (OSError, ValueError) as error:
        raise UsageError(f"output {output} is not writable: {error}") from error


def committed_parts(
    store: MetadataStore, layout: OutputLayout, index_runs: bool = True
) -> tuple[str, ...]:
    """Globs of the ``files`` parts of every run the store has loaded (what is committed);
    without those of --index_only runs when ``index_runs`` is False: a full run must still
    extract the files an index run only located."""
    return tuple(
        join(layout.output, "store", "runs", run["run_id"], "files", "*.parquet")
        for run in store.runs()
        if index_runs or run.get("mode") != INDEX_MODE
    )


def check_index_reprocess(store: MetadataStore | None, layout: OutputLayout) -> None:
    """``--index_only --reprocess`` into an output with extracted documents would replace them
    with index rows and take them out of ``data/``, while later full runs skip the unchanged
    files: refused."""
    full = (
        committed_parts(store, layout, index_runs=False)
        if store
        else cloud_store.committed_parts(layout, index_runs=False)
    )
    if full:
        raise UsageError(
            f"--index_only --reprocess would replace the documents earlier full runs extracted "
            f"into {layout.output}; index into another --output, or run --reprocess without "
            "--index_only"
        )


def prior_runs(store: MetadataStore | None, layout: OutputLayout) -> tuple[str, ...]:
    """The committed runs, oldest first, whose kept documents this run is deduplicated against
    (transforms/prior_documents.py decides, in the pipeline, which of them are still live)."""
    if store is None:
        return cloud_store.committed_run_ids(layout)
    return tuple(run["run_id"] for run in store.runs())


def run_pipeline(options: PipelineOptions, build: Callable[[beam.Pipeline], None]) -> Any:
    pipeline = beam.Pipeline(options=options)
    build(pipeline)
    with driver_of_local_run():  # its local workers skip their teardown (transforms/local_worker)
        result = pipeline.run()
        result.wait_until_finish()
    return result


def preflight(options: PipelineOptions, settings: RunSettings, dry_run: bool) -> None:
    """Checks that fail fast, with a one-line UsageError, before anything is written."""
    dataflow.check_dataflow_launch(options, settings.inputs, settings.output)
    check_inputs(settings.inputs, remote=not dry_run)
    if any(c in settings.output for c in "*?["):  # its shards and parts are listed by pattern
        raise UsageError(f"--output {settings.output} has a glob character (*, ? or [)")
    if not dry_run:
        check_output_writable(settings.output)


def open_store(settings: RunSettings, parts_only: bool) -> MetadataStore | None:
    """The store, opened for writing (its lock held), or None when the store is the parts."""
    try:
        return None if parts_only else MetadataStore.open(settings.metadata_store)
    except StoreError as error:
        raise UsageError(str(error)) from error


def prepare(
    store: MetadataStore | None, layout: OutputLayout, settings: RunSettings, dry_run: bool
) -> RunSettings:
    """Clear what killed runs left, and read what earlier runs committed: the files to skip
    (unless --reprocess) and the runs whose kept documents this run is deduplicated against."""
    if settings.index_only and settings.reprocess and not dry_run:
        check_index_reprocess(store, layout)
    if store is not None:  # the lock is held: no other run into this output is alive
        loaded = [r["run_id"] for r in store.runs()]
        leftovers = recovery.clean_leftovers(layout, loaded, store.shards_in_use)
        if leftovers.runs and not settings.quiet:
            print(leftovers.describe())
    if not settings.reprocess and not dry_run:
        index_runs = settings.index_only  # an index run skips what any run committed
        committed = (
            committed_parts(store, layout, index_runs)
            if store
            else cloud_store.committed_parts(layout, index_runs)
        )
        settings = dataclasses.replace(settings, committed_parts=committed)
    if settings.documents.dedup != "none" and not dry_run:  # cross-run deduplication
        settings = dataclasses.replace(settings, prior_runs=prior_runs(store, layout))
    return settings


def monitored_pipeline(
    options: PipelineOptions,
    settings: RunSettings,
    layout: OutputLayout,
    build_graph: Callable[..., None],
    started: float,
) -> Any | None:
    """Run the Beam pipeline with progress lines; on failure print two lines (what failed, where
    the details are) and return None."""
    if not settings.quiet:
        print(f"crawlsift run {layout.run_id}: reading {', '.join(settings.inputs)}")
    quiet = settings.quiet or dataflow.is_dry_run(options)
    try:
        with monitored_run(layout, started, quiet) as log_path:
            return run_pipeline(options, lambda p: build_graph(p, settings, layout))
    except Exception as error:
        with open(log_path, "a", encoding="utf-8") as details:
            details.write(traceback.format_exc())
        message = str(error).strip().splitlines()
        print(
            f"error: the pipeline failed: {type(error).__name__}: "
            f"{message[-1][:300] if message else ''}",
            file=sys.stderr,
        )
        print(f"       details in {log_path}; rerun the same command to finish", file=sys.stderr)
        return None


def load(
    store: MetadataStore | None,
    layout: OutputLayout,
    settings: RunSettings,
    times: tuple[dt.datetime, dt.datetime],
    argv: Sequence[str],
    counters: dict[str, int],
) -> Accounting:
    """Load the run's parts into the store in one transaction (the driver is its only writer) and
    account for every record; a store that is only parts is accounted from the parts."""
    if store is None:
        return cloud_store.accounting_from_parts(layout.run_parts_dir)
    recovery.pause_for_test("load", layout)  # test hook: inert unless its env var is set
    ensure_directory(layout.run_parts_dir)  # a run with nothing new wrote no parts
    run_outputs.plan_superseded(store, layout)
    with cloud_store.local_parts(layout.run_parts_dir) as parts_dir:
        store.load_run(
            layout.run_id,
            parts_dir,
            started_at=times[0],
            finished_at=times[1],
            argv=list(argv),
            counters=counters,
            mode=INDEX_MODE if settings.index_only else FULL_MODE,
        )
    merged = store.merge_layers(settings.max_store_layers)  # lookups probe every layer
    if merged and not settings.quiet:
        print(f"metadata store: merged its {merged} newest layers into one")
    return store.accounting(layout.run_id)


def run_summary(
    layout: OutputLayout,
    settings: RunSettings,
    store_path: str,
    accounting: Accounting,
    counters: dict[str, int],
    seconds: float,
    shards: set[str],
) -> RunSummary:
    return RunSummary(
        run_id=layout.run_id,
        output=settings.output,
        metadata_store=store_path,
        records_in=accounting.records_in,
        kept=accounting.kept,
        filtered=accounting.filtered,
        duplicate=accounting.duplicate,
        error=accounting.error,
        balanced=accounting.balanced,
        seconds=round(seconds, 3),
        shards=len(shards),
        counters=counters,
        published_shards=sorted(shards),
        indexed=accounting.indexed,
        mode=INDEX_MODE if settings.index_only else FULL_MODE,
    )


def execute(
    options: PipelineOptions,
    settings: RunSettings,
    build_graph: Callable[..., None],
    argv: Sequence[str],
    started: float,
) -> int:
    """Run one crawl_to_shards job end to end; returns the exit code.

    A remote output without a local ``--metadata_store`` has no DuckDB file: its store is the
    Parquet parts (pipelines/cloud_store.py). A Dataflow dry run builds the job and stops."""
    dry_run = dataflow.is_dry_run(options)
    preflight(options, settings, dry_run)
    layout = OutputLayout(settings.output, new_run_id())
    store = open_store(settings, dry_run or cloud_store.uses_cloud_store(settings.metadata_store))
    with store or contextlib.nullcontext():
        settings = prepare(store, layout, settings, dry_run)
        result = monitored_pipeline(options, settings, layout, build_graph, started)
        if result is None:
            return 1
        if not dataflow.job_ran(options, result):
            print(dataflow.not_run_message(options, layout))
            return 0
        counters = counters_from_result(result)
        finished = dt.datetime.now(dt.timezone.utc)
        times = (dt.datetime.fromtimestamp(started, dt.timezone.utc), finished)
        accounting = load(store, layout, settings, times, argv, counters)
        # still holding the store's lock: a run started now must not take this run's work
        # directory for a dead run's and tidy it at the same time
        shards = run_outputs.tidy(layout)
        store_path = layout.run_parts_dir if store is None else settings.metadata_store
        seconds = finished.timestamp() - started
        summary = run_summary(layout, settings, store_path, accounting, counters, seconds, shards)
        run_outputs.write_summary(settings.output, summary)
        if store is None:
            cloud_store.mark_committed(layout, summary.to_json())
    print(summary.accounting_line() if settings.quiet else format_summary(summary))
    if store is None and not settings.quiet:
        print(cloud_store.query_hint(layout))
    return 0 if summary.balanced else 1
