"""End to end: incremental runs into one output. A rerun processes nothing, added files only
those, a changed file only itself (and its older copy leaves the shards), ``--reprocess`` all."""

from __future__ import annotations

import json
import os
from pathlib import Path
from random import Random

import duckdb
import pytest

from pipelines.demo import article_page, compose_article
from tests.invariants import assert_run_accounted, read_shards, store_records
from tests.pipelines.test_crawl_to_shards import LOCAL_BEAM, REPO, run_cli


def write_pages(directory: Path, names: list[str], seed: int) -> None:
    """Distinct English article pages (no two are near-duplicates)."""
    rng, taken = Random(seed), []
    directory.mkdir(parents=True, exist_ok=True)
    for number, name in enumerate(names):
        article = compose_article(rng, "en", taken, min_paragraphs=4)
        (directory / name).write_bytes(article_page(rng, article, site=number % 2))


def crawl(crawl_dir: Path, output: Path, *extra: str) -> dict:
    result = run_cli(
        "--input",
        str(crawl_dir / "*.html"),
        "--output",
        str(output),
        "--quiet",
        *LOCAL_BEAM,
        *extra,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return assert_run_accounted(output)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    crawl_dir, output = root / "crawl", root / "out"
    write_pages(crawl_dir, [f"page-{i:02d}.html" for i in range(8)], seed=1)
    return crawl_dir, output, crawl(crawl_dir, output)


def shard_sources(output: Path) -> list[str]:
    return sorted(row["source_uri"] for row in read_shards(output))


def test_a_rerun_processes_nothing(first_run):
    crawl_dir, output, summary = first_run
    assert summary["records_in"] == summary["kept"] == 8
    again = crawl(crawl_dir, output)
    assert again["records_in"] == 0
    assert again["counters"].get("listing:files_already_committed") == 8
    assert len(shard_sources(output)) == 8


def test_added_and_changed_files_are_the_only_ones_read(first_run):
    crawl_dir, output, _ = first_run
    write_pages(crawl_dir, ["page-new-a.html", "page-new-b.html"], seed=2)
    added = crawl(crawl_dir, output)
    assert (added["records_in"], added["kept"]) == (2, 2)

    changed = crawl_dir / "page-03.html"
    old_text = {r["source_uri"]: r["text"] for r in read_shards(output)}[str(changed)]
    write_pages(crawl_dir, ["page-03.html"], seed=3)  # other content, other length
    stat = changed.stat()
    os.utime(changed, (stat.st_atime, stat.st_mtime + 60))
    again = crawl(crawl_dir, output)
    assert again["records_in"] == 1
    sources = shard_sources(output)
    assert len(sources) == len(set(sources)) == 10  # the old copy left its shard
    texts = [r["text"] for r in read_shards(output) if r["source_uri"] == str(changed)]
    assert texts and texts[0] != old_text
    live = [r for r in store_records(output) if r["source_uri"] == str(changed)]
    assert len(live) == 1 and live[0]["run_id"] == again["run_id"]


def test_reprocess_after_adding_files_reads_all_and_publishes_each_once(first_run):
    crawl_dir, output, _ = first_run
    write_pages(crawl_dir, ["page-later.html"], seed=4)
    summary = crawl(crawl_dir, output, "--reprocess")
    pages = len(list(crawl_dir.glob("*.html")))
    assert summary["records_in"] == pages
    sources = shard_sources(output)
    assert len(sources) == len(set(sources)) == pages
    runs = json.loads((output / "summary.json").read_text())["run_id"]
    assert {r["run_id"] for r in store_records(output)} == {runs}
    # layers of 8, 2 and 1 records, then this run's: the driver merged all four into one
    with duckdb.connect(str(output / "metadata.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM index_layers").fetchall() == [(1,)]


def test_a_relative_input_names_the_same_files_as_an_absolute_one(first_run):
    """The runs so far used absolute patterns; the same files given relative to the working
    directory are the same files: nothing to read again."""
    crawl_dir, output, _ = first_run
    relative = os.path.relpath(crawl_dir, REPO)
    result = run_cli(
        "--input", f"{relative}/*.html", "--output", str(output), "--quiet", *LOCAL_BEAM
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = assert_run_accounted(output)
    assert summary["records_in"] == 0


def test_a_file_emptied_since_the_last_run_leaves_the_store_and_the_shards(tmp_path):
    """A JSONL file that now holds no line: the rerun reads it, finds no record, and its earlier
    documents are no longer live in the store nor published in ``data/``."""
    crawl_dir, output = tmp_path / "crawl", tmp_path / "out"
    crawl_dir.mkdir()
    rng, taken = Random(7), []
    lines = [
        json.dumps({"id": f"doc-{i}", "text": "\n\n".join(article_paragraphs(rng, taken))})
        for i in range(2)
    ]
    emptied, other = crawl_dir / "emptied.jsonl", crawl_dir / "other.jsonl"
    emptied.write_text(lines[0] + "\n")
    other.write_text(lines[1] + "\n")
    first = crawl_jsonl(crawl_dir, output)
    assert first["kept"] == 2

    emptied.write_text("")
    stat = emptied.stat()
    os.utime(emptied, (stat.st_atime, stat.st_mtime + 60))
    again = crawl_jsonl(crawl_dir, output)
    assert again["records_in"] == 0
    assert shard_sources(output) == [str(other)]
    assert [r["source_uri"] for r in store_records(output)] == [str(other)]


def article_paragraphs(rng: Random, taken: list) -> tuple[str, ...]:
    return compose_article(rng, "en", taken, min_paragraphs=4).paragraphs


def crawl_jsonl(crawl_dir: Path, output: Path) -> dict:
    result = run_cli(
        "--input", str(crawl_dir / "*.jsonl"), "--output", str(output), "--quiet", *LOCAL_BEAM
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return assert_run_accounted(output)
