"""ProcessFiles: the fused, per-batch stage where all the heavy work happens on one worker.

For each file of a batch: read records → decide each record's fate (extraction, language,
quality minimum) → write the batch's candidate texts and its store parts to storage → emit only
small ``DedupCandidate`` rows (ids, keys, signature) and the batch's part name. Page bytes and
texts never leave the worker, so they never cross a shuffle.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Iterator, Mapping
from typing import Any

import apache_beam as beam
import pyarrow as pa
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.documents import DocumentConfig, Toolbox, dedup_candidate, process_record
from transforms.layout import OutputLayout
from transforms.local_worker import exit_promptly
from transforms.readers import ReadLimits, read_records
from transforms.records import (
    ERROR,
    FILE_SCHEMA,
    LOCATION_SCHEMA,
    SHARD_SCHEMA,
    Document,
    FileBatch,
    InputFile,
    RawRecord,
    make_record_id,
)
from transforms.signature_parts import hasher_tag, write_signatures

PARTS_TAG = "parts"


def documents_table(documents: list[Document]) -> pa.Table:
    """Candidate documents as a table with the shard schema."""
    return pa.Table.from_pylist(
        [
            {
                "id": d.id,
                "url": d.url,
                "text": d.text,
                "language": d.language,
                "language_score": d.language_score,
                "source_uri": d.source_uri,
                "source_offset": d.source_offset,
                "content_digest": d.content_digest,
                "fetch_time": d.fetch_time,
                "n_words": d.n_words,
                "record_id": d.record_id,
            }
            for d in documents
        ],
        schema=SHARD_SCHEMA,
    )


def unreadable_file_record(file: InputFile, reason: str) -> RawRecord:
    """A file that cannot be opened still accounts for itself as one error record."""
    return RawRecord(
        record_id=make_record_id(file.path, 0),
        source_uri=file.path,
        source_offset=0,
        source_length=file.size,
        problem=reason,
    )


class _ProcessBatch(beam.DoFn):
    def __init__(
        self, config: DocumentConfig, limits: ReadLimits, layout: OutputLayout, row_group_rows: int
    ) -> None:
        self.config = config
        self.limits = limits
        self.layout = layout
        self.row_group_rows = row_group_rows
        self._counters: dict[str, Any] = {}
        self.tools: Toolbox | None = None

    def setup(self) -> None:
        exit_promptly()
        # trafilatura logs a warning per discarded page; outcomes are counted instead.
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
        self.tools = Toolbox(self.config).load()

    def _flush_counts(self, counts: Mapping[str, int]) -> None:
        for name, value in counts.items():
            if name not in self._counters:
                self._counters[name] = Metrics.counter("crawlsift", name)
            self._counters[name].inc(value)

    def _records(self, file: InputFile, count: Any) -> Iterator[RawRecord]:
        try:
            stream = FileSystems.open(file.path, compression_type=CompressionTypes.UNCOMPRESSED)
        except Exception:  # gs:// raises google.api_core's NotFound or Forbidden, not OSError
            yield unreadable_file_record(file, "error:unreadable_file")
            return
        with stream:
            yield from read_records(file, stream, self.limits, count)

    def process(self, batch: FileBatch) -> Iterator[Any]:
        assert self.tools is not None, "setup() was not called"
        clock = self.tools.clock
        started = time.thread_time()
        counts: collections.Counter = collections.Counter()

        def count(name: str) -> None:
            counts[name] += 1

        locations: list[dict[str, Any]] = []
        documents: list[Document] = []
        files: list[dict[str, Any]] = []
        part = self.layout.candidates_part(batch.batch_id)
        for file in batch.files:
            first = len(locations)
            for raw in self._records(file, count):
                result = process_record(raw, batch.batch_id, self.tools, count)
                locations.append(result.location)
                if result.document is not None:
                    documents.append(result.document)
            file_errors = [row["reason"] for row in locations[first:] if row["status"] == ERROR]
            files.append(
                {
                    "source_uri": file.path,
                    "size": file.size,
                    "mtime": file.mtime,
                    "batch_id": batch.batch_id,
                    "n_records": len(locations) - first,
                    "error": file_errors[0] if file_errors else None,
                }
            )
        candidates = [dedup_candidate(document, part, self.tools) for document in documents]
        with clock.stage("write"):
            if documents:
                self.layout.write_parquet(documents_table(documents), part, self.row_group_rows)
                tag = hasher_tag(self.tools.hasher)
                write_signatures(self.layout, batch.batch_id, documents, candidates, tag)
            self.layout.write_parquet(
                pa.Table.from_pylist(locations, schema=LOCATION_SCHEMA),
                self.layout.store_part("locations", batch.batch_id),
            )
            self.layout.write_parquet(
                pa.Table.from_pylist(files, schema=FILE_SCHEMA),
                self.layout.store_part("files", batch.batch_id),
            )
        counts["files:processed"] += len(batch.files)
        self._flush_counts(counts)
        yield from candidates
        if documents:
            yield beam.pvalue.TaggedOutput(PARTS_TAG, part)
        clock.seconds["batch"] += time.thread_time() - started  # all of it: read is the rest
        self._flush_counts(clock.drain())


class ProcessFiles(beam.PTransform):
    """PCollection[FileBatch] -> outputs ``candidates`` (DedupCandidate) and ``parts`` (str)."""

    def __init__(
        self, config: DocumentConfig, limits: ReadLimits, layout: OutputLayout, row_group_rows: int
    ) -> None:
        super().__init__()
        self.fn = _ProcessBatch(config, limits, layout, row_group_rows)

    def expand(self, batches: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return batches | "ReadExtractTag" >> beam.ParDo(self.fn).with_outputs(
            PARTS_TAG, main="candidates"
        )
