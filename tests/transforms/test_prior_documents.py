"""Cross-run deduplication: priors (documents earlier runs kept) always win, in Deduplicate, and
AddPriorDocuments passes on exactly the live priors that share a key with a current candidate."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.testing.util import assert_that, equal_to

from pipelines.cloud_store import RUN_MARKER, committed_run_ids
from tests.beam_local import local_pipeline
from transforms.dedup import Deduplicate, bucket_edges, resolve_exact_group
from transforms.layout import OutputLayout, run_of_part
from transforms.minhash import MinHasher, band_keys, exact_key, lsh_params, shingles
from transforms.minhash import signature_bytes as to_bytes
from transforms.prior_documents import (
    AddPriorDocuments,
    is_live,
    node_id,
    prior_document,
    priors_sharing_a_key,
    unmarked,
)
from transforms.records import FILE_SCHEMA, DedupCandidate, Document, FileBatch, InputFile, Removal
from transforms.signature_parts import (
    SIGNATURE_SCHEMA,
    hasher_tag,
    kept_rows,
    signature_rows,
)

PARAMS, HASHER, EXACT = lsh_params(0.8), MinHasher(), "duplicate:exact"
TAG = hasher_tag(HASHER)


def text(seed: int, n: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(n))


def candidate(rid: str, body: str, part: str = "", prior: bool = False) -> DedupCandidate:
    sig = HASHER.signature(shingles(body, "en"))
    keys = band_keys(sig, PARAMS)
    return DedupCandidate(rid, part or f"p-{rid}", exact_key(body), keys, to_bytes(sig), prior)


def handmade(rid: str, values: list[int], prior: bool = False, key: str = "") -> DedupCandidate:
    """One shared bucket; similarity = share of equal values; exact key ``key`` or the id."""
    sig = b"".join(v.to_bytes(4, "little") for v in values)
    part = "" if prior else f"p-{rid}"
    return DedupCandidate(rid, part, (key or rid).encode(), (b"bucket",), sig, prior)


def run(mode: str, candidates: list[DedupCandidate], expected: list[Removal]) -> None:
    with local_pipeline() as p:
        assert_that(p | beam.Create(candidates) | Deduplicate(mode), equal_to(expected))


# ---- pure logic -------------------------------------------------------------------------------


def test_node_ids_rank_priors_first_and_are_unmarked():
    prior, current = handmade("ff", [1], prior=True), handmade("00", [1])
    assert node_id(prior) < node_id(current) and node_id(current) == "00"
    assert unmarked(Removal("00", node_id(prior), 1.0, "p")) == Removal("00", "ff", 1.0, "p")
    assert unmarked(Removal("01", "00", 1.0, "p")) == Removal("01", "00", 1.0, "p")


def test_exact_group_prior_survives_and_is_never_removed():
    members = [handmade(r, [1], prior=r in "yz", key="same") for r in ("b", "z", "a", "y")]
    survivor, removals = resolve_exact_group(members)
    assert survivor.record_id == "y" and survivor.prior
    assert removals == [
        Removal("b", "!y", 1.0, "p-b", EXACT),
        Removal("a", "!y", 1.0, "p-a", EXACT),
    ]
    # a prior that can take part in near matching is preferred to one that cannot
    exact_only = replace(members[3], band_keys=(), signature=b"")
    assert resolve_exact_group([exact_only, members[1]])[0].record_id == "z"


def test_bucket_edges_never_compare_two_priors():
    members = [
        ("!a", "", b"\1\0\0\0" * 4),
        ("!b", "", b"\1\0\0\0" * 4),
        ("c", "p", b"\1\0\0\0" * 4),
    ]
    assert sorted(bucket_edges(members, threshold=0.8)) == [
        ("c", "p", "!a", "", 1.0),
        ("c", "p", "!b", "", 1.0),
    ]
    assert list(bucket_edges(members[:2], threshold=0.8)) == []
    large = [(f"!{i:03d}", "", b"\1\0\0\0" * 4) for i in range(60)] + [members[2]]
    assert list(bucket_edges(large, threshold=0.8, max_bucket_pairs=50)) == [
        ("c", "p", "!000", "", 1.0)
    ]


def test_prior_document_recomputes_band_keys_or_matches_exactly_only():
    body = text(1)
    document = Document("d", "rid", None, body, "en", 1.0, "f.jsonl", 0, None, None, 200)
    row = signature_rows([document], [candidate("rid", body)], TAG).to_pylist()[0]
    path = "/out/store/runs/run-2/signatures/batch.parquet"
    assert run_of_part(path) == "run-2"
    prior = prior_document(path, row, {"run-1": 0, "run-2": 1}, TAG, PARAMS)
    assert (prior.run, prior.source_uri) == (1, "f.jsonl")
    assert prior.candidate == replace(candidate("rid", body), part="", prior=True)
    other = lsh_params(0.7)  # another threshold: the same signature, this run's bands
    keys = prior_document(path, row, {"run-2": 0}, TAG, other).candidate.band_keys
    assert len(keys) == other.bands and keys != candidate("rid", body).band_keys
    for tag, params in ((hasher_tag(MinHasher(64)), PARAMS), (TAG, None)):  # num_perm, exact
        exact_only = prior_document(path, row, {"run-2": 0}, tag, params).candidate
        assert exact_only.band_keys == () and exact_only.signature == b""
        assert exact_only.exact_key == exact_key(body)


def test_priors_sharing_a_key_and_liveness():
    assert list(priors_sharing_a_key(["a", None, "b"])) == ["a", "b"]
    assert list(priors_sharing_a_key(["a", "b"])) == []
    assert list(priors_sharing_a_key([None, None])) == []
    assert is_live(1, [0, 1]) and not is_live(0, [0, 1]) and not is_live(1, [1, 2])


def test_kept_rows_of_a_signature_part():
    table = pa.table({"record_id": ["a", "b", "c"], "x": [1, 2, 3]})
    assert kept_rows(table, {"a", "c"}).column("x").to_pylist() == [1, 3]
    assert kept_rows(table, set()).num_rows == 0


# ---- Deduplicate with priors ------------------------------------------------------------------

BASE = list(range(10))


def test_exact_duplicate_of_a_prior_is_removed_whatever_the_ids():
    prior = handmade("z", BASE, prior=True, key="k")
    cands = [prior, handmade("a", BASE, key="k"), handmade("m", [*BASE[:5], 1, 2, 3, 4, 5])]
    expected = [Removal("a", "z", 1.0, "p-a", EXACT)]
    run("minhash", cands, expected)
    run("exact", cands, expected)


def test_near_duplicate_of_a_prior_is_removed_and_its_partner_stays():
    # z (prior) ~ a = 0.9, a ~ b = 0.8, z ~ b = 0.7: a goes as a duplicate of z, b stays
    z, a, b = BASE, [*BASE[:9], 90], [*BASE[:7], 70, 71, 90]
    cands = [handmade("z", z, prior=True), handmade("a", a), handmade("b", b)]
    run("minhash", cands, [Removal("a", "z", 0.9, "p-a")])
    # an exact copy of a points at z as well
    cands.append(handmade("c", a, key="a"))
    run("minhash", cands, [Removal("a", "z", 0.9, "p-a"), Removal("c", "z", 0.9, "p-c")])


def test_priors_are_never_removed_even_when_they_duplicate_each_other():
    cands = [handmade("y", BASE, prior=True), handmade("z", BASE, prior=True, key="y")]
    cands += [handmade("x", [*BASE[:9], 99], prior=True), handmade("q", [9] * 10)]
    run("minhash", cands, [])
    run("exact", cands, [])


def test_a_large_bucket_of_priors_removes_every_similar_current_document():
    priors = [handmade(f"p{i:03d}", BASE, prior=True, key=f"k{i}") for i in range(60)]
    currents = [handmade(f"c{i:03d}", [*BASE[:9], i + 100]) for i in range(20)]
    expected = [Removal(c.record_id, "p000", 0.9, c.part) for c in currents]
    run("minhash", priors + currents, expected)


# ---- AddPriorDocuments ------------------------------------------------------------------------

RUNS = ("20240101T000000Z-aaaaaa", "20240102T000000Z-bbbbbb")


def write_part(output: Path, run_id: str, kind: str, rows: list[dict], schema: pa.Schema) -> None:
    folder = output / "store" / "runs" / run_id / kind
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "batch.parquet")


def signature_row(rid: str, source: str, body: str, tag: str = TAG) -> dict:
    c = candidate(rid, body)
    return {"record_id": rid, "source_uri": source, "exact_key": c.exact_key} | {
        "signature": c.signature,
        "hasher": tag,
    }


def file_rows(*sources: str) -> list[dict]:
    return [
        {"source_uri": s, "size": 1, "mtime": 0.0, "batch_id": "b", "n_records": 1} for s in sources
    ]


def test_add_prior_documents_passes_live_priors_that_share_a_key(tmp_path):
    bodies = {name: text(seed) for seed, name in enumerate(("x", "y1", "y2", "z", "v", "w"))}
    write_part(tmp_path, RUNS[0], "files", file_rows("f1", "f2"), FILE_SCHEMA)
    rows = [signature_row("X", "f1", bodies["x"]), signature_row("Y", "f2", bodies["y1"])]
    rows.append(signature_row("W", "f1", bodies["w"]))  # shares no key: not read further
    write_part(tmp_path, RUNS[0], "signatures", rows, SIGNATURE_SCHEMA)
    write_part(tmp_path, RUNS[1], "files", file_rows("f2", "f3", "f4"), FILE_SCHEMA)
    rows = [signature_row("Y", "f2", bodies["y2"]), signature_row("Z", "f3", bodies["z"])]
    rows.append(signature_row("V", "f4", bodies["v"], hasher_tag(MinHasher(64))))
    write_part(tmp_path, RUNS[1], "signatures", rows, SIGNATURE_SCHEMA)
    # this run reads f3 (Z is read again) and f5, whose documents repeat x, y1, y2, z and v
    currents = [
        candidate(f"c-{name}", body, "part") for name, body in bodies.items() if name != "w"
    ]
    batch = FileBatch("b", (InputFile("f3", 1), InputFile("f5", 1)))
    expected = [
        replace(candidate("X", bodies["x"]), part="", prior=True),
        replace(candidate("Y", bodies["y2"]), part="", prior=True),  # run 1's Y is superseded
        DedupCandidate("V", "", exact_key(bodies["v"]), (), b"", True),  # 64 permutations
    ]
    with local_pipeline() as p:
        inputs = (p | "Candidates" >> beam.Create(currents), p | "Batches" >> beam.Create([batch]))
        out = inputs | AddPriorDocuments(str(tmp_path), RUNS, "minhash", 0.8, 128)
        assert_that(out, equal_to(currents + expected))
    with local_pipeline() as p:  # nothing read now: no prior is read either
        inputs = (p | "Candidates" >> beam.Create([]), p | "Batches" >> beam.Create([]))
        out = inputs | AddPriorDocuments(str(tmp_path), RUNS, "minhash", 0.8, 128)
        assert_that(out, equal_to([]))


def test_committed_run_ids_of_a_cloud_store_are_the_marked_runs_oldest_first(tmp_path):
    for run_id in (*reversed(RUNS), "20240103T000000Z-cccccc"):
        (tmp_path / "store" / "runs" / run_id).mkdir(parents=True)
    for run_id in RUNS:  # the third run was never marked complete
        (tmp_path / "store" / "runs" / run_id / RUN_MARKER).write_text("{}")
    assert committed_run_ids(OutputLayout(str(tmp_path), "now")) == RUNS
