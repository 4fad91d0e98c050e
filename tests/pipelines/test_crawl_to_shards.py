"""End to end: the real CLI on DirectRunner (multi_processing, 2 workers), shards read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.demo import generate
from tests.invariants import assert_run_accounted, read_shards, store_records

REPO = Path(__file__).resolve().parents[2]
LOCAL_BEAM = [
    "--runner",
    "DirectRunner",
    "--direct_running_mode",
    "multi_processing",
    "--direct_num_workers",
    "2",
]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.crawl_to_shards", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    manifest = generate(root, pages=120, seed=7)
    output = root / "out"
    crawl = root / "crawl"
    result = run_cli(
        "--input",
        str(crawl / "warc" / "*.warc.gz"),
        "--input",
        str(crawl / "html" / "*.html"),
        "--input",
        str(crawl / "jsonl" / "*.jsonl"),
        "--output",
        str(output),
        *LOCAL_BEAM,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return manifest, output, result


def test_demo_every_record_accounted(demo_run):
    _, output, result = demo_run
    summary = assert_run_accounted(output)
    assert summary["kept"] > 0 and summary["duplicate"] > 0 and summary["error"] > 0
    assert "accounting OK" in result.stdout
    assert "Traceback" not in result.stderr


def test_demo_duplicates_removed_and_languages_tagged(demo_run):
    manifest, output, _ = demo_run
    records = {r["url"]: r for r in store_records(output) if r["url"]}
    for first, second in manifest.exact_duplicate_pairs:
        statuses = sorted([records[first]["status"], records[second]["status"]])
        assert statuses == ["duplicate", "kept"], (first, second)
    removed_near = 0
    for first, second in manifest.near_duplicate_pairs:
        statuses = sorted([records[first]["status"], records[second]["status"]])
        removed_near += statuses == ["duplicate", "kept"]
    assert removed_near >= 0.9 * len(manifest.near_duplicate_pairs)
    shards = read_shards(output)
    languages = {row["language"] for row in shards}
    assert languages >= set(manifest.languages) - {"und"}
    for row in shards:
        for marker in ("Accept all cookies", "Subscribe to our newsletter"):
            assert marker not in row["text"]


def test_shard_layout_and_schema(demo_run):
    _, output, _ = demo_run
    import pyarrow.dataset as ds

    dataset = ds.dataset(output / "data", format="parquet", partitioning="hive")
    names = set(dataset.schema.names)
    assert names >= {
        "id",
        "url",
        "text",
        "language",
        "language_score",
        "source_uri",
        "source_offset",
        "content_digest",
        "fetch_time",
        "n_words",
    }
    for path in (output / "data").glob("language=*/*.parquet"):
        assert path.name.startswith("part-")
    summary = json.loads((output / "summary.json").read_text())
    assert summary["shards"] == len(list((output / "data").glob("language=*/*.parquet")))


@pytest.mark.shared_data
def test_real_warcs_every_record_accounted(shared_data, tmp_path):
    output = tmp_path / "out"
    result = run_cli(
        "--input",
        str(shared_data / "warc-*" / "*.warc.gz"),
        "--input",
        str(shared_data / "warc-*" / "*.warc"),
        "--output",
        str(output),
        *LOCAL_BEAM,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = assert_run_accounted(output)
    records = store_records(output)
    urls = {r["url"] for r in records if r["url"]}
    assert not any(u.startswith("<") for u in urls), "wget's angle brackets must be stripped"
    assert summary["kept"] >= 40
    assert summary["duplicate"] >= 1  # repeated captures of allenai.org and archive.org
