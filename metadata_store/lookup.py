"""``locate`` and ``locate_prefix``: what a key means in each kind of index part.

A key may be a URL, a record_id, a source file, a content digest or a doc id, so ``locate``
probes every kind of every layer: normalise the key (SURT for the records parts), hash its
partition key, bisect the catalog for the row groups whose [min, max] and key lengths admit it,
read those (usually none or one per kind), and follow the index pointers into the records parts.
A URL is found in one read; a record id, digest, doc id or small file in two. Results too large
to fetch row group by row group (every record of a big WARC, a directory) are answered by
``scan``, a DuckDB query over the ``records`` view.

Several layers (several runs, until ``compact``): a row of an older layer is live only if no
newer layer has its record_id and no newer layer reloaded its run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from metadata_store.catalog import Layer
from metadata_store.keys import directory, partition_of, prefix_upper_bound, surt, surt_host
from metadata_store.layout import DATA_KIND, SURT_KEY
from metadata_store.reader import PartReader

RESULT_COLUMNS = (
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
    "duplicate_of",
    "similarity",
    "shard",
    "run_id",
    "batch_id",
)
POINTER = ["rec_partition", "rec_row"]
MAX_POINTERS = 256  # beyond this many rows to fetch one by one, a scan is faster
# A prefix naming a whole host: its URLs are one SURT range in one partition.
_HOST_PREFIX = re.compile(r"(?s)[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*/[^#]*")
_SCHEME_START = re.compile(r"[A-Za-z]")

Row = dict[str, Any]
Scan = Callable[[str, str, int | None], list[Row]]  # (what, key or prefix, limit)


def _rows(tables: list[pa.Table], layer: int) -> list[tuple[int, Row]]:
    out = []
    for table in tables:
        for row in table.to_pylist():
            record = {c: row[c] for c in RESULT_COLUMNS}
            if record["similarity"] is not None:  # float32 on disk: 0.85 reads as 0.85
                record["similarity"] = round(float(record["similarity"]), 6)
            out.append((layer, record))
    return out


def _exact(
    reader: PartReader, layer: Layer, kind: str, key: str, part_key: str, columns: list | None
) -> list[pa.Table]:
    """Rows of one kind of one layer whose key equals ``key``."""
    key_column = SURT_KEY if kind == DATA_KIND else "key"
    found = []
    for part in reader.parts(layer.layer, kind, partition_of(part_key, layer.partitions)):
        if part.min_key <= key <= part.max_key:
            for group in reader.groups(part).exact(key):
                table = reader.read(part, group, columns)
                found.append(table.filter(pc.equal(table.column(key_column), key)))
    return found


def _ranged(
    reader: PartReader,
    layer: Layer,
    kind: str,
    low: str,
    partitions: list[int],
    keep: Callable[[pa.Table], pa.Table],
    enough: int,
) -> list[pa.Table]:
    """Rows of one kind whose key starts with ``low`` and that ``keep`` keeps, in key order.

    Reading stops once ``enough`` rows are kept (the caller wants no more than that many).
    """
    key_column = SURT_KEY if kind == DATA_KIND else "key"
    high = prefix_upper_bound(low)
    found: list[pa.Table] = []
    kept = 0
    for p in partitions:
        for part in reader.parts(layer.layer, kind, p):
            if part.max_key >= low and part.min_key < high:
                for group in reader.groups(part).overlapping(low, high):
                    table = reader.read(part, group)
                    table = keep(table.filter(pc.starts_with(table.column(key_column), low)))
                    found.append(table)
                    kept += table.num_rows
                    if kept >= enough:
                        return found
    return found


def _pointers(tables: list[pa.Table]) -> list[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for t in tables:
        partitions, rows = t.column("rec_partition").to_pylist(), t.column("rec_row").to_pylist()
        out.update(zip(partitions, rows, strict=True))
    return sorted(out)


def _in_layer(reader: PartReader, layer: Layer, record_id: str) -> bool:
    return any(
        t.num_rows for t in _exact(reader, layer, "record_id", record_id, record_id, ["key"])
    )


def live(reader: PartReader, found: list[tuple[int, Row]]) -> list[Row]:
    """One row per record_id: the newest layer's, unless a newer layer supersedes it."""
    layers = reader.layers()
    out: dict[str, Row] = {}
    for layer_no, row in sorted(found, key=lambda f: -f[0]):
        if row["record_id"] in out:
            continue
        newer = [x for x in layers if x.layer > layer_no]
        if any(x.run_id == row["run_id"] for x in newer):
            continue
        if any(_in_layer(reader, x, row["record_id"]) for x in newer):
            continue
        out[row["record_id"]] = row
    return list(out.values())


def locate(reader: PartReader, key: str, limit: int | None, scan: Scan) -> list[Row]:
    """Records whose url, record_id, source_uri, content_digest or doc_id equals ``key``."""
    found: list[tuple[int, Row]] = []
    address = surt(key)
    for layer in reader.layers():
        hits = []
        for kind in ("record_id", "content_digest", "doc_id"):
            hits += _exact(reader, layer, kind, key, key, ["key", *POINTER])
        hits += _exact(reader, layer, "source", key, directory(key), ["key", *POINTER])
        pointers = _pointers(hits)
        if len(pointers) > MAX_POINTERS:  # e.g. every record of a large WARC file
            return scan("key", key, limit)
        direct = _exact(reader, layer, DATA_KIND, address, surt_host(address), None)
        by_url = [t.filter(pc.fill_null(pc.equal(t.column("url"), key), False)) for t in direct]
        found += _rows(by_url, layer.layer)
        found += _rows(reader.data_rows(layer.layer, pointers), layer.layer)
    rows = sorted(live(reader, found), key=lambda r: (r["source_uri"], r["source_offset"]))
    return rows if limit is None else rows[:limit]


def locate_prefix(reader: PartReader, prefix: str, limit: int | None, scan: Scan) -> list[Row]:
    """Records whose url or source_uri starts with ``prefix``, ordered by url, source.

    A prefix naming a whole host (``https://example.com/docs/``) is one SURT range of one
    partition; a path prefix is a range of the source index. A prefix that starts like a URL
    but does not name a whole host (``https://exam``) has no range, and is scanned.
    """
    host = _HOST_PREFIX.fullmatch(prefix) is not None
    if _SCHEME_START.match(prefix) and not host:
        return scan("prefix", prefix, limit)
    found: list[tuple[int, Row]] = []
    single = len(reader.layers()) == 1
    enough = limit if single and limit is not None else 1 << 62
    for layer in reader.layers():
        everywhere = list(range(layer.partitions))
        low = surt(prefix) if host else prefix  # non-URL "urls" are their own SURT keys
        where = [partition_of(surt_host(low), layer.partitions)] if host else everywhere

        def by_url(t: pa.Table) -> pa.Table:
            return t.filter(pc.fill_null(pc.starts_with(t.column("url"), prefix), False))

        tables = _ranged(reader, layer, DATA_KIND, low, where, by_url, enough)
        found += _rows(tables, layer.layer)
        entries = _ranged(
            reader, layer, "source", prefix, everywhere, lambda t: t, MAX_POINTERS + 1
        )
        pointers = _pointers(entries)
        if len(pointers) > MAX_POINTERS:  # a directory: scan rather than fetch row by row
            return scan("prefix", prefix, limit)
        found += _rows(reader.data_rows(layer.layer, pointers), layer.layer)
    rows = sorted(
        live(reader, found),
        key=lambda r: (r["url"] is None, r["url"] or "", r["source_uri"], r["source_offset"]),
    )
    return rows if limit is None else rows[:limit]
