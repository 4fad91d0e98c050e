"""Cross-run deduplication: the documents earlier runs kept take part in this run's Deduplicate.

A run into an output that earlier runs wrote is deduplicated against what they kept, so a crawl
that repeats pages of an earlier one adds no duplicates. ``AddPriorDocuments`` turns the earlier
runs' signature parts (transforms/signature_parts.py) into *prior* candidates, in three joins that
all run in the pipeline (no list of documents on the driver, whatever the size of the output):

1. *Relevant.* Only a prior that shares its exact key or an LSH band key with a current candidate
   can be a duplicate partner. Priors enter a GroupByKey on those keys as (key, record_id),
   current candidates as (key, None); the priors of groups that have a current candidate are then
   fetched by record_id. A run so shuffles about 1.6 KB per earlier kept document (its keys,
   then its row), not the 8 KB of a candidate's exact and band entries, and a rerun that reads
   no new document reads no prior at all.
2. *Live.* A prior row, from run r, is live when no run after r, nor this one, read its file: a
   run that reads a file decides all its records again (kept again: a row in that run's own part;
   removed, filtered, or gone from a changed file: not kept any more). This is a join on
   ``source_uri`` with the ``files`` parts of the committed runs (read as Arrow tables) and the
   files this run reads, of which only the files of relevant priors (a side input) enter the
   join: no element per file of the output.
   So under ``--reprocess`` the priors of the files read again are replaced by the current
   candidates, and those of other files still apply; a document is never removed as a duplicate
   of its own earlier version.
3. *Comparable.* Band keys are recomputed with this run's (bands, rows). A signature of another
   hasher (``--num_perm``), or none (a ``--dedup exact`` or ``none`` run), matches exactly only
   (``dedup:priors_exact_only``).

In Deduplicate a prior's node id is its record_id after ``PRIOR_MARK``, which sorts before every
record_id: a prior survives its exact group, and in the survivor rule it is a root, so it is never
removed (never re-published, no outcome row), and a current document with an edge to it is
removed in the first round. Edges between two priors are never computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import apache_beam as beam
import pyarrow as pa
from apache_beam.io.parquetio import ReadAllFromParquet, ReadAllFromParquetBatched
from apache_beam.metrics import Metrics

from transforms.layout import run_of_part
from transforms.minhash import LshParams, MinHasher, band_keys, lsh_params, signature_from_bytes
from transforms.records import DedupCandidate, Removal
from transforms.signature_parts import SIGNATURES, hasher_tag, run_parts

PRIOR_MARK = "!"  # before "0": a record_id is hex digits


def node_id(candidate: DedupCandidate) -> str:
    """A candidate's id in Deduplicate: priors rank before every current document."""
    return PRIOR_MARK + candidate.record_id if candidate.prior else candidate.record_id


def is_prior_node(node: str) -> bool:
    return node.startswith(PRIOR_MARK)


def unmarked(removal: Removal) -> Removal:
    """``removal`` with ``duplicate_of`` a record_id again (not a prior's node id)."""
    if not is_prior_node(removal.duplicate_of):
        return removal
    return replace(removal, duplicate_of=removal.duplicate_of[len(PRIOR_MARK) :])


@dataclass(frozen=True)
class PriorDocument:
    """A document an earlier run kept: that run's rank (oldest 0), its file, its dedup row."""

    run: int
    source_uri: str
    candidate: DedupCandidate


def prior_document(
    path: str, row: Mapping[str, Any], ranks: Mapping[str, int], tag: str, params: LshParams | None
) -> PriorDocument:
    """A signature part's row as a prior candidate of this run (``params``: this run's LSH
    parameters, None without near-duplicate detection; ``tag``: this run's hasher)."""
    comparable = params is not None and bool(row["signature"]) and row["hasher"] == tag
    signature = row["signature"] if comparable else b""
    keys = band_keys(signature_from_bytes(signature), params) if comparable and params else ()
    candidate = DedupCandidate(row["record_id"], "", row["exact_key"], keys, signature, prior=True)
    return PriorDocument(ranks[run_of_part(path)], row["source_uri"], candidate)


def dedup_keys(candidate: DedupCandidate) -> tuple[bytes, ...]:
    """The keys Deduplicate groups by: the exact key (16 bytes) and the band keys (9 bytes)."""
    return (candidate.exact_key, *candidate.band_keys)


def priors_sharing_a_key(values: Iterable[str | None]) -> Iterator[str]:
    """The prior record_ids of one key's group, if it has a current candidate (``None``).
    ``values`` is read twice (a GroupByKey value): a large group is never held."""
    if any(value is None for value in values):
        yield from (value for value in values if value is not None)


def relevant_files_of_part(
    part: tuple[str, pa.Table], wanted: Mapping[str, int], ranks: Mapping[str, int]
) -> Iterator[tuple[str, int]]:
    """(source_uri, the committing run's rank) for the rows of a ``files`` part whose file is in
    ``wanted`` (the files of the priors that share a key with a current document)."""
    path, table = part
    if not wanted:
        return
    rank = ranks[run_of_part(path)]
    for source in table.column("source_uri").to_pylist():
        if source in wanted:
            yield source, rank


def is_live(run: int, versions: Iterable[int]) -> bool:
    """A prior from run ``run`` is live when no later run (nor this one) read its file again;
    ``versions``: the ranks of the runs that read it, this run's being the highest."""
    return all(version <= run for version in versions)


class _ToPriorFn(beam.DoFn):
    def __init__(self, ranks: Mapping[str, int], tag: str, params: LshParams | None) -> None:
        self.ranks, self.tag, self.params = dict(ranks), tag, params
        self.read = Metrics.counter("crawlsift", "dedup:priors_read")
        self.exact_only = Metrics.counter("crawlsift", "dedup:priors_exact_only")

    def process(self, element: tuple[str, dict]) -> Iterator[tuple[str, PriorDocument]]:
        prior = prior_document(*element, self.ranks, self.tag, self.params)
        self.read.inc()
        self.exact_only.inc(int(self.params is not None and not prior.candidate.band_keys))
        yield prior.candidate.record_id, prior


class _RelevantFn(beam.DoFn):
    """(record_id, {hits, priors}) -> (source_uri, prior) for the priors that share a key."""

    def __init__(self) -> None:
        self.relevant = Metrics.counter("crawlsift", "dedup:priors_sharing_a_key")

    def process(self, element: tuple[str, dict]) -> Iterator[tuple[str, PriorDocument]]:
        grouped = element[1]
        if not grouped["hit"]:
            return
        for prior in grouped["prior"]:
            self.relevant.inc()
            yield prior.source_uri, prior


class _LiveFn(beam.DoFn):
    """(source_uri, {priors, versions}) -> the live priors' candidates."""

    def __init__(self) -> None:
        self.superseded = Metrics.counter("crawlsift", "dedup:priors_superseded")

    def process(self, element: tuple[str, dict]) -> Iterator[DedupCandidate]:
        versions = list(element[1]["version"])
        for prior in element[1]["prior"]:
            if is_live(prior.run, versions):
                yield prior.candidate
            else:
                self.superseded.inc()


class UnmarkPriorsFn(beam.DoFn):
    """Removals pointing at a prior get its record_id back (and are counted)."""

    def __init__(self) -> None:
        self.of_prior = Metrics.counter("crawlsift", "dedup:duplicates_of_earlier_runs")

    def process(self, removal: Removal) -> Iterator[Removal]:
        self.of_prior.inc(int(is_prior_node(removal.duplicate_of)))
        yield unmarked(removal)


class AddPriorDocuments(beam.PTransform):
    """(candidates, batches) -> candidates plus the live priors that share a key with one.

    ``run_ids``: the committed runs into ``output``, oldest first; ``batches``: this run's."""

    def __init__(
        self, output: str, run_ids: Sequence[str], mode: str, threshold: float, num_perm: int
    ) -> None:
        super().__init__()
        self.output, self.run_ids = output, tuple(run_ids)
        near = mode == "minhash"
        self.params = lsh_params(threshold, num_perm) if near else None
        self.tag = hasher_tag(MinHasher(num_perm)) if near else ""

    def _read(
        self,
        pipeline: beam.Pipeline,
        kind: str,
        gate: beam.PCollection,
        batched: bool = False,
        **read: Any,
    ) -> beam.PCollection:
        """The committed runs' ``kind`` parts as (path, row), or (path, Arrow table) when
        ``batched``; none when this run has no candidate (a rerun that reads nothing new reads
        no prior either)."""
        reader = ReadAllFromParquetBatched if batched else ReadAllFromParquet
        globs = [run_parts(self.output, run_id, kind) for run_id in self.run_ids]
        return (
            pipeline
            | f"{kind.title()}Parts" >> beam.Create(globs)
            | f"{kind.title()}IfCandidates"
            >> beam.FlatMap(lambda glob, n: [glob] if n else [], n=beam.pvalue.AsSingleton(gate))
            | f"Read{kind.title()}" >> reader(with_filename=True, **read)
        )

    def expand(self, inputs: tuple[beam.PCollection, beam.PCollection]) -> beam.PCollection:
        candidates, batches = inputs
        pipeline, ranks = candidates.pipeline, {r: i for i, r in enumerate(self.run_ids)}
        now = len(self.run_ids)  # this run's rank: after every committed one
        gate = candidates | "CountCandidates" >> beam.combiners.Count.Globally()
        priors = self._read(pipeline, SIGNATURES, gate) | "ToPriors" >> beam.ParDo(
            _ToPriorFn(ranks, self.tag, self.params)
        )
        hits = (
            (
                candidates
                | "CurrentKeys" >> beam.FlatMap(lambda c: [(k, None) for k in dedup_keys(c)]),
                priors
                | "PriorKeys"
                >> beam.FlatMap(lambda kv: [(k, kv[0]) for k in dedup_keys(kv[1].candidate)]),
            )
            | "AllKeys" >> beam.Flatten()
            | "GroupByKey" >> beam.GroupByKey()
            | "PriorsSharingAKey"
            >> beam.FlatMap(lambda kv: ((rid, None) for rid in priors_sharing_a_key(kv[1])))
        )
        relevant = (
            {"hit": hits, "prior": priors}
            | "JoinHitsToPriors" >> beam.CoGroupByKey()
            | "RelevantPriors" >> beam.ParDo(_RelevantFn())
        )
        # only the files of relevant priors cross the join: no element per file of the output
        wanted = beam.pvalue.AsDict(relevant | "RelevantFiles" >> beam.Map(lambda kv: (kv[0], 0)))
        versions = (
            self._read(pipeline, "files", gate, batched=True, columns=["source_uri"])
            | "RelevantFilesRead"
            >> beam.FlatMap(relevant_files_of_part, wanted=wanted, ranks=ranks),
            batches
            | "RelevantFilesReadNow"
            >> beam.FlatMap(
                lambda b, wanted: [(f.path, now) for f in b.files if f.path in wanted],
                wanted=wanted,
            ),
        ) | "AllFileVersions" >> beam.Flatten()
        live = (
            {"prior": relevant, "version": versions}
            | "JoinPriorsToFileVersions" >> beam.CoGroupByKey()
            | "LivePriors" >> beam.ParDo(_LiveFn())
        )
        return (candidates, live) | "WithPriors" >> beam.Flatten()
