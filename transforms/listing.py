"""ListInputs: expand ``--input`` patterns into deterministic batches of file names.

Only names travel here. Files are expanded through Beam's ``FileSystems`` (local, gs://, s3://),
made distinct (two patterns may match the same file), grouped by directory. Recursive local
patterns are first fanned out over directory prefixes (transforms/prefixes.py) so that no worker
walks the whole tree alone. Files are then cut into batches of small files (or one large file
per batch). A batch id is a digest of its paths, so a rerun on the same inputs names the same
parts. The only shuffle of inputs is the Reshuffle at the end, which spreads batches over workers.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable, Iterator

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.parquetio import ReadAllFromParquet
from apache_beam.metrics import Metrics

from transforms.prefixes import fan_out
from transforms.readers import detect_format
from transforms.records import FileBatch, InputFile


def batch_id_for(paths: Iterable[str]) -> str:
    """A stable id for a batch: 16 hex digits of SHA-1 over its sorted paths."""
    digest = hashlib.sha1()
    for path in sorted(paths):
        digest.update(path.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def make_batches(
    files: Iterable[InputFile], files_per_batch: int, batch_bytes: int
) -> Iterator[FileBatch]:
    """Cut files (sorted by path) into batches of at most ``files_per_batch`` files and
    ``batch_bytes`` bytes. A WARC archive, already a container of many records, is a batch of its
    own, and so is any file of ``batch_bytes // 2`` or more: that is what spreads a crawl of a few
    archives over all workers."""
    current: list[InputFile] = []
    current_bytes = 0
    for file in sorted(files, key=lambda f: f.path):
        if file.size >= batch_bytes // 2 or detect_format(file.path) == "warc":
            yield FileBatch(batch_id_for([file.path]), (file,))
            continue
        if current and (len(current) >= files_per_batch or current_bytes + file.size > batch_bytes):
            yield FileBatch(batch_id_for(f.path for f in current), tuple(current))
            current, current_bytes = [], 0
        current.append(file)
        current_bytes += file.size
    if current:
        yield FileBatch(batch_id_for(f.path for f in current), tuple(current))


def parent_directory(path: str) -> str:
    """The directory part of a local path or URL (``gs://b/x/y.warc`` -> ``gs://b/x``)."""
    return posixpath.dirname(path)


class _ExpandPattern(beam.DoFn):
    """Matches one pattern; keeps files whose format crawlsift reads, counts the others."""

    def __init__(self) -> None:
        self.matched = Metrics.counter("crawlsift", "listing:files_matched")
        self.unsupported = Metrics.counter("crawlsift", "listing:unsupported_format")

    def process(self, pattern: str) -> Iterator[tuple[str, InputFile]]:
        for match in FileSystems.match([pattern]):
            for metadata in match.metadata_list:
                if detect_format(metadata.path) is None:
                    self.unsupported.inc()
                    continue
                self.matched.inc()
                yield (
                    metadata.path,
                    InputFile(
                        path=metadata.path,
                        size=int(metadata.size_in_bytes),
                        mtime=float(metadata.last_updated_in_seconds or 0.0),
                    ),
                )


def committed_key(row: dict) -> tuple[str, tuple[int, float]]:
    """(path, (size, mtime)) of a file an earlier run committed (a FILE_SCHEMA row)."""
    return row["source_uri"], (int(row["size"]), float(row["mtime"] or 0.0))


def is_new_or_changed(file: InputFile, committed: Iterable[tuple[int, float]]) -> bool:
    """A file is skipped only when an earlier run committed it with the same size and mtime."""
    return all((file.size, file.mtime) != version for version in committed)


class _SkipCommitted(beam.DoFn):
    def __init__(self) -> None:
        self.skipped = Metrics.counter("crawlsift", "listing:files_already_committed")

    def process(self, element: tuple[str, dict[str, list]]) -> Iterator[tuple[str, InputFile]]:
        path, grouped = element
        for file in grouped["listed"]:
            if is_new_or_changed(file, grouped["committed"]):
                yield path, file
            else:
                self.skipped.inc()


class ListInputs(beam.PTransform):
    """PBegin -> PCollection[FileBatch], spread over workers.

    ``committed_parts`` are the ``files`` store parts of earlier runs into the same output: files
    listed there with the same size and mtime are skipped (incremental runs). The comparison is a
    CoGroupByKey on the path, so it scales with the listing, not with the driver's memory."""

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
        self.committed_parts = sorted(committed_parts or [])

    def _skip_committed(self, files: beam.PCollection) -> beam.PCollection:
        if not self.committed_parts:
            return files
        committed = (
            files.pipeline
            | "CommittedParts" >> beam.Create(self.committed_parts)
            | "ReadCommittedFiles" >> ReadAllFromParquet(columns=["source_uri", "size", "mtime"])
            | "KeyCommittedByPath" >> beam.Map(committed_key)
        )
        return (
            {"listed": files, "committed": committed}
            | "JoinWithCommitted" >> beam.CoGroupByKey()
            | "SkipCommitted" >> beam.ParDo(_SkipCommitted())
        )

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        files_per_batch, batch_bytes = self.files_per_batch, self.batch_bytes
        files = (
            pbegin
            | "Patterns" >> beam.Create(self.patterns)
            | "FanOutPrefixes" >> beam.FlatMap(fan_out)
            | "SpreadPrefixes" >> beam.Reshuffle()
            | "ExpandPatterns" >> beam.ParDo(_ExpandPattern())
            | "DistinctPaths" >> beam.CombinePerKey(lambda files: min(files, key=lambda f: f.path))
        )
        return (
            self._skip_committed(files)
            | "KeyByDirectory" >> beam.Map(lambda kv: (parent_directory(kv[0]), kv[1]))
            | "GroupByDirectory" >> beam.GroupByKey()
            | "MakeBatches"
            >> beam.FlatMap(lambda kv: make_batches(kv[1], files_per_batch, batch_bytes))
            | "SpreadOverWorkers" >> beam.Reshuffle()
        )
