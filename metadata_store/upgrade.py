"""Rewriting layers in place: converting a pre-index store, compacting every layer into one, and
merging the newest layers into one.

Each stages its rows from a relation that already holds final records (``legacy_records``, or
the live rows of the layers it replaces), writes them as one new layer with no run of its own
(``layer_runs`` lists the runs it holds), and swaps it in with one transaction; the old parts
are deleted after COMMIT. A compacted store answers each lookup with one probe per kind again,
and its ``records`` view is a plain scan; a merge leaves fewer layers to probe.
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
    con: Connection,
    root: Path,
    where: str,
    source: str,
    label: str,
    finish: list[str],
    replaced: list[Layer] | None = None,
) -> int:
    """Replace the ``replaced`` layers (default: every layer) by one written from ``source``,
    holding their runs; ``finish`` runs before COMMIT."""
    written: list[Part] = []
    merge = replaced is not None  # older layers stay: an empty result is still a layer
    replaced = catalog.layers(con) if replaced is None else replaced
    held = frozenset(r for x in replaced for r in (*x.runs, x.run_id) if r is not None)
    try:
        total = staging.count_rows(con, source)
        partitions = layout.partitions_for(total)
        layer = Layer(catalog.next_layer(con), None, partitions, held)
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
            doomed = catalog.drop_layers(con, [x.layer for x in replaced])
            first = catalog.next_part_id(con)
            catalog.register_layer(con, layer, total, written, first, keep_empty=merge)
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


def merge_newest(con: Connection, root: Path, where: str, count: int) -> int:
    """Fold the ``count`` newest layers into one holding their live rows (in file order, with
    zstd) and their runs; older layers stay as they are. Returns the rows written.

    The merged layer is the newest, as the layers it replaces were: a row of an older layer
    stays superseded by a newer record of the same id, by a run that read its file again, or
    by its run's reload, since ``layer_runs`` still names the runs the merged layer holds."""
    every = catalog.layers(con)  # newest first
    if count < 2 or count > len(every):
        raise ValueError(f"cannot merge the {count} newest of {len(every)} layers")
    if count == len(every):
        return compact(con, root, where)
    chosen = every[:count]
    lowest = min(x.layer for x in chosen)
    live = catalog.records_sql(con, root.resolve(), keep_layer=True)
    newest = (
        f"(SELECT * EXCLUDE (_layer) FROM ({live}) WHERE _layer >= {lowest} "
        "ORDER BY source_uri, source_offset)"
    )
    return _rewrite(con, root, where, newest, "merged", [], chosen)
