"""Where the store's Parquet parts live, how they are cut, and what each kind holds.

Next to ``metadata.duckdb`` sits ``metadata.index/`` (the store's name with ``.index``)::

    metadata.index/records/partition=0/<run>-<layer>-<n>.parquet      full rows, as loaded
    metadata.index/url/partition=<p>/<run>-<layer>-<n>.parquet        SURT key, url -> row
    metadata.index/record_id/partition=<p>/...                        record_id -> row
    metadata.index/source/partition=<p>/...                           file, offset -> row
    metadata.index/content_digest/partition=<p>/...                   digest -> row
    metadata.index/doc_id/partition=<p>/...                           doc id -> row

A *layer* is what one load wrote (one run, or a compaction of several). ``records`` parts are
its rows in the order the workers wrote them (batch by batch, file by file, so a file's records
sit together), cut every MAX_PART_ROWS rows: a heap, written once and never sorted. Each index
kind is hash-partitioned by its key (the url kind by the URL's host, the source kind by the
file's directory), sorted by its key within a partition, and cut into row groups of a fixed size:
a lookup reads one small row group per kind and layer whatever the size of the store, then
follows ``(rec_partition, rec_row)`` (the row's position in the layer's records parts) to one
records row group. ``url`` is the Common Crawl style index: rows sorted by SURT key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# One row group is the unit a lookup reads: small enough to decode in well under a millisecond.
DATA_ROW_GROUP_ROWS = 1024
INDEX_ROW_GROUP_ROWS = 2048
# A layer gets the smallest power of two of partitions that keeps them under this many records;
# a partition holding more rows than MAX_PART_ROWS (a very large site or directory) is cut into
# several files, so no file's footer grows without bound.
TARGET_PARTITION_ROWS = 500_000
MAX_PARTITIONS = 65_536
# A multiple of both row-group sizes; the parts of one partition are written in parallel.
MAX_PART_ROWS = 131_072
# A load writes uncompressed parts (about twice as fast to write and to read back as snappy or
# zstd); compaction rewrites them with zstd, about a third of the size. Every engine reads both.
LOAD_COMPRESSION = "none"
COMPACT_COMPRESSION = "zstd"
# DuckDB sorts a layer within this much memory and spills the rest to ``<store>.tmp``.
LOAD_MEMORY_LIMIT = "2GB"

DATA_KIND = "records"

# The columns of ``records``, in order: LOCATION_SCHEMA, the dedup outcome, the deciding run.
RECORD_COLUMNS = (
    "record_id",
    "doc_id",
    "url",
    "source_uri",
    "source_offset",
    "source_length",
    "content_digest",
    "fetch_time",
    "mime_type",
    "size",
    "language",
    "status",
    "reason",
    "batch_id",
    "duplicate_of",
    "similarity",
    "shard",
    "run_id",
)
# Low-cardinality columns worth dictionary-encoding; the rest are mostly unique per row.
DATA_DICTIONARY_COLUMNS = (
    "source_uri",
    "fetch_time",
    "mime_type",
    "language",
    "status",
    "reason",
    "batch_id",
    "shard",
    "run_id",
)


@dataclass(frozen=True)
class Kind:
    """One kind of index part: its key, what else it carries, and how it is sorted."""

    name: str
    key_column: str  # the column of records the key comes from
    payload: tuple[str, ...]  # columns besides the key
    sort: tuple[str, ...]  # the order of rows within a partition


DATA = Kind(DATA_KIND, "source_uri", RECORD_COLUMNS, ())  # a heap: rows as loaded
POINTER = ("rec_partition", "rec_row")
INDEX_KINDS = (
    Kind("record_id", "record_id", POINTER, ("key", *POINTER)),
    Kind("url", "url", ("url", *POINTER), ("key", *POINTER)),
    Kind("source", "source_uri", ("source_offset", *POINTER), ("key", "source_offset", *POINTER)),
    Kind("content_digest", "content_digest", POINTER, ("key", *POINTER)),
    Kind("doc_id", "doc_id", POINTER, ("key", *POINTER)),
)
KINDS = (DATA, *INDEX_KINDS)

_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]")


def index_root(store_path: Path) -> Path:
    """``out/metadata.duckdb`` -> ``out/metadata.index``."""
    return store_path.with_name(store_path.stem + ".index")


def partitions_for(records: int) -> int:
    """The smallest power of two of partitions holding at most TARGET_PARTITION_ROWS each."""
    partitions = 1
    while partitions * TARGET_PARTITION_ROWS < records and partitions < MAX_PARTITIONS:
        partitions *= 2
    return partitions


def part_path(kind: str, partition: int, label: str, layer: int, n: int) -> str:
    """A part's path relative to the index root; ``label`` is the run id (or ``compacted``)."""
    safe = _UNSAFE.sub("_", label)[:80] or "_"
    return f"{kind}/partition={partition}/{safe}-{layer:06d}-{n:03d}.parquet"
