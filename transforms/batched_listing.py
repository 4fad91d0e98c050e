"""ListBatches: input patterns -> deterministic batches of file names, one element per directory.

Beam's per-element cost is paid per directory, never per file. Each pattern is fanned out over
directory prefixes (``transforms/prefixes.py``); a worker lists its prefix (``os.scandir`` on a
local disk, ``FileSystems.match`` on an object store, ``transforms/file_listing.py``) and emits
whole per-directory file lists. The files parts of earlier runs are read as Arrow tables and cut
per directory the same way (``transforms/committed_files.py``). One join by directory then
brings together every listing of a directory (patterns may overlap) and what earlier runs
committed from it; each directory's distinct, new or changed files are cut into batches
(``make_batches``: a WARC archive or a large file alone, else by count and bytes), whose ids
digest their paths, so a rerun names the same parts. A Reshuffle spreads the batches.

A first run of one pattern needs no join (``whole_directories``): nothing is committed, and each
directory is listed whole by exactly one prefix, so the worker that lists a directory cuts its
batches right away, the same batches the join would give. ``ListBatchesWhereListed`` goes one step
further for ``--index_only``: the batches of a small prefix stay on the worker that listed them,
for indexing in the same fused step, and only larger prefixes' batches are spread.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from transforms.batching import has_own_batch, make_batches
from transforms.committed_files import (
    CommittedList,
    committed_by_directory,
    committed_versions,
    expand_committed,
    read_committed,
)
from transforms.file_listing import CHUNK_FILES, FileList, cut, match_pattern, readable_only
from transforms.local_worker import exit_promptly
from transforms.prefixes import fan_out, is_local, normalise_pattern, split_recursive
from transforms.records import FileBatch, InputFile


def new_files(
    listed: Iterable[FileList], committed: Iterable[CommittedList] = ()
) -> tuple[list[InputFile], int]:
    """A directory's distinct listed files, sorted by path, minus those the newest run that read
    them committed with the same size and mtime; and how many were skipped for that."""
    pieces = list(listed)
    if len(pieces) == 1:  # one listing of the directory: its paths are distinct already
        paths, sizes, mtimes = pieces[0]
        seen = dict(zip(paths, zip(sizes, mtimes, strict=True), strict=True))
        pieces = []
    else:
        seen = {}
    for paths, sizes, mtimes in pieces:
        for path, size, mtime in zip(paths, sizes, mtimes, strict=True):
            version = (int(size), float(mtime))
            previous = seen.get(path)
            # listed twice (overlapping patterns): the same file; min() keeps it deterministic
            seen[path] = version if previous is None else min(previous, version)
    versions = committed_versions(committed)
    if not versions:  # nothing committed from this directory: every file is new
        return [InputFile(path, *seen[path]) for path in sorted(seen)], 0
    files, skipped = [], 0
    for path in sorted(seen):
        size, mtime = seen[path]
        if versions.get(path) == (size, mtime):
            skipped += 1
        else:
            files.append(InputFile(path, size, mtime))
    return files, skipped


def whole_directories(patterns: list[str], committed_parts: list[str]) -> bool:
    """Whether each directory is listed whole by exactly one (fanned-out) pattern and nothing
    was committed, so batches can be cut where a directory is listed, without a join: one input
    pattern whose part after ``**/`` stays in one directory (``*`` matches no ``/``; ``?`` and
    ``[...]`` may), or one pattern that is not fanned out at all (listed in one call)."""
    if len(patterns) != 1 or committed_parts:
        return False
    pattern = normalise_pattern(patterns[0])
    split = split_recursive(pattern) if is_local(pattern) else None
    if split is None:
        return True
    rest = split[1]
    return "**" not in rest and not any(c in rest for c in "/?[")


SPREAD = "spread"  # ListPrefixFn's output of batches to spread over workers


class Keep(NamedTuple):
    """The most a prefix may hold for its batches to stay on the worker that listed it."""

    files: int
    bytes: int


def keeps_where_listed(pattern: str) -> bool:
    """Whether the prefixes of ``pattern`` may keep their batches: a local pattern ``fan_out``
    splits into many. A remote pattern is one prefix, with a request per file to read."""
    return is_local(pattern) and split_recursive(normalise_pattern(pattern)) is not None


def spread_alone(batch: FileBatch, batch_bytes: int) -> bool:
    """A batch of one archive or large file is always spread: that is why it has its own."""
    return len(batch.files) == 1 and has_own_batch(batch.files[0], batch_bytes)


class ListPrefixFn(beam.DoFn):
    """One (fanned-out) pattern -> per-directory lists of the files crawlsift reads; or, with
    ``batching`` (files per batch, batch bytes) and whole directories, their batches.

    With ``keep``, the batches of small files of a prefix that holds at most ``keep`` stay on the
    main output, for a step fused behind this one to process on the worker that listed them (no
    shuffle, no wait for the whole listing); the others go to the ``SPREAD`` output, to be spread
    over workers: what one worker may be left with is bounded (a WARC archive, or a directory of
    a million pages, is spread).
    """

    def __init__(self, batching: tuple[int, int] | None = None, keep: Keep | None = None) -> None:
        self.batching = batching
        self.keep = keep
        self.matched = Metrics.counter("crawlsift", "listing:files_matched")
        self.unsupported = Metrics.counter("crawlsift", "listing:unsupported_format")
        self.directories = Metrics.counter("crawlsift", "listing:directory_lists")
        self.batches = Metrics.counter("crawlsift", "listing:batches")

    def setup(self) -> None:
        exit_promptly()

    # What it yields depends on ``batching``: each ParDo of it declares its output type
    # (``with_output_types``), as Beam 2.78 infers it from this annotation otherwise, a Union
    # that no next step accepts (and reads a bare ``TaggedOutput`` here as a main output).
    def process(self, pattern: str) -> Iterator[tuple[str, FileList] | FileBatch]:
        matched = unsupported = pieces = matched_bytes = 0
        kept: list[FileBatch] = []  # with keep, until the prefix proves too large
        for directory, listed in match_pattern(pattern, None if self.batching else CHUNK_FILES):
            readable, refused = readable_only(listed)
            unsupported += refused
            matched += len(readable[0])
            if not readable[0]:
                continue
            if self.batching is None:
                for piece in cut(readable):
                    pieces += 1
                    yield directory, piece
                continue
            pieces += 1  # the directory is whole: cut its batches here
            batches = list(make_batches(new_files([readable])[0], *self.batching))
            self.batches.inc(len(batches))
            if self.keep is None:
                yield from batches
                continue
            matched_bytes += sum(readable[1])  # only the keep rule needs it
            for batch in batches:
                if spread_alone(batch, self.batching[1]):
                    yield TaggedOutput(SPREAD, batch)
                else:
                    kept.append(batch)
            if matched > self.keep.files or matched_bytes > self.keep.bytes:  # spread them all
                yield from (TaggedOutput(SPREAD, batch) for batch in kept)
                kept = []
        yield from kept
        self.matched.inc(matched)
        self.unsupported.inc(unsupported)
        self.directories.inc(pieces)


class _BatchDirectory(beam.DoFn):
    """(directory, {listed, committed}) -> the directory's batches of new or changed files."""

    def __init__(self, files_per_batch: int, batch_bytes: int) -> None:
        self.files_per_batch = files_per_batch
        self.batch_bytes = batch_bytes
        self.skipped = Metrics.counter("crawlsift", "listing:files_already_committed")
        self.batches = Metrics.counter("crawlsift", "listing:batches")

    def setup(self) -> None:
        exit_promptly()

    def process(self, element: tuple[str, dict[str, Iterable[FileList]]]) -> Iterator[FileBatch]:
        _, grouped = element
        files, skipped = new_files(grouped["listed"], grouped.get("committed", ()))
        self.skipped.inc(skipped)
        batches = list(make_batches(files, self.files_per_batch, self.batch_bytes))
        self.batches.inc(len(batches))
        yield from batches


class SpreadPrefixes(beam.PTransform):
    """PBegin -> PCollection[str]: the patterns fanned out over directory prefixes, spread over
    workers (``transforms/prefixes.py``)."""

    def __init__(self, patterns: list[str]) -> None:
        super().__init__()
        self.patterns = sorted(set(patterns))

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        return (
            pbegin
            | "Patterns" >> beam.Create(self.patterns)
            | "FanOutPrefixes" >> beam.FlatMap(fan_out)
            | "SpreadPrefixes" >> beam.Reshuffle()
        )


class ListBatchesWhereListed(beam.PTransform):
    """PBegin -> (kept, spread): the batches of a first run of one pattern (``whole_directories``),
    those of small files in prefixes of at most ``keep`` left on the worker that listed them
    (``ListPrefixFn``), for the next step to process right there; the others spread over workers
    by a Reshuffle. A pattern that does not fan out over local prefixes keeps none."""

    def __init__(
        self, patterns: list[str], files_per_batch: int, batch_bytes: int, keep: Keep
    ) -> None:
        super().__init__()
        if not whole_directories(patterns, []):
            raise ValueError(f"{patterns}: not one pattern listed in whole directories")
        self.patterns = patterns
        self.batching = (files_per_batch, batch_bytes)
        self.keep = keep if keeps_where_listed(patterns[0]) else None

    def expand(self, pbegin: beam.pvalue.PBegin) -> tuple[beam.PCollection, beam.PCollection]:
        listed = (
            pbegin
            | "Prefixes" >> SpreadPrefixes(self.patterns)
            | "ListAndBatch"
            >> beam.ParDo(ListPrefixFn(self.batching, self.keep))
            .with_output_types(FileBatch)  # with batching, every output (both tags) is a batch
            .with_outputs(SPREAD, main="kept")
        )
        return listed.kept, listed[SPREAD] | "SpreadBatches" >> beam.Reshuffle()


def _read_committed_lists(paths: list[str]) -> Iterator[tuple[str, CommittedList]]:
    return committed_by_directory(read_committed(paths))


class ListBatches(beam.PTransform):
    """PBegin -> PCollection[FileBatch], spread over workers.

    ``committed_parts`` are globs of the ``files`` store parts of earlier runs: files listed there
    with the same size and mtime are skipped (incremental runs)."""

    def __init__(
        self,
        patterns: list[str],
        files_per_batch: int,
        batch_bytes: int,
        committed_parts: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.patterns = sorted(set(patterns))
        self.files_per_batch = files_per_batch
        self.batch_bytes = batch_bytes
        self.committed_parts = sorted(set(committed_parts or []))

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        prefixes = pbegin | "Prefixes" >> SpreadPrefixes(self.patterns)
        if whole_directories(self.patterns, self.committed_parts):  # no join needed
            batching = (self.files_per_batch, self.batch_bytes)
            return (
                prefixes
                | "ListAndBatch" >> beam.ParDo(ListPrefixFn(batching)).with_output_types(FileBatch)
                | "SpreadBatches" >> beam.Reshuffle()
            )
        listed = prefixes | "ListPrefixes" >> beam.ParDo(ListPrefixFn()).with_output_types(
            tuple[str, FileList]
        )
        if self.committed_parts:
            committed = (
                pbegin
                | "CommittedParts" >> beam.Create(self.committed_parts)
                | "ExpandCommitted" >> beam.FlatMap(expand_committed)
                | "SpreadCommitted" >> beam.Reshuffle()
                | "ReadCommitted" >> beam.FlatMap(_read_committed_lists)
            )
            grouped = {"listed": listed, "committed": committed} | "JoinByDirectory" >> (
                beam.CoGroupByKey()
            )
        else:
            grouped = (
                listed
                | "GroupByDirectory" >> beam.GroupByKey()
                | "AsListed"
                >> beam.MapTuple(lambda directory, lists: (directory, {"listed": lists}))
            )
        return (
            grouped
            | "MakeBatches" >> beam.ParDo(_BatchDirectory(self.files_per_batch, self.batch_bytes))
            | "SpreadBatches" >> beam.Reshuffle()
        )
