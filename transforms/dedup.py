"""Exact and near-duplicate removal over ``DedupCandidate`` rows, as a Beam composite.

Only small rows cross a shuffle, never texts, and the result depends only on the set of
candidates: the same survivors on every runner and for any number of workers. Modes: ``none``;
``exact``: grouped by ``exact_key`` (digest of the normalised text), the smallest ``record_id``
survives, the others are ``duplicate:exact`` of it; ``minhash``: that, then among the survivors:

1. *Edges.* Records are grouped by LSH band key; a pair of estimated Jaccard (share of equal
   MinHash values) >= ``threshold`` is an edge. A bucket of at most ``max_bucket_pairs`` (50)
   compares all pairs; a larger one (templated pages) each member with its ``HEAD_SIZE`` (8)
   smallest ids, keeping an edge to the smallest similar one: <= 8n comparisons, n edges, streamed.
2. *Survivors.* In id order, a record survives unless it has an edge to a smaller survivor (the
   lexicographically-first maximal independent set), computed in rounds of messages between
   partners: a record with a kept smaller partner is removed, one whose smaller partners are all
   removed is kept. ``MAX_ROUNDS`` (4) rounds decide chains of up to 4 links; the tail of a longer
   one is kept (``dedup:undecided_kept``). With A < B < C, A~B, B~C, not A~C: B goes, C stays.
3. *Explanation.* ``duplicate_of`` is the kept partner of highest estimated similarity (then the
   smallest id), ``similarity`` that estimate; exact copies of a removed record point at the same
   kept record (as ``duplicate:near``). So ``duplicate_of`` is always a kept, similar record.

Candidates with ``prior`` set are documents earlier runs kept (transforms/prior_documents.py):
they rank before every current document, are never removed and never compared with each other.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import reduce
from itertools import islice

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from transforms.minhash import signature_from_bytes
from transforms.prior_documents import UnmarkPriorsFn, is_prior_node, node_id
from transforms.records import DedupCandidate, Removal

MODES = ("minhash", "exact", "none")
HEAD_SIZE = 8  # in a large bucket, every member is compared with this many smallest ids
MAX_ROUNDS = 4  # survivor rounds: chains of up to this many links are decided exactly
_COMPARE_CHUNK = 1024  # members compared per numpy block: bounds memory to O(chunk)
PENDING, REMOVED = "pending", "removed"
BandMember = tuple[str, str, bytes]  # (record_id, part, signature bytes)
Edge = tuple[str, float]  # (smaller partner's record_id, estimated similarity)
Edges = tuple[str, tuple[Edge, ...], tuple[str, ...]]  # (part, smaller partners, larger ids)
Node = tuple[str, tuple[Edge, ...], tuple[str, ...], tuple[str, ...]]  # Edges + known removed
Message = tuple[str, object]  # ("node", Node) | ("status", (partner id, state))
Found = tuple[str, str, str, str, float]  # (id, part, smaller id, its part, similarity)


def resolve_exact_group(members: Iterable[DedupCandidate]) -> tuple[DedupCandidate, list]:
    """The survivor (a prior, one with band keys first; else the smallest ``record_id``) of a
    group of exact duplicates, and the removals of its current members (pointing at its node id).
    ``members`` is read twice (a GroupByKey value or a list): a huge group is never sorted."""
    survivor = min(members, key=lambda c: (not c.prior, not c.band_keys, c.record_id, c.part))
    kept, rid = node_id(survivor), survivor.record_id
    exact = (
        Removal(c.record_id, kept, 1.0, c.part, "duplicate:exact") for c in members if not c.prior
    )
    return survivor, [removal for removal in exact if removal.record_id != rid]


def compared_pairs(n: int, max_bucket_pairs: int, head_size: int = HEAD_SIZE) -> int:
    """How many pairs :func:`bucket_edges` compares in a bucket of ``n`` members."""
    heads = n if n <= max_bucket_pairs else min(head_size, n)
    return heads * (heads - 1) // 2 + heads * (n - heads)


def _edges_against(chunk: list, heads: list, threshold: float, one: bool) -> Iterator[Found]:
    sigs, head_sigs = (np.stack([signature_from_bytes(m[2]) for m in ms]) for ms in (chunk, heads))
    similarity = (sigs[:, np.newaxis, :] == head_sigs[np.newaxis, :, :]).mean(axis=2)
    head_ids, member_ids = np.array([h[0] for h in heads]), np.array([m[0] for m in chunk])
    confirmed = (similarity >= threshold) & (head_ids[np.newaxis, :] < member_ids[:, np.newaxis])
    rows, columns = np.nonzero(confirmed)  # row-major: each member's smallest head comes first
    if one:  # a member of a large bucket: an edge to its smallest similar head only
        rows, first = np.unique(rows, return_index=True)
        columns = columns[first]
    for j, i in zip(rows, columns, strict=True):
        yield chunk[j][0], chunk[j][1], heads[i][0], heads[i][1], float(similarity[j, i])


def bucket_edges(
    members: Iterable[BandMember],
    threshold: float,
    max_bucket_pairs: int = 50,
    head_size: int = HEAD_SIZE,
) -> Iterator[Found]:
    """The confirmed pairs of one LSH bucket: all pairs when it has at most ``max_bucket_pairs``
    members, else each member and its smallest similar one of the ``head_size`` smallest ids,
    streaming ``members`` (re-iterable) so that a huge bucket is never held."""
    first = list(islice(iter(members), max_bucket_pairs + 1))
    if len(first) <= max_bucket_pairs:
        current = [m for m in first if not is_prior_node(m[0])]  # priors only as the smaller end
        if len(first) > 1 and current:
            yield from _edges_against(current, first, threshold, one=False)
        return
    heads = heapq.nsmallest(head_size, members)
    rest = (m for m in members if not is_prior_node(m[0]))
    while chunk := list(islice(rest, _COMPARE_CHUNK)):
        yield from _edges_against(chunk, heads, threshold, one=True)


def decide(partners: Sequence[Edge], status: Mapping[str, str]) -> tuple[str, Edge | None]:
    """``("removed", best kept partner)``, ``("kept", None)`` or ``("pending", None)`` for a record
    whose smaller partners have ``status`` (``removed``/``pending``; absent means kept)."""
    kept = [edge for edge in partners if edge[0] not in status]
    if kept:
        return REMOVED, min(kept, key=lambda edge: (-edge[1], edge[0]))
    if all(status[partner] == REMOVED for partner, _ in partners):
        return "kept", None
    return PENDING, None


def remap_exact(exact: Iterable[Removal], near: Sequence[Removal]) -> Iterator[Removal]:
    """The near removal of an exact-group survivor (if any), and the group's exact removals
    pointed at the document that survivor duplicates."""
    yield from near
    for removal in exact:
        yield replace(near[0], record_id=removal.record_id, part=removal.part) if near else removal


class MergeEdgesFn(beam.CombineFn):
    """One record's partners from all its buckets, deduplicated in a mutable accumulator and
    sorted once at the end: linear in the partners, even for a head of a huge bucket."""

    def create_accumulator(self) -> list:
        return ["", {}, set()]  # like Edges: part, smaller partners, larger partners

    def add_input(self, acc: list, edges: Edges | list) -> list:
        acc[0] = edges[0] or acc[0]
        acc[1].update(edges[1])
        acc[2].update(edges[2])
        return acc

    def merge_accumulators(self, accumulators: Iterable[list]) -> list:
        return reduce(self.add_input, accumulators, self.create_accumulator())

    def extract_output(self, acc: list) -> Edges:
        return acc[0], tuple(sorted(acc[1].items())), tuple(sorted(acc[2]))


class ResolveExactGroupFn(beam.DoFn):
    """Removals to the main output, the group's survivor to the ``survivors`` output."""

    def __init__(self) -> None:
        self.removed = Metrics.counter("crawlsift", "dedup:exact_removed")

    def process(self, group: tuple[bytes, Iterable[DedupCandidate]]) -> Iterator:
        survivor, removals = resolve_exact_group(group[1])
        self.removed.inc(len(removals))
        yield beam.pvalue.TaggedOutput("survivors", survivor)
        yield from removals


class BucketEdgesFn(beam.DoFn):
    """(band key, members) -> each edge twice, keyed by either end (see ``Edges``)."""

    def __init__(self, threshold: float, max_bucket_pairs: int) -> None:
        self.threshold, self.max_bucket_pairs = threshold, max_bucket_pairs
        self.large = Metrics.counter("crawlsift", "dedup:large_buckets")
        self.pairs = Metrics.counter("crawlsift", "dedup:pairs_compared")
        self.edges = Metrics.counter("crawlsift", "dedup:edges")

    def process(self, bucket: tuple[bytes, Iterable[BandMember]]) -> Iterator[tuple[str, Edges]]:
        members = bucket[1]
        size = sum(1 for _ in members)
        self.large.inc(int(size > self.max_bucket_pairs))
        self.pairs.inc(compared_pairs(size, self.max_bucket_pairs))
        for record_id, part, partner, partner_part, similarity in bucket_edges(
            members, self.threshold, self.max_bucket_pairs
        ):
            self.edges.inc()
            yield record_id, (part, ((partner, similarity),), ())
            yield partner, (partner_part, (), (record_id,))


def start(kv: tuple[str, Edges]) -> list[tuple[str, Message]]:
    """Round 1's messages from one record: its node, and "pending" to its larger partners; none
    from a root (no smaller partner: kept, and its silence tells its partners so)."""
    record_id, (part, smaller, larger) = kv
    if not smaller:
        return []
    tell = [(other, ("status", (record_id, PENDING))) for other in larger]
    return [(record_id, ("node", (part, smaller, larger, ()))), *tell]


def step(record_id: str, messages: Iterable[Message]) -> tuple[str, Removal | None, list]:
    """One survivor round at one record: its state, its removal if removed, and the messages
    for the next round (its node if still pending, its state to its larger partners)."""
    node, status = None, {}
    for kind, payload in messages:
        if kind == "node":
            node = payload
        else:
            status[payload[0]] = payload[1]
    if node is None:  # a status sent to a record decided meanwhile
        return "done", None, []
    part, smaller, larger, removed = node
    status.update(dict.fromkeys(removed, REMOVED))
    state, edge = decide(smaller, status)
    if state == "kept":
        return state, None, []
    tell = [(other, ("status", (record_id, state))) for other in larger]
    if state == REMOVED:
        return state, Removal(record_id, edge[0], edge[1], part), tell
    known = tuple(sorted(p for p, s in status.items() if s == REMOVED))
    return state, None, [(record_id, ("node", (part, smaller, larger, known))), *tell]


class StepFn(beam.DoFn):
    """Removals to the main output, the next round's messages to ``messages``; in the ``last``
    round, a record still pending is kept (and counted)."""

    def __init__(self, last: bool) -> None:
        self.last = last
        self.kept = Metrics.counter("crawlsift", "dedup:kept_in_rounds")
        self.undecided = Metrics.counter("crawlsift", "dedup:undecided_kept")

    def process(self, element: tuple[str, Iterable[Message]]) -> Iterator:
        state, removal, outbox = step(*element)
        self.kept.inc(int(state == "kept"))
        self.undecided.inc(int(state == PENDING and self.last))
        if removal is not None:
            yield removal
        for message in [] if self.last else outbox:
            yield beam.pvalue.TaggedOutput("messages", message)


class ChooseSurvivors(beam.PTransform):
    """PCollection[(record_id, Edges)] -> PCollection[Removal], one GroupByKey per round.
    Records talk by messages keyed by the receiver: a pending record tells its larger partners
    "pending" each round, a removed one tells them "removed" once; silence means kept."""

    def __init__(self, max_rounds: int = MAX_ROUNDS) -> None:
        super().__init__()
        self.max_rounds = max_rounds

    def expand(self, edges: beam.PCollection) -> beam.PCollection:
        messages, removals = edges | "Start" >> beam.FlatMap(start), []
        for r in range(1, self.max_rounds + 1):
            step_fn = beam.ParDo(StepFn(last=r == self.max_rounds))
            out = (
                messages
                | f"GroupMessages{r}" >> beam.GroupByKey()
                | f"Round{r}" >> step_fn.with_outputs("messages", main="removals")
            )
            removals.append(out.removals)
            messages = out.messages
        return removals | "MergeRounds" >> beam.Flatten()


class Deduplicate(beam.PTransform):
    """PCollection[DedupCandidate] -> PCollection[Removal]."""

    def __init__(
        self,
        mode: str,
        threshold: float = 0.8,
        max_bucket_pairs: int = 50,
        max_rounds: int = MAX_ROUNDS,
    ) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"dedup mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be strictly between 0 and 1, got {threshold!r}")
        if max_bucket_pairs < 2:
            raise ValueError(f"max_bucket_pairs must be at least 2, got {max_bucket_pairs!r}")
        self.mode, self.threshold = mode, threshold
        self.max_bucket_pairs, self.max_rounds = max_bucket_pairs, max_rounds

    def expand(self, candidates: beam.PCollection) -> beam.PCollection:
        if self.mode == "none":
            return candidates | "NoRemovals" >> beam.FlatMap(lambda _: [])
        exact = (
            candidates
            | "KeyByExactKey"
            >> beam.Map(lambda c: (c.exact_key, c)).with_output_types(tuple[bytes, DedupCandidate])
            | "GroupByExactKey" >> beam.GroupByKey()
            | "ResolveExactGroups"
            >> beam.ParDo(ResolveExactGroupFn()).with_outputs("survivors", main="removals")
        )
        if self.mode == "exact":
            return exact.removals | "UnmarkPriors" >> beam.ParDo(UnmarkPriorsFn())
        near = (
            exact.survivors
            | "EmitBandKeys"
            >> beam.FlatMap(lambda c: [(k, (node_id(c), c.part, c.signature)) for k in c.band_keys])
            | "GroupByBandKey" >> beam.GroupByKey()
            | "BucketEdges" >> beam.ParDo(BucketEdgesFn(self.threshold, self.max_bucket_pairs))
            | "MergeEdgesPerRecord" >> beam.CombinePerKey(MergeEdgesFn())
            | "ChooseSurvivors" >> ChooseSurvivors(self.max_rounds)
        )
        return (
            {
                "exact": exact.removals
                | "KeyBySurvivor" >> beam.Map(lambda r: (r.duplicate_of, r)),
                "near": near | "KeyByRecord" >> beam.Map(lambda r: (r.record_id, r)),
            }
            | "JoinExactToNear" >> beam.CoGroupByKey()
            | "PointExactAtSurvivors"
            >> beam.FlatMap(lambda kv: remap_exact(kv[1]["exact"], list(kv[1]["near"])))
            | "UnmarkPriors" >> beam.ParDo(UnmarkPriorsFn())
        )
