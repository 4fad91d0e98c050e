"""IndexFiles: the one stage of ``--index_only`` after listing: locate and digest, write parts.

For each batch (thousands of small files, or one archive) the worker reads every file once
(``transforms/index_readers.py``), builds its store rows as columns (``index_rows.py``), writes the
batch's ``locations`` and ``files`` parts (``store/runs/<run_id>/{locations,files}/<batch>``,
the same parts a full run writes, loaded by the driver the same way) and emits one small
``(batch_id, records)`` element. A readable record's status is ``indexed``; a broken one's is
``error`` with the reason a full run would give.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

import apache_beam as beam
import pyarrow.compute as pc
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.index_readers import Count, index_records, read_small_page
from transforms.index_rows import IndexRows, unreadable_file
from transforms.layout import OutputLayout
from transforms.local_worker import exit_promptly
from transforms.prefixes import is_local
from transforms.readers import ReadLimits, detect_format
from transforms.records import INDEXED, FileBatch


def is_local_path(path: str) -> bool:
    """A path the OS opens directly (not gs://, s3://, file://)."""
    return is_local(path) and not path.startswith("file://")


def open_input(path: str) -> BinaryIO:
    """Local files through the OS directly (the common case, per file), others through Beam.
    A local HTML page is read whole or in large pieces: no buffer of its own (``buffering=0``)."""
    if is_local_path(path):
        return open(path, "rb", buffering=0 if detect_format(path) == "html" else -1)
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


def index_batch(batch: FileBatch, limits: ReadLimits, count: Count) -> IndexRows:
    """Every record of a batch's files, located and digested, as the batch's store rows."""
    rows = IndexRows(batch.batch_id)
    local = bool(batch.files) and is_local_path(batch.files[0].path)
    for file in batch.files:
        page = read_small_page(file) if local else None
        if page is not None:
            count("read:html")
            rows.add_page(file, page)
            continue
        first = rows.general_rows()
        try:
            stream = open_input(file.path)
        except Exception:  # gs:// raises google.api_core's NotFound or Forbidden, not OSError
            count("error:unreadable_file")
            rows.add_record(unreadable_file(file))
        else:
            with stream:
                for raw in index_records(file, stream, limits, count):
                    rows.add_record(raw)
        rows.add_file(file, first)
    return rows


class _IndexBatch(beam.DoFn):
    def __init__(self, layout: OutputLayout, limits: ReadLimits, row_group_rows: int) -> None:
        self.layout = layout
        self.limits = limits
        self.row_group_rows = row_group_rows
        self._counters: dict[str, Any] = {}

    def setup(self) -> None:
        exit_promptly()

    def _flush_counts(self, counts: Mapping[str, int]) -> None:
        for name, value in counts.items():
            if name not in self._counters:
                self._counters[name] = Metrics.counter("crawlsift", name)
            self._counters[name].inc(value)

    def process(self, batch: FileBatch) -> Iterator[tuple[str, int]]:
        counts: collections.Counter = collections.Counter()

        def count(name: str) -> None:
            counts[name] += 1

        rows = index_batch(batch, self.limits, count)
        locations, files = rows.tables()
        layout = self.layout
        locations_part = layout.store_part("locations", batch.batch_id)
        layout.write_parquet(locations, locations_part, self.row_group_rows)
        layout.write_parquet(files, layout.store_part("files", batch.batch_id))
        counts["records:in"] += len(rows)
        counts[f"status:{INDEXED}"] += pc.sum(pc.equal(locations["status"], INDEXED)).as_py() or 0
        counts["files:indexed"] += len(batch.files)
        self._flush_counts(counts)
        yield batch.batch_id, len(rows)


class IndexFiles(beam.PTransform):
    """PCollection[FileBatch] -> PCollection[(batch_id, records)], parts written on the way."""

    def __init__(self, layout: OutputLayout, limits: ReadLimits, row_group_rows: int) -> None:
        super().__init__()
        self.fn = _IndexBatch(layout, limits, row_group_rows)

    def expand(self, batches: beam.PCollection) -> beam.PCollection:
        return batches | "LocateAndDigest" >> beam.ParDo(self.fn)
