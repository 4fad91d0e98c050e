"""ListInputs: expand ``--input`` patterns into deterministic batches of file names.

Only names travel here, and never one element per file: the patterns are fanned out over
directory prefixes, each prefix is listed on a worker into per-directory file lists, and the
lists are made distinct (two patterns may match the same file), rid of files an earlier run
committed, and cut into batches of small files (or one large file per batch) per directory
(``transforms/batched_listing.py``). A batch id is a digest of its paths, so a rerun on the same
inputs names the same parts. The only shuffles of inputs carry names, per directory and per
batch; the last, a Reshuffle, spreads the batches over workers.
"""

from __future__ import annotations

import apache_beam as beam

from transforms.batched_listing import ListBatches
from transforms.batching import batch_id_for, make_batches
from transforms.file_listing import parent_directory

__all__ = ["ListInputs", "batch_id_for", "make_batches", "parent_directory"]


class ListInputs(beam.PTransform):
    """PBegin -> PCollection[FileBatch], spread over workers.

    ``committed_parts`` are the ``files`` store parts of earlier runs into the same output: files
    listed there with the same size and mtime are skipped (incremental runs). The comparison is a
    join by directory, so it scales with the listing, not with the driver's memory."""

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

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        return pbegin | "ListBatches" >> ListBatches(
            self.patterns, self.files_per_batch, self.batch_bytes, self.committed_parts
        )
