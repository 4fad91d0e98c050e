"""--index_only end to end: the real CLI on DirectRunner (multi_processing, 2 workers).

A small tree of pages (plain, gzipped, one broken), a JSONL file and, when ../shared/data is
there, real WARCs (one cut short): indexed, looked up in the store, rerun (nothing to do), then
processed by a full run into the same output, whose rows supersede the indexed ones.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bench.index_tree import page
from metadata_store import MetadataStore
from pipelines.crawl_to_shards import parse_args
from pipelines.index_only import INDEX_FILES_PER_BATCH, build_index_graph
from tests.beam_local import local_pipeline
from tests.conftest import SHARED_DATA
from tests.invariants import assert_run_accounted, store_records
from tests.pipelines.test_crawl_to_shards import LOCAL_BEAM, run_cli
from transforms.batched_listing import Keep
from transforms.layout import OutputLayout
from transforms.readers import read_records
from transforms.records import InputFile, make_record_id, sha1_hex

WARCS = (
    "warc-warcio-edge-cases/example.warc.gz",
    "warc-ukwa-webarchive-test-suite/IAH-20080430204825-00000-blackbook-truncated.warc.gz",
)
JSONL = [
    {"id": "j-1", "url": "https://jsonl.example/one", "text": "A line of text with an id."},
    {"text": "A line without url or id."},
]


def test_index_only_flag_and_its_batch_size():
    base = ["--input", "tree/*.html", "--output", "out"]
    _, settings = parse_args([*base, "--index_only"])
    assert (settings.index_only, settings.files_per_batch) == (True, INDEX_FILES_PER_BATCH)
    _, settings = parse_args([*base, "--index_only", "--files_per_batch=10"])
    assert settings.files_per_batch == 10
    _, settings = parse_args(base)
    assert (settings.index_only, settings.files_per_batch) == (False, 64)


def build_tree(root: Path) -> dict[str, object]:
    """Pages in three directories, a JSONL file, real WARCs if present; what to expect of it."""
    for i in range(24):
        directory = root / f"d{i % 3}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"p{i:02d}.html").write_bytes(page(i))
    (root / "d0" / "z.html.gz").write_bytes(gzip.compress(page(99), mtime=0))
    (root / "d1" / "broken.html.gz").write_bytes(gzip.compress(page(98), mtime=0)[:-20])
    (root / "d2" / "notes.txt").write_text("not an input")
    (root / "j").mkdir()
    (root / "j" / "lines.jsonl").write_text("".join(json.dumps(x) + "\n" for x in JSONL))
    warc_records = []
    if SHARED_DATA.is_dir():
        (root / "w").mkdir()
        for name in WARCS:
            shutil.copy(SHARED_DATA / name, root / "w" / Path(name).name)
        data = (SHARED_DATA / WARCS[0]).read_bytes()
        (root / "w" / "cut.warc.gz").write_bytes(data[: len(data) - 300])  # a record cut short
        for path in sorted((root / "w").iterdir()):
            data = path.read_bytes()
            warc_records += read_records(InputFile(str(path), len(data)), io.BytesIO(data))
    return {"pages": 25, "errors": 1, "jsonl": len(JSONL), "warc": warc_records}


@pytest.fixture(scope="module")
def indexed_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("index")
    expected = build_tree(root / "tree")
    output = root / "out"
    args = ["--input", str(root / "tree" / "**"), "--output", str(output), *LOCAL_BEAM]
    result = run_cli(*args, "--index_only")
    assert result.returncode == 0, result.stdout + result.stderr
    return root, output, args, expected, result


def test_every_record_is_indexed_or_an_error(indexed_run):
    _, output, _, expected, result = indexed_run
    summary = assert_run_accounted(output)
    warc = expected["warc"]
    warc_errors = sum(1 for r in warc if (r.problem or "").startswith("error:"))
    assert summary["records_in"] == expected["pages"] + 1 + expected["jsonl"] + len(warc)
    assert summary["error"] == expected["errors"] + warc_errors
    assert summary["indexed"] == summary["records_in"] - summary["error"]
    assert summary["kept"] == summary["filtered"] == summary["duplicate"] == 0
    assert summary["mode"] == "index" and summary["shards"] == 0
    assert f"+ indexed {summary['indexed']}" in result.stdout
    assert not (output / "data").exists() or not list((output / "data").rglob("*.parquet"))
    assert "Traceback" not in result.stderr


def test_store_finds_records_by_path_digest_and_url(indexed_run):
    root, output, _, expected, _ = indexed_run
    tree = root / "tree"
    with MetadataStore.open(output / "metadata.duckdb", read_only=True) as store:
        (row,) = store.locate(str(tree / "d1" / "p04.html"))
        assert (row["status"], row["source_offset"], row["content_digest"]) == (
            "indexed",
            0,
            sha1_hex(page(4)),
        )
        assert row["source_length"] == len(page(4)) and row["mime_type"] == "text/html"
        (row,) = store.locate(sha1_hex(page(99)))  # the gzipped page: digest of its HTML
        assert row["source_uri"] == str(tree / "d0" / "z.html.gz")
        (row,) = store.locate(str(tree / "d1" / "broken.html.gz"))
        assert (row["status"], row["reason"]) == ("error", "error:bad_gzip")
        (row,) = store.locate("https://jsonl.example/one")
        assert (row["doc_id"], row["status"]) == ("j-1", "indexed")
        records = {r["record_id"]: r for r in store_records(output)}
        for raw in expected["warc"]:  # each WARC record where the full reader puts it
            stored = records[raw.record_id]
            assert (stored["source_offset"], stored["source_length"], stored["url"]) == (
                raw.source_offset,
                raw.source_length,
                raw.url,
            )
            assert stored["status"] == (
                "error" if (raw.problem or "").startswith("error:") else "indexed"
            )
            if raw.url and stored["status"] == "indexed" and raw.content_digest:
                assert raw.record_id in {r["record_id"] for r in store.locate(raw.url)}
                assert stored["content_digest"] == raw.content_digest


def test_rerun_indexes_nothing_then_a_full_run_processes_and_supersedes(indexed_run):
    root, output, args, _, _ = indexed_run
    before = {r["record_id"]: r for r in store_records(output)}
    again = run_cli(*args, "--index_only")
    assert again.returncode == 0, again.stdout + again.stderr
    summary = assert_run_accounted(output)
    assert summary["records_in"] == 0
    assert summary["counters"]["listing:files_already_committed"] == len(
        {r["source_uri"] for r in before.values()}
    )
    full = run_cli(*args)  # a full run does not skip files only an index run committed
    assert full.returncode == 0, full.stdout + full.stderr
    summary = assert_run_accounted(output)
    assert summary["mode"] == "full" and summary["records_in"] == len(before)
    after = {r["record_id"]: r for r in store_records(output)}
    assert set(after) == set(before)  # the same records (ids), now decided by the full run
    assert "indexed" not in {r["status"] for r in after.values()}
    assert {r["run_id"] for r in after.values()} == {summary["run_id"]}
    assert summary["kept"] > 0
    page_id = make_record_id(str(root / "tree" / "d1" / "p04.html"), 0)
    assert after[page_id]["content_digest"] == before[page_id]["content_digest"]
    with MetadataStore.open(output / "metadata.duckdb", read_only=True) as store:
        assert [r["mode"] for r in store.runs()] == ["index", "index", "full"]
        assert store.accounting().balanced


def test_index_reprocess_over_extracted_documents_is_refused(indexed_run):
    """After the full run above: re-indexing everything would take its documents out of data/
    while later full runs skip the unchanged files, so it is refused with one line."""
    _, output, args, _, _ = indexed_run
    with MetadataStore.open(output / "metadata.duckdb", read_only=True) as store:
        runs_before = len(store.runs())
    refused = run_cli(*args, "--index_only", "--reprocess")
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: --index_only --reprocess would replace")
    assert "Traceback" not in refused.stderr
    with MetadataStore.open(output / "metadata.duckdb", read_only=True) as store:
        assert len(store.runs()) == runs_before


def test_every_file_is_indexed_once_whether_kept_where_listed_or_spread(tmp_path):
    for name, n in (("small", 3), ("large", 7)):
        (tmp_path / "tree" / name).mkdir(parents=True)
        for i in range(n):
            (tmp_path / "tree" / name / f"{i}.html").write_bytes(page(i))
    pattern, output = str(tmp_path / "tree" / "**" / "*.html"), str(tmp_path / "out")
    args = ["--input", pattern, "--output", output, "--index_only", "--files_per_batch", "2"]
    _, settings = parse_args(args)
    layout = OutputLayout(settings.output, "run")
    with local_pipeline() as p:  # "small" (3 files) is kept where listed, "large" (7) spread
        build_index_graph(p, settings, layout, keep=Keep(files=5, bytes=1 << 20))
    parts = sorted(Path(layout.run_parts_dir, "locations").glob("*.parquet"))
    assert len(parts) == 2 + 4  # batches of 2, 1 and of 2, 2, 2, 1 files
    indexed = [r["source_uri"] for part in parts for r in pq.read_table(part).to_pylist()]
    assert sorted(indexed) == sorted(str(f) for f in (tmp_path / "tree").rglob("*.html"))
