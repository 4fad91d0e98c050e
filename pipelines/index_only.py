"""The ``--index_only`` graph: list and index files, extract nothing.

    python -m pipelines.crawl_to_shards --input 'tree/**/*.html' --output out/ --index_only

    ListInputs ──> IndexFiles ──> driver: load store, check, summarise
     per directory   per batch of thousands of files (a small prefix: where it was listed)

Every input record ends ``indexed`` (located: file, offset, length, size, content digest, URL
when the input has one) or ``error:<reason>``. The store parts are those of a full run, so the
driver loads, checks and summarises the run the same way; the run is recorded with mode
``index``. An index-only run skips files any earlier run committed; a full run does not skip
files only an index-only run committed, and its rows supersede the indexed ones (same record ids).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import apache_beam as beam

from transforms.batched_listing import Keep, ListBatches, ListBatchesWhereListed, whole_directories
from transforms.index_files import IndexFiles
from transforms.layout import OutputLayout

if TYPE_CHECKING:  # crawl_to_shards imports this module
    from pipelines.crawl_to_shards import RunSettings

INDEX_MODE = "index"
FULL_MODE = "full"
INDEX_FILES_PER_BATCH = 2000  # --files_per_batch when --index_only does not set it
# A prefix of at most this many files and bytes is indexed by the worker that listed it (about a
# second of work): more would leave one worker with a large share of a tree of few prefixes.
KEEP_WHERE_LISTED = Keep(files=20_000, bytes=256 << 20)


def build_index_graph(
    pipeline: beam.Pipeline,
    settings: RunSettings,
    layout: OutputLayout,
    keep: Keep = KEEP_WHERE_LISTED,
) -> None:
    """List in per-directory pieces, index in batches: no per-file element anywhere.

    A first run of one local pattern indexes the batches of small prefixes on the worker that
    listed them, in the same step (``KEEP_WHERE_LISTED``): no shuffle of their names, no wait for
    the whole listing. Any other run joins its listing with what earlier runs committed first."""
    patterns, committed = list(settings.inputs), list(settings.committed_parts)
    index = IndexFiles(layout, settings.limits, settings.row_group_rows)
    if not whole_directories(patterns, committed):
        batches = pipeline | "ListInputs" >> ListBatches(
            patterns, settings.files_per_batch, settings.batch_bytes, committed
        )
        _ = batches | "IndexFiles" >> index
        return
    kept, spread = pipeline | "ListInputs" >> ListBatchesWhereListed(
        patterns, settings.files_per_batch, settings.batch_bytes, keep
    )
    _ = kept | "IndexWhereListed" >> index
    _ = spread | "IndexSpread" >> index
