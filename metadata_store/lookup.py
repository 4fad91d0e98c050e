"""``locate`` and ``locate_prefix``: what a key means in each kind of index part.

A key may be a URL, a record_id, a source file, a content digest or a doc id, so ``locate``
probes every index kind of every layer: normalise the key (SURT for the url index), hash its
partition key, bisect the catalog for the row groups whose [min, max], key lengths and first
characters admit it, read those (none for most kinds, one for the right one), then follow the
pointers into the records parts: two small reads for a record. Results too large to fetch row
group by row group, and URL prefixes that do not name a whole host, are answered by ``scan``, a
DuckDB query over the ``records`` view.

Several layers (several runs, until ``compact``): a row of an older layer is live only if no
newer layer has its record_id, no newer layer reloaded its run, and no later run read its file
again (a changed file's records may sit at other offsets now).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from metadata_store.catalog import Layer
from metadata_store.keys import directory, partition_of, prefix_upper_bound, surt, surt_host
from metadata_store.layout import RECORD_COLUMNS
from metadata_store.reader import PartReader

# What a lookup returns: the records columns, batch_id last.
RESULT_COLUMNS = (*(c for c in RECORD_COLUMNS if c != "batch_id"), "batch_id")
POINTER = ["rec_partition", "rec_row"]
MAX_GROUPS = 64  # records row groups worth reading one by one for an unbounded result
# A prefix naming a whole host: its URLs are one SURT range in one partition of the url index.
_HOST_PREFIX = re.compile(r"(?s)[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*/[^#]*")
_SCHEME_START = re.compile(r"[A-Za-z]")

Row = dict[str, Any]
Scan = Callable[[str, str, int | None], list[Row]]  # ("key" or "prefix", text, limit)


class TooMany(Exception):  # noqa: N818 (control flow within this module)
    """More records row groups to read than a scan costs."""


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
    reader: PartReader, layer: Layer, kind: str, key: str, part_key: str, columns: list[str]
) -> list[pa.Table]:
    """Entries of one index kind of one layer whose key equals ``key``."""
    found = []
    for part in reader.parts(layer.layer, kind, partition_of(part_key, layer.partitions)):
        if part.min_key <= key <= part.max_key:
            for group in reader.groups(part).exact(key):
                table = reader.read(part, group, columns)
                found.append(table.filter(pc.equal(table.column("key"), key)))
    return found


def _ranged(
    reader: PartReader,
    layer: Layer,
    kind: str,
    low: str,
    partitions: list[int],
    cap: int | None = None,
) -> list[pa.Table]:
    """Entries of one index kind whose key starts with ``low``, in key order per partition.

    With ``cap`` (records row groups a caller reads at most), raises ``TooMany`` before reading
    anything when the entries are sure to need more: all but the two end groups of each part
    are full, and a records row group holds fewer rows than an index row group."""
    high = prefix_upper_bound(low)
    if len(partitions) == layer.partitions:  # every partition: one catalog query for all
        candidates = reader.parts_in_range(layer.layer, kind, low, high)
    else:
        candidates = [part for p in partitions for part in reader.parts(layer.layer, kind, p)]
    wanted = [
        (part, reader.groups(part).overlapping(low, high))
        for part in candidates
        if part.max_key >= low and part.min_key < high
    ]
    if cap is not None and sum(max(0, len(g) - 2) for _, g in wanted) > cap:
        raise TooMany
    found: list[pa.Table] = []
    for part, groups in wanted:
        for group in groups:
            table = reader.read(part, group)
            found.append(table.filter(pc.starts_with(table.column("key"), low)))
    return found


def _pointers(tables: list[pa.Table]) -> list[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for t in tables:
        partitions, rows = t.column("rec_partition").to_pylist(), t.column("rec_row").to_pylist()
        out.update(zip(partitions, rows, strict=True))
    return sorted(out)


def _fetch(
    reader: PartReader, layer: Layer, tables: list[pa.Table], cap: int = MAX_GROUPS
) -> list[tuple[int, Row]]:
    """The records rows the entries point to, unless that means reading more than ``cap`` groups."""
    pointers = _pointers(tables)
    if len(reader.data_groups(layer.layer, pointers)) > cap:
        raise TooMany
    return _rows(reader.data_rows(layer.layer, pointers), layer.layer)


def _in_layer(reader: PartReader, layer: Layer, record_id: str) -> bool:
    # the columns ``_key_entries`` reads: a record found by its id was probed there already
    columns = ["key", *POINTER]
    return any(
        t.num_rows for t in _exact(reader, layer, "record_id", record_id, record_id, columns)
    )


def live(reader: PartReader, found: list[tuple[int, Row]]) -> list[Row]:
    """One row per record_id: the newest layer's, unless a newer layer supersedes it (holds the
    record_id, reloaded the run, or read the record's file again)."""
    layers = reader.layers()
    several = len(layers) > 1  # one layer is one run, or a compaction of live rows only
    latest = reader.latest_runs(sorted({r["source_uri"] for _, r in found})) if several else {}
    out: dict[str, Row] = {}
    for layer_no, row in sorted(found, key=lambda f: -f[0]):
        if row["record_id"] in out:
            continue
        newer = [x for x in layers if x.layer > layer_no]
        reader_run = latest.get(row["source_uri"], row["run_id"])
        if reader_run != row["run_id"] and any(x.holds(reader_run) for x in newer):
            continue
        if any(x.holds(row["run_id"]) for x in newer):
            continue
        if any(_in_layer(reader, x, row["record_id"]) for x in newer):
            continue
        out[row["record_id"]] = row
    return list(out.values())


def _key_entries(reader: PartReader, layer: Layer, key: str) -> list[pa.Table]:
    entries = []
    for kind in ("record_id", "content_digest", "doc_id"):
        entries += _exact(reader, layer, kind, key, key, ["key", *POINTER])
    entries += _exact(reader, layer, "source", key, directory(key), ["key", *POINTER])
    address = surt(key)
    for t in _exact(reader, layer, "url", address, surt_host(address), ["key", "url", *POINTER]):
        entries.append(t.filter(pc.equal(t.column("url"), key)))
    return entries


def locate(reader: PartReader, key: str, limit: int | None, scan: Scan) -> list[Row]:
    """Records whose url, record_id, source_uri, content_digest or doc_id equals ``key``."""
    found: list[tuple[int, Row]] = []
    try:
        for layer in reader.layers():
            found += _fetch(reader, layer, _key_entries(reader, layer, key))
    except TooMany:  # e.g. a digest shared by a great many records
        return scan("key", key, limit)
    rows = sorted(live(reader, found), key=lambda r: (r["source_uri"], r["source_offset"]))
    return rows if limit is None else rows[:limit]


def _first_urls(entries: list[pa.Table], limit: int | None) -> list[pa.Table]:
    """The url entries among the ``limit`` smallest urls (ties kept: the source decides)."""
    table = pa.concat_tables(entries) if entries else None
    if table is None or limit is None or table.num_rows <= limit:
        return entries
    if limit == 0:
        return []
    cutoff = table.sort_by("url").column("url")[limit - 1]
    return [table.filter(pc.less_equal(table.column("url"), cutoff))]


def locate_prefix(reader: PartReader, prefix: str, limit: int | None, scan: Scan) -> list[Row]:
    """Records whose url or source_uri starts with ``prefix``, ordered by url, source.

    A prefix naming a whole host (``https://example.com/docs/``) is one SURT range of one
    partition of the url index; a path prefix is a range of the source index.
    """
    host = _HOST_PREFIX.fullmatch(prefix) is not None
    if _SCHEME_START.match(prefix) and not host:
        return scan("prefix", prefix, limit)
    found: list[tuple[int, Row]] = []
    single = len(reader.layers()) == 1
    try:
        for layer in reader.layers():
            everywhere = list(range(layer.partitions))
            low = surt(prefix) if host else prefix  # non-URL "urls" are their own SURT keys
            where = [partition_of(surt_host(low), layer.partitions)] if host else everywhere
            urls = [
                t.filter(pc.starts_with(t.column("url"), prefix))
                for t in _ranged(reader, layer, "url", low, where)
            ]
            bounded = limit if single else None  # a limit caps the reads: no need to scan
            found += _fetch(
                reader, layer, _first_urls(urls, bounded), max(MAX_GROUPS, bounded or 0)
            )
            sources = _ranged(reader, layer, "source", prefix, everywhere, MAX_GROUPS)
            found += _fetch(reader, layer, sources)
    except TooMany:  # a directory of many files: one scan beats many reads
        return scan("prefix", prefix, limit)
    rows = sorted(
        live(reader, found),
        key=lambda r: (r["url"] is None, r["url"] or "", r["source_uri"], r["source_offset"]),
    )
    return rows if limit is None else rows[:limit]
