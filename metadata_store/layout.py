"""Where the store's Parquet index parts live, how they are cut, and what each kind holds.

Next to ``metadata.duckdb`` sits ``metadata.index/`` (the store's name with ``.index``)::

    metadata.index/records/partition=<p>/<run>-<layer>-<n>.parquet         full rows, by SURT
    metadata.index/record_id/partition=<p>/<run>-<layer>-<n>.parquet       record_id -> row
    metadata.index/source/partition=<p>/...                                file, offset -> row
    metadata.index/content_digest/partition=<p>/...                        digest -> row
    metadata.index/doc_id/partition=<p>/...                                doc id -> row

A *layer* is what one load wrote (one run, or a compaction of several). Every kind of a layer is
hash-partitioned the same number of ways, each part is sorted by its key and cut into row groups
of a fixed size, so a lookup reads at most one small row group per kind and layer, whatever the
size of the store. ``records`` parts hold the full rows, Common Crawl style: sorted by
``surt_key`` (the SURT of the url, or of the source file for records without one) and
partitioned by its host, so a URL is one row group and a site one range. The index kinds point
into them by ``(rec_partition, rec_row)``: the partition, and the row's position in that
partition of the layer.
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
TARGET_PARTITION_ROWS = 1_000_000
MAX_PARTITIONS = 65_536
# A multiple of both row-group sizes; the parts of one partition are written in parallel.
MAX_PART_ROWS = 131_072
# A load writes uncompressed parts (about twice as fast to write and to read back as snappy or
# zstd); compaction rewrites them with zstd, about a third of the size. Every engine reads both.
LOAD_COMPRESSION = "none"
COMPACT_COMPRESSION = "zstd"

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
SURT_KEY = "surt_key"  # the sort key of records parts; not part of the ``records`` view
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
    key_column: str  # the column of records the key is (records: surt_key, derived from url)
    payload: tuple[str, ...]  # columns besides the key
    sort: tuple[str, ...]  # the order of rows within a partition


DATA = Kind(
    DATA_KIND,
    SURT_KEY,
    RECORD_COLUMNS,
    (SURT_KEY, "source_uri", "source_offset", "record_id"),
)
POINTER = ("rec_partition", "rec_row")
INDEX_KINDS = (
    Kind("record_id", "record_id", POINTER, ("key", *POINTER)),
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
