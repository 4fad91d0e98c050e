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

from transforms.batched_listing import ListBatches
from transforms.batching import batch_id_for, make_batches
from transforms.file_listing import parent_directory

__all__ = ["ListInputs", "batch_id_for", "make_batches", "parent_directory"]


# The pipeline's name for the batched listing: PBegin -> PCollection[FileBatch], spread over
# workers, files that earlier runs committed (``committed_parts``) skipped.
ListInputs = ListBatches
