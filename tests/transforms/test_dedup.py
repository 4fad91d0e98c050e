"""Deduplication: the pure bucket and survivor logic, and the Beam composite (direct runner)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to

from bench.dedup_corpus import templated_docs
from tests.beam_local import local_pipeline
from transforms.dedup import (
    PENDING,
    REMOVED,
    Deduplicate,
    MergeEdgesFn,
    bucket_edges,
    compared_pairs,
    decide,
    remap_exact,
    resolve_exact_group,
    start,
    step,
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
PARAMS, HASHER, EXACT = lsh_params(0.8), MinHasher(), "duplicate:exact"


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


def handmade(rid: str, values: list[int]) -> DedupCandidate:
    """A candidate in one shared bucket with a chosen signature (similarity = equal values)."""
    return DedupCandidate(rid, f"p-{rid}", rid.encode(), (b"bucket",), sig_of(values))


# ---- pure logic -------------------------------------------------------------------------------


def test_resolve_exact_group_keeps_smallest_id():
    members = [candidate(rid, "same text", f"p-{rid}") for rid in ("c", "a", "b")]
    survivor, removals = resolve_exact_group(members)
    assert survivor.record_id == "a"
    assert removals == [Removal("c", "a", 1.0, "p-c", EXACT), Removal("b", "a", 1.0, "p-b", EXACT)]
    assert resolve_exact_group(members[:1]) == (members[0], [])


def test_bucket_edges_all_pairs_and_threshold():
    members = [("b", "p1", sig_of([1, 2, 3, 4])), ("a", "p0", sig_of([1, 2, 3, 9]))]
    members.append(("c", "p2", sig_of([1, 2, 3, 4])))
    # b~a = 0.75, c~a = 0.75, c~b = 1.0: every pair is found, from the larger id to the smaller
    assert sorted(bucket_edges(members, threshold=0.7)) == [
        ("b", "p1", "a", "p0", 0.75),
        ("c", "p2", "a", "p0", 0.75),
        ("c", "p2", "b", "p1", 1.0),
    ]
    assert list(bucket_edges(members, threshold=0.8)) == [("c", "p2", "b", "p1", 1.0)]
    assert list(bucket_edges(members[:1], threshold=0.8)) == []


def test_large_bucket_is_linear_and_streamed():
    n, same = 10_000, sig_of(list(range(128)))
    members = [(f"r{i:05d}", "p", same) for i in reversed(range(n))]
    members[n // 2] = ("r09999x", "p", sig_of([7] * 128))  # unlike all others
    began = time.perf_counter()
    edges = list(bucket_edges(members, threshold=0.8, max_bucket_pairs=50))
    assert time.perf_counter() - began < 5
    assert compared_pairs(n, max_bucket_pairs=50) <= 8 * n
    assert compared_pairs(50, max_bucket_pairs=50) == 50 * 49 // 2
    # every member but the smallest id and the odd one: one edge, to the smallest id
    assert sorted(e[0] for e in edges) == [f"r{i:05d}" for i in range(1, n) if i != n // 2 - 1]
    assert {e[2] for e in edges} == {"r00000"}


def merge_edges(*lists: list) -> tuple:
    """MergeEdgesFn as a runner uses it: inputs into accumulators, merged, extracted."""
    fn = MergeEdgesFn()
    accumulators = []
    for edge_lists in lists:
        acc = fn.create_accumulator()
        for edges in edge_lists:
            acc = fn.add_input(acc, edges)
        accumulators.append(acc)
    return fn.extract_output(fn.merge_accumulators(accumulators))


def test_merge_edges_deduplicates_across_buckets():
    found = [("p", (("a", 0.9),), ()), ("p", (("b", 0.8), ("a", 0.9)), ()), ("p", (), ("z",))]
    assert merge_edges(found) == ("p", (("a", 0.9), ("b", 0.8)), ("z",))
    merged = merge_edges(found, [("p", (("0", 0.85),), ("y", "z"))], [])
    assert merged == ("p", (("0", 0.85), ("a", 0.9), ("b", 0.8)), ("y", "z"))


def test_merge_edges_is_linear_for_a_head_of_a_huge_bucket():
    inputs = [("p", (), (f"r{i:06d}",)) for i in range(200_000)]
    began = time.perf_counter()
    part, smaller, larger = merge_edges(inputs)
    assert time.perf_counter() - began < 5
    assert part == "p" and smaller == () and len(larger) == 200_000


def test_start_and_step_messages():
    assert start(("root", ("p", (), ("x", "y")))) == []  # a root is silent: kept
    node = ("p", (("a", 0.9), ("b", 0.85)), ("z",), ())
    assert start(("x", ("p", node[1], ("z",)))) == [
        ("x", ("node", node)),
        ("z", ("status", ("x", PENDING))),
    ]
    # a pending partner keeps x pending; the removed one is remembered for later rounds
    messages = [("node", node), ("status", ("a", PENDING)), ("status", ("b", REMOVED))]
    outbox = [("x", ("node", (*node[:3], ("b",)))), ("z", ("status", ("x", PENDING)))]
    assert step("x", messages) == (PENDING, None, outbox)
    # next round: a says nothing (kept), so x is removed as its duplicate and tells z
    removal, outbox = Removal("x", "a", 0.9, "p"), [("z", ("status", ("x", REMOVED)))]
    assert step("x", [("node", (*node[:3], ("b",)))]) == (REMOVED, removal, outbox)
    assert step("x", [("status", ("a", REMOVED))]) == ("done", None, [])


def test_decide():
    partners = (("a", 0.82), ("b", 0.95), ("c", 0.95))
    # absent = kept: the kept partner with the highest similarity, then the smallest id
    assert decide(partners, {}) == (REMOVED, ("b", 0.95))
    assert decide(partners, {"b": REMOVED}) == (REMOVED, ("c", 0.95))
    assert decide(partners, {"a": "pending", "b": REMOVED, "c": REMOVED}) == ("pending", None)
    assert decide(partners, dict.fromkeys("abc", REMOVED)) == ("kept", None)


def test_remap_exact_points_at_the_kept_document():
    exact = [Removal("x2", "x1", 1.0, "p2", EXACT), Removal("x3", "x1", 1.0, "p3", EXACT)]
    near = [Removal("x1", "k", 0.9, "p1")]
    expected = [Removal(f"x{i}", "k", 0.9, f"p{i}") for i in (1, 2, 3)]
    assert list(remap_exact(exact, near)) == expected
    assert list(remap_exact(exact, [])) == exact


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


def run(mode: str, candidates: list[DedupCandidate], expected: list[Removal], **kw) -> None:
    with local_pipeline() as p:
        removals = p | beam.Create(candidates) | Deduplicate(mode, **kw)
        assert_that(removals, equal_to(expected))


def test_exact_and_none_modes():
    run("exact", CANDIDATES, [Removal("r1", "r0", 1.0, "part-r1", EXACT)])
    run("none", CANDIDATES, [])


def test_minhash_mode():
    assert similarity("r0", "r3") >= 0.8 and similarity("r2", "r5") >= 0.8
    assert max(similarity("r0", "r2"), similarity("r2", "r6"), similarity("r0", "r6")) < 0.5
    expected = [
        Removal("r1", "r0", 1.0, "part-r1", EXACT),
        Removal("r3", "r0", similarity("r0", "r3"), "part-r3"),
        Removal("r5", "r2", similarity("r2", "r5"), "part-r5"),
    ]
    run("minhash", CANDIDATES, expected)


def test_chain_keeps_the_document_whose_only_partner_is_removed():
    # a~b = 0.8, b~c = 0.8, a~c = 0.6: b goes (duplicate of a), c stays (b is gone).
    base = list(range(10))
    a, b, c = base, [*base[:8], 90, 91], [*base[:6], 80, 81, 90, 91]
    cands = [handmade("a", a), handmade("b", b), handmade("c", c)]
    run("minhash", cands, [Removal("b", "a", 0.8, "p-b")])
    # d~c only, e~d and e~a: rounds decide c kept, then d removed, e removed (of a, the kept one)
    d, e = [*c[:8], 70, 71], [*a[:8], 60, 61]
    assert sum(x == y for x, y in zip(e, d, strict=True)) < 8  # e is not similar to d
    cands += [handmade("d", d), handmade("e", e)]
    b_a, d_c, e_a = (Removal(x, y, 0.8, f"p-{x}") for x, y in ("ba", "dc", "ea"))
    run("minhash", cands, [b_a, d_c, e_a])
    # with one round, the tail of the chain stays undecided, hence kept: nothing wrongly removed
    run("minhash", cands, [b_a, e_a], max_rounds=1)


def test_exact_copies_of_a_removed_document_point_at_the_survivor():
    base = list(range(10))
    cands = [handmade("a", base), handmade("b", [*base[:9], 99])]
    cands.append(DedupCandidate("c", "p-c", b"b", (b"bucket",), sig_of([*base[:9], 99])))
    expected = [Removal("b", "a", 0.9, "p-b"), Removal("c", "a", 0.9, "p-c")]
    run("minhash", cands, expected)


def templated(n: int, seed: int = 0) -> list[DedupCandidate]:
    """``n`` near-identical pages: one 300-word text with 3 per-page words."""
    pages = templated_docs(" ".join(random_words(seed, n=300)), n, seed=seed)
    return [
        candidate(make_record_id("site.jsonl", i), t, f"p{i % 4}") for i, (_, t) in enumerate(pages)
    ]


def test_large_group_keeps_few_and_points_at_kept():
    cands = templated(400)

    def check(removed: list[Removal]) -> None:
        kept = {c.record_id for c in cands} - {r.record_id for r in removed}
        assert len(removed) == len({r.record_id for r in removed})
        assert len(kept) <= 4
        assert {r.duplicate_of for r in removed} <= kept
        assert all(r.similarity >= 0.8 for r in removed)

    with local_pipeline() as p:
        assert_that(p | beam.Create(cands) | Deduplicate("minhash"), check)
    assert compared_pairs(400, 50) < 400 * 8


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
    return sorted(line for f in out.parent.glob(f"{out.name}*") for line in f.open())


def test_deterministic_across_worker_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # for the worker processes
    candidates = cluster_candidates() + templated(120, seed=5)
    in_memory = ["--direct_num_workers=1", "--direct_running_mode=in_memory"]
    one = run_to_lines(in_memory, candidates, tmp_path / "one")
    processes = ["--direct_num_workers=2", "--direct_running_mode=multi_processing"]
    two = run_to_lines(processes, list(reversed(candidates)), tmp_path / "two")
    assert one == two
    assert len(one) >= 40 * 4 + 100  # every cluster keeps one member, the templates a few
