"""Writing one layer: sorted, hash-partitioned Parquet parts, streamed out of DuckDB.

The data pass streams the layer's rows sorted by (partition, surt_key, source_uri,
source_offset, record_id) as Arrow batches, cuts them at partition boundaries (and every
MAX_PART_ROWS rows) into parts written by a small thread pool, numbers each row within its
partition and keeps only the narrow key columns for the index pass, which sorts those once per
kind. Each part comes back as a ``Part`` listing its row groups' first and last keys, which
``catalog.py`` records so a lookup can go straight to the one row group that may hold a key.
"""

from __future__ import annotations

import functools
import itertools
import operator
import os
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from metadata_store import keys, layout
from metadata_store.layout import DATA, Kind

Connection = duckdb.DuckDBPyConnection
_BATCH_ROWS = 1 << 17
_KEY_COLUMNS = ("record_id", "source_uri", "source_offset", "content_digest", "doc_id")
_KEY_TYPES = (pa.string(), pa.string(), pa.int64(), pa.string(), pa.string())


class DuplicateRecord(Exception):  # noqa: N818 (a signal to the loader, not shown to users)
    """Two staged rows share a record_id; the loader stages again with DISTINCT."""


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


@dataclass(frozen=True)
class Written:
    parts: list[Part]
    counts: Counter[str]  # rows, matched, lost, and one count per status


def row_group_bounds(key: pa.ChunkedArray | pa.Array, group_rows: int) -> tuple[RowGroup, ...]:
    """Bounds of each ``group_rows``-row group of a sorted, null-free key column."""
    n = len(key)
    if not n:
        return ()
    starts = np.arange(0, n, group_rows)
    ends = np.minimum(starts + group_rows, n)
    lengths = pc.utf8_length(key).to_numpy(zero_copy_only=False)
    shortest = np.minimum.reduceat(lengths, starts)
    longest = np.maximum.reduceat(lengths, starts)
    firsts = key.take(pa.array(starts)).to_pylist()
    lasts = key.take(pa.array(ends - 1)).to_pylist()
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


def _write(
    table: pa.Table, root: Path, kind: Kind, partition: int, path: str, first: int, codec: str
) -> Part:
    full = root / path
    full.parent.mkdir(parents=True, exist_ok=True)
    data = kind is DATA
    group_rows = layout.DATA_ROW_GROUP_ROWS if data else layout.INDEX_ROW_GROUP_ROWS
    key_name = layout.SURT_KEY if data else "key"
    pq.write_table(
        table,
        full,
        row_group_size=group_rows,
        compression=codec,
        use_dictionary=list(layout.DATA_DICTIONARY_COLUMNS)
        if data
        else ["key", "rec_partition"]
        if kind.name == "source"
        else ["rec_partition"],
        write_statistics=[key_name],
    )
    bounds = row_group_bounds(table.column(key_name), group_rows)
    return Part(kind.name, partition, path, first, table.num_rows, os.path.getsize(full), bounds)


class _Cutter:
    """Collects one kind's sorted rows and hands each finished part to the thread pool."""

    def __init__(self, pool: ThreadPoolExecutor, root: Path, kind: Kind, where: tuple) -> None:
        self.pool, self.root, self.kind = pool, root, kind
        self.label, self.layer, self.codec = where
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
        if len(outstanding) >= 2:  # bound memory: at most two parts waiting to be written
            outstanding[0].result()
        table = pa.Table.from_batches(self.pending)
        path = layout.part_path(self.kind.name, self.partition, self.label, self.layer, self.n)
        args = (table, self.root, self.kind, self.partition, path, self.first_row, self.codec)
        self.futures.append(self.pool.submit(_write, *args))
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


def _numbering(partitions: np.ndarray, next_row: dict[int, int]) -> np.ndarray:
    """Each row's position within its partition, continuing from earlier batches."""
    rows = np.empty(len(partitions), dtype=np.int64)
    cuts = [0, *(np.flatnonzero(partitions[1:] != partitions[:-1]) + 1), len(partitions)]
    for start, end in itertools.pairwise(cuts):
        p = int(partitions[start])
        first = next_row.get(p, 0)
        rows[start:end] = np.arange(first, first + end - start)
        next_row[p] = first + end - start
    return rows


def _check_unique(record_id: pa.Array, previous: str | None) -> None:
    """Rows arrive sorted by address and source, so copies of a row are neighbours."""
    if previous is not None and len(record_id) and record_id[0].as_py() == previous:
        raise DuplicateRecord(previous)
    same = pc.equal(record_id[1:], record_id[:-1])
    if len(record_id) > 1 and pc.any(same).as_py():
        raise DuplicateRecord(record_id[1:].filter(pc.fill_null(same, False))[0].as_py())


def _count(counts: Counter[str], batch: pa.RecordBatch) -> None:
    counts["rows"] += batch.num_rows
    counts["matched"] += int(pc.sum(batch.column("_matched")).as_py() or 0)
    counts["lost"] += int(pc.sum(batch.column("_lost")).as_py() or 0)
    for entry in pc.value_counts(batch.column("status")).to_pylist():
        counts[f"status:{entry['values']}"] += entry["counts"]


def _data_pass(
    con: Connection, query: str, params: dict | None, cutter: _Cutter, counts: Counter[str]
) -> pa.Table:
    """Write the data parts; returns the key columns with (_pd, _row) for the index pass."""
    next_row: dict[int, int] = {}
    key_batches = []
    previous: str | None = None
    for batch in con.sql(query, params=params).to_arrow_reader(_BATCH_ROWS):
        if not batch.num_rows:
            continue
        partitions = batch.column("_pd").to_numpy()
        _check_unique(batch.column("record_id"), previous)
        previous = batch.column("record_id")[-1].as_py()
        _count(counts, batch)
        rows = pa.array(_numbering(partitions, next_row))
        columns = [batch.column(c) for c in _KEY_COLUMNS] + [batch.column("_pd"), rows]
        key_batches.append(pa.record_batch(columns, names=[*_KEY_COLUMNS, "_pd", "_row"]))
        cutter.add(batch.select([*layout.RECORD_COLUMNS, layout.SURT_KEY]), partitions)
    if not key_batches:
        empty = {c: pa.array([], t) for c, t in zip(_KEY_COLUMNS, _KEY_TYPES, strict=True)}
        return pa.table(
            {**empty, "_pd": pa.array([], pa.int32()), "_row": pa.array([], pa.int64())}
        )
    return pa.Table.from_batches(key_batches)


def index_query(kind: Kind, partitions: int) -> str:
    """One index kind's sorted rows, each with its partition ``_p``, from ``_keys``.

    ``source`` is partitioned by the file's directory (a directory is one partition), the
    others by the key itself; partitions are computed once per distinct file.
    """
    pointer = "_pd AS rec_partition, _row AS rec_row"
    if kind.name == "source":
        directories = (
            "(SELECT source_uri, "
            f"{keys.partition_sql(keys.directory_sql('source_uri'), partitions)} AS _p "
            "FROM (SELECT DISTINCT source_uri FROM _keys))"
        )
        inner = (
            f"SELECT k.source_uri AS key, k.source_offset, {pointer}, d._p "
            f"FROM _keys k JOIN {directories} d ON d.source_uri = k.source_uri"
        )
    else:
        inner = (
            f"SELECT {kind.key_column} AS key, {pointer}, "
            f"{keys.partition_sql(kind.key_column, partitions)} AS _p "
            f"FROM _keys WHERE {kind.key_column} IS NOT NULL"
        )
    order = ", ".join(kind.sort)
    return f"SELECT key, {', '.join(kind.payload)}, _p FROM ({inner}) ORDER BY _p, {order}"


def write_layer(
    con: Connection,
    root: Path,
    rows_query: str,
    params: dict | None,
    where: tuple[str, int, int],
    codec: str = layout.LOAD_COMPRESSION,
) -> Written:
    """Write every kind of a layer; ``where`` is (label, layer number, partitions).

    ``rows_query`` yields the records columns plus surt_key, _matched, _lost and _pd, sorted
    (``staging.sorted_rows_sql``). On any failure the parts written so far are deleted.
    """
    label, layer, partitions = where
    cutters: list[_Cutter] = []
    counts: Counter[str] = Counter()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            cutters.append(_Cutter(pool, root, DATA, (label, layer, codec)))
            con.register("_keys", _data_pass(con, rows_query, params, cutters[0], counts))
            for kind in layout.INDEX_KINDS:
                cutter = _Cutter(pool, root, kind, (label, layer, codec))
                cutters.append(cutter)
                previous = None
                for batch in con.sql(index_query(kind, partitions)).to_arrow_reader(_BATCH_ROWS):
                    if not batch.num_rows:
                        continue
                    if kind.name == "record_id":  # rows of different sources, same record_id
                        _check_unique(batch.column("key"), previous)
                        previous = batch.column("key")[-1].as_py()
                    cutter.add(batch.drop_columns(["_p"]), batch.column("_p").to_numpy())
            return Written([p for c in cutters for p in c.finish()], counts)
    except BaseException:
        _remove_layer(root, label, layer)
        raise
    finally:
        con.unregister("_keys")


def _remove_layer(root: Path, label: str, layer: int) -> None:
    """Delete every part of a layer that failed part-way (its names carry the layer number)."""
    pattern = Path(layout.part_path("x", 0, label, layer, 0)).name.rsplit("-", 1)[0] + "-*.parquet"
    for path in root.glob(f"*/partition=*/{pattern}"):
        path.unlink(missing_ok=True)


def remove_parts(root: Path, paths: list[str]) -> None:
    """Delete parts (after a failed load, or once a replaced layer is out of the catalog)."""
    for path in paths:
        (root / path).unlink(missing_ok=True)
