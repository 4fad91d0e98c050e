"""Exact and near-duplicate removal over ``DedupCandidate`` rows, as a Beam composite.

Only the small candidate rows (ids, keys, signature) cross a shuffle, never page texts, and every
grouping is by a bucket key (exact key, band key, record id), so no worker ever holds more than
one bucket. The result depends only on the set of input candidates: it is the same on every runner
and for any number of workers.

``--dedup`` modes:

* ``exact`` - candidates are grouped by ``exact_key`` (digest of the normalised text). The
  member with the smallest ``record_id`` survives; every other member is removed with
  ``duplicate_of`` = the survivor and ``similarity`` = 1.0.
* ``minhash`` - the exact step, then near-duplicate detection among the exact survivors. Each
  survivor is emitted once per LSH band under that band's key and grouped by band key. Within a
  bucket, members sorted by ``record_id`` are compared pairwise by estimated Jaccard similarity
  (the fraction of equal MinHash values) when the bucket has at most ``max_bucket_pairs``
  members; in a larger bucket (templated pages) each member is compared only with the
  ``HEAD_SIZE`` (8) smallest ids, which bounds the work to about 8 comparisons per member. A
  pair ``a < b`` with similarity >= ``threshold`` is a confirmed edge "b duplicates a". Each record
  with at least one confirmed partner smaller than itself is removed with ``duplicate_of`` = the
  smallest such partner and that pair's similarity; a record with none survives.
* ``none`` - nothing is removed.

Chains: near-duplicate similarity is not transitive. With A < B < C, A~B and B~C confirmed but
not A~C, B is removed as a duplicate of A and C as a duplicate of B, although C is not similar to
A. Following ``duplicate_of`` always ends at a survivor, because ids strictly decrease along it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from transforms.minhash import signature_from_bytes
from transforms.records import DedupCandidate, Removal

MODES = ("minhash", "exact", "none")
HEAD_SIZE = 8  # in a large bucket, every member is compared with this many smallest ids
_COMPARE_CHUNK = 1024  # members compared per numpy block: bounds memory to O(bucket)

# A member of an LSH bucket: (record_id, part, signature bytes).
BandMember = tuple[str, str, bytes]


def resolve_exact_group(
    members: Iterable[DedupCandidate],
) -> tuple[DedupCandidate, list[Removal]]:
    """The survivor (smallest ``record_id``) of a group of exact duplicates, and the removals.

    ``members`` is read twice (a GroupByKey value or a list), so a huge group is never sorted.
    """
    survivor = min(members, key=lambda c: (c.record_id, c.part))
    removals = [
        Removal(c.record_id, survivor.record_id, 1.0, c.part, "duplicate:exact")
        for c in members
        if c.record_id != survivor.record_id
    ]
    return survivor, removals


def compared_pairs(n: int, max_bucket_pairs: int, head_size: int = HEAD_SIZE) -> int:
    """How many pairs :func:`confirm_bucket` compares in a bucket of ``n`` members."""
    heads = n if n <= max_bucket_pairs else min(head_size, n)
    return heads * (heads - 1) // 2 + heads * (n - heads)


def confirm_bucket(
    members: Iterable[BandMember],
    threshold: float,
    max_bucket_pairs: int = 50,
    head_size: int = HEAD_SIZE,
) -> list[Removal]:
    """For each member of one LSH bucket with a confirmed smaller partner in the bucket, the
    Removal naming its smallest such partner (see the module docstring for the pair rule)."""
    ordered = sorted(members)
    n = len(ordered)
    if n < 2:
        return []
    sigs = np.stack([signature_from_bytes(sig) for _, _, sig in ordered])
    heads = n if n <= max_bucket_pairs else min(head_size, n)
    head_sigs = sigs[:heads]
    removals = []
    for start in range(1, n, _COMPARE_CHUNK):
        block = sigs[start : start + _COMPARE_CHUNK]
        # similarity[j, i]: member start+j against head i; only smaller ids (i < start+j) count.
        similarity = (block[:, np.newaxis, :] == head_sigs[np.newaxis, :, :]).mean(axis=2)
        rows = np.arange(start, start + len(block))[:, np.newaxis]
        confirmed = (similarity >= threshold) & (np.arange(heads)[np.newaxis, :] < rows)
        for j in np.flatnonzero(confirmed.any(axis=1)):
            i = int(np.argmax(confirmed[j]))  # the smallest confirmed partner
            record_id, part, _ = ordered[start + j]
            removals.append(Removal(record_id, ordered[i][0], float(similarity[j, i]), part))
    return removals


def pick_removal(removals: Iterable[Removal]) -> Removal:
    """One record's removal: the smallest ``duplicate_of``, then the highest similarity."""
    return min(removals, key=lambda r: (r.duplicate_of, -r.similarity))


def band_members(candidate: DedupCandidate) -> list[tuple[bytes, BandMember]]:
    member = (candidate.record_id, candidate.part, candidate.signature)
    return [(key, member) for key in candidate.band_keys]


class ResolveExactGroupFn(beam.DoFn):
    """Removals to the main output, the group's survivor to the ``survivors`` output."""

    def __init__(self) -> None:
        self.removed = Metrics.counter("crawlsift", "dedup:exact_removed")

    def process(self, group: tuple[bytes, Iterable[DedupCandidate]]) -> Iterator:
        survivor, removals = resolve_exact_group(group[1])
        self.removed.inc(len(removals))
        yield beam.pvalue.TaggedOutput("survivors", survivor)
        yield from removals


class ConfirmBucketFn(beam.DoFn):
    def __init__(self, threshold: float, max_bucket_pairs: int) -> None:
        self.threshold = threshold
        self.max_bucket_pairs = max_bucket_pairs
        self.buckets = Metrics.counter("crawlsift", "dedup:buckets_compared")
        self.large = Metrics.counter("crawlsift", "dedup:large_buckets")
        self.pairs = Metrics.counter("crawlsift", "dedup:pairs_compared")

    def process(self, bucket: tuple[bytes, Iterable[BandMember]]) -> Iterator:
        members = list(bucket[1])
        if len(members) < 2:
            return
        self.buckets.inc()
        self.large.inc(int(len(members) > self.max_bucket_pairs))
        self.pairs.inc(compared_pairs(len(members), self.max_bucket_pairs))
        for removal in confirm_bucket(members, self.threshold, self.max_bucket_pairs):
            yield removal.record_id, removal


class CountFn(beam.DoFn):
    """Passes elements through, counting them."""

    def __init__(self, name: str) -> None:
        self.counter = Metrics.counter("crawlsift", name)

    def process(self, element: object) -> Iterator:
        self.counter.inc()
        yield element


class Deduplicate(beam.PTransform):
    """PCollection[DedupCandidate] -> PCollection[Removal]."""

    def __init__(self, mode: str, threshold: float = 0.8, max_bucket_pairs: int = 50) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"dedup mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be strictly between 0 and 1, got {threshold!r}")
        if max_bucket_pairs < 2:
            raise ValueError(f"max_bucket_pairs must be at least 2, got {max_bucket_pairs!r}")
        self.mode = mode
        self.threshold = threshold
        self.max_bucket_pairs = max_bucket_pairs

    def expand(self, candidates: beam.PCollection) -> beam.PCollection:
        if self.mode == "none":
            return candidates | "NoRemovals" >> beam.FlatMap(lambda _: []).with_output_types(
                Removal
            )
        exact = (
            candidates
            | "KeyByExactKey"
            >> beam.Map(lambda c: (c.exact_key, c)).with_output_types(tuple[bytes, DedupCandidate])
            | "GroupByExactKey" >> beam.GroupByKey()
            | "ResolveExactGroups"
            >> beam.ParDo(ResolveExactGroupFn()).with_outputs("survivors", main="removals")
        )
        if self.mode == "exact":
            return exact.removals
        near = (
            exact.survivors
            | "EmitBandKeys"
            >> beam.FlatMap(band_members).with_output_types(tuple[bytes, tuple[str, str, bytes]])
            | "GroupByBandKey" >> beam.GroupByKey()
            | "ConfirmBuckets"
            >> beam.ParDo(ConfirmBucketFn(self.threshold, self.max_bucket_pairs)).with_output_types(
                tuple[str, Removal]
            )
            | "PickPerRecord" >> beam.CombinePerKey(pick_removal)
            | "DropRecordKey" >> beam.Values()
            | "CountNearRemovals" >> beam.ParDo(CountFn("dedup:near_removed"))
        )
        return (exact.removals, near) | "MergeRemovals" >> beam.Flatten()
