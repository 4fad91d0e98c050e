"""Loading one run's Parquet parts into the store: all of it or none of it.

Workers never touch the .duckdb file; they write parts under ``store/runs/<run_id>/``. The driver,
the single writer, folds them in here: ``records`` = locations LEFT JOIN outcomes, where an
outcome (kept/duplicate) overrides the interim ``candidate`` status, and a candidate without an
outcome becomes ``error`` / ``error:lost_in_dedup`` so that no input record is silently lost. A
later run's row for a record replaces an earlier run's; loading the same run again replaces it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType

import duckdb
import pyarrow as pa

from metadata_store import indexes
from metadata_store.errors import StoreError
from transforms.records import (
    CANDIDATE,
    DUPLICATE,
    ERROR,
    FILE_SCHEMA,
    FILTERED,
    KEPT,
    LOCATION_SCHEMA,
    OUTCOME_SCHEMA,
)

LOST_IN_DEDUP = "error:lost_in_dedup"
_STAGES = ("_loc", "_out", "_files", "_new")


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

    @property
    def balanced(self) -> bool:
        return self.records_in == self.kept + self.filtered + self.duplicate + self.error


def _utc_naive(moment: datetime) -> datetime:
    """TIMESTAMP columns hold UTC; aware datetimes are converted, naive ones taken as UTC."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


_SQL_TYPES = MappingProxyType(
    {
        "string": "VARCHAR",
        "int32": "INTEGER",
        "int64": "BIGINT",
        "float": "REAL",
        "double": "DOUBLE",
        "bool": "BOOLEAN",
    }
)


def _stage(con: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema, part_dir: Path) -> None:
    """Temp table ``name`` typed by ``schema``, filled with the distinct rows of the parts.

    DISTINCT folds identical rows from a retried bundle; rows that still share a key disagree
    and are refused, since which one is true cannot be decided here. The table is created by
    plain DDL, outside the load transaction: DuckDB 2.0.0 loses every row of an INSERT of 122,880
    rows or more into a table created by an empty CREATE TABLE AS in the same transaction
    (count(*) is right, scans see nothing); tests/metadata_store guard against that.
    """
    columns = ", ".join(f'"{f.name}" {_SQL_TYPES[str(f.type)]}' for f in schema)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
    files = sorted(str(p) for p in part_dir.glob("*.parquet"))
    if files:
        names = ", ".join(f'"{c}"' for c in schema.names)
        con.execute(
            f"INSERT INTO {name} BY NAME SELECT DISTINCT {names} FROM read_parquet(?)", [files]
        )
    key = schema.names[0]
    clash = con.execute(
        f"SELECT {key}, count(*) FROM {name} GROUP BY {key} HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if clash:
        raise StoreError(
            f"{part_dir} has {clash[1]} different rows for {key} {clash[0]}; "
            "remove the stale parts and rerun"
        )


_JOIN = """
CREATE OR REPLACE TEMP TABLE _new AS
SELECT l.record_id, l.doc_id, l.url, l.source_uri, l.source_offset, l.source_length,
       l.content_digest, l.fetch_time, l.mime_type, l."size", l.language,
       CASE WHEN o.record_id IS NOT NULL THEN o.status
            WHEN l.status = $candidate THEN $error ELSE l.status END AS status,
       CASE WHEN o.record_id IS NOT NULL THEN o.reason
            WHEN l.status = $candidate THEN $lost ELSE l.reason END AS reason,
       l.batch_id, o.duplicate_of, o.similarity, o.shard, $run_id AS run_id,
       (l.status = $candidate AND o.record_id IS NULL) AS _lost
FROM _loc l LEFT JOIN _out o ON o.record_id = l.record_id
"""


# Rows a load supersedes: an earlier load of the same run, earlier runs' rows for its records.
_DELETE_SUPERSEDED = (
    "DELETE FROM records WHERE run_id = ? OR record_id IN (SELECT record_id FROM _new)"
)


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> int:
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _stage_run(con: duckdb.DuckDBPyConnection, run_id: str, parts_dir: Path) -> int:
    """Read the parts into temp tables and join them into ``_new``; returns orphan outcomes."""
    _stage(con, "_loc", LOCATION_SCHEMA, parts_dir / "locations")
    _stage(con, "_out", OUTCOME_SCHEMA, parts_dir / "outcomes")
    _stage(con, "_files", FILE_SCHEMA, parts_dir / "files")
    con.execute(
        _JOIN, {"candidate": CANDIDATE, "error": ERROR, "lost": LOST_IN_DEDUP, "run_id": run_id}
    )
    return _count(
        con,
        "SELECT count(*) FROM _out o WHERE NOT EXISTS "
        "(SELECT 1 FROM _loc l WHERE l.record_id = o.record_id)",
    )


def _replace_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    times: tuple[datetime, datetime],
    argv: list[str],
    counters: dict[str, int],
    orphans: int,
) -> RunSummary:
    """Swap the staged run into records/files/runs; the caller holds the transaction."""
    replaced = _count(
        con,
        "SELECT count(*) FROM records JOIN _new USING (record_id) WHERE records.run_id <> ?",
        [run_id],
    )
    con.execute(_DELETE_SUPERSEDED, [run_id])
    con.execute("DELETE FROM files WHERE run_id = ?", [run_id])
    con.execute("INSERT INTO records BY NAME SELECT * EXCLUDE (_lost) FROM _new")
    con.execute("INSERT OR REPLACE INTO files BY NAME SELECT *, ? AS run_id FROM _files", [run_id])
    statuses = (KEPT, FILTERED, DUPLICATE, ERROR)
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE _lost), "
        + ", ".join(f"count(*) FILTER (WHERE status = '{s}')" for s in statuses)
        + " FROM _new"
    ).fetchone()
    records_in, lost, kept, filtered, duplicate, error = (int(v) for v in row or (0,) * 6)
    con.execute(
        "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            _utc_naive(times[0]),
            _utc_naive(times[1]),
            json.dumps(list(argv)),
            records_in,
            kept,
            filtered,
            duplicate,
            error,
            json.dumps(dict(counters), sort_keys=True),
        ],
    )
    return RunSummary(
        run_id=run_id,
        records_in=records_in,
        kept=kept,
        filtered=filtered,
        duplicate=duplicate,
        error=error,
        files=_count(con, "SELECT count(*) FROM _files"),
        lost_in_dedup=lost,
        orphan_outcomes=orphans,
        replaced=replaced,
    )


def _one_line(error: duckdb.Error) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]


def load_run(
    con: duckdb.DuckDBPyConnection,
    where: str,
    run_id: str,
    parts_dir: Path,
    times: tuple[datetime, datetime],
    argv: list[str],
    counters: dict[str, int],
) -> RunSummary:
    """Fold one run's parts into records/files/runs atomically: all of it or none of it.

    Staging only touches connection-local temp tables, so it runs before the transaction; the
    transaction covers every change to the persistent tables. When the run supersedes many
    rows, the indexes are dropped first and rebuilt after (see ``indexes.py``).
    """
    if not parts_dir.is_dir():
        raise StoreError(f"no parts for run {run_id}: {parts_dir} is not a directory")
    try:
        try:
            orphans = _stage_run(con, run_id, parts_dir)
        except duckdb.Error as e:
            raise StoreError(
                f"cannot read parts of run {run_id} in {parts_dir}: {_one_line(e)}"
            ) from e
        to_delete = _count(
            con, _DELETE_SUPERSEDED.replace("DELETE", "SELECT count(*)", 1), [run_id]
        )
        if indexes.rebuild_pays_off(to_delete, _count(con, "SELECT count(*) FROM records")):
            indexes.drop_indexes(con, "records")
        con.execute("BEGIN TRANSACTION")
        try:
            summary = _replace_run(con, run_id, times, argv, counters, orphans)
            con.execute("COMMIT")
        except BaseException as e:
            con.execute("ROLLBACK")
            if isinstance(e, duckdb.Error):
                raise StoreError(f"cannot load run {run_id}: {_one_line(e)}") from e
            raise
    finally:
        for name in _STAGES:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        indexes.rebuild_indexes(con, where)
    return summary
