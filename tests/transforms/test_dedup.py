"""Deduplication: the pure bucket logic and the Beam composite on the direct runner."""

from __future__ import annotations

import random
import time
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.dedup import (
    Deduplicate,
    compared_pairs,
    confirm_bucket,
    pick_removal,
    resolve_exact_group,
)
from transforms.minhash import (
    MinHasher,
    band_keys,
    estimate_jaccard,
    exact_key,
    lsh_params,
    shingles,
    signature_bytes,
)
from transforms.records import DedupCandidate, Removal, make_record_id

REPO = Path(__file__).resolve().parents[2]
PARAMS = lsh_params(0.8)
HASHER = MinHasher()

EXACT = "duplicate:exact"


def random_words(seed: int, n: int = 200) -> list[str]:
    rng = random.Random(seed)
    return [f"w{rng.randrange(5000)}" for _ in range(n)]


def edit(words: list[str], *positions: int) -> str:
    changed = list(words)
    for p in positions:
        changed[p] = "edited"
    return " ".join(changed)


def candidate(record_id: str, text: str, part: str = "part-0") -> DedupCandidate:
    sig = HASHER.signature(shingles(text, "en"))
    return DedupCandidate(
        record_id, part, exact_key(text), band_keys(sig, PARAMS), signature_bytes(sig)
    )


def sig_of(values: list[int]) -> bytes:
    return b"".join(v.to_bytes(4, "little") for v in values)


# ---- pure logic -------------------------------------------------------------------------------


def test_resolve_exact_group_keeps_smallest_id():
    members = [candidate(rid, "same text", f"p-{rid}") for rid in ("c", "a", "b")]
    survivor, removals = resolve_exact_group(members)
    assert survivor.record_id == "a"
    assert removals == [Removal("c", "a", 1.0, "p-c", EXACT), Removal("b", "a", 1.0, "p-b", EXACT)]
    assert resolve_exact_group(members[:1]) == (members[0], [])


def test_confirm_bucket_all_pairs_and_threshold():
    members = [("b", "p1", sig_of([1, 2, 3, 4])), ("a", "p0", sig_of([1, 2, 3, 9]))]
    members.append(("c", "p2", sig_of([1, 2, 3, 4])))
    # b~a = 0.75, c~a = 0.75, c~b = 1.0
    assert confirm_bucket(members, threshold=0.7) == [
        Removal("b", "a", 0.75, "p1"),
        Removal("c", "a", 0.75, "p2"),
    ]
    assert confirm_bucket(members, threshold=0.8) == [Removal("c", "b", 1.0, "p2")]
    assert confirm_bucket(members[:1], threshold=0.8) == []


def test_confirm_bucket_chain():
    # a~b and b~c are confirmed, a~c is not: b is a duplicate of a, c of b.
    members = [
        ("a", "p", sig_of([1, 2, 3, 4, 5])),
        ("b", "p", sig_of([1, 2, 3, 4, 9])),
        ("c", "p", sig_of([1, 2, 3, 8, 9])),
    ]
    removals = confirm_bucket(members, threshold=0.8)
    assert removals == [Removal("b", "a", 0.8, "p"), Removal("c", "b", 0.8, "p")]


def test_confirm_large_bucket_is_bounded():
    n = 10_000
    same = sig_of(list(range(128)))
    members = [(f"r{i:05d}", "p", same) for i in reversed(range(n))]
    members[n // 2] = ("r09999x", "p", sig_of([7] * 128))  # unlike all others
    start = time.perf_counter()
    removals = confirm_bucket(members, threshold=0.8, max_bucket_pairs=50)
    assert time.perf_counter() - start < 5
    assert compared_pairs(n, max_bucket_pairs=50) <= 8 * n
    assert compared_pairs(50, max_bucket_pairs=50) == 50 * 49 // 2
    assert len(removals) == n - 2  # everything but the smallest id and the odd one out
    assert {r.duplicate_of for r in removals} == {"r00000"}


def test_pick_removal_is_order_independent():
    options = [
        Removal("x", "b", 0.9, "p"),
        Removal("x", "a", 0.8, "p"),
        Removal("x", "a", 0.85, "p"),
    ]
    assert pick_removal(options) == Removal("x", "a", 0.85, "p")
    assert pick_removal(reversed(options)) == Removal("x", "a", 0.85, "p")


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="dedup mode"):
        Deduplicate("fuzzy")
    with pytest.raises(ValueError, match="threshold"):
        Deduplicate("minhash", threshold=1.5)


# ---- the composite ----------------------------------------------------------------------------

BASE_A, BASE_B = random_words(1), random_words(2)
TEXTS = {
    "r1": " ".join(BASE_A),
    "r0": " ".join(BASE_A).upper() + "!",  # exact duplicate of r1 after normalisation
    "r3": edit(BASE_A, 50, 150),  # near duplicate of r1 / r0
    "r2": " ".join(BASE_B),
    "r5": edit(BASE_B, 100),  # near duplicate of r2
    "r6": " ".join(random_words(3)),  # unique
}
CANDIDATES = [candidate(rid, text, f"part-{rid}") for rid, text in sorted(TEXTS.items())]
BY_ID = {c.record_id: c for c in CANDIDATES}


def similarity(a: str, b: str) -> float:
    return estimate_jaccard(BY_ID[a].signature, BY_ID[b].signature)


def run(mode: str, candidates: list[DedupCandidate], expected: list[Removal]) -> None:
    with BeamTestPipeline() as p:
        removals = p | beam.Create(candidates) | Deduplicate(mode, threshold=0.8)
        assert_that(removals, equal_to(expected))


def test_exact_mode():
    run("exact", CANDIDATES, [Removal("r1", "r0", 1.0, "part-r1", EXACT)])


def test_minhash_mode():
    assert similarity("r0", "r3") >= 0.8 and similarity("r2", "r5") >= 0.8
    assert max(similarity("r0", "r2"), similarity("r2", "r6"), similarity("r0", "r6")) < 0.5
    expected = [
        Removal("r1", "r0", 1.0, "part-r1", EXACT),
        Removal("r3", "r0", similarity("r0", "r3"), "part-r3"),
        Removal("r5", "r2", similarity("r2", "r5"), "part-r5"),
    ]
    run("minhash", CANDIDATES, expected)


def test_none_mode():
    run("none", CANDIDATES, [])


def cluster_candidates() -> list[DedupCandidate]:
    """40 clusters of 5 near-duplicates (some also exact), shuffled."""
    out = []
    for cluster in range(40):
        words = random_words(100 + cluster, n=120)
        for member in range(5):
            text = " ".join(words) if member % 2 == 0 else edit(words, 10 * member)
            out.append(candidate(make_record_id("crawl.warc.gz", 1000 * cluster + member), text))
    random.Random(0).shuffle(out)
    return out


def run_to_lines(options: list[str], candidates: list[DedupCandidate], out: Path) -> list[str]:
    with beam.Pipeline(options=PipelineOptions(options)) as p:
        _ = (
            p
            | beam.Create(candidates)
            | Deduplicate("minhash", threshold=0.8)
            | beam.Map(repr)
            | beam.io.WriteToText(str(out))
        )
    return sorted(
        line for f in out.parent.glob(out.name + "*") for line in f.read_text().splitlines()
    )


def test_deterministic_across_worker_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # for the worker processes
    candidates = cluster_candidates()
    one = run_to_lines(
        ["--direct_num_workers=1", "--direct_running_mode=in_memory"], candidates, tmp_path / "one"
    )
    two = run_to_lines(
        ["--direct_num_workers=2", "--direct_running_mode=multi_processing"],
        list(reversed(candidates)),
        tmp_path / "two",
    )
    assert one == two
    assert len(one) == 40 * 4  # every cluster keeps exactly one member
