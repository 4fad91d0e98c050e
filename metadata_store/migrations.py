"""Schema migrations, in the style of sqlite-utils' ``migrations.py``.

The schema is the ordered list ``MIGRATIONS`` of ``(version, name, apply)`` steps. A step is
history: once released it never changes (a new column is a new step), so every step spells out
its DDL instead of deriving it from ``transforms.records``. ``schema_migrations`` records which
versions were applied and when; each step runs in its own transaction, so a failed step leaves
the store at the previous version instead of half-migrated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from metadata_store.errors import StoreError, one_line, rollback_quietly

Connection = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Migration:
    """One step of the schema's history; ``apply`` runs inside the step's transaction."""

    version: int
    name: str
    apply: Callable[[Connection], None]


def _create_tables(con: Connection) -> None:
    """records (LOCATION_SCHEMA + dedup outcome + run), files (FILE_SCHEMA + run), runs."""
    con.execute(
        """
        CREATE TABLE records (
            record_id VARCHAR NOT NULL,  -- unique: see _create_indexes
            doc_id VARCHAR,
            url VARCHAR,
            source_uri VARCHAR NOT NULL,
            source_offset BIGINT NOT NULL,
            source_length BIGINT NOT NULL,
            content_digest VARCHAR,
            fetch_time VARCHAR,
            mime_type VARCHAR,
            size BIGINT NOT NULL,
            language VARCHAR,
            status VARCHAR NOT NULL,
            reason VARCHAR,
            batch_id VARCHAR NOT NULL,
            duplicate_of VARCHAR,
            similarity REAL,
            shard VARCHAR,
            run_id VARCHAR NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE files (
            source_uri VARCHAR PRIMARY KEY,
            size BIGINT NOT NULL,
            mtime DOUBLE,
            batch_id VARCHAR NOT NULL,
            n_records BIGINT NOT NULL,
            error VARCHAR,
            run_id VARCHAR NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE runs (
            run_id VARCHAR PRIMARY KEY,
            started_at TIMESTAMP,
            finished_at TIMESTAMP,
            argv VARCHAR NOT NULL,
            records_in BIGINT NOT NULL,
            kept BIGINT NOT NULL,
            filtered BIGINT NOT NULL,
            duplicate BIGINT NOT NULL,
            error BIGINT NOT NULL,
            counters VARCHAR NOT NULL
        )
        """
    )


def _create_indexes(con: Connection) -> None:
    """ART indexes: record_id unique, and point lookups for ``locate`` by url, file, digest, id.

    record_id is a UNIQUE INDEX rather than a PRIMARY KEY because DuckDB cannot drop a primary
    key, and bulk replaces dropped and rebuilt every index of ``records``. (Superseded by 4.)
    """
    con.execute("CREATE UNIQUE INDEX records_record_id ON records (record_id)")
    for column in ("url", "source_uri", "content_digest", "doc_id"):
        con.execute(f"CREATE INDEX records_{column} ON records ({column})")


def _create_index_rebuilds(con: Connection) -> None:
    """Indexes dropped for a bulk replace, kept until rebuilt so a crash cannot lose them."""
    con.execute(
        "CREATE TABLE index_rebuilds (index_name VARCHAR PRIMARY KEY, sql VARCHAR NOT NULL)"
    )


def _move_records_to_index_parts(con: Connection) -> None:
    """Records move to Parquet index parts; the DuckDB file keeps their catalog and a view.

    The rows of a store written before this step stay in ``legacy_records`` (``records`` is a
    view over it meanwhile) until the first writer to open the store converts them into a layer
    of index parts (``upgrade.convert_legacy``), which cannot happen inside a transaction.
    """
    indexes = con.execute(
        "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'records'"
    ).fetchall()
    for (name,) in indexes:
        con.execute(f'DROP INDEX "{name}"')
    con.execute("DROP TABLE IF EXISTS index_rebuilds")
    con.execute("ALTER TABLE records RENAME TO legacy_records")
    con.execute("CREATE VIEW records AS SELECT * FROM legacy_records")
    con.execute(
        """
        CREATE TABLE index_layers (
            layer INTEGER PRIMARY KEY,  -- load order: a later layer wins for the same record_id
            run_id VARCHAR,             -- the run the layer holds; NULL for a compaction
            partitions INTEGER NOT NULL,
            records BIGINT NOT NULL,
            created_at TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE index_parts (
            part_id BIGINT NOT NULL,
            layer INTEGER NOT NULL,
            kind VARCHAR NOT NULL,       -- records, record_id, url, source, content_digest, doc_id
            partition INTEGER NOT NULL,
            path VARCHAR NOT NULL,       -- relative to the index root
            first_row BIGINT NOT NULL,   -- within the layer's partition
            rows BIGINT NOT NULL,
            bytes BIGINT NOT NULL,
            min_key VARCHAR NOT NULL,
            max_key VARCHAR NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE index_row_groups (
            part_id BIGINT NOT NULL,
            row_group INTEGER NOT NULL,
            first_row BIGINT NOT NULL,   -- within the part
            rows INTEGER NOT NULL,
            min_key VARCHAR NOT NULL,
            max_key VARCHAR NOT NULL,
            min_len INTEGER NOT NULL,    -- shortest and longest key, and
            max_len INTEGER NOT NULL,
            prefix_bits BIGINT NOT NULL  -- keys.prefix_bit of every key, ORed: these refuse
        )                                -- most keys of the wrong kind without a read
        """
    )


def _add_runs_indexed_and_mode(con: Connection) -> None:
    """runs: ``indexed`` (records an ``--index_only`` run located) and ``mode`` (``full`` or
    ``index``: a full run does not skip files only an index run committed). Runs recorded before
    this step were full runs that indexed nothing."""
    con.execute("ALTER TABLE runs ADD COLUMN indexed BIGINT NOT NULL DEFAULT 0")
    con.execute("ALTER TABLE runs ADD COLUMN mode VARCHAR NOT NULL DEFAULT 'full'")


def _key_files_by_digest(con: Connection) -> None:
    """files: the primary key on ``source_uri`` (an index over long strings, about 1.7 µs per
    file on every load) becomes a plain index on ``source_key``, the first 64 bits of
    MD5(source_uri) (``keys.source_key``). A load replaces a file's row with DELETE and INSERT;
    a lookup by path probes ``source_key``, then compares ``source_uri``."""
    con.execute(
        """
        CREATE TABLE files_keyed (
            source_uri VARCHAR NOT NULL,  -- one row per file: the last run that read it
            size BIGINT NOT NULL,
            mtime DOUBLE,
            batch_id VARCHAR NOT NULL,
            n_records BIGINT NOT NULL,
            error VARCHAR,
            run_id VARCHAR NOT NULL,
            source_key UBIGINT NOT NULL  -- first 64 bits of MD5(source_uri), big-endian
        )
        """
    )
    con.execute(
        "INSERT INTO files_keyed SELECT source_uri, size, mtime, batch_id, n_records, error, "
        "run_id, ('0x' || md5(source_uri)[1:16])::UBIGINT FROM files ORDER BY source_uri"
    )
    con.execute("DROP TABLE files")  # the records view names files: it binds again on use
    con.execute("ALTER TABLE files_keyed RENAME TO files")
    con.execute("CREATE INDEX files_source_key ON files (source_key)")


def _add_layer_runs(con: Connection) -> None:
    """layer_runs: every run whose rows a layer holds. A layer that merged the newest layers of
    several runs (``compaction.py``) holds several, and a newer layer's run must still supersede
    the rows of older layers that it read again. Until now a layer held its own run only."""
    con.execute(
        """
        CREATE TABLE layer_runs (
            layer INTEGER NOT NULL,   -- index_layers.layer
            run_id VARCHAR NOT NULL   -- a run whose live rows the layer holds
        )
        """
    )
    con.execute(
        "INSERT INTO layer_runs SELECT layer, run_id FROM index_layers WHERE run_id IS NOT NULL"
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "create_records_files_runs", _create_tables),
    Migration(2, "create_indexes", _create_indexes),
    Migration(3, "create_index_rebuilds", _create_index_rebuilds),
    Migration(4, "move_records_to_index_parts", _move_records_to_index_parts),
    Migration(5, "add_runs_indexed_and_mode", _add_runs_indexed_and_mode),
    Migration(6, "key_files_by_digest", _key_files_by_digest),
    Migration(7, "add_layer_runs", _add_layer_runs),
)


def latest_version(steps: Sequence[Migration] = MIGRATIONS) -> int:
    return max((s.version for s in steps), default=0)


def applied_versions(con: Connection) -> list[int]:
    """Versions recorded in ``schema_migrations``; [] for a store that has none yet."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'"
    ).fetchall()[0]
    if not exists or not exists[0]:
        return []
    rows = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    return [int(v) for (v,) in rows]


def _check_not_newer(applied: Sequence[int], where: str, steps: Sequence[Migration]) -> None:
    """A store written by a newer crawlsift must not be touched (or misread) by this one."""
    known = latest_version(steps)
    if applied and max(applied) > known:
        raise StoreError(
            f"metadata store at {where} has schema version {max(applied)}, this crawlsift "
            f"understands up to {known}; upgrade crawlsift"
        )


def check_current(con: Connection, where: str, steps: Sequence[Migration] = MIGRATIONS) -> None:
    """For read-only opens, which cannot migrate: the store must be exactly at our version."""
    applied = applied_versions(con)
    _check_not_newer(applied, where, steps)
    missing = sorted({s.version for s in steps} - set(applied))
    if missing:
        raise StoreError(
            f"metadata store at {where} has schema version {max(applied, default=0)} and needs "
            f"upgrading to {latest_version(steps)}; open it once read-write (any pipeline run "
            "or `MetadataStore.open(path)`) to upgrade it"
        )


def migrate(
    con: Connection,
    where: str,
    steps: Sequence[Migration] = MIGRATIONS,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc).replace(tzinfo=None),
) -> list[int]:
    """Apply the steps not yet recorded, in version order; returns the versions applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    applied = applied_versions(con)
    _check_not_newer(applied, where, steps)
    done: list[int] = []
    for step in sorted(steps, key=lambda s: s.version):
        if step.version in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            step.apply(con)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)", [step.version, step.name, now()]
            )
            con.execute("COMMIT")
        except BaseException as e:
            rollback_quietly(con)
            if not isinstance(e, duckdb.Error):
                raise
            raise StoreError(
                f"metadata store at {where}: migration {step.version} ({step.name}) failed: "
                f"{one_line(e)}"
            ) from e
        done.append(step.version)
    return done
