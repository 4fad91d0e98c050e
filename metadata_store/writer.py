"""Writing one layer: the records heap, then every index kind, streamed out of DuckDB.

The data pass streams the layer's rows as they come (never sorting the wide rows) into a
``parts.Cutter`` and spools their narrow key columns, with each row's position, to a Parquet
file (``spool.py``, which also computes once per distinct value what is costly per row: SURT
heads, directory partitions); the index passes sort that spool once per index kind, the url kind
first as the costliest, two kinds at a time. DuckDB sorts under a memory limit and spills to
``<store>.tmp`` beyond it, so a load's memory does not grow with the run.
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

from metadata_store import layout, parts, spool
from metadata_store.layout import DATA
from metadata_store.parts import Cutter, Part
from metadata_store.spool import Spool

Connection = duckdb.DuckDBPyConnection
# Batches of this many rows keep the memory DuckDB hands over to Arrow in use and re-used: with
# 1 << 17 a 1e7-record load spent a fifth more CPU, most of it faulting in fresh pages.
_BATCH_ROWS = 1 << 15
_INDEX_ORDER = ("url", "content_digest", "record_id", "source", "doc_id")


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


def _data_pass(
    con: Connection, query: str, params: dict | None, cutter: Cutter, keys_out: Spool
) -> Counter[str]:
    """Write the records heap, spool the key columns for the index pass; returns the counts."""
    counts: Counter[str] = Counter()
    columns = list(layout.RECORD_COLUMNS)
    query = spool.data_pass_sql(query, cutter.partitions)
    for batch in con.sql(query, params=params).to_arrow_reader(_BATCH_ROWS):
        if not batch.num_rows:
            continue
        _count(counts, batch)
        keys_out.add(batch)
        cutter.add(batch.select(columns), np.zeros(batch.num_rows, dtype=np.int32))
    cutter.flush()  # the last part is written while the index passes run
    return counts


def _index_pass(con: Connection, cutter: Cutter, keys_in: Spool) -> None:
    kind = cutter.kind
    heads = None
    if kind.name == "url":
        heads = spool.heads(con, keys_in.path, cutter.partitions)
        con.register("_heads", heads.table)
    query = spool.index_sql(kind.name, kind.key_column, cutter.partitions, keys_in.path)
    previous = None
    for batch in con.sql(query).to_arrow_reader(_BATCH_ROWS):
        if not batch.num_rows:
            continue
        if kind.name == "record_id":  # sorted: copies of a record are neighbours
            _check_unique(batch.column("key"), previous)
            previous = batch.column("key")[-1].as_py()
        partitions = batch.column("_p").to_numpy()
        rows = spool.url_rows(batch, heads) if heads is not None else batch.drop_columns(["_p"])
        cutter.add(rows, partitions)
    cutter.flush()


def _index_passes(con: Connection, cutters: list[Cutter], keys_in: Spool) -> None:
    """Sort the spool once per index kind, two kinds at a time on their own connections.

    One kind's sort in DuckDB overlaps the other's Arrow conversion and cutting in Python.
    """
    cursors = [con.cursor() for _ in cutters]
    try:
        with ThreadPoolExecutor(max_workers=2) as passes:
            running = [
                passes.submit(_index_pass, cur, cutter, keys_in)
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
    path = root / "_spool" / f"keys-{layer:06d}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.execute(f"SET memory_limit = '{layout.LOAD_MEMORY_LIMIT}'")
    cutters: list[Cutter] = []
    try:
        keys = Spool(path, partitions)
        with ThreadPoolExecutor(max_workers=2) as pool:
            cutters.append(Cutter(pool, root, DATA, (label, layer, partitions, codec)))
            try:
                counts = _data_pass(con, rows_query, params, cutters[0], keys)
            finally:
                keys.close()
            # the costliest kinds first, so the short ones fill in at the end
            order = sorted(layout.INDEX_KINDS, key=lambda k: _INDEX_ORDER.index(k.name))
            cutters += [Cutter(pool, root, k, (label, layer, partitions, codec)) for k in order]
            _index_passes(con, cutters[1:], keys)
            return Written([p for c in cutters for p in c.finish()], counts)
    except BaseException:
        parts.remove_layer(root, label, layer)
        raise
    finally:
        con.execute(f"SET memory_limit = '{before}'")  # the caller's setting, not DuckDB's default
        path.unlink(missing_ok=True)
