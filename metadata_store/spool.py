"""The key spool: the narrow columns the index passes sort, computed once per row of a layer.

The data pass streams a layer's rows once and spools, next to their key columns and positions
in the records heap, what is costly per row and cheap per distinct value:

* each url cut by DuckDB into its origin (``scheme://authority``; a non-URL whole) and the rest.
  Before the url pass, DuckDB parses each distinct origin once (``keys.surt_heads_sql``) and
  ranks its head; the url pass then sorts by (head rank, path), which is the order of the SURT
  keys (``keys.split_key``), instead of by long keys whose first dozens of characters are the
  same, and Arrow rebuilds the keys and urls after the sort;
* the partition of the source file's directory, hashed once per distinct directory.

Record ids, digests and doc ids have about as many distinct values as rows, so nothing is
saved per distinct value: their partitions are hashed by DuckDB in the index pass (none when
the layer has a single partition).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from metadata_store import keys

SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("source_uri", pa.string()),
        ("source_offset", pa.int64()),
        ("content_digest", pa.string()),
        ("doc_id", pa.string()),
        ("_origin", pa.string()),  # the url's origin; a url that is not a URL whole (NULL: no url)
        ("_rest", pa.string()),  # the rest of the url after its origin (NULL: not a URL)
        ("_row", pa.int64()),  # the row's position in the layer's records heap
        ("_ps", pa.int32()),  # the partition of its source's directory
    ]
)


def data_pass_sql(rows_sql: str, partitions: int) -> str:
    """``rows_sql`` plus what ``Spool.add`` needs: ``_origin``, ``_rest`` and ``_dir``."""
    directory = keys.directory_fast_sql("source_uri") if partitions > 1 else "''"
    return (
        "SELECT * EXCLUDE (_o), CASE WHEN _o = '' THEN url ELSE _o END AS _origin, "
        f"CASE WHEN _o = '' THEN NULL ELSE {keys.url_rest_sql('url', '_o')} END AS _rest, "
        f"{directory} AS _dir FROM (SELECT *, {keys.url_origin_sql('url')} AS _o FROM ({rows_sql}))"
    )


class Spool:
    """Writes the key spool of one layer to ``path``, batch by batch (see the module docstring)."""

    def __init__(self, path: Path, partitions: int) -> None:
        self.path, self.partitions, self.rows = path, partitions, 0
        self._directories: dict[str, int] = {}  # directory -> partition
        self._out = pq.ParquetWriter(
            path,
            SCHEMA,
            compression="none",
            use_dictionary=["source_uri", "_origin"],  # few distinct values: less to write, read
            dictionary_pagesize_limit=1 << 23,
            write_statistics=False,
        )

    def add(self, batch: pa.RecordBatch) -> None:
        """Spool a batch of the data-pass query (``data_pass_sql``)."""
        n = batch.num_rows
        columns = [batch.column(name) for name in SCHEMA.names[:7]]
        columns += [pa.array(np.arange(self.rows, self.rows + n)), self._partitions(batch)]
        self._out.write_batch(pa.record_batch(columns, schema=SCHEMA))
        self.rows += n

    def close(self) -> None:
        self._out.close()

    def _partitions(self, batch: pa.RecordBatch) -> pa.Array:
        """Per row, the partition of the source's directory, hashed once per directory."""
        if self.partitions == 1:
            return pa.array(np.zeros(batch.num_rows, np.int32))
        encoded = pc.dictionary_encode(batch.column("_dir"))
        found = [self._partition(d) for d in encoded.dictionary.to_pylist()]
        return pa.array(found, pa.int32()).take(encoded.indices)

    def _partition(self, directory: str) -> int:
        found = self._directories.get(directory)
        if found is None:
            found = self._directories[directory] = keys.partition_of(directory, self.partitions)
        return found


@dataclass(frozen=True)
class Heads:
    """The distinct origins of a spool, parsed: what the url pass joins and rebuilds keys with."""

    table: pa.Table  # _origin, _oid, _tail, _rank, _p: registered as ``_heads``
    by_rank: pa.Array  # the heads, in key order
    origins: pa.Array  # the origins, by _oid


def heads(con: duckdb.DuckDBPyConnection, spool: Path, partitions: int) -> Heads:
    """Per distinct origin of the spool: an id, its head's rank and partition, and the rest of
    its ``surt_head`` after the head (a ``)`` inside a host); and the heads in rank order.

    DuckDB parses the origins (``keys.surt_heads_sql``): a large crawl has millions of hosts.
    """
    table = con.sql(keys.surt_heads_sql(_scan(spool), partitions)).to_arrow_table()
    table = table.combine_chunks()
    rank = table.column("_rank").to_numpy()
    first = np.zeros(int(rank.max()) + 1 if len(rank) else 0, np.int64)
    first[rank] = np.arange(len(rank))  # a row of each head
    origins = table.column("_origin").chunk(0) if table.num_rows else pa.array([], pa.string())
    joined = pa.table(
        {
            "_origin": origins,
            "_oid": pa.array(np.arange(len(rank), dtype=np.int32)),
            "_tail": table.column("tail"),
            "_rank": table.column("_rank"),
            "_p": table.column("_p"),
        }
    )
    return Heads(joined, table.column("head").take(pa.array(first)).combine_chunks(), origins)


def _scan(spool: Path) -> str:
    return "read_parquet('" + str(spool).replace("'", "''") + "')"


def index_sql(kind: str, column: str, partitions: int, spool: Path) -> str:
    """One index kind's rows from the spool, each with its partition ``_p``, sorted.

    The heap has one partition, so ``rec_partition`` is 0 and not worth sorting by. The url kind
    is joined to the ``heads`` table registered as ``_heads`` and comes as (_path, _oid, _raw,
    pointer, _rank, _p): ``url_rows`` rebuilds its key (the head of rank ``_rank``, ``_path``) and
    url (the origin ``_oid``, then ``_raw``, or ``_path`` where that is the same), so no long
    string but the short path goes through the sort.
    """
    scan = _scan(spool)
    pointer = "0::INTEGER AS rec_partition, _row AS rec_row"
    if kind == "url":
        path = keys.url_path_sql("s._rest")
        raw = (
            "CASE WHEN s._rest IS NULL THEN '' "
            f"WHEN h._tail = '' AND s._rest = {path} THEN NULL ELSE s._rest END"
        )
        return (
            f"SELECT CASE WHEN s._rest IS NULL THEN h._tail ELSE h._tail || {path} END AS _path, "
            f"h._oid, {raw} AS _raw, {pointer}, h._rank, h._p "
            f"FROM {scan} s JOIN _heads h ON h._origin = s._origin "
            "ORDER BY h._p, h._rank, _path, rec_row"
        )
    if kind == "source":
        return (
            f"SELECT source_uri AS key, source_offset, {pointer}, _ps AS _p FROM {scan} "
            "ORDER BY _p, key, source_offset, rec_row"
        )
    part = "0" if partitions == 1 else keys.partition_sql(column, partitions)
    return (
        f"SELECT {column} AS key, {pointer}, {part} AS _p FROM {scan} "
        f"WHERE {column} IS NOT NULL ORDER BY _p, key, rec_row"
    )


def url_rows(batch: pa.RecordBatch, found: Heads) -> pa.RecordBatch:
    """A url-pass batch as index rows: key, url and the pointer (see ``index_sql``)."""
    path = batch.column("_path")
    key = pc.binary_join_element_wise(found.by_rank.take(batch.column("_rank")), path, "")
    rest = pc.coalesce(batch.column("_raw"), path)
    url = pc.binary_join_element_wise(found.origins.take(batch.column("_oid")), rest, "")
    names = ["rec_partition", "rec_row"]
    columns = [key, url, *(batch.column(n) for n in names)]
    return pa.record_batch(columns, names=["key", "url", *names])
