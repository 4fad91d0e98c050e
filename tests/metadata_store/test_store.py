"""Loading runs and looking records up: exact rows, accounting, replacement, atomicity."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from metadata_store import (
    Accounting,
    MetadataStore,
    RunSummary,
    StoreError,
)
from transforms.records import FILE_SCHEMA, LOCATION_SCHEMA, OUTCOME_SCHEMA, make_record_id

A = "/data/a.warc.gz"
B = "/data/b.jsonl"
C = "/data/c.html"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
T1 = T0 + timedelta(minutes=5)
SHARD = "shards/language=en/part-00000.parquet"


def rid(source_uri: str, offset: int) -> str:
    return make_record_id(source_uri, offset)


def location(source_uri, offset, status, **fields) -> dict:
    """A LOCATION_SCHEMA row with plausible defaults for the fields a test does not care about."""
    row = dict.fromkeys(LOCATION_SCHEMA.names)
    row.update(
        record_id=rid(source_uri, offset),
        source_uri=source_uri,
        source_offset=offset,
        source_length=100,
        size=1000,
        status=status,
        batch_id="batch-0",
    )
    row.update(fields)
    return row


def outcome(record_id, status, **fields) -> dict:
    row = dict.fromkeys(OUTCOME_SCHEMA.names)
    row.update(record_id=record_id, status=status, **fields)
    return row


def file_row(source_uri, n_records, **fields) -> dict:
    row = dict.fromkeys(FILE_SCHEMA.names)
    row.update(source_uri=source_uri, size=5000, mtime=1.5, batch_id="batch-0")
    row.update(n_records=n_records, **fields)
    return row


def write_run(root: Path, run_id: str, locations=(), outcomes=(), files=()) -> Path:
    """Write parts the way workers do: OUTPUT/store/runs/<run_id>/{locations,outcomes,files}/."""
    run_dir = root / "store" / "runs" / run_id
    for name, schema, rows in (
        ("locations", LOCATION_SCHEMA, locations),
        ("outcomes", OUTCOME_SCHEMA, outcomes),
        ("files", FILE_SCHEMA, files),
    ):
        (run_dir / name).mkdir(parents=True, exist_ok=True)
        if rows:
            table = pa.Table.from_pylist(list(rows), schema=schema)
            pq.write_table(table, run_dir / name / "part-00000.parquet")
    return run_dir


def sample_run(root: Path, run_id: str = "run-1") -> Path:
    """Two files, six records, one of each fate (and one candidate that lost its outcome)."""
    locations = [
        location(A, 0, "candidate", url="https://example.com/a", content_digest="d1"),
        location(A, 100, "candidate", url="https://example.com/b", content_digest="d2"),
        location(A, 200, "filtered", url="https://example.com/c", reason="filtered:too_short"),
        location(A, 300, "error", reason="error:truncated_record"),
        location(A, 400, "candidate", url="https://other.org/x", language="de"),
        location(B, 0, "candidate", doc_id="doc-6", content_digest="d1", language="fr"),
    ]
    locations[0]["language"] = "en"
    outcomes = [
        outcome(rid(A, 0), "kept", shard=SHARD),
        outcome(
            rid(A, 100),
            "duplicate",
            reason="duplicate:near",
            duplicate_of=rid(A, 0),
            similarity=0.85,
        ),
        outcome(rid(B, 0), "kept", shard=SHARD),
    ]
    files = [file_row(A, 5), file_row(B, 1)]
    return write_run(root, run_id, locations, outcomes, files)


def load(store: MetadataStore, run_dir: Path, run_id: str = "run-1") -> RunSummary:
    return store.load_run(run_id, run_dir, T0, T1, ["crawlsift", "--input", "x"], {"read": 6})


@pytest.fixture
def loaded(tmp_path):
    store = MetadataStore.open(tmp_path / "metadata.duckdb")
    load(store, sample_run(tmp_path))
    yield store
    store.close()


def test_load_run_summary_and_accounting(tmp_path):
    with MetadataStore.open(tmp_path / "m.duckdb") as store:
        summary = load(store, sample_run(tmp_path))
        assert summary == RunSummary(
            run_id="run-1",
            records_in=6,
            kept=2,
            filtered=1,
            duplicate=1,
            error=2,
            files=2,
            lost_in_dedup=1,
            orphan_outcomes=0,
            replaced=0,
        )
        assert summary.balanced
        expected = Accounting(6, 2, 1, 1, 2, non_final=0, balanced=True)
        assert store.accounting() == expected
        assert store.accounting("run-1") == expected


def test_load_run_exact_rows(loaded):
    rows = loaded.locate(A)
    assert [r["source_offset"] for r in rows] == [0, 100, 200, 300, 400]
    assert rows[0] == {
        "record_id": rid(A, 0),
        "doc_id": None,
        "url": "https://example.com/a",
        "source_uri": A,
        "source_offset": 0,
        "source_length": 100,
        "content_digest": "d1",
        "fetch_time": None,
        "mime_type": None,
        "size": 1000,
        "language": "en",
        "status": "kept",
        "reason": None,
        "duplicate_of": None,
        "similarity": None,
        "shard": SHARD,
        "run_id": "run-1",
        "batch_id": "batch-0",
    }
    dup = rows[1]
    assert (dup["status"], dup["reason"]) == ("duplicate", "duplicate:near")
    assert (dup["duplicate_of"], dup["similarity"], dup["shard"]) == (rid(A, 0), 0.85, None)
    assert [(r["status"], r["reason"]) for r in rows[2:]] == [
        ("filtered", "filtered:too_short"),
        ("error", "error:truncated_record"),
        ("error", "error:lost_in_dedup"),
    ]


def test_candidate_without_outcome_is_lost_in_dedup(tmp_path):
    run_dir = write_run(tmp_path, "r", [location(A, 0, "candidate")], [], [file_row(A, 1)])
    with MetadataStore.open(tmp_path / "m.duckdb") as store:
        summary = load(store, run_dir, "r")
        assert (summary.error, summary.lost_in_dedup, summary.balanced) == (1, 1, True)
        assert store.failed() == [
            {
                "record_id": rid(A, 0),
                "source_uri": A,
                "source_offset": 0,
                "source_length": 100,
                "url": None,
                "reason": "error:lost_in_dedup",
                "run_id": "r",
            }
        ]


@pytest.mark.parametrize(
    ("key", "offsets"),
    [
        ("https://example.com/b", [(A, 100)]),  # url
        (B, [(B, 0)]),  # source_uri
        (rid(A, 200), [(A, 200)]),  # record_id
        ("d1", [(A, 0), (B, 0)]),  # content_digest: every record with that content
        ("doc-6", [(B, 0)]),  # doc_id
        ("https://nowhere.example/", []),
    ],
)
def test_locate_by_each_key_kind(loaded, key, offsets):
    assert [(r["source_uri"], r["source_offset"]) for r in loaded.locate(key)] == offsets


def test_locate_prefix(loaded):
    urls = [r["url"] for r in loaded.locate_prefix("https://example.com/")]
    assert urls == ["https://example.com/a", "https://example.com/b", "https://example.com/c"]
    assert len(loaded.locate_prefix("https://example.com/", limit=2)) == 2
    assert [r["record_id"] for r in loaded.locate_prefix("/data/b")] == [rid(B, 0)]
    assert len(loaded.locate_prefix("/data/", limit=None)) == 6


def test_stats_runs_and_failed(loaded):
    stats = loaded.stats()
    assert stats == {
        "records": 6,
        "by_status": {"error": 2, "kept": 2, "duplicate": 1, "filtered": 1},
        "by_reason": {
            "(none)": 2,
            "duplicate:near": 1,
            "error:lost_in_dedup": 1,
            "error:truncated_record": 1,
            "filtered:too_short": 1,
        },
        "kept_by_language": {"en": 1, "fr": 1},
        "files": 2,
        "files_with_error": 0,
        "runs": 1,
        "layers": 1,
    }
    (run,) = loaded.runs()
    assert run["argv"] == ["crawlsift", "--input", "x"]
    assert run["counters"] == {"read": 6}
    assert run["started_at"] == datetime(2024, 5, 1, 12, 0)  # stored as naive UTC
    assert (run["records_in"], run["kept"], run["error"], run["balanced"]) == (6, 2, 2, True)
    assert [r["reason"] for r in loaded.failed()] == [
        "error:truncated_record",
        "error:lost_in_dedup",
    ]
    assert len(loaded.failed(limit=1)) == 1


def test_a_file_read_again_replaces_all_its_earlier_rows(loaded, tmp_path):
    """Run 2 reads file A again (it changed: one record now): every run-1 row of A is replaced,
    also those at offsets A no longer has; B's row stays."""
    later = write_run(
        tmp_path,
        "run-2",
        [location(A, 200, "candidate", url="https://example.com/c")],
        [outcome(rid(A, 200), "kept", shard=SHARD)],
        [file_row(A, 1)],
    )
    summary = loaded.load_run("run-2", later, T1, T1 + timedelta(minutes=1), [], {})
    assert (summary.records_in, summary.kept, summary.replaced) == (1, 1, 1)
    (row,) = loaded.locate(rid(A, 200))
    assert (row["status"], row["run_id"]) == ("kept", "run-2")
    assert [r["source_offset"] for r in loaded.locate(A)] == [200]
    assert loaded.accounting().records_in == 2
    assert loaded.accounting().balanced
    assert loaded.accounting("run-1").records_in == 1
    assert [r["run_id"] for r in loaded.runs()] == ["run-1", "run-2"]


def test_a_file_read_again_with_no_records_left_retires_its_earlier_rows(loaded, tmp_path):
    """Run 2 reads file A again and finds nothing in it (it was emptied): A's run-1 rows are no
    longer live, in lookups and in ``records``, though run 2 wrote no row at all."""
    later = write_run(tmp_path, "run-2", [], [], [file_row(A, 0)])
    summary = loaded.load_run("run-2", later, T1, T1 + timedelta(minutes=1), [], {})
    assert (summary.records_in, summary.files) == (0, 1)
    assert loaded.locate(A) == []
    assert loaded.locate(rid(A, 0)) == []
    assert {r["source_uri"] for r in loaded.locate_prefix("/data/")} == {B}
    assert loaded.accounting().records_in == 1  # B's record; the ``records`` view agrees


def test_an_emptied_file_retires_its_rows_after_a_compaction_too(loaded, tmp_path):
    """A compacted layer (no run of its own) then an empty layer: the view and lookups agree."""
    other = write_run(tmp_path, "run-2", [location(C, 0, "filtered")], [], [file_row(C, 1)])
    loaded.load_run("run-2", other, T1, T1 + timedelta(minutes=1), [], {})
    loaded.compact()
    emptied = write_run(tmp_path, "run-3", [], [], [file_row(A, 0)])
    loaded.load_run("run-3", emptied, T1, T1 + timedelta(minutes=2), [], {})
    assert loaded.locate(A) == []
    assert loaded.accounting().records_in == 2  # B's and C's records; the view agrees


def test_reloading_a_run_replaces_it(loaded, tmp_path):
    summary = load(loaded, tmp_path / "store" / "runs" / "run-1")
    assert (summary.records_in, summary.replaced) == (6, 0)
    assert loaded.accounting().records_in == 6
    assert len(loaded.runs()) == 1


def test_conflicting_parts_are_refused_and_nothing_is_loaded(tmp_path):
    run_dir = write_run(
        tmp_path, "r", [location(A, 0, "filtered"), location(A, 0, "error")], [], []
    )
    with MetadataStore.open(tmp_path / "m.duckdb") as store:
        with pytest.raises(StoreError, match="2 different rows for record_id"):
            load(store, run_dir, "r")
        assert store.runs() == []
        assert store.accounting().records_in == 0


def test_identical_rows_from_a_retried_bundle_count_once(tmp_path):
    run_dir = write_run(tmp_path, "r", [location(A, 0, "filtered")] * 2, [], [file_row(A, 1)])
    with MetadataStore.open(tmp_path / "m.duckdb") as store:
        assert load(store, run_dir, "r").records_in == 1


def test_orphan_outcomes_and_non_final_status_are_reported(tmp_path):
    run_dir = write_run(
        tmp_path,
        "r",
        [location(A, 0, "bogus")],
        [outcome("no-such-record", "kept")],
        [],
    )
    with MetadataStore.open(tmp_path / "m.duckdb") as store:
        summary = load(store, run_dir, "r")
        assert (summary.orphan_outcomes, summary.balanced) == (1, False)
        assert store.accounting() == Accounting(1, 0, 0, 0, 0, non_final=1, balanced=False)


def test_empty_run_and_missing_parts_dir(tmp_path):
    with MetadataStore.open(tmp_path / "m.duckdb") as store:
        assert load(store, write_run(tmp_path, "empty"), "empty").records_in == 0
        with pytest.raises(StoreError, match="is not a directory"):
            load(store, tmp_path / "nope", "nope")
        with pytest.raises(StoreError, match="no run 'missing'"):
            store.accounting("missing")


def test_a_store_path_with_a_glob_character_is_refused(tmp_path):
    with pytest.raises(StoreError, match="glob character"):
        MetadataStore.open(tmp_path / "out[2024]" / "metadata.duckdb")
    assert not (tmp_path / "out[2024]").exists()


def test_shards_in_use_are_those_holding_kept_documents(loaded):
    assert loaded.shards_in_use([SHARD, "data/language=xx/part-gone-00000.parquet"]) == {SHARD}
    assert loaded.shards_in_use([]) == set()
    assert loaded.kept_shards_of(["/data/a.warc.gz"]) == {SHARD}
