"""Command-line options of crawl_to_shards, one ``PipelineOptions`` subclass per concern.

Every flag has ``help=`` and ``type=`` (and ``choices=`` where the set is closed). Cross-field and
range checks live in ``validate_options`` and raise ``UsageError``, which the entry point turns
into a one-line message and exit code 2. Beam's own flags (``--runner``, ``--direct_num_workers``,
``--direct_running_mode``, Dataflow's ``--project`` …) pass through unchanged.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

from metadata_store.compaction import MAX_LAYERS


class UsageError(ValueError):
    """A bad flag value or missing input: reported as one line, exit code 2."""


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def _language_list(text: str) -> list[str]:
    return sorted({code.strip().lower() for code in text.split(",") if code.strip()})


class InputOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--input",
            action="append",
            type=str,
            help="Input file pattern (local path, gs://, s3://; globs such as "
            "'crawl/**/*.warc.gz'). Repeat the flag for several patterns. Formats by "
            "extension: .warc/.warc.gz, .html/.htm (optionally .gz), .jsonl (optionally .gz). "
            "Required.",
        )
        parser.add_argument(
            "--files_per_batch",
            type=_positive_int,
            default=64,
            help="Most small files processed together as one unit of work (default 64; 2000 "
            "with --index_only).",
        )
        parser.add_argument(
            "--batch_bytes",
            type=_positive_int,
            default=64 * 1024 * 1024,
            help="Most input bytes in one batch of small files; a larger file is a batch of its "
            "own (default 64 MiB).",
        )
        parser.add_argument(
            "--reprocess",
            action="store_true",
            default=False,
            help="Process every input file again, even those an earlier run into the same "
            "output already committed with the same size and mtime (default: skip them).",
        )
        parser.add_argument(
            "--index_only",
            action="store_true",
            default=False,
            help="Only list and index the input: record every record's location (file, offset, "
            "length), size and SHA-1 content digest (and URL/id when the input has them) in the "
            "metadata store with status 'indexed', without extraction, language tagging, "
            "deduplication or shards. Skips files any earlier run committed; a later full run "
            "processes the indexed files and supersedes their rows.",
        )
        parser.add_argument(
            "--max_record_bytes",
            type=_positive_int,
            default=20 * 1024 * 1024,
            help="Records with a larger payload are filtered as 'filtered:too_large' "
            "(default 20 MiB).",
        )
        parser.add_argument(
            "--max_decompressed_bytes",
            type=_positive_int,
            default=64 * 1024 * 1024,
            help="A gzipped HTML/JSONL file inflating past this is 'error:decompression_limit' "
            "(gzip-bomb guard, default 64 MiB).",
        )


class ExtractionOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--extraction_mode",
            type=str,
            default="balanced",
            choices=["balanced", "precision", "recall", "fast"],
            help="trafilatura mode: balanced (default), precision (favor_precision), recall "
            "(favor_recall) or fast (no fallback extractors).",
        )
        parser.add_argument(
            "--min_words",
            type=_non_negative_int,
            default=20,
            help="Documents with fewer words are filtered as 'filtered:too_short' (default 20; "
            "0 disables). CJK and Thai characters count as one word each.",
        )
        parser.add_argument(
            "--extraction_budget_seconds",
            type=_non_negative_float,
            default=10.0,
            help="Wall-clock seconds one record's decoding and extraction may take; slower "
            "records are 'error:time_budget' (default 10; 0 disables).",
        )


class LanguageOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--languages",
            type=_language_list,
            default=None,
            help="Comma-separated ISO 639-1 codes to keep (e.g. 'en,de,zh'); other documents are "
            "'filtered:language'. Default: all languages.",
        )
        parser.add_argument(
            "--min_language_score",
            type=float,
            default=0.0,
            help="Documents whose language probability is below this are tagged 'und' "
            "(default 0: never).",
        )


class DedupOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--dedup",
            type=str,
            default="minhash",
            choices=["minhash", "exact", "none"],
            help="minhash (default): exact duplicates, then near-duplicates by MinHash-LSH; "
            "exact: identical normalised text only; none: keep everything.",
        )
        parser.add_argument(
            "--dedup_threshold",
            type=float,
            default=0.8,
            help="Estimated Jaccard similarity of word 5-gram sets (character 5-grams for zh, ja, "
            "th) at which a document is a near-duplicate; 0 < t < 1 (default 0.8). Sets the LSH "
            "bands and rows, see README 'Deduplication'.",
        )
        parser.add_argument(
            "--num_perm",
            type=_positive_int,
            default=128,
            help="MinHash permutations (default 128).",
        )


class OutputOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--output",
            type=str,
            default=None,
            help="Output directory (local, gs://, s3://): shards under OUTPUT/data/language=xx/, "
            "store parts under OUTPUT/store/, summary.json. Required.",
        )
        parser.add_argument(
            "--max_rows_per_shard",
            type=_positive_int,
            default=100_000,
            help="Most documents in one Parquet shard (default 100000).",
        )
        parser.add_argument(
            "--row_group_rows",
            type=_positive_int,
            default=2_000,
            help="Rows per Parquet row group, sized for streaming readers (default 2000).",
        )
        parser.add_argument(
            "--metadata_store",
            type=str,
            default=None,
            help="Path of the DuckDB metadata store (default OUTPUT/metadata.duckdb; must be "
            "a local path).",
        )
        parser.add_argument(
            "--max_store_layers",
            type=_non_negative_int,
            default=MAX_LAYERS,
            help="After loading a run, merge the metadata store's newest layers into one, as a "
            "binary counter carries (older layers no bigger than the newer ones are taken in), "
            "leaving at most this many: a lookup probes every layer "
            f"(default {MAX_LAYERS}; 0 never merges). See docs/metadata_store.md.",
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            default=False,
            help="Print only the final summary line, no progress and no table.",
        )


CRAWLSIFT_OPTIONS: tuple[type[PipelineOptions], ...] = (
    InputOptions,
    ExtractionOptions,
    LanguageOptions,
    DedupOptions,
    OutputOptions,
)

_EPILOG = """\
Beam's own flags pass through, for example:
  --runner DirectRunner|DataflowRunner   where to run (default DirectRunner)
  --direct_num_workers N                 local workers (default here: 0 = one per core)
  --direct_running_mode in_memory|multi_threading|multi_processing
                                         (default here: multi_processing)
  --default_sdk_harness_log_level LEVEL  worker log level (default here: WARNING)
Beam's logs go to OUTPUT/logs/<run_id>.log; the terminal shows progress and the summary.
See README.md for the output layout, the shard schema and the metadata store.
"""


class _Parser(argparse.ArgumentParser):
    """Reports bad flag values as UsageError (one line) instead of usage text plus exit."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(allow_abbrev=False, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser(prog: str) -> argparse.ArgumentParser:
    """crawlsift's own flags in groups: for ``--help`` and for checking values up front."""
    parser = _Parser(
        prog=prog,
        description="Turn raw web crawls (WARC, HTML, JSONL) into deduplicated, "
        "language-partitioned Parquet shards, with every record accounted for in a metadata store.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for options_class in CRAWLSIFT_OPTIONS:
        group = parser.add_argument_group(options_class.__name__.replace("Options", "").lower())
        options_class._add_argparse_args(group)
    return parser


def unknown_flags(argv: Sequence[str]) -> list[str]:
    """Flags no registered PipelineOptions class knows (Beam itself only warns about them)."""
    parser = _BeamArgumentParser(allow_abbrev=False)
    seen: dict[str, type[PipelineOptions]] = {}
    for options_class in PipelineOptions.__subclasses__():
        seen.setdefault(str(options_class), options_class)
    for options_class in seen.values():
        options_class._add_argparse_args(parser)
    _, unknown = parser.parse_known_args(list(argv))
    return [arg for arg in unknown if arg.startswith("-")]


def validate_options(options: PipelineOptions) -> None:
    """Cross-field and range checks; raises UsageError with a one-line message."""
    inputs = options.view_as(InputOptions)
    output = options.view_as(OutputOptions)
    dedup = options.view_as(DedupOptions)
    language = options.view_as(LanguageOptions)
    if not inputs.input:
        raise UsageError("--input is required (a file pattern; repeat it for several)")
    if not output.output:
        raise UsageError("--output is required (the output directory)")
    if not 0.0 < dedup.dedup_threshold < 1.0:
        raise UsageError(
            f"--dedup_threshold must be between 0 and 1 (exclusive), got {dedup.dedup_threshold}"
        )
    if not 0.0 <= language.min_language_score <= 1.0:
        raise UsageError(
            f"--min_language_score must be between 0 and 1, got {language.min_language_score}"
        )
    if output.metadata_store and "://" in output.metadata_store:
        raise UsageError("--metadata_store must be a local path (the DuckDB file)")
