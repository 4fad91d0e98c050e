"""Cross-run deduplication end to end (the real CLI, JSONL input, 2 worker processes): crawl A,
then crawl B into the same output, where B repeats some of A's pages exactly, has near-duplicate
variants of others and some new pages; then ``--reprocess`` of A alone."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.invariants import assert_run_accounted, read_shards, store_records
from transforms.minhash import MinHasher, estimate_jaccard, exact_key, shingles
from transforms.minhash import signature_bytes as to_bytes

REPO = Path(__file__).resolve().parents[2]
THRESHOLD = 0.8


def words(seed: int, n: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(10**6)}" for _ in range(n))


def substituted(text: str, every: int) -> str:
    out = text.split()
    for i in range(0, len(out), every):
        out[i] = f"x{i}"
    return " ".join(out)


A = {f"a-{i}": words(i) for i in range(6)}
B = {
    "b-same-0": A["a-0"],  # the same page again
    "b-same-1": A["a-1"].upper() + " !",  # the same after normalisation
    "b-near-2": substituted(A["a-2"], 100),  # near-duplicate variants
    "b-near-3": substituted(A["a-3"], 150),
    "b-new-0": words(100),  # new pages, one of them twice (near) within B
    "b-new-0-variant": substituted(words(100), 120),
    "b-new-1": words(101),
}
REPEATS = {"b-same-0": "a-0", "b-same-1": "a-1", "b-near-2": "a-2", "b-near-3": "a-3"}


def write_crawl(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    rows = [json.dumps({"id": doc, "text": text}) for doc, text in docs.items()]
    for i in range(2):  # two files, so that both workers get some
        (folder / f"part-{i}.jsonl").write_text("\n".join(rows[i::2]) + "\n")
    return folder


def crawl(inputs: Path, output: Path, *extra: str) -> dict:
    cmd = [sys.executable, "-m", "pipelines.crawl_to_shards", "--input", f"{inputs}/*.jsonl"]
    cmd += ["--output", str(output), "--files_per_batch", "1", "--quiet", *extra]
    cmd += ["--direct_num_workers", "2", "--direct_running_mode", "multi_processing"]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return assert_run_accounted(output)


def by_doc(output: Path) -> dict[str, dict]:
    return {r["doc_id"]: r for r in store_records(output)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path, dict, dict]:
    root = tmp_path_factory.mktemp("cross-run")
    crawl_a, crawl_b = write_crawl(root / "a", A), write_crawl(root / "b", B)
    output = root / "out"
    first = crawl(crawl_a, output)
    first_records = by_doc(output)
    second = crawl(crawl_b, output)
    return crawl_a, output, {"first": first, "second": second}, first_records


def test_first_crawl_keeps_every_page(runs):
    _, _, summaries, first_records = runs
    assert summaries["first"]["kept"] == len(A)
    assert {doc for doc, r in first_records.items() if r["status"] == "kept"} == set(A)


def test_second_crawl_adds_no_duplicate_of_the_first(runs):
    _, output, summaries, first_records = runs
    second = summaries["second"]
    assert (second["records_in"], second["kept"], second["duplicate"]) == (len(B), 2, 5)
    assert second["counters"]["dedup:duplicates_of_earlier_runs"] == len(REPEATS)
    records = by_doc(output)
    for doc, original in REPEATS.items():
        r = records[doc]
        assert r["status"] == "duplicate" and r["run_id"] == second["run_id"], r
        assert r["duplicate_of"] == first_records[original]["record_id"]
        assert records[original]["status"] == "kept"
        assert records[original]["run_id"] == summaries["first"]["run_id"]
        exact = doc.startswith("b-same")
        assert r["reason"] == ("duplicate:exact" if exact else "duplicate:near")
        assert (r["similarity"] == 1.0) if exact else (THRESHOLD <= r["similarity"] < 1.0)
    # within the second crawl, deduplication is as before
    pair = [records["b-new-0"], records["b-new-0-variant"]]
    assert sorted(r["status"] for r in pair) == ["duplicate", "kept"]
    assert records["b-new-1"]["status"] == "kept"


def test_shards_hold_no_two_similar_documents(runs):
    _, output, _, _ = runs
    rows, hasher = read_shards(output), MinHasher()
    assert sorted(row["id"] for row in rows) == sorted([*A, "b-new-1", *_kept_new(output)])
    signatures = {
        row["id"]: to_bytes(hasher.signature(shingles(row["text"], "en"))) for row in rows
    }
    keys = {exact_key(row["text"]) for row in rows}
    assert len(keys) == len(rows)
    ids = sorted(signatures)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert estimate_jaccard(signatures[a], signatures[b]) < THRESHOLD, (a, b)


def _kept_new(output: Path) -> list[str]:
    records = by_doc(output)
    return [d for d in ("b-new-0", "b-new-0-variant") if records[d]["status"] == "kept"]


def test_reprocess_of_the_first_crawl_keeps_the_same_documents(runs):
    crawl_a, output, _, first_records = runs
    before = by_doc(output)
    again = crawl(crawl_a, output, "--reprocess")
    assert (again["records_in"], again["kept"], again["duplicate"]) == (len(A), len(A), 0)
    after = by_doc(output)
    for doc in A:  # decided again, kept again: never a duplicate of its own earlier version
        assert after[doc]["status"] == "kept" and after[doc]["run_id"] == again["run_id"]
        assert after[doc]["record_id"] == first_records[doc]["record_id"]
    for doc in B:  # the second crawl's decisions stand, and still point at kept documents
        assert {k: after[doc][k] for k in ("status", "duplicate_of", "run_id")} == {
            k: before[doc][k] for k in ("status", "duplicate_of", "run_id")
        }
