"""Loading one run's Parquet parts into the store: all of it or none of it.

Workers never touch the .duckdb file; they write parts under ``store/runs/<run_id>/``. The driver,
the single writer, folds them in here (see ``staging.py`` for how the rows are decided): the rows
are written as a new *layer* of index parts (``writer.py``), then one transaction records the
layer in the catalog, drops the layer of an earlier load of the same run, updates ``files`` and
``runs`` and points the ``records`` view at the new parts. If anything fails before COMMIT the
new parts are deleted; after COMMIT the replaced layer's parts are. A later run's row for a
record wins over an earlier run's; loading the same run again replaces it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from metadata_store import catalog, keys, layout, parts, staging, writer
from metadata_store.catalog import Layer
from metadata_store.errors import StoreError, one_line, rollback_quietly
from metadata_store.parts import Part
from metadata_store.writer import DuplicateRecord, Written
from transforms.records import (
    DUPLICATE,
    ERROR,
    FILE_SCHEMA,
    FILTERED,
    INDEXED,
    KEPT,
    LOCATION_SCHEMA,
    OUTCOME_SCHEMA,
)

Connection = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class RunSummary:
    """What ``load_run`` stored, plus the anomalies it found on the way."""

    run_id: str
    records_in: int  # location rows, i.e. input records
    kept: int
    filtered: int
    duplicate: int
    error: int
    files: int
    lost_in_dedup: int  # candidates without an outcome, stored as error:lost_in_dedup
    orphan_outcomes: int  # outcome rows with no location row (cannot be stored; a pipeline bug)
    replaced: int  # records whose row from an earlier run this run replaced
    indexed: int = 0  # records an --index_only run located (not extracted)
    mode: str = "full"  # "full", or "index" for an --index_only run

    @property
    def balanced(self) -> bool:
        finals = self.kept + self.filtered + self.duplicate + self.error + self.indexed
        return self.records_in == finals


def _utc_naive(moment: datetime) -> datetime:
    """TIMESTAMP columns hold UTC; aware datetimes are converted, naive ones taken as UTC."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _replaced(con: Connection, root: Path, run_id: str, written: list[Part]) -> int:
    """Records of the new layer that another run's layer holds (read from record_id parts)."""
    old = con.execute(
        "SELECT p.path FROM index_parts p JOIN index_layers l USING (layer) "
        "WHERE p.kind = 'record_id' AND l.run_id IS DISTINCT FROM ?",
        [run_id],
    ).fetchall()
    new = [p.path for p in written if p.kind == "record_id"]
    if not old or not new:
        return 0

    def scan(paths: list[str]) -> str:
        listed = ", ".join("'" + str(root / p).replace("'", "''") + "'" for p in paths)
        return f"read_parquet([{listed}])"

    return staging.count_rows(
        con,
        f"(SELECT DISTINCT key FROM {scan([p for (p,) in old])}) k "
        f"WHERE k.key IN (SELECT key FROM {scan(new)})",
    )


def sweep_orphans(con: Connection, root: Path) -> None:
    """Delete parts no catalog row names: left by a writer that died before its COMMIT."""
    if not root.is_dir():
        return
    known = catalog.all_part_paths(con)
    for path in root.glob("*/partition=*/*.parquet"):
        if path.relative_to(root).as_posix() not in known:
            path.unlink(missing_ok=True)
    shutil.rmtree(root / "_spool", ignore_errors=True)


def _write_run(
    con: Connection, root: Path, run_id: str, parts_dir: Path, layer: Layer
) -> tuple[Written, int]:
    """Write the run's layer; returns it and the orphan outcomes.

    Orphans are outcome rows without a location row: they cannot be stored (a pipeline bug).
    """
    where = (run_id, layer.layer, layer.partitions)
    locations = staging.typed_source(staging.part_files(parts_dir / "locations"), LOCATION_SCHEMA)
    outcomes = staging.typed_source(staging.part_files(parts_dir / "outcomes"), OUTCOME_SCHEMA)
    params = staging.run_params(run_id)
    rows = staging.layer_rows_sql(staging.run_rows_sql(locations, outcomes))
    try:
        written = writer.write_layer(con, root, rows, params, where)
    except DuplicateRecord:  # a retried bundle: stage the parts with DISTINCT and write again
        locations = staging.stage_distinct(con, "_loc", LOCATION_SCHEMA, parts_dir / "locations")
        outcomes = staging.stage_distinct(con, "_out", OUTCOME_SCHEMA, parts_dir / "outcomes")
        rows = staging.layer_rows_sql(staging.run_rows_sql(locations, outcomes))
        try:
            written = writer.write_layer(con, root, rows, params, where)
        except DuplicateRecord as e:
            raise StoreError(f"{parts_dir} has two records with record_id {e}") from e
    try:
        if staging.count_rows(con, outcomes) == written.counts["matched"]:
            return written, 0
        outcomes = staging.stage_distinct(con, "_out", OUTCOME_SCHEMA, parts_dir / "outcomes")
        return written, staging.orphan_outcomes(con, outcomes, locations)
    except BaseException:  # the caller does not know these parts yet: delete them here
        parts.remove_parts(root, [p.path for p in written.parts])
        raise


def _summarise(
    run_id: str, written: Written, files: int, orphans: int, replaced: int, mode: str = "full"
) -> RunSummary:
    counts = written.counts
    return RunSummary(
        run_id=run_id,
        records_in=counts["rows"],
        kept=counts[f"status:{KEPT}"],
        filtered=counts[f"status:{FILTERED}"],
        duplicate=counts[f"status:{DUPLICATE}"],
        error=counts[f"status:{ERROR}"],
        files=files,
        lost_in_dedup=counts["lost"],
        orphan_outcomes=orphans,
        replaced=replaced,
        indexed=counts[f"status:{INDEXED}"],
        mode=mode,
    )


def _commit(
    con: Connection,
    root: Path,
    layer: Layer,
    written: list[Part],
    summary: RunSummary,
    times: tuple[datetime, datetime],
    argv: list[str],
    counters: dict[str, int],
) -> list[str]:
    """One transaction: catalog, files, runs, views. Returns the replaced layer's part paths."""
    run_id = summary.run_id
    con.execute("BEGIN TRANSACTION")
    try:
        doomed = catalog.drop_layers(con, catalog.run_layers(con, run_id))
        first_id = catalog.next_part_id(con)
        catalog.register_layer(con, layer, summary.records_in, written, first_id, summary.files)
        # one row per file, the run that read it last: this run's rows replace earlier ones
        con.execute(
            "DELETE FROM files WHERE run_id = ? OR source_uri IN (SELECT source_uri FROM _files)",
            [run_id],
        )
        con.execute(
            "INSERT INTO files BY NAME SELECT *, ? AS run_id, "
            f"{keys.source_key_sql('source_uri')} AS source_key FROM _files",
            [run_id],
        )
        con.execute(
            "INSERT OR REPLACE INTO runs (run_id, started_at, finished_at, argv, records_in, "
            "kept, filtered, duplicate, error, counters, indexed, mode) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                _utc_naive(times[0]),
                _utc_naive(times[1]),
                json.dumps(list(argv)),
                summary.records_in,
                summary.kept,
                summary.filtered,
                summary.duplicate,
                summary.error,
                json.dumps(dict(counters), sort_keys=True),
                summary.indexed,
                summary.mode,
            ],
        )
        catalog.refresh_views(con, root, persistent=True)
        con.execute("COMMIT")
    except BaseException as e:
        rollback_quietly(con)
        if isinstance(e, duckdb.Error):
            raise StoreError(f"cannot load run {run_id}: {one_line(e)}") from e
        raise
    return doomed


def load_run(
    con: Connection,
    root: Path,
    run_id: str,
    parts_dir: Path,
    times: tuple[datetime, datetime],
    argv: list[str],
    counters: dict[str, int],
    mode: str = "full",
) -> RunSummary:
    """Fold one run's parts into the store atomically: all of it or none of it. ``mode`` is
    ``full``, or ``index`` for an --index_only run (whose files a full run does not skip)."""
    if not parts_dir.is_dir():
        raise StoreError(f"no parts for run {run_id}: {parts_dir} is not a directory")
    written: list[Part] = []
    try:
        sweep_orphans(con, root)
        try:
            locations = staging.part_files(parts_dir / "locations")
            total = staging.count_rows(con, staging.typed_source(locations, LOCATION_SCHEMA))
            layer = Layer(catalog.next_layer(con), run_id, layout.partitions_for(total))
            layer_written, orphans = _write_run(con, root, run_id, parts_dir, layer)
            written = layer_written.parts
            files = staging.stage_distinct(con, "_files", FILE_SCHEMA, parts_dir / "files")
            replaced = _replaced(con, root, run_id, written)
            summary = _summarise(
                run_id, layer_written, staging.count_rows(con, files), orphans, replaced, mode
            )
        except duckdb.Error as e:
            raise StoreError(
                f"cannot read parts of run {run_id} in {parts_dir}: {one_line(e)}"
            ) from e
        doomed = _commit(con, root, layer, written, summary, times, argv, counters)
        written = []  # committed: the catalog owns them now
        parts.remove_parts(root, doomed)
    finally:
        parts.remove_parts(root, [p.path for p in written])
        staging.drop_stages(con)
    return summary
