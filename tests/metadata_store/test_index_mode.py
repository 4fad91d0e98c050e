"""The store's side of --index_only: the `indexed` status, runs' mode, migration 5."""

from __future__ import annotations

import duckdb
import pytest

from metadata_store import MetadataStore, StoreError
from metadata_store.cli import main
from metadata_store.migrations import MIGRATIONS, migrate
from tests.metadata_store.test_store import T0, T1, file_row, location, outcome, rid, write_run

PAGE = "/tree/a/p.html"


def index_run(root, run_id="index-1"):
    locations = [
        location(PAGE, 0, "indexed", content_digest="d-page", mime_type="text/html"),
        location("/tree/a/q.html", 0, "error", reason="error:unreadable_file"),
    ]
    files = [file_row(PAGE, 1), file_row("/tree/a/q.html", 1, error="error:unreadable_file")]
    return write_run(root, run_id, locations, (), files)


def test_index_run_is_accounted_with_indexed(tmp_path):
    with MetadataStore.open(tmp_path / "m.duckdb") as store:
        summary = store.load_run("index-1", index_run(tmp_path), T0, T1, [], {}, mode="index")
        assert (summary.records_in, summary.indexed, summary.error, summary.mode) == (
            2,
            1,
            1,
            "index",
        )
        assert summary.balanced
        accounting = store.accounting("index-1")
        assert (accounting.indexed, accounting.error, accounting.balanced) == (1, 1, True)
        (run,) = store.runs()
        assert (run["mode"], run["indexed"], run["balanced"]) == ("index", 1, True)
        assert store.stats()["by_status"] == {"error": 1, "indexed": 1}
        (found,) = store.locate("d-page")
        assert (found["source_uri"], found["status"], found["reason"]) == (PAGE, "indexed", None)


def test_a_full_run_supersedes_indexed_rows(tmp_path):
    with MetadataStore.open(tmp_path / "m.duckdb") as store:
        store.load_run("index-1", index_run(tmp_path), T0, T1, [], {}, mode="index")
        full = write_run(
            tmp_path,
            "full-2",
            [location(PAGE, 0, "candidate", url=None, language="en")],
            [outcome(rid(PAGE, 0), "kept", shard="data/language=en/part-x-00000.parquet")],
            [file_row(PAGE, 1)],
        )
        store.load_run("full-2", full, T0, T1, [], {})
        (row,) = store.locate(PAGE)
        assert (row["status"], row["run_id"]) == ("kept", "full-2")
        accounting = store.accounting()
        assert (accounting.records_in, accounting.kept, accounting.indexed, accounting.error) == (
            2,
            1,
            0,
            1,
        )
        assert accounting.balanced
        assert {r["run_id"]: r["mode"] for r in store.runs()} == {
            "index-1": "index",
            "full-2": "full",
        }


def test_version_4_store_gets_runs_indexed_and_mode(tmp_path):
    path = tmp_path / "m.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, str(path), MIGRATIONS[:4]) == [1, 2, 3, 4]
    con.execute("INSERT INTO runs VALUES ('old-run', now(), now(), '[]', 0, 0, 0, 0, 0, '{}')")
    con.close()
    with pytest.raises(StoreError, match="has schema version 4 and needs upgrading to 7"):
        MetadataStore.open(path, read_only=True)
    MetadataStore.open(path).close()
    with MetadataStore.open(path, read_only=True) as store:
        (run,) = store.runs()
        assert (run["run_id"], run["indexed"], run["mode"], run["balanced"]) == (
            "old-run",
            0,
            "full",
            True,
        )
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchall() == [(7,)]
    con.close()


def test_cli_runs_and_stats_show_indexed(tmp_path, capsys):
    path = tmp_path / "m.duckdb"
    with MetadataStore.open(path) as store:
        store.load_run("index-1", index_run(tmp_path), T0, T1, [], {}, mode="index")
    assert main(["runs", "--store", str(path)], {}) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert "indexed" in header.split() and "mode" in header.split()
    assert row.split()[-3:] == ["1", "index", "True"]
    assert main(["stats", "--store", str(path)], {}) == 0
    assert any(line.split() == ["indexed", "1"] for line in capsys.readouterr().out.splitlines())
