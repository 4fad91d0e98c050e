"""Schema migrations: recorded, upgraded on open, refused when the store is newer than the code."""

from __future__ import annotations

import duckdb
import pytest

from metadata_store import MetadataStore, StoreError
from metadata_store.locking import lock_path_for
from metadata_store.migrations import (
    MIGRATIONS,
    Migration,
    applied_versions,
    latest_version,
    migrate,
)
from transforms.records import LOCATION_SCHEMA


def versions(path) -> list[tuple[int, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT version, name FROM schema_migrations ORDER BY 1").fetchall()
    finally:
        con.close()


def indexes(path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
    finally:
        con.close()


def test_new_store_records_every_step(tmp_path):
    path = tmp_path / "m.duckdb"
    MetadataStore.open(path).close()
    assert versions(path) == [(m.version, m.name) for m in MIGRATIONS]
    con = duckdb.connect(str(path), read_only=True)
    (applied_at,) = con.execute("SELECT min(applied_at) FROM schema_migrations").fetchone()
    con.close()
    assert applied_at is not None


def test_version_1_store_is_upgraded_on_open(tmp_path):
    path = tmp_path / "m.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, str(path), MIGRATIONS[:1]) == [1]
    con.close()
    assert versions(path) == [(1, "create_records_files_runs")]
    assert indexes(path) == set()
    with pytest.raises(StoreError, match="has schema version 1 and needs upgrading to 3"):
        MetadataStore.open(path, read_only=True)  # readers cannot migrate
    MetadataStore.open(path).close()
    assert [v for v, _ in versions(path)] == [1, 2, 3]
    assert indexes(path) == {
        "records_record_id",
        "records_url",
        "records_source_uri",
        "records_content_digest",
        "records_doc_id",
    }
    MetadataStore.open(path, read_only=True).close()


def test_migrate_is_idempotent(tmp_path):
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    assert migrate(con, "m") == [1, 2, 3]
    assert migrate(con, "m") == []
    assert applied_versions(con) == [1, 2, 3]
    con.close()


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "m.duckdb"
    MetadataStore.open(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (99, 'from_the_future', now())")
    con.close()
    expected = (
        f"metadata store at {path} has schema version 99, this crawlsift understands up to "
        f"{latest_version()}; upgrade crawlsift"
    )
    for read_only in (False, True):
        with pytest.raises(StoreError) as err:
            MetadataStore.open(path, read_only=read_only)
        assert str(err.value) == expected
    assert not lock_path_for(path).exists()


def test_failed_step_rolls_back_to_the_previous_version(tmp_path):
    def half_done(con):
        con.execute("CREATE TABLE half (x INTEGER)")
        con.execute("SELECT * FROM no_such_table")

    steps = (*MIGRATIONS[:1], Migration(2, "broken", half_done))
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    with pytest.raises(StoreError, match=r"migration 2 \(broken\) failed: Catalog Error"):
        migrate(con, "m", steps)
    assert applied_versions(con) == [1]
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "half" not in tables
    con.close()


def test_records_table_matches_location_schema(tmp_path):
    """A new LOCATION_SCHEMA field needs a migration; this fails until one is written."""
    MetadataStore.open(tmp_path / "m.duckdb").close()
    con = duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True)
    columns = [r[0] for r in con.execute("DESCRIBE records").fetchall()]
    con.close()
    assert columns == [*LOCATION_SCHEMA.names, "duplicate_of", "similarity", "shard", "run_id"]
