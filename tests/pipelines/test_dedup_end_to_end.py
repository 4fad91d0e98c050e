"""Near-duplicate removal end to end (the real CLI, JSONL input, 2 worker processes) on a corpus
whose exact Jaccard similarities are known: survivors, ``duplicate_of`` and ``locate``."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import pytest

from bench.dedup_corpus import jaccard
from tests.invariants import assert_run_accounted, store_records
from transforms.minhash import MinHasher, band_keys, estimate_jaccard, lsh_params, shingles
from transforms.minhash import signature_bytes as to_bytes

REPO = Path(__file__).resolve().parents[2]
THRESHOLD = 0.8


def words(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [f"w{rng.randrange(10**6)}" for _ in range(n)]


def substituted(text: str, every: int) -> str:
    out = text.split()
    for i in range(0, len(out), every):
        out[i] = f"x{i}"
    return " ".join(out)


def corpus() -> dict[str, tuple[str, str]]:
    """doc id -> (text, language). Every pair is far from the threshold, or checked below."""
    segments = [" ".join(words(1000 + s, 12)) for s in range(29)]
    docs = {f"chain-{k}": (" ".join(segments[2 * k : 2 * k + 25]), "en") for k in range(3)}
    base = " ".join(words(1, 300))
    docs |= {"copy-a": (base, "en"), "copy-b": (base.upper() + " !", "en")}  # exact duplicates
    docs |= {"copy-c": (substituted(base, 150), "en"), "copy-d": (substituted(base, 100), "en")}
    docs |= {"far-c": (substituted(base, 12), "en")}  # J ~ 0.5 with the rest: a different doc
    rng = random.Random(7)
    han = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(400))
    docs |= {"zh-a": (han, "zh"), "zh-b": (han[:200] + "的" + han[201:], "zh")}
    docs |= {f"solo-{i}": (" ".join(words(50 + i, 200)), "en") for i in range(4)}
    return docs


def reference(docs: dict, record_ids: dict[str, str]) -> tuple[set[str], dict[str, set[str]]]:
    """Survivors by the documented rule on the exact-Jaccard graph, and each doc's partners."""
    sets = {doc: frozenset(shingles(text, lang)) for doc, (text, lang) in docs.items()}
    partners: dict[str, set[str]] = {doc: set() for doc in docs}
    for a, b in combinations(docs, 2):
        if jaccard(sets[a], sets[b]) >= THRESHOLD:
            partners[a].add(b)
            partners[b].add(a)
    kept: set[str] = set()
    for doc in sorted(docs, key=record_ids.get):
        if not partners[doc] & kept:
            kept.add(doc)
    return kept, partners


def test_corpus_is_unambiguous():
    """The corpus's pairs are on the same side of the threshold exactly and estimated, and the
    similar ones share an LSH bucket, so the pipeline's answer is the reference's."""
    docs, hasher, params = corpus(), MinHasher(), lsh_params(THRESHOLD)
    sigs = {doc: hasher.signature(shingles(text, lang)) for doc, (text, lang) in docs.items()}
    sets = {doc: frozenset(shingles(text, lang)) for doc, (text, lang) in docs.items()}
    exact = {(a, b): jaccard(sets[a], sets[b]) for a, b in combinations(docs, 2)}
    assert 0.84 < exact["chain-0", "chain-1"] < 0.87 and 0.7 < exact["chain-0", "chain-2"] < 0.75
    assert exact["copy-a", "copy-b"] == 1.0 and exact["copy-a", "far-c"] < 0.6
    assert exact["zh-a", "zh-b"] > 0.95 and len(sets["zh-a"]) == 396  # character 5-grams
    for (a, b), j in exact.items():
        estimate = estimate_jaccard(to_bytes(sigs[a]), to_bytes(sigs[b]))
        assert (j >= THRESHOLD) == (estimate >= THRESHOLD), (a, b, j, estimate)
        if j >= THRESHOLD:
            assert set(band_keys(sigs[a], params)) & set(band_keys(sigs[b], params)), (a, b)


def run_pipeline(inputs: Path, output: Path, workers: int) -> Path:
    cmd = [sys.executable, "-m", "pipelines.crawl_to_shards", "--input", f"{inputs}/*.jsonl"]
    cmd += ["--output", str(output), "--min_words", "0", "--files_per_batch", "1"]
    cmd += ["--direct_num_workers", str(workers), "--direct_running_mode", "multi_processing"]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dedup") / "in"
    folder.mkdir()
    rows = [json.dumps({"id": doc, "text": text}) for doc, (text, _) in corpus().items()]
    for i in range(3):  # three files, so that both workers get some
        (folder / f"part-{i}.jsonl").write_text("\n".join(rows[i::3]) + "\n")
    return folder


@pytest.fixture(scope="module")
def two_workers(inputs) -> Path:
    return run_pipeline(inputs, inputs.parent / "out-2", workers=2)


def outcomes(output: Path) -> dict[str, dict]:
    return {r["doc_id"]: r for r in store_records(output)}


def test_survivors_and_duplicate_of(two_workers):
    assert_run_accounted(two_workers)
    docs, records = corpus(), outcomes(two_workers)
    kept, partners = reference(docs, {doc: r["record_id"] for doc, r in records.items()})
    assert {doc for doc, r in records.items() if r["status"] == "kept"} == kept
    by_record = {r["record_id"]: doc for doc, r in records.items()}
    hasher = MinHasher()
    for doc, r in records.items():
        if r["status"] != "duplicate":
            assert r["duplicate_of"] is None
            continue
        target = by_record[r["duplicate_of"]]
        assert target in kept and target in partners[doc], (doc, target)
        (text, lang), (other, other_lang) = docs[doc], docs[target]
        estimate = estimate_jaccard(
            to_bytes(hasher.signature(shingles(text, lang))),
            to_bytes(hasher.signature(shingles(other, other_lang))),
        )
        assert r["similarity"] == pytest.approx(estimate)
        assert r["reason"] == ("duplicate:exact" if estimate == 1.0 else "duplicate:near")


def test_locate_explains_a_removal(two_workers):
    records = outcomes(two_workers)
    removed = next(r for r in records.values() if r["status"] == "duplicate")
    cmd = [sys.executable, "-m", "metadata_store", "locate", "--json"]
    cmd += ["--store", str(two_workers / "metadata.duckdb"), removed["record_id"]]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["duplicate_of"] == removed["duplicate_of"]
    assert row["similarity"] == pytest.approx(removed["similarity"], abs=1e-6)


@pytest.mark.slow
def test_same_survivors_with_one_worker(inputs, two_workers):
    one = run_pipeline(inputs, inputs.parent / "out-1", workers=1)
    assert {d: r["status"] for d, r in outcomes(one).items()} == {
        d: r["status"] for d, r in outcomes(two_workers).items()
    }
    assert {d: r["duplicate_of"] for d, r in outcomes(one).items()} == {
        d: r["duplicate_of"] for d, r in outcomes(two_workers).items()
    }
