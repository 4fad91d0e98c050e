"""Schema migrations: recorded, upgraded on open, refused when the store is newer than the code."""

from __future__ import annotations

import duckdb
import pytest

from metadata_store import MetadataStore, StoreError
from metadata_store.keys import source_key
from metadata_store.layout import index_root
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
    with pytest.raises(StoreError, match="has schema version 1 and needs upgrading to 7"):
        MetadataStore.open(path, read_only=True)  # readers cannot migrate
    MetadataStore.open(path).close()
    assert [v for v, _ in versions(path)] == [1, 2, 3, 4, 5, 6, 7]
    assert indexes(path) == {"files_source_key"}  # the rows moved to Parquet index parts
    con = duckdb.connect(str(path), read_only=True)
    kinds = dict(
        con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall()
    )
    con.close()
    assert kinds["records"] == "VIEW"
    assert {"index_layers", "index_parts", "index_row_groups", "files", "runs"} <= set(kinds)
    assert "legacy_records" not in kinds
    MetadataStore.open(path, read_only=True).close()


def old_layout_store(path, rows: int) -> None:
    """A store as crawlsift wrote it before index parts: version 3, rows in a records table."""
    con = duckdb.connect(str(path))
    assert migrate(con, str(path), MIGRATIONS[:3]) == [1, 2, 3]
    con.execute(
        "INSERT INTO records (record_id, url, source_uri, source_offset, source_length, size, "
        "status, reason, batch_id, content_digest, run_id) "
        "SELECT printf('%024x', i), 'https://old.example/' || i, '/old/' || (i // 10) || '.warc', "
        "i, 1, 1, 'filtered', 'filtered:too_short', 'b', 'digest-' || i, 'old-run' "
        "FROM range(?) t(i)",
        [rows],
    )
    con.execute(
        "INSERT INTO runs VALUES ('old-run', now(), now(), '[]', ?, 0, ?, 0, 0, '{}')", [rows, rows]
    )
    con.close()


def test_old_layout_store_is_converted_by_the_first_writer(tmp_path):
    path = tmp_path / "m.duckdb"
    old_layout_store(path, 25)
    with pytest.raises(StoreError, match="has schema version 3 and needs upgrading to 7"):
        MetadataStore.open(path, read_only=True)
    MetadataStore.open(path).close()
    assert [v for v, _ in versions(path)] == [1, 2, 3, 4, 5, 6, 7]
    with MetadataStore.open(path, read_only=True) as store:
        assert store.accounting("old-run").records_in == 25
        (row,) = store.locate("https://old.example/17")
        assert (row["record_id"], row["source_uri"], row["run_id"]) == (
            f"{17:024x}",
            "/old/1.warc",
            "old-run",
        )
        assert [len(store.locate(f"/old/{i}.warc")) for i in range(4)] == [10, 10, 5, 0]
    con = duckdb.connect(str(path), read_only=True)  # plain DuckDB, no crawlsift
    assert con.execute("SELECT count(*) FROM records").fetchall() == [(25,)]
    assert con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'legacy_records'"
    ).fetchall() == [(0,)]
    con.close()
    assert list(index_root(path).glob("records/partition=*/*.parquet"))


def test_half_upgraded_store_tells_readers_to_finish_it(tmp_path):
    path = tmp_path / "m.duckdb"
    old_layout_store(path, 3)
    con = duckdb.connect(str(path))
    assert migrate(con, str(path)) == [4, 5, 6, 7]  # a writer that died before converting the rows
    assert con.execute("SELECT count(*) FROM records").fetchall() == [(3,)]  # view over legacy
    con.close()
    with pytest.raises(
        StoreError, match="half way through its upgrade to index parts; open it once"
    ):
        MetadataStore.open(path, read_only=True)
    MetadataStore.open(path).close()
    with MetadataStore.open(path, read_only=True) as store:
        assert store.accounting().records_in == 3


def test_migrate_is_idempotent(tmp_path):
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    assert migrate(con, "m") == [1, 2, 3, 4, 5, 6, 7]
    assert migrate(con, "m") == []
    assert applied_versions(con) == [1, 2, 3, 4, 5, 6, 7]
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


def test_version_5_files_keep_their_rows_keyed_by_the_digest_of_their_path(tmp_path):
    path = tmp_path / "m.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, str(path), MIGRATIONS[:5]) == [1, 2, 3, 4, 5]
    con.execute(
        "INSERT INTO files VALUES ('/crawl/a.warc.gz', 10, 1.5, 'b1', 3, NULL, 'r1'), "
        "('/crawl/é.html', 2, 0.0, 'b2', 1, 'error:unreadable_file', 'r2')"
    )
    con.execute("CREATE VIEW uses_files AS SELECT source_uri, run_id FROM files")
    con.close()
    MetadataStore.open(path).close()
    assert [v for v, _ in versions(path)][-1] == latest_version()
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute("SELECT * EXCLUDE (source_key), source_key FROM files ORDER BY 1").fetchall()
    assert [row[:-1] for row in rows] == [
        ("/crawl/a.warc.gz", 10, 1.5, "b1", 3, None, "r1"),
        ("/crawl/é.html", 2, 0.0, "b2", 1, "error:unreadable_file", "r2"),
    ]
    assert [row[-1] for row in rows] == [source_key(row[0]) for row in rows]
    assert con.execute("SELECT count(*) FROM uses_files").fetchall() == [(2,)]
    con.close()
    assert indexes(path) == {"files_source_key"}


def test_version_6_layers_name_their_runs_after_migration_7(tmp_path):
    path = tmp_path / "m.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, str(path), MIGRATIONS[:6]) == [1, 2, 3, 4, 5, 6]
    con.execute("DROP TABLE legacy_records")  # empty: opening it at version 6 removed it
    con.execute(
        "INSERT INTO index_layers VALUES (1, NULL, 1, 5, now()), (2, 'r2', 1, 3, now()), "
        "(3, 'r3', 2, 0, now())"
    )
    con.close()
    MetadataStore.open(path).close()
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT * FROM layer_runs ORDER BY layer").fetchall() == [
        (2, "r2"),
        (3, "r3"),
    ]
    con.close()
