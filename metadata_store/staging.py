"""What a layer holds, as SQL: a run's rows decided from the workers' parts.

For a run, the rows are the workers' location parts LEFT JOIN their outcome parts: an outcome
(kept/duplicate) overrides the interim ``candidate`` status, and a candidate without an outcome
becomes ``error`` / ``error:lost_in_dedup``, so no input record is silently lost.

The parts are read directly (fast path). Only when the writer meets two rows with one record_id
(a retried bundle wrote its rows twice) are they staged into temp tables with DISTINCT; rows that
still share a key disagree and are refused. Those tables are created by plain DDL outside any
transaction: DuckDB 2.0.0 loses the rows of an INSERT of 122,880 rows or more into a table made by
an empty CREATE TABLE AS in the same transaction (count(*) is right, scans see nothing).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from metadata_store.errors import StoreError
from metadata_store.layout import RECORD_COLUMNS
from transforms.records import CANDIDATE, ERROR

LOST_IN_DEDUP = "error:lost_in_dedup"
STAGES = ("_loc", "_out", "_files")
_SQL_TYPES = {
    "string": "VARCHAR",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "float": "REAL",
    "double": "DOUBLE",
    "bool": "BOOLEAN",
}

Connection = duckdb.DuckDBPyConnection


def part_files(part_dir: Path) -> list[str]:
    return sorted(str(p) for p in part_dir.glob("*.parquet"))


def typed_source(files: list[str], schema: pa.Schema) -> str:
    """A relation over ``files`` with exactly ``schema``'s columns (typed, even when empty)."""
    if not files:
        empty = ", ".join(f'NULL::{_SQL_TYPES[str(f.type)]} AS "{f.name}"' for f in schema)
        return f"(SELECT {empty} WHERE false)"
    columns = ", ".join(f'"{f.name}"::{_SQL_TYPES[str(f.type)]} AS "{f.name}"' for f in schema)
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return f"(SELECT {columns} FROM read_parquet([{listed}]))"


def stage_distinct(con: Connection, name: str, schema: pa.Schema, part_dir: Path) -> str:
    """Temp table ``name`` with the distinct rows of the parts; refuses rows sharing a key."""
    columns = ", ".join(f'"{f.name}" {_SQL_TYPES[str(f.type)]}' for f in schema)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
    files = part_files(part_dir)
    if files:
        con.execute(f"INSERT INTO {name} SELECT DISTINCT * FROM {typed_source(files, schema)}")
    key = schema.names[0]
    clashes = con.execute(
        f"SELECT {key}, count(*) FROM {name} GROUP BY {key} HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if clashes:
        clash = clashes[0]
        raise StoreError(
            f"{part_dir} has {clash[1]} different rows for {key} {clash[0]}; "
            "remove the stale parts and rerun"
        )
    return name


def run_rows_sql(locations: str, outcomes: str) -> str:
    """The run's records: locations LEFT JOIN outcomes (parameters $run_id, $candidate, ...)."""
    return f"""
SELECT l.record_id, l.doc_id, l.url, l.source_uri, l.source_offset, l.source_length,
       l.content_digest, l.fetch_time, l.mime_type, l."size", l.language,
       CASE WHEN o.record_id IS NOT NULL THEN o.status
            WHEN l.status = $candidate THEN $error ELSE l.status END AS status,
       CASE WHEN o.record_id IS NOT NULL THEN o.reason
            WHEN l.status = $candidate THEN $lost ELSE l.reason END AS reason,
       l.batch_id, o.duplicate_of, o.similarity, o.shard, $run_id AS run_id,
       o.record_id IS NOT NULL AS _matched,
       (l.status = $candidate AND o.record_id IS NULL) AS _lost
FROM {locations} l LEFT JOIN {outcomes} o ON o.record_id = l.record_id
"""


def run_params(run_id: str) -> dict[str, str]:
    return {"run_id": run_id, "candidate": CANDIDATE, "error": ERROR, "lost": LOST_IN_DEDUP}


def layer_rows_sql(rows_sql: str) -> str:
    """The records columns in order, plus the loader's _matched and _lost flags."""
    columns = ", ".join(f'"{c}"' for c in RECORD_COLUMNS)
    return f"SELECT {columns}, _matched, _lost FROM ({rows_sql})"


def final_rows_sql(source: str) -> str:
    """Rows that are already records (a store being converted or compacted)."""
    return f"SELECT *, false AS _matched, false AS _lost FROM {source}"


def orphan_outcomes(con: Connection, outcomes: str, locations: str) -> int:
    return count_rows(
        con,
        f"{outcomes} o WHERE NOT EXISTS "
        f"(SELECT 1 FROM {locations} l WHERE l.record_id = o.record_id)",
    )


def count_rows(con: Connection, relation: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0]
    return int(row[0]) if row else 0


def drop_stages(con: Connection) -> None:
    for name in STAGES:
        con.execute(f"DROP TABLE IF EXISTS {name}")
