"""The SQL side of reading a store: accounting, summaries and scans, as functions of a connection.

They query ``_live_records``, the temp view ``MetadataStore.open`` creates over the live rows of
the data parts (paths resolved where the store is now). Point lookups do not come here: they go
straight to the row groups (``lookup.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from metadata_store import catalog
from metadata_store.errors import StoreError
from transforms.records import DUPLICATE, ERROR, FILTERED, FINAL_STATUSES, INDEXED, KEPT

Connection = duckdb.DuckDBPyConnection

# Columns a lookup returns; similarity is float32 on disk, rounded so 0.85 reads as 0.85.
RECORD_COLUMNS = (
    "record_id, doc_id, url, source_uri, source_offset, source_length, content_digest, "
    "fetch_time, mime_type, size, language, status, reason, duplicate_of, "
    "round(similarity::DOUBLE, 6) AS similarity, shard, run_id, batch_id"
)
RECORDS = "_live_records"
FAILED_COLUMNS = "record_id, source_uri, source_offset, source_length, url, reason, run_id"


@dataclass(frozen=True)
class Accounting:
    """Does every input record end in exactly one final status?"""

    records_in: int
    kept: int
    filtered: int
    duplicate: int
    error: int
    non_final: int  # rows whose status is not one of FINAL_STATUSES (should be 0)
    balanced: bool  # records_in == kept + filtered + duplicate + error + indexed, non_final == 0
    indexed: int = 0  # located by an --index_only run, not extracted


def _dicts(cursor: Connection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _limit(limit: int | None) -> str:
    if limit is None:
        return ""
    if limit < 0:
        raise StoreError(f"limit must be >= 0, got {limit}")
    return f" LIMIT {int(limit)}"


def scan(con: Connection, what: str, key: str, limit: int | None) -> list[dict[str, Any]]:
    """``locate`` ("key") or ``locate_prefix`` ("prefix") answered by scanning every data part.

    For results too large to fetch row group by row group, and prefixes with no SURT range.
    """
    if what == "key":
        union = " UNION ".join(
            f"SELECT {RECORD_COLUMNS} FROM {RECORDS} WHERE {column} = $k"
            for column in ("record_id", "url", "source_uri", "content_digest", "doc_id")
        )
        order = "source_uri, source_offset"
    else:
        union = " UNION ".join(
            f"SELECT {RECORD_COLUMNS} FROM {RECORDS} WHERE starts_with({column}, $k)"
            for column in ("url", "source_uri")
        )
        order = "url, source_uri, source_offset"
    return _dicts(
        con.execute(f"SELECT * FROM ({union}) ORDER BY {order}{_limit(limit)}", {"k": key})
    )


def _newest_run_counts(con: Connection, run_id: str | None) -> tuple[int, ...] | None:
    """The counts ``load_run`` recorded, when they are still exact: the run's layer is the
    newest (so it owns all its rows) and, for the whole store, the only one."""
    layers = catalog.layers(con)
    if not layers or layers[0].run_id is None or (run_id is None and len(layers) > 1):
        return None
    if run_id is not None and run_id != layers[0].run_id:
        return None
    row = con.execute(
        "SELECT records_in, kept, filtered, duplicate, error, indexed FROM runs WHERE run_id = ?",
        [layers[0].run_id],
    ).fetchall()
    if not row:
        return None
    records_in, *finals = (int(v) for v in row[0])
    return (records_in, *finals, records_in - sum(finals))


def accounting(con: Connection, run_id: str | None = None) -> Accounting:
    """Counts per final status over the whole store, or over the rows a run currently owns.

    Right after a load (the driver's check) this reads the counts ``load_run`` recorded instead
    of scanning every record.
    """
    where, params = "", []
    if run_id is not None:
        if not con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchall():
            raise StoreError(f"no run {run_id!r} in the metadata store")
        where, params = " WHERE run_id = ?", [run_id]
    counted = _newest_run_counts(con, run_id) or _scanned_counts(con, where, params)
    records_in, kept, filtered, duplicate, error, indexed, non_final = counted
    finals = kept + filtered + duplicate + error + indexed
    return Accounting(
        records_in=records_in,
        kept=kept,
        filtered=filtered,
        duplicate=duplicate,
        error=error,
        non_final=non_final,
        balanced=records_in == finals and non_final == 0,
        indexed=indexed,
    )


def _scanned_counts(con: Connection, where: str, params: list) -> tuple[int, ...]:
    finals = ", ".join(f"'{s}'" for s in FINAL_STATUSES)
    counts = ", ".join(
        f"count(*) FILTER (WHERE status = '{s}')"
        for s in (KEPT, FILTERED, DUPLICATE, ERROR, INDEXED)
    )
    row = con.execute(
        f"SELECT count(*), {counts}, count(*) FILTER (WHERE status NOT IN ({finals})) "
        f"FROM {RECORDS}{where}",
        params,
    ).fetchall()[0]
    return tuple(int(v) for v in row or (0,) * 7)


def _grouped(con: Connection, column: str, where: str = "") -> dict[str, int]:
    rows = con.execute(
        f"SELECT coalesce({column}, '(none)') AS k, count(*) AS n FROM {RECORDS}{where} "
        "GROUP BY k ORDER BY n DESC, k"
    ).fetchall()
    return {k: int(n) for k, n in rows}


def stats(con: Connection) -> dict[str, Any]:
    """Totals a user checks first: statuses, reasons, kept documents per language, files, runs,
    and the store's layers."""
    files = con.execute("SELECT count(*), count(error) FROM files").fetchall()[0]
    n_runs = con.execute("SELECT count(*) FROM runs").fetchall()[0]
    n_layers = con.execute("SELECT count(*) FROM index_layers").fetchall()[0]
    by_status = _grouped(con, "status")
    return {
        "records": sum(by_status.values()),
        "by_status": by_status,
        "by_reason": _grouped(con, "reason"),
        "kept_by_language": _grouped(con, "language", f" WHERE status = '{KEPT}'"),
        "files": int(files[0]),
        "files_with_error": int(files[1]),
        "runs": int(n_runs[0]),
        "layers": int(n_layers[0]),  # what a lookup probes (docs/metadata_store.md)
    }


def runs(con: Connection) -> list[dict[str, Any]]:
    """Every loaded run, oldest first, with argv and counters decoded from their JSON text."""
    rows = _dicts(con.execute("SELECT * FROM runs ORDER BY started_at, run_id"))
    for row in rows:
        row["argv"] = json.loads(row["argv"])
        row["counters"] = json.loads(row["counters"])
        row["balanced"] = row["records_in"] == sum(row[s] for s in FINAL_STATUSES)
    return rows


def failed(con: Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """The quarantine: error records with where to find them and why they failed."""
    sql = (
        f"SELECT {FAILED_COLUMNS} FROM {RECORDS} WHERE status = '{ERROR}' "
        "ORDER BY source_uri, source_offset" + _limit(limit)
    )
    return _dicts(con.execute(sql))


def _kept_shards_where(con: Connection, column: str, values: list[str]) -> set[str]:
    """The shards holding kept documents whose ``column`` is one of ``values``."""
    if not values:
        return set()
    con.register("_wanted", pa.table({column: pa.array(values, pa.string())}))
    try:
        rows = con.execute(
            f"SELECT DISTINCT shard FROM {RECORDS} WHERE status = '{KEPT}' AND shard IS NOT NULL "
            f"AND {column} IN (SELECT {column} FROM _wanted)"
        ).fetchall()
    finally:
        con.unregister("_wanted")
    return {str(shard) for (shard,) in rows}


def kept_shards_of(con: Connection, sources: list[str]) -> set[str]:
    """Shards that hold kept documents read from ``sources`` (before a run that reads them again
    is loaded: those rows are about to be superseded)."""
    return _kept_shards_where(con, "source_uri", sources)


def shards_in_use(con: Connection, shards: list[str]) -> set[str]:
    """Which of ``shards`` (relative to the output) hold a kept document the store knows."""
    return _kept_shards_where(con, "shard", shards)
