"""Sorted rows in, Parquet parts out: cutting, writing, and the bounds the catalog records.

A ``Cutter`` takes one kind's rows sorted by (partition, key), cuts them at partition boundaries
and every MAX_PART_ROWS rows, and hands each part to a thread pool that writes it with row
groups of a fixed size. Each part comes back as a ``Part`` listing, per row group, its first and
last keys, shortest and longest key and a 63-bit summary of its keys' first two characters:
what ``catalog.py`` records so a lookup can go straight to the one row group that may hold a key.
"""

from __future__ import annotations

import functools
import operator
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from metadata_store import keys, layout
from metadata_store.layout import DATA, Kind

_OUTSTANDING = 2  # parts queued for the writer threads at most: bounds memory


@dataclass(frozen=True)
class RowGroup:
    first_row: int  # within the part
    rows: int
    min_key: str
    max_key: str
    min_len: int
    max_len: int
    prefix_bits: int  # OR of keys.prefix_bit over the row group's keys


@dataclass(frozen=True)
class Part:
    kind: str
    partition: int
    path: str  # relative to the index root
    first_row: int  # the part's first row within its partition of the layer
    rows: int
    bytes: int
    row_groups: tuple[RowGroup, ...]


def row_group_bounds(
    key: pa.ChunkedArray | pa.Array, group_rows: int, ordered: bool = True
) -> tuple[RowGroup, ...]:
    """Bounds of each ``group_rows``-row group of a null-free key column (sorted if ``ordered``)."""
    n = len(key)
    if not n:
        return ()
    starts = np.arange(0, n, group_rows)
    ends = np.minimum(starts + group_rows, n)
    lengths = pc.utf8_length(key).to_numpy(zero_copy_only=False)
    shortest = np.minimum.reduceat(lengths, starts)
    longest = np.maximum.reduceat(lengths, starts)
    if ordered:
        firsts = key.take(pa.array(starts)).to_pylist()
        lasts = key.take(pa.array(ends - 1)).to_pylist()
    else:
        ranges = [
            pc.min_max(key.slice(int(s), int(e - s))) for s, e in zip(starts, ends, strict=True)
        ]
        firsts = [r["min"].as_py() for r in ranges]
        lasts = [r["max"].as_py() for r in ranges]
    heads = pc.utf8_slice_codeunits(key, 0, 2)
    bits = []
    for s, e in zip(starts, ends, strict=True):
        distinct = pc.unique(heads.slice(int(s), int(e - s))).to_pylist()
        bits.append(functools.reduce(operator.or_, map(keys.prefix_bit, distinct), 0))
    return tuple(
        RowGroup(int(s), int(e - s), lo, hi, int(a), int(b), m)
        for s, e, lo, hi, a, b, m in zip(
            starts, ends, firsts, lasts, shortest, longest, bits, strict=True
        )
    )


def _dictionary_columns(kind: Kind) -> list[str]:
    """Columns with few distinct values per row group, where a dictionary pays."""
    if kind is DATA:
        return list(layout.DATA_DICTIONARY_COLUMNS)
    return ["key", "rec_partition"] if kind.name == "source" else ["rec_partition"]


def write_part(
    table: pa.Table, root: Path, kind: Kind, partition: int, path: str, first: int, codec: str
) -> Part:
    full = root / path
    full.parent.mkdir(parents=True, exist_ok=True)
    data = kind is DATA
    group_rows = layout.DATA_ROW_GROUP_ROWS if data else layout.INDEX_ROW_GROUP_ROWS
    key_name = "source_uri" if data else "key"
    pq.write_table(
        table,
        full,
        row_group_size=group_rows,
        compression=codec,
        use_dictionary=_dictionary_columns(kind),
        write_statistics=[key_name],
    )
    bounds = row_group_bounds(table.column(key_name), group_rows, ordered=not data)
    return Part(kind.name, partition, path, first, table.num_rows, os.path.getsize(full), bounds)


class Cutter:
    """Collects one kind's sorted rows and hands each finished part to the thread pool."""

    def __init__(self, pool: ThreadPoolExecutor, root: Path, kind: Kind, where: tuple) -> None:
        self.pool, self.root, self.kind = pool, root, kind
        self.label, self.layer, self.partitions, self.codec = where
        self.partition = -1
        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0
        self.first_row = 0  # of the pending rows, within the partition
        self.n = 0
        self.futures: list[Future[Part]] = []

    def flush(self) -> None:
        if not self.pending_rows:
            return
        outstanding = [f for f in self.futures if not f.done()]
        if len(outstanding) >= _OUTSTANDING:
            outstanding[0].result()
        table = pa.Table.from_batches(self.pending)
        path = layout.part_path(self.kind.name, self.partition, self.label, self.layer, self.n)
        args = (table, self.root, self.kind, self.partition, path, self.first_row, self.codec)
        self.futures.append(self.pool.submit(write_part, *args))
        self.first_row += self.pending_rows
        self.n += 1
        self.pending, self.pending_rows = [], 0

    def add(self, body: pa.RecordBatch, partitions: np.ndarray) -> None:
        """Rows sorted by (partition, key); ``partitions`` holds each row's partition."""
        cuts = np.flatnonzero(partitions[1:] != partitions[:-1]) + 1
        for start, end in zip([0, *cuts], [*cuts, len(partitions)], strict=True):
            if int(partitions[start]) != self.partition:
                self.flush()
                self.partition, self.first_row, self.n = int(partitions[start]), 0, 0
            piece = body.slice(start, end - start)
            while piece.num_rows:
                room = layout.MAX_PART_ROWS - self.pending_rows
                self.pending.append(piece.slice(0, room))
                self.pending_rows += min(room, piece.num_rows)
                piece = piece.slice(room)
                if self.pending_rows >= layout.MAX_PART_ROWS:
                    self.flush()

    def finish(self) -> list[Part]:
        self.flush()
        return [f.result() for f in self.futures]


def remove_layer(root: Path, label: str, layer: int) -> None:
    """Delete every part of a layer that failed part-way (its names carry the layer number)."""
    pattern = Path(layout.part_path("x", 0, label, layer, 0)).name.rsplit("-", 1)[0] + "-*.parquet"
    for path in root.glob(f"*/partition=*/{pattern}"):
        path.unlink(missing_ok=True)


def remove_parts(root: Path, paths: list[str]) -> None:
    """Delete parts (after a failed load, or once a replaced layer is out of the catalog)."""
    for path in paths:
        (root / path).unlink(missing_ok=True)
