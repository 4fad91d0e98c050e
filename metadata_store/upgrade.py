"""Rewriting layers in place: converting a pre-index store, and compacting many layers into one.

Both stage their rows from a relation that already holds final records (``legacy_records``, or
the live view of every layer), write them as one new layer with no run of its own, and swap it in
with one transaction; the old parts are deleted after COMMIT. A compacted store answers each
lookup with one probe per kind again, and its ``records`` view is a plain scan.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from metadata_store import catalog, layout, parts, staging, writer
from metadata_store.catalog import Layer
from metadata_store.errors import StoreError, one_line, rollback_quietly
from metadata_store.parts import Part
from metadata_store.writer import DuplicateRecord

Connection = duckdb.DuckDBPyConnection


def has_legacy_table(con: Connection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = 'legacy_records'"
    ).fetchall()[0]
    return bool(row and row[0])


def _rewrite(
    con: Connection, root: Path, where: str, source: str, label: str, finish: list[str]
) -> int:
    """Replace every layer by one written from ``source``; ``finish`` runs before COMMIT."""
    written: list[Part] = []
    try:
        total = staging.count_rows(con, source)
        partitions = layout.partitions_for(total)
        layer = Layer(catalog.next_layer(con), None, partitions)
        if total:
            rows = staging.layer_rows_sql(staging.final_rows_sql(source))
            try:
                where_ = (label, layer.layer, partitions)
                codec = layout.COMPACT_COMPRESSION
                written = writer.write_layer(con, root, rows, None, where_, codec).parts
            except DuplicateRecord as e:
                raise StoreError(f"metadata store at {where}: two rows for record_id {e}") from e
        con.execute("BEGIN TRANSACTION")
        try:
            doomed = catalog.drop_layers(con, [x.layer for x in catalog.layers(con)])
            if total:
                catalog.register_layer(con, layer, total, written, catalog.next_part_id(con))
            catalog.refresh_views(con, root, persistent=True)
            for sql in finish:
                con.execute(sql)
            con.execute("COMMIT")
        except BaseException:
            rollback_quietly(con)
            raise
        written = []
        parts.remove_parts(root, doomed)
    except duckdb.Error as e:
        raise StoreError(
            f"metadata store at {where}: cannot write {label} layer: {one_line(e)}"
        ) from e
    finally:
        parts.remove_parts(root, [p.path for p in written])
        staging.drop_stages(con)
    return total


def convert_legacy(con: Connection, root: Path, where: str) -> int:
    """Move the rows of a store written before migration 4 into index parts; returns them."""
    if not has_legacy_table(con):
        return 0
    return _rewrite(con, root, where, "legacy_records", "legacy", ["DROP TABLE legacy_records"])


def compact(con: Connection, root: Path, where: str) -> int:
    """Fold every layer into one holding only the live rows, rewritten with zstd and in file
    order (a file's records together again, so a file or directory is a few row groups);
    returns the rows kept. A store already compacted is left as it is."""
    layers = catalog.layers(con)
    if not layers or (len(layers) == 1 and layers[0].run_id is None):
        return staging.count_rows(con, "_live_records")
    in_file_order = "(SELECT * FROM _live_records ORDER BY source_uri, source_offset)"
    return _rewrite(con, root, where, in_file_order, "compacted", [])
