"""The catalog in the DuckDB file: which layers exist, which parts they have, which key ranges
their row groups hold, and the ``records`` view over the data parts.

Tables (see migration 4): ``index_layers`` (one row per layer: load order, the run it holds,
its partition count), ``layer_runs`` (migration 7: every run whose rows a layer holds, several
for a layer that merged the newest layers of several runs), ``index_parts`` (one row per
Parquet part, with its first and last key) and ``index_row_groups`` (one row per row group:
first row, first and last key, key lengths).
Paths are stored relative to the index root, so a store can be moved as a directory.

``records`` is a view over the layers' data parts. With one layer it is a plain
``read_parquet``; with several, a row is live unless a later layer has its record_id, a later
layer reloaded its run, or a later layer's run read its file again (``files`` names the last run
that read each file; ``layer_runs`` names the layer that holds a run's rows, also once it was
merged with others). ``MetadataStore.compact`` folds the layers back into one, and the driver
merges the newest ones after a load (``compaction.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from metadata_store.layout import DATA_KIND, RECORD_COLUMNS
from metadata_store.parts import Part

Connection = duckdb.DuckDBPyConnection

RECORD_TYPES = {
    "source_offset": "BIGINT",
    "source_length": "BIGINT",
    "size": "BIGINT",
    "similarity": "REAL",
}


@dataclass(frozen=True)
class Layer:
    layer: int
    run_id: str | None  # None for a compaction or a merge of several runs
    partitions: int
    runs: frozenset[str] = frozenset()  # every run whose rows it holds (``layer_runs``)
    records: int = 0

    def holds(self, run_id: str | None) -> bool:
        """Whether this layer holds rows of ``run_id`` (its own run, or one it merged)."""
        return run_id is not None and (run_id == self.run_id or run_id in self.runs)


def layers(con: Connection) -> list[Layer]:
    """Every layer, newest first, with the runs it holds."""
    rows = con.execute(
        "SELECT l.layer, l.run_id, l.partitions, l.records, "
        "list(r.run_id ORDER BY r.run_id) FILTER (WHERE r.run_id IS NOT NULL) "
        "FROM index_layers l LEFT JOIN layer_runs r ON r.layer = l.layer "
        "GROUP BY ALL ORDER BY l.layer DESC"
    ).fetchall()
    return [Layer(int(a), b, int(c), frozenset(e or ()), int(d)) for a, b, c, d, e in rows]


def next_layer(con: Connection) -> int:
    row = con.execute("SELECT coalesce(max(layer), 0) + 1 FROM index_layers").fetchall()[0]
    return int(row[0]) if row else 1


def register_layer(
    con: Connection,
    layer: Layer,
    records: int,
    parts: Sequence[Part],
    first_part_id: int,
    files: int = 0,
    keep_empty: bool = False,
) -> None:
    """Insert a written layer's catalog rows; the caller holds the transaction. A run that read
    nothing (an incremental run with no new files) adds no layer: lookups probe every layer. A
    run that read files but found no record in them (a changed file that is empty now) adds an
    empty layer all the same: it supersedes the older rows of those files. So does a merge of
    layers with no live row left (``keep_empty``): its runs still supersede older rows."""
    if not records and not parts and not files and not keep_empty:
        return
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute(
        "INSERT INTO index_layers VALUES (?, ?, ?, ?, ?)",
        [layer.layer, layer.run_id, layer.partitions, records, now],
    )
    held = sorted(layer.runs | ({layer.run_id} if layer.run_id else set()))
    if held:
        con.executemany("INSERT INTO layer_runs VALUES (?, ?)", [[layer.layer, r] for r in held])
    part_rows, group_rows = [], []
    for part_id, part in enumerate(parts, start=first_part_id):
        part_rows.append(
            {
                "part_id": part_id,
                "layer": layer.layer,
                "kind": part.kind,
                "partition": part.partition,
                "path": part.path,
                "first_row": part.first_row,
                "rows": part.rows,
                "bytes": part.bytes,
                "min_key": part.row_groups[0].min_key,
                "max_key": part.row_groups[-1].max_key,
            }
        )
        for i, group in enumerate(part.row_groups):
            group_rows.append({"part_id": part_id, "row_group": i, **asdict(group)})
    for table, rows in (("index_parts", part_rows), ("index_row_groups", group_rows)):
        if rows:
            con.register("_catalog_rows", pa.Table.from_pylist(rows))
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _catalog_rows")
            con.unregister("_catalog_rows")


def next_part_id(con: Connection) -> int:
    row = con.execute("SELECT coalesce(max(part_id), 0) + 1 FROM index_parts").fetchall()[0]
    return int(row[0]) if row else 1


def drop_layers(con: Connection, doomed: Sequence[int]) -> list[str]:
    """Remove layers from the catalog; returns their part paths, to delete after COMMIT."""
    if not doomed:
        return []
    marks = ", ".join("?" for _ in doomed)
    paths = con.execute(
        f"SELECT path FROM index_parts WHERE layer IN ({marks})", list(doomed)
    ).fetchall()
    con.execute(
        f"DELETE FROM index_row_groups WHERE part_id IN "
        f"(SELECT part_id FROM index_parts WHERE layer IN ({marks}))",
        list(doomed),
    )
    con.execute(f"DELETE FROM index_parts WHERE layer IN ({marks})", list(doomed))
    con.execute(f"DELETE FROM layer_runs WHERE layer IN ({marks})", list(doomed))
    con.execute(f"DELETE FROM index_layers WHERE layer IN ({marks})", list(doomed))
    return [p for (p,) in paths]


def run_layers(con: Connection, run_id: str) -> list[int]:
    rows = con.execute("SELECT layer FROM index_layers WHERE run_id = ?", [run_id]).fetchall()
    return [int(r) for (r,) in rows]


def all_part_paths(con: Connection) -> set[str]:
    return {p for (p,) in con.execute("SELECT path FROM index_parts").fetchall()}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def records_sql(con: Connection, root: Path, keep_layer: bool = False) -> str:
    """SELECT over the live rows of every layer's data parts, with paths under ``root``; with
    ``keep_layer`` (and several layers) each row also says its layer (``_layer``)."""
    rows = con.execute(
        "SELECT l.layer, l.run_id, list(p.path ORDER BY p.first_row) FROM index_layers l "
        "JOIN index_parts p ON p.layer = l.layer AND p.kind = ? "
        "GROUP BY l.layer, l.run_id ORDER BY l.layer",
        [DATA_KIND],
    ).fetchall()
    if not rows:
        columns = ", ".join(
            f'NULL::{RECORD_TYPES.get(c, "VARCHAR")} AS "{c}"' for c in RECORD_COLUMNS
        )
        return f"SELECT {columns} WHERE false"

    def scan(paths: list[str]) -> str:
        listed = ", ".join(_quote(str(root / p)) for p in paths)
        return f"read_parquet([{listed}])"

    # every layer, also one that holds no rows (its run read only files now empty)
    every = con.execute("SELECT count(*) FROM index_layers").fetchall()[0][0]
    if every == 1:
        return f"SELECT * FROM {scan(rows[0][2])}"
    runs = con.execute("SELECT run_id, layer FROM layer_runs ORDER BY layer, run_id").fetchall()
    union = " UNION ALL ".join(
        f"SELECT *, {layer} AS _layer FROM {scan(p)}" for layer, _, p in rows
    )
    reloaded = ", ".join(f"({_quote(r)}, {layer})" for r, layer in runs) or "(NULL, 0)"
    # A file a newer layer's run read again (changed, or --reprocess) supersedes all of its older
    # rows, also those at offsets the new version no longer has: ``files`` names that run.
    columns = "*" if keep_layer else "* EXCLUDE (_layer)"
    return (
        f"SELECT {columns} FROM ({union}) r WHERE NOT EXISTS (SELECT 1 FROM "
        f"(VALUES {reloaded}) v(run_id, layer) WHERE v.run_id = r.run_id AND v.layer > r._layer) "
        f"AND NOT EXISTS (SELECT 1 FROM files f JOIN (VALUES {reloaded}) v(run_id, layer) "
        "ON v.run_id = f.run_id WHERE f.source_uri = r.source_uri AND f.run_id <> r.run_id "
        "AND v.layer > r._layer) "
        "QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY _layer DESC) = 1"
    )


def refresh_views(con: Connection, root: Path, persistent: bool) -> None:
    """(Re)create ``records`` (persistent, absolute paths) and/or the temp ``_live_records``."""
    sql = records_sql(con, root.resolve())
    if persistent:
        con.execute(f"CREATE OR REPLACE VIEW records AS {sql}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW _live_records AS {sql}")
