"""crawl_to_shards: raw crawls in, deduplicated language-partitioned Parquet shards out.

    python -m pipelines.crawl_to_shards --input 'crawl/**/*.warc.gz' --output out/

The Beam graph is four labelled composites (see README "How it works"):

    ListInputs -> ProcessFiles -> Deduplicate -> PublishShards

after which the driver, the metadata store's single writer, loads the store parts the workers
wrote, checks that every input record is accounted for, and writes the summary.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from metadata_store import StoreError
from metadata_store.compaction import MAX_LAYERS
from metadata_store.errors import one_line
from pipelines.index_only import INDEX_FILES_PER_BATCH, build_index_graph
from pipelines.options import (
    DedupOptions,
    ExtractionOptions,
    InputOptions,
    LanguageOptions,
    OutputOptions,
    UsageError,
    build_parser,
    unknown_flags,
    validate_options,
)
from pipelines.run_driver import execute
from transforms.dedup import Deduplicate
from transforms.documents import DocumentConfig
from transforms.layout import OutputLayout
from transforms.listing import ListInputs
from transforms.prefixes import absolute_pattern
from transforms.prior_documents import AddPriorDocuments
from transforms.process_files import ProcessFiles
from transforms.readers import ReadLimits
from transforms.shards import PublishShards

PROG = "python -m pipelines.crawl_to_shards"


@dataclass(frozen=True)
class RunSettings:
    """Everything a run needs, read once from the options."""

    inputs: tuple[str, ...]
    output: str
    metadata_store: str
    files_per_batch: int
    batch_bytes: int
    limits: ReadLimits
    documents: DocumentConfig
    max_rows_per_shard: int
    row_group_rows: int
    quiet: bool
    reprocess: bool = False
    committed_parts: tuple[str, ...] = ()  # files parts of earlier runs (set by the driver)
    prior_runs: tuple[str, ...] = ()  # committed runs, oldest first, to deduplicate against
    index_only: bool = False  # list and index files, extract nothing (pipelines/index_only.py)
    max_store_layers: int = MAX_LAYERS  # merge the store's newest layers down to this (0: never)


LOCAL_DEFAULTS = (
    ("--direct_running_mode", "multi_processing"),
    ("--direct_num_workers", "0"),
    ("--default_sdk_harness_log_level", "WARNING"),
)


def _flag_value(args: Sequence[str], flag: str) -> str | None:
    """The value of ``--flag=V`` or ``--flag V`` in ``args``, if given."""
    value = next((a.split("=", 1)[1] for a in args if a.startswith(f"{flag}=")), None)
    if value is None and flag in args and list(args).index(flag) + 1 < len(args):
        value = args[list(args).index(flag) + 1]
    return value


# Beam's DirectRunner (2.77 and 2.78) first tries to run a pipeline on Prism, downloading its
# binary from GitHub: a different runner, which ignores --direct_running_mode and needs the
# network (without it, the attempt costs half a second and falls back). Its own check skips
# Prism for pipelines that allow unsafe triggers; ours uses global windows and default triggers
# only, so that flag changes nothing else, and the local runner is always the FnApiRunner the
# tests exercise.
SKIP_PRISM = "--allow_unsafe_triggers"


def beam_arguments(beam_args: Sequence[str]) -> list[str]:
    """Beam's flags, plus local-runner defaults the user did not set: one worker process per
    core (0 = all cores), worker logs at WARNING, and no Prism (``SKIP_PRISM``). One worker runs
    in the driver process (``in_memory``): a worker process would only add its start-up and the
    gRPC data plane."""
    args = list(beam_args)
    given = {arg.split("=", 1)[0] for arg in args if arg.startswith("--")}
    if _flag_value(args, "--runner") in (None, "DirectRunner", "direct"):
        workers = _flag_value(args, "--direct_num_workers")
        one = workers == "1" or (workers in (None, "0") and os.cpu_count() == 1)
        for flag, value in LOCAL_DEFAULTS:
            if flag not in given:
                in_memory = flag == "--direct_running_mode" and one
                args += [flag, "in_memory" if in_memory else value]
        if SKIP_PRISM not in given:
            args.append(SKIP_PRISM)
    return args


def parse_args(argv: Sequence[str]) -> tuple[PipelineOptions, RunSettings]:
    """Parse and check the command line; raises UsageError with a one-line message.

    crawlsift's flags are read here, in the driver; only Beam's own flags go into the pipeline's
    options, so workers never see (and never warn about) flags they do not know."""
    _, beam_args = build_parser(PROG).parse_known_args(list(argv))
    unknown = unknown_flags(beam_args)
    if unknown:
        raise UsageError(f"unrecognized arguments: {' '.join(unknown)} (see --help)")
    options = PipelineOptions(list(argv))
    validate_options(options)
    inputs = options.view_as(InputOptions)
    extraction = options.view_as(ExtractionOptions)
    language = options.view_as(LanguageOptions)
    dedup = options.view_as(DedupOptions)
    output = options.view_as(OutputOptions)
    settings = RunSettings(
        inputs=tuple(absolute_pattern(pattern) for pattern in inputs.input),
        output=output.output.rstrip("/") or "/",
        metadata_store=output.metadata_store or f"{output.output.rstrip('/')}/metadata.duckdb",
        files_per_batch=files_per_batch(inputs, argv),
        batch_bytes=inputs.batch_bytes,
        limits=ReadLimits(inputs.max_record_bytes, inputs.max_decompressed_bytes),
        documents=DocumentConfig(
            extraction_mode=extraction.extraction_mode,
            min_words=extraction.min_words,
            languages=tuple(language.languages) if language.languages else None,
            min_language_score=language.min_language_score,
            dedup=dedup.dedup,
            dedup_threshold=dedup.dedup_threshold,
            num_perm=dedup.num_perm,
            extraction_budget_seconds=extraction.extraction_budget_seconds,
        ),
        max_rows_per_shard=output.max_rows_per_shard,
        row_group_rows=output.row_group_rows,
        quiet=output.quiet,
        reprocess=inputs.reprocess,
        index_only=inputs.index_only,
        max_store_layers=output.max_store_layers,
    )
    return PipelineOptions(beam_arguments(beam_args)), settings


def files_per_batch(inputs: InputOptions, argv: Sequence[str]) -> int:
    """``--files_per_batch``; with ``--index_only`` and no explicit value, thousands of files:
    indexing a small file costs microseconds, a batch's parts and element milliseconds."""
    given = _flag_value(argv, "--files_per_batch") is not None
    return inputs.files_per_batch if given or not inputs.index_only else INDEX_FILES_PER_BATCH


def build_graph(pipeline: beam.Pipeline, settings: RunSettings, layout: OutputLayout) -> None:
    """The Beam graph: only file names, small keys and decisions cross a shuffle."""
    if settings.index_only:
        build_index_graph(pipeline, settings, layout)
        return
    batches = pipeline | "ListInputs" >> ListInputs(
        list(settings.inputs),
        settings.files_per_batch,
        settings.batch_bytes,
        list(settings.committed_parts),
    )
    processed = batches | "ProcessFiles" >> ProcessFiles(
        settings.documents, settings.limits, layout, settings.row_group_rows
    )
    candidates, dedup = processed.candidates, settings.documents
    if settings.prior_runs:  # documents earlier runs kept (README "Deduplication")
        candidates = (candidates, batches) | "AddPriorDocuments" >> AddPriorDocuments(
            settings.output, settings.prior_runs, dedup.dedup, dedup.dedup_threshold, dedup.num_perm
        )
    removals = candidates | "Deduplicate" >> Deduplicate(
        settings.documents.dedup, settings.documents.dedup_threshold
    )
    _ = (processed.parts, removals) | "PublishShards" >> PublishShards(
        layout, settings.max_rows_per_shard, settings.row_group_rows
    )


def run(argv: Sequence[str] | None = None) -> int:
    """Parse, check, run the pipeline and the driver steps; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    started = time.time()
    try:
        options, settings = parse_args(argv)
        return execute(options, settings, build_graph, argv, started)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (StoreError, OSError) as error:  # after the pipeline: the store load, tidying up
        report_driver_failure(error)
        return 1


def report_driver_failure(error: BaseException) -> None:
    """One line for the user (what failed, that a rerun finishes the job), the traceback in a
    file: a disk that filled up while the store loaded is not a crawlsift bug."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="crawlsift-error-", suffix=".log", delete=False, encoding="utf-8"
    ) as details:
        details.write("".join(traceback.format_exception(error)))
    print(f"error: {type(error).__name__}: {one_line(error)[:300]}", file=sys.stderr)
    print(f"       details in {details.name}; rerun the same command to finish", file=sys.stderr)


def exit_now(code: int) -> None:
    """Exit without interpreter finalisation, once everything is written and flushed.

    The run is complete by then (store committed and closed, summary written). Rarely (about
    one finished run in thirty here), finalisation aborted the process with "terminate called
    without an active exception", a native thread still running (the local runner's gRPC
    threads are the suspects), which turned a successful run's exit status into -6."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(run())
