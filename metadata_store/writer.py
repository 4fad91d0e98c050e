"""Writing one layer: the records heap, then every index kind, streamed out of DuckDB.

The data pass streams the layer's rows as they come (never sorting the wide rows) into a
``parts.Cutter`` and spools their narrow key columns, with each row's position, to a Parquet
file; the index pass sorts that spool once per index kind. DuckDB sorts under a memory limit and
spills to ``<store>.tmp`` beyond it, so a load's memory does not grow with the run.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from metadata_store import keys, layout, parts
from metadata_store.layout import DATA, Kind
from metadata_store.parts import Cutter, Part

Connection = duckdb.DuckDBPyConnection
_BATCH_ROWS = 1 << 17
_KEYS = pa.schema(
    [
        ("url", pa.string()),
        ("record_id", pa.string()),
        ("source_uri", pa.string()),
        ("source_offset", pa.int64()),
        ("content_digest", pa.string()),
        ("doc_id", pa.string()),
        ("_pd", pa.int32()),  # where the row is: its partition of records parts (0) ...
        ("_row", pa.int64()),  # ... and its position in that partition
        ("_ps", pa.int32()),  # the partition of its source's directory
    ]
)


class DuplicateRecord(Exception):  # noqa: N818 (a signal to the loader, not shown to users)
    """Two staged rows share a record_id; the loader stages again with DISTINCT."""


@dataclass(frozen=True)
class Written:
    parts: list[Part]
    counts: Counter[str]  # rows, matched, lost, and one count per status


def _check_unique(record_id: pa.Array, previous: str | None) -> None:
    """No two neighbours share a record_id (the caller sorts, or knows copies are adjacent)."""
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


def directory_partitions(source_uri: pa.Array, partitions: int) -> pa.Array:
    """``partition_of(directory(s))`` for each source, hashed once per distinct directory.

    ``keys.directory`` in Arrow: everything before the last ``/``, or "" when there is none.
    """
    pieces = pc.split_pattern(source_uri, "/", max_splits=1, reverse=True)
    directories = pieces.values.take(pieces.offsets[:-1])  # list_element(pieces, 0), but fast
    no_slash = pc.equal(pc.list_value_length(pieces), 1)
    if pc.any(no_slash).as_py():  # rare: a path without any "/" has directory ""
        directories = pc.if_else(no_slash, "", directories)
    distinct = pc.unique(directories)
    codes = pa.array([keys.partition_of(d, partitions) for d in distinct.to_pylist()], pa.int32())
    return codes.take(pc.index_in(directories, value_set=distinct))


def _data_pass(
    con: Connection, query: str, params: dict | None, cutter: Cutter, spool: Path
) -> Counter[str]:
    """Write the records heap, spool the key columns for the index pass; returns the counts."""
    counts: Counter[str] = Counter()
    position = 0
    with pq.ParquetWriter(spool, _KEYS, compression="none") as keys_out:
        for batch in con.sql(query, params=params).to_arrow_reader(_BATCH_ROWS):
            n = batch.num_rows
            if not n:
                continue
            _count(counts, batch)
            heap = np.zeros(n, dtype=np.int32)  # one partition: the heap is not hashed
            columns = [batch.column(c) for c in _KEYS.names[:6]]
            columns += [pa.array(heap), pa.array(np.arange(position, position + n))]
            columns.append(directory_partitions(batch.column("source_uri"), cutter.partitions))
            keys_out.write_batch(pa.record_batch(columns, schema=_KEYS))
            cutter.add(batch.select(list(layout.RECORD_COLUMNS)), heap)
            position += n
    return counts


def index_query(kind: Kind, partitions: int, spool: Path) -> str:
    """One index kind's sorted rows, each with its partition ``_p``, from the key spool.

    ``url`` is keyed by SURT and partitioned by its host (a site is one partition), ``source``
    by the file's directory, the others by the key itself.
    """
    pointer = "_pd AS rec_partition, _row AS rec_row"
    if kind.name == "url":
        source = f"(SELECT url, {pointer} FROM {{keys}})"
        inner = keys.surt_keys_sql(source, "url", partitions)
    elif kind.name == "source":
        inner = f"SELECT source_uri AS key, source_offset, {pointer}, _ps AS _p FROM {{keys}}"
    else:
        inner = (
            f"SELECT {kind.key_column} AS key, {pointer}, "
            f"{keys.partition_sql(kind.key_column, partitions)} AS _p "
            f"FROM {{keys}} WHERE {kind.key_column} IS NOT NULL"
        )
    inner = inner.replace("{keys}", f"read_parquet('{spool}')")
    order = ", ".join(kind.sort)
    return f"SELECT key, {', '.join(kind.payload)}, _p FROM ({inner}) ORDER BY _p, {order}"


def _index_pass(con: Connection, cutter: Cutter, spool: Path) -> None:
    previous = None
    query = index_query(cutter.kind, cutter.partitions, spool)
    for batch in con.sql(query).to_arrow_reader(_BATCH_ROWS):
        if not batch.num_rows:
            continue
        if cutter.kind.name == "record_id":  # sorted: copies of a record are neighbours
            _check_unique(batch.column("key"), previous)
            previous = batch.column("key")[-1].as_py()
        cutter.add(batch.drop_columns(["_p"]), batch.column("_p").to_numpy())


def _index_passes(con: Connection, cutters: list[Cutter], spool: Path) -> None:
    """Sort the spool once per index kind, two kinds at a time on their own connections.

    One kind's sort in DuckDB overlaps the other's Arrow conversion and cutting in Python.
    """
    cursors = [con.cursor() for _ in cutters]
    try:
        with ThreadPoolExecutor(max_workers=2) as passes:
            running = [
                passes.submit(_index_pass, cur, cutter, spool)
                for cur, cutter in zip(cursors, cutters, strict=True)
            ]
        for future in running:  # every pass has finished: no cursor is still busy
            future.result()
    finally:
        for cur in cursors:
            cur.close()


def write_layer(
    con: Connection,
    root: Path,
    rows_query: str,
    params: dict | None,
    where: tuple[str, int, int],
    codec: str = layout.LOAD_COMPRESSION,
) -> Written:
    """Write every kind of a layer; ``where`` is (label, layer number, partitions).

    ``rows_query`` yields the records columns plus _matched and _lost
    (``staging.layer_rows_sql``). On any failure the parts written so far are deleted. A record
    that appears twice raises ``DuplicateRecord`` once the record_id index is sorted.
    """
    label, layer, partitions = where
    spool = root / "_spool" / f"keys-{layer:06d}.parquet"
    spool.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit = '{layout.LOAD_MEMORY_LIMIT}'")
    cutters: list[Cutter] = []
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            cutters.append(Cutter(pool, root, DATA, (label, layer, partitions, codec)))
            counts = _data_pass(con, rows_query, params, cutters[0], spool)
            cutters += [
                Cutter(pool, root, k, (label, layer, partitions, codec)) for k in layout.INDEX_KINDS
            ]
            _index_passes(con, cutters[1:], spool)
            return Written([p for c in cutters for p in c.finish()], counts)
    except BaseException:
        parts.remove_layer(root, label, layer)
        raise
    finally:
        con.execute("RESET memory_limit")
        spool.unlink(missing_ok=True)
